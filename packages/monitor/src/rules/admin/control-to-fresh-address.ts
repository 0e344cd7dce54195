import { controlChanges, isKnownAdmin, seenBy, touchedContracts } from '../../privilege/inspect.ts';
import type { ControlChange } from '../../privilege/types.ts';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal, WatchedView } from '../types.ts';

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

const zeroAddress = '0x0000000000000000000000000000000000000000';

type Assessed = {
  change: ControlChange;
  target: string;
  /** `created`: a contract created in this transaction or the recent-creation window; `unseen`: never seen by the contract. */
  freshness: 'created' | 'unseen';
  self: boolean;
  score: number;
};

export const controlToFreshAddressRule = defineRule({
  id: 'control-to-fresh-address',
  title: 'Control of a watched contract handed to a fresh address',
  category: 'admin',
  stage: 'exploitation',
  family: 'control',
  impact: 'high',
  confidence: 'medium',
  description:
    'A change of control of a watched contract (a standard admin event, a control event of its ABI, or a call to a control function that emitted none; see docs/monitor/privilege.md) gives power (ownership, admin, operator, minter, guardian, a role, the implementation) to a fresh address. ' +
    'Fresh: a contract created in this transaction or within the recent-creation window (`creationWindowBlocks`), or, once the contract has a learned profile, an address it never saw: never its caller, never an administrator, never a caller of a privileged function, not a trusted admin, not the previous holder, not a watched contract. The monitor does not read code: an unseen EOA and an unseen contract are alike. ' +
    'Revocations, renouncements to the zero address and the accept step of a two-step handover (the caller takes the power it was offered) are not counted. ' +
    'Score = (`createdScore` (0.45) or `unseenScore` (0.35)) + `unknownSenderBonus` (0.15) when the sender is not a known administrator + `selfBonus` (0.1) when the new holder is the sender or was created by it; × `pendingFactor` (0.5) for a first step (pending, nominated); × `knownAdminFactor` (0.5) when a known administrator made the change; × 0 through a trusted admin. At most 0.7. Shares the `control` family with `admin-change`: one handover counts once in the composite.',
  scenario:
    'An unguarded initializer or `grantRole` lets an attacker make a new account the operator or minter; a stolen admin key hands the contract to a drainer deployed minutes before. The new holder has no past with the contract: it exists for the attack.',
  recommendation:
    'Confirm the new holder with the admin team. If nobody knows it, pause, revoke it, and find how the change was possible (missing access control, leaked key).',
  swc: ['SWC-105'],
  owasp: ['SC01:2025'],
  control: 'SA-03',
  needs: ['logs'],
  parameters: {
    createdScore: {
      default: 0.45,
      minimum: 0,
      maximum: 1,
      description: 'Base score when the new holder is a contract created recently.',
    },
    unseenScore: {
      default: 0.35,
      minimum: 0,
      maximum: 1,
      description: 'Base score when the new holder was never seen by the contract.',
    },
    unknownSenderBonus: {
      default: 0.15,
      minimum: 0,
      maximum: 0.5,
      description: 'Added when the sender is not a known administrator.',
    },
    selfBonus: {
      default: 0.1,
      minimum: 0,
      maximum: 0.3,
      description: 'Added when the sender gives the power to itself or to a contract it created.',
    },
    pendingFactor: {
      default: 0.5,
      minimum: 0,
      maximum: 1,
      description: 'Multiplies the score of a first step (a pending or nominated holder).',
    },
    knownAdminFactor: {
      default: 0.5,
      minimum: 0,
      maximum: 1,
      description: 'Multiplies the score when a known administrator made the change.',
    },
  },
  evaluate(context) {
    return touchedContracts(context).flatMap((view) => {
      const signal = signalFor(context, view);
      return signal ? [signal] : [];
    });
  },
});

/** The creator (and the sender of the creating transaction) of a contract created recently or in this transaction. */
function creationOf(context: RuleContext, address: string): { creator: string; txFrom: string } | undefined {
  for (const event of context.events) {
    if (event.type === 'creation' && event.address === address) return { creator: event.creator, txFrom: event.txFrom };
  }
  return context.recentCreation(address);
}

function signalFor(context: RuleContext, view: WatchedView): Signal | undefined {
  const address = view.address;
  const parameter = (name: string) => context.parameter(name, address);
  const sender = context.tx.from.toLowerCase();
  const callers = context.events.flatMap((event) =>
    event.type === 'call' && event.contract === address ? [event.caller] : [],
  );
  if (view.trustedAdmins.has(sender) || callers.some((caller) => view.trustedAdmins.has(caller))) return undefined;
  const known = isKnownAdmin(context, view, sender);
  const assessed: Assessed[] = [];
  for (const change of controlChanges(context, view)) {
    if (change.revokes || change.accepted) continue;
    for (const target of change.targets) {
      if (target === zeroAddress || target === address || context.watched.has(target)) continue;
      if (view.trustedAdmins.has(target) || target === change.previous) continue;
      const creation = creationOf(context, target);
      const freshness = creation ? 'created' : view.profile && !seenBy(view, target) ? 'unseen' : undefined;
      if (!freshness) continue;
      const self = target === sender || creation?.creator === sender || creation?.txFrom === sender;
      let score =
        parameter(freshness === 'created' ? 'createdScore' : 'unseenScore') +
        (known ? 0 : parameter('unknownSenderBonus')) +
        (self ? parameter('selfBonus') : 0);
      if (change.pending) score *= parameter('pendingFactor');
      if (known) score *= parameter('knownAdminFactor');
      assessed.push({ change, target, freshness, self, score: Math.min(0.7, Math.round(score * 1000) / 1000) });
    }
  }
  const scored = assessed.filter((entry) => entry.score > 0).sort((a, b) => b.score - a.score);
  const top = scored[0];
  if (!top) return undefined;
  const how = (entry: Assessed) =>
    entry.freshness === 'created' ? 'a contract created recently' : 'an address the contract never saw';
  return {
    ruleId: 'control-to-fresh-address',
    stage: 'exploitation',
    contract: address,
    score: top.score,
    severity: severityOf(top.score),
    title: `${top.change.name} on ${view.name} hands control to ${how(top)}`,
    summary:
      `${top.change.name} on ${view.name} gives ${top.change.kind === 'upgrade' ? 'its code' : 'power'} to ${top.target}, ${how(top)}` +
      `${top.self ? ', the sender itself or its creation' : ''}; sent by ${sender}` +
      `${known ? ', a known administrator' : ', an account never seen administering it'}.`,
    actor: sender,
    linked: scored.flatMap((entry) => (entry.target ? [entry.target] : [])),
    details: {
      changes: scored.map((entry) => ({
        name: entry.change.name,
        source: entry.change.source,
        kind: entry.change.kind,
        target: entry.target,
        previous: entry.change.previous,
        role: entry.change.role,
        freshness: entry.freshness,
        self: entry.self,
        pending: entry.change.pending,
        score: entry.score,
      })),
      sender,
      knownAdmin: known,
    },
  };
}
