import type { CallFrame } from '@bulwark/chain';
import { adminChangeTarget } from '../../events/normalize.ts';
import type { AdminChange, CreationEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import type { Creation, RuleContext, Signal, WatchedView } from '../types.ts';

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

/** A contract created recently, as seen from the transaction being evaluated. */
type Fresh = {
  address: string;
  creator: string;
  /** The sender of the creating transaction. */
  txFrom: string;
  sameTx: boolean;
  ageBlocks: number;
  ageSeconds: number;
  /** 1 when created in this transaction, falling to 0 at the maximum age. */
  youth: number;
};

/** One piece of evidence for a watched contract. */
type Evidence = {
  /** `simulated-caller`: created here, and its simulated calls would drain the watched contract. */
  kind: 'caller' | 'admin-target' | 'simulated-caller';
  fresh: Fresh;
  score: number;
  /** For a caller: it called the watched contract itself (not only on the path), or from its constructor. */
  direct?: boolean;
  inConstructor?: boolean;
  /** For an admin target: the change that handed it power. */
  change?: AdminChange['name'];
};

export const freshContractCallerRule = defineRule({
  id: 'fresh-contract-caller',
  title: 'Watched contract used by (or handed to) a freshly created contract',
  category: 'actors',
  stage: 'preparation',
  impact: 'medium',
  confidence: 'low',
  description:
    'A call into a watched contract comes from, or passes through, a contract created within the last `maxAgeBlocks` blocks or `maxAgeSeconds` seconds (whichever reads younger), or created in the same transaction; or an admin event of a watched contract (Upgraded, BeaconUpgraded, ownership, admin or guardian transfer, RoleGranted) hands power to such a contract. Read-only calls (STATICCALL) do not count. A contract created in the transaction whose calls, simulated from its deployer at that block, would take at least `minSimulatedShare` of an asset out of a watched contract counts as its direct caller (creation simulation, docs/monitor/simulation.md). A contract created before the monitor started (in the blocks it learned from) existed and behaved before: it is never fresh. The maximum ages are read for the watched contract concerned, so per-contract overrides apply. ' +
    'Youth = 1 − age / maximum age (1 in the same transaction). ' +
    'Caller score = 0.2 + 0.1 × youth + 0.15 when the transaction sender deployed it itself (0.1 when the sender deployed it earlier through a factory) + 0.1 when created in this transaction + 0.1 when the call is made from its constructor; × `indirectFactor` (0.75) when it is on the path but not the direct caller. At most 0.65. ' +
    'Admin score = 0.3 + 0.2 × youth + 0.1 when deployed by the transaction sender + 0.05 when created in this transaction, × 0.5 when a trusted admin made the change or × 0.75 when a known admin did. At most 0.65. The strongest evidence is the score.',
  scenario:
    'An attacker deploys an exploit contract and calls the protocol through it minutes later, or from its constructor in the same transaction (to dodge is-contract checks); a compromised admin deploys a drainer and upgrades the proxy to it, or makes it the owner. Almost every exploit contract is new: it is written for one attack and used once.',
  recommendation:
    'Look at the new contract: its creator, its code (verified or not, selectors it exposes) and what it did in this transaction. Alone this is weak evidence (smart-contract wallets and new integrations are new too); combined with an exploitation signal it marks a staged attack.',
  swc: [],
  owasp: [],
  control: 'SA-01',
  needs: ['traces', 'logs'],
  parameters: {
    maxAgeBlocks: {
      default: 300,
      minimum: 1,
      description: 'A contract created at most this many blocks ago is fresh (or within `maxAgeSeconds`).',
    },
    maxAgeSeconds: {
      default: 3600,
      minimum: 1,
      description: 'A contract created at most this many seconds ago is fresh (or within `maxAgeBlocks`).',
    },
    minSimulatedShare: {
      default: 0.02,
      minimum: 0,
      maximum: 1,
      description:
        'A contract created in the transaction counts as calling the watched contract when its simulated calls would take at least this share of one of its assets out (see simulated-drain).',
    },
    indirectFactor: {
      default: 0.75,
      minimum: 0,
      maximum: 1,
      description: 'Multiplies the score of a fresh contract on the call path that is not the direct caller.',
    },
  },
  evaluate(context) {
    const created = new Map<string, CreationEvent>();
    for (const event of context.events) if (event.type === 'creation') created.set(event.address, event);
    const freshness = freshnessOf(context, created);
    // Per watched contract, the strongest evidence per fresh contract and kind.
    const evidence = new Map<string, Map<string, Evidence>>();
    const add = (contract: string, entry: Evidence) => {
      if (!context.watched.has(contract) || created.has(contract)) return;
      let entries = evidence.get(contract);
      if (!entries) {
        entries = new Map();
        evidence.set(contract, entries);
      }
      const key = `${entry.kind}:${entry.fresh.address}`;
      const known = entries.get(key);
      if (!known || entry.score > known.score) entries.set(key, entry);
    };
    for (const { contract, caller, path, constructing } of callPaths(context)) {
      for (const address of [caller, ...path]) {
        if (context.watched.has(address)) continue;
        const fresh = freshness(address, contract);
        if (!fresh) continue;
        const direct = address === caller;
        const inConstructor = direct && constructing.has(address);
        const factor = direct ? 1 : context.parameter('indirectFactor', contract);
        add(contract, {
          kind: 'caller',
          fresh,
          score: callerScore(context, fresh, inConstructor) * factor,
          direct,
          inConstructor,
        });
      }
    }
    // A contract created here whose own calls, simulated from its deployer, would take value out
    // of the watched contract: built to call it, though it has not yet (see simulated-drain).
    for (const simulation of context.simulations ?? []) {
      for (const drain of simulation.drains) {
        const fresh = freshness(simulation.address, drain.contract);
        if (!fresh) continue;
        if (drain.share < context.parameter('minSimulatedShare', drain.contract)) continue;
        add(drain.contract, {
          kind: 'simulated-caller',
          fresh,
          score: callerScore(context, fresh, false),
          direct: true,
        });
      }
    }
    for (const event of context.events) {
      if (event.type !== 'admin') continue;
      const target = adminChangeTarget(event.change);
      const fresh = target && freshness(target, event.contract);
      if (!fresh) continue;
      const view = context.watched.get(event.contract);
      if (!view) continue;
      add(event.contract, {
        kind: 'admin-target',
        fresh,
        score: adminScore(context, view, fresh),
        change: event.change.name,
      });
    }
    return [...evidence].map(([contract, entries]) => signalOf(context, contract, [...entries.values()]));
  },
});

/**
 * Looks a contract up in this transaction's creations, then in the recent-creation window, with the
 * maximum age set for the watched contract it concerns.
 */
function freshnessOf(context: RuleContext, created: Map<string, CreationEvent>) {
  const cache = new Map<string, Fresh | undefined>();
  return (address: string, watched: string): Fresh | undefined => {
    const key = `${watched}:${address}`;
    if (cache.has(key)) return cache.get(key);
    const here = created.get(address);
    const earlier: Creation | undefined = here ? undefined : context.recentCreation(address);
    let fresh: Fresh | undefined;
    if (here) {
      fresh = {
        address,
        creator: here.creator,
        txFrom: here.txFrom,
        sameTx: true,
        ageBlocks: 0,
        ageSeconds: 0,
        youth: 1,
      };
    } else if (earlier) {
      const ageBlocks = Math.max(0, Number(context.blockNumber - earlier.blockNumber));
      const ageSeconds = Math.max(0, Number(context.timestamp - earlier.timestamp));
      const age = Math.min(
        ageBlocks / context.parameter('maxAgeBlocks', watched),
        ageSeconds / context.parameter('maxAgeSeconds', watched),
      );
      if (age <= 1) {
        // A creation earlier in this transaction is among its events; this one is older.
        fresh = {
          address,
          creator: earlier.creator.toLowerCase(),
          txFrom: earlier.txFrom.toLowerCase(),
          sameTx: false,
          ageBlocks,
          ageSeconds,
          youth: 1 - age,
        };
      }
    }
    cache.set(key, fresh);
    return fresh;
  };
}

function callerScore(context: RuleContext, fresh: Fresh, inConstructor: boolean): number {
  const sender = context.tx.from.toLowerCase();
  const byCreator = fresh.creator === sender ? 0.15 : !fresh.sameTx && fresh.txFrom === sender ? 0.1 : 0;
  return 0.2 + 0.1 * fresh.youth + byCreator + (fresh.sameTx ? 0.1 : 0) + (inConstructor ? 0.1 : 0);
}

function adminScore(context: RuleContext, view: WatchedView, fresh: Fresh): number {
  const sender = context.tx.from.toLowerCase();
  const bySender = fresh.creator === sender || fresh.txFrom === sender ? 0.1 : 0;
  const trusted =
    view.trustedAdmins.has(sender) ||
    context.events.some(
      (event) => event.type === 'call' && event.contract === view.address && view.trustedAdmins.has(event.caller),
    );
  const known = (view.profile?.adminActors[sender] ?? 0) > 0;
  const factor = trusted ? 0.5 : known ? 0.75 : 1;
  return (0.3 + 0.2 * fresh.youth + bySender + (fresh.sameTx ? 0.05 : 0)) * factor;
}

type CallPath = {
  contract: string;
  /** The frame's `from`: the contract (or the storage context of a delegated one) making the call. */
  caller: string;
  /** The other contracts on the way from the transaction's target to the call. */
  path: string[];
  /** Contracts whose constructor is running at this call. */
  constructing: Set<string>;
};

/**
 * The contracts on the way to each non-static call into a watched contract, from the trace.
 * Without a trace only the transaction's own call is seen, and its caller is the EOA.
 */
function callPaths(context: RuleContext): CallPath[] {
  const trace = context.tx.trace;
  if (!trace) return [];
  const paths: CallPath[] = [];
  const stack: CallFrame[] = [];
  const visit = (frame: CallFrame) => {
    const to = frame.to;
    const isCreate = frame.type === 'CREATE' || frame.type === 'CREATE2';
    if (to && !isCreate && frame.type !== 'STATICCALL' && context.watched.has(to) && stack.length > 0) {
      // Every frame above this one runs in a contract (the root's sender, the EOA, is not on the path).
      const path = new Set<string>();
      const constructing = new Set<string>();
      for (const ancestor of stack) {
        if (!ancestor.to) continue;
        path.add(ancestor.to);
        if (ancestor.type === 'CREATE' || ancestor.type === 'CREATE2') constructing.add(ancestor.to);
      }
      path.delete(frame.from);
      paths.push({ contract: to, caller: frame.from, path: [...path], constructing });
    }
    stack.push(frame);
    for (const call of frame.calls) visit(call);
    stack.pop();
  };
  visit(trace);
  return paths;
}

function signalOf(context: RuleContext, contract: string, entries: Evidence[]): Signal {
  const view = context.watched.get(contract)!;
  const sorted = [...entries].sort((a, b) => b.score - a.score);
  const top = sorted[0]!;
  const score = Math.min(0.8, Math.round(top.score * 1000) / 1000);
  const age = (fresh: Fresh) =>
    fresh.sameTx ? 'in this transaction' : `${fresh.ageBlocks} blocks (${fresh.ageSeconds} s) ago`;
  return {
    ruleId: 'fresh-contract-caller',
    stage: 'preparation',
    contract,
    score,
    severity: severityOf(score),
    title:
      top.kind === 'caller'
        ? `${view.name} called through a contract created ${age(top.fresh)}`
        : top.kind === 'simulated-caller'
          ? `${view.name} targeted by a contract created ${age(top.fresh)} (its calls simulated)`
          : `${top.change} on ${view.name} hands power to a contract created ${age(top.fresh)}`,
    summary:
      top.kind === 'caller'
        ? `${top.fresh.address} (created by ${top.fresh.creator} ${age(top.fresh)}) ${top.direct ? 'called' : 'is on the path of a call into'} ${view.name}${top.inConstructor ? ' from its constructor' : ''}.`
        : top.kind === 'simulated-caller'
          ? `${top.fresh.address} (created by ${top.fresh.creator} ${age(top.fresh)}) would take value out of ${view.name} when called by its deployer (simulated).`
          : `${top.change} on ${view.name} gives power to ${top.fresh.address}, created by ${top.fresh.creator} ${age(top.fresh)}.`,
    actor: top.fresh.address,
    details: {
      evidence: sorted.map((entry) => ({
        kind: entry.kind,
        address: entry.fresh.address,
        creator: entry.fresh.creator,
        creationTxFrom: entry.fresh.txFrom,
        sameTransaction: entry.fresh.sameTx,
        ageBlocks: entry.fresh.ageBlocks,
        ageSeconds: entry.fresh.ageSeconds,
        createdBySender: entry.fresh.creator === context.tx.from.toLowerCase(),
        score: Math.round(entry.score * 1000) / 1000,
        ...(entry.kind === 'admin-target'
          ? { change: entry.change }
          : { directCaller: entry.direct, inConstructor: entry.inConstructor }),
      })),
    },
  };
}
