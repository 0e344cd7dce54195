import type { CallFrame } from '@bulwark/chain';
import { type Hex, toFunctionSelector } from 'viem';
import type { AdminChange, AdminEvent } from '../../events/types.ts';
import { controlChanges, isKnownAdmin, standardWeight, touchedContracts } from '../../privilege/inspect.ts';
import type { ControlChange } from '../../privilege/types.ts';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal, WatchedView } from '../types.ts';

const zeroAddress = '0x0000000000000000000000000000000000000000';

/**
 * Entry points of multi-party control: Safe `execTransaction`, OpenZeppelin TimelockController
 * `execute`/`executeBatch`, Compound Timelock `executeTransaction`, OpenZeppelin Governor and
 * GovernorBravo `execute`. A change made below one of them was not made by one key alone.
 */
const governanceSelectors = new Set<Hex>(
  [
    'execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)',
    'execute(address,uint256,bytes,bytes32,bytes32)',
    'executeBatch(address[],uint256[],bytes[],bytes32,bytes32)',
    'executeTransaction(address,uint256,string,bytes,uint256)',
    'execute(address[],uint256[],bytes[],bytes32)',
    'execute(uint256)',
  ].map((signature) => toFunctionSelector(signature)),
);

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

/** How much power a standard change moves (kept for callers of the old name; see `standardWeight`). */
export const changeWeight = standardWeight;

/** The account a standard event names as acting (the role sender, the pauser), besides the transaction sender. */
function eventActor(change: AdminChange | undefined): string | undefined {
  switch (change?.name) {
    case 'RoleGranted':
    case 'RoleRevoked':
      return change.sender;
    case 'Paused':
      return change.account;
    default:
      return undefined;
  }
}

export const adminChangeRule = defineRule({
  id: 'admin-change',
  title: 'Ownership, admin, role or implementation change',
  category: 'admin',
  stage: 'exploitation',
  family: 'control',
  impact: 'high',
  confidence: 'medium',
  description:
    'A watched contract changes who controls it: a standard admin event (a proxy or beacon upgrade, an ownership or admin transfer or its first step, a guardian change, a role granted or revoked, a role admin changed), or a control event its ABI declares (`OperatorUpdated`, `NewGovernor`, `MinterAdded`, … see docs/monitor/privilege.md); or a pause by an account that never administered the contract. ' +
    'Score = min(0.7, (weight + `freshBonus` when the new implementation, owner, admin, guardian or role holder was created recently + `directBonus` when the sender acted alone: no trusted admin and no Safe, timelock or governor `execute` frame on the way to the contract) × actor factor). ' +
    'Weights: upgrade 0.4; ownership or admin transfer 0.35 (renounce 0.15); guardian 0.3; two-step transfer started, role admin changed, DEFAULT_ADMIN_ROLE revoked 0.25; DEFAULT_ADMIN_ROLE granted 0.3; other role granted 0.2, revoked 0.15. ABI control events: owner, admin or governor 0.35, other holders (operator, guardian, minter, keeper, …) 0.3, roles 0.2, first steps 0.25, removals 0.15, implementation 0.4. ' +
    'Actor factor: `trustedFactor` (0: silent) when a configured trusted admin (timelock, multisig) sent it, called the contract or is the role sender; `knownActorFactor` (0.5) when the sender made admin changes or called privileged functions while learning (or deployed the contract); 1 otherwise. ' +
    'A pause scores `pauseScore` (0.15) when neither trusted nor known, and nothing otherwise; an unpause is routine admin work and scores nothing. Events of a contract created in the same transaction (its constructor) are ignored.',
  scenario:
    "An attacker who stole a deployer or admin key (or found an unprotected initializer) upgrades the proxy to a drainer implementation deployed minutes before, or makes a contract of theirs the owner or operator, then withdraws everything through the new code (Ronin, Harmony, Multichain, Radiant). The change comes from an EOA that never administered the contract, without the protocol's timelock or multisig in between.",
  recommendation:
    'Confirm with the admin team that the change was planned. If not, pause, revoke the new holder where possible, and rotate the keys. Put upgrades and ownership behind a timelock and a multisig and list them in `trustedAdmins`, so that only changes that bypass them stand out; give the contract its `abi` so its own control events are recognised.',
  swc: [],
  owasp: ['SC01:2025'],
  control: 'SA-03',
  needs: ['logs'],
  parameters: {
    trustedFactor: {
      default: 0,
      minimum: 0,
      maximum: 1,
      description: 'Multiplies the score of a change made through a trusted admin (`trustedAdmins`); 0 silences them.',
    },
    knownActorFactor: {
      default: 0.5,
      minimum: 0,
      maximum: 1,
      description:
        'Multiplies the score of a change sent by an account seen making admin changes or calling privileged functions while learning, or by the deployer.',
    },
    knownActorChanges: {
      default: 1,
      minimum: 1,
      description: 'Admin transactions while learning from which a sender is a known admin.',
    },
    freshBonus: {
      default: 0.2,
      minimum: 0,
      maximum: 0.4,
      description:
        'Added when the account given power was created in this transaction or within the recent-creation window.',
    },
    directBonus: {
      default: 0.1,
      minimum: 0,
      maximum: 0.3,
      description:
        'Added when the transaction sender called the contract itself (or is the role sender): an EOA acting alone.',
    },
    pauseScore: {
      default: 0.15,
      minimum: 0,
      maximum: 0.5,
      description:
        'Score of a pause by an account neither trusted nor seen administering the contract; 0 ignores pauses.',
    },
  },
  evaluate(context) {
    return touchedContracts(context).flatMap((view) => signalFor(context, view));
  },
});

type Assessed = {
  name: string;
  change: AdminChange | ControlChange;
  logIndex: number | undefined;
  score: number;
  trusted: boolean;
  known: boolean;
  fresh: boolean;
  direct: boolean;
  target: string | undefined;
  actor: string | undefined;
};

function signalFor(context: RuleContext, view: WatchedView): Signal[] {
  const address = view.address;
  const sender = context.tx.from.toLowerCase();
  const callers = [
    ...new Set(
      context.events.flatMap((event) => (event.type === 'call' && event.contract === address ? [event.caller] : [])),
    ),
  ];
  const trustedAdmins = view.trustedAdmins;
  const throughTrusted = trustedAdmins.has(sender) || callers.some((caller) => trustedAdmins.has(caller));
  const known =
    (view.profile?.adminActors[sender] ?? 0) >= context.parameter('knownActorChanges', address) ||
    ((view.profile?.adminActors[sender] ?? 0) === 0 && isKnownAdmin(context, view, sender));
  const alone = actedAlone(context, address, sender);
  const parameter = (name: string) => context.parameter(name, address);

  const pauses = context.events.filter(
    (event): event is AdminEvent =>
      event.type === 'admin' && event.contract === address && event.change.name === 'Paused',
  );
  const assessed: Assessed[] = [];
  for (const event of pauses) {
    const actor = eventActor(event.change);
    const trusted = throughTrusted || (actor !== undefined && trustedAdmins.has(actor));
    const knownPauser = actor !== undefined && isKnownAdmin(context, view, actor);
    const score = trusted || known || knownPauser ? 0 : parameter('pauseScore');
    assessed.push({
      name: 'Paused',
      change: event.change,
      logIndex: event.logIndex,
      score,
      trusted,
      known,
      fresh: false,
      direct: !trusted && alone,
      target: undefined,
      actor,
    });
  }
  for (const change of controlChanges(context, view, { fromCalls: false })) {
    const actor = eventActor(change.standard);
    const trusted = throughTrusted || (actor !== undefined && trustedAdmins.has(actor));
    const target = change.targets[0];
    const fresh = target !== undefined && target !== zeroAddress && createdRecently(context, target);
    const direct = !trusted && (alone || actor === sender);
    const factor = trusted ? parameter('trustedFactor') : known ? parameter('knownActorFactor') : 1;
    const score =
      (change.weight + (fresh ? parameter('freshBonus') : 0) + (direct ? parameter('directBonus') : 0)) * factor;
    assessed.push({
      name: change.name,
      change: change.standard ?? change,
      logIndex: change.logIndex,
      score,
      trusted,
      known,
      fresh,
      direct,
      target,
      actor,
    });
  }
  for (const entry of assessed) entry.score = Math.min(0.7, Math.round(entry.score * 1000) / 1000);
  const scored = assessed.filter((entry) => entry.score > 0).sort((a, b) => b.score - a.score);
  const top = scored[0];
  if (!top) return [];

  const describe = (entry: Assessed) =>
    `${entry.name}${entry.target ? ` to ${entry.target}` : ''}${entry.fresh ? ' (created recently)' : ''}`;
  return [
    {
      ruleId: 'admin-change',
      stage: 'exploitation',
      contract: address,
      score: top.score,
      severity: severityOf(top.score),
      title: `${top.name} on ${view.name}`,
      summary:
        `${scored.map(describe).join('; ')} on ${view.name}, sent by ${sender}` +
        `${top.trusted ? ' through a trusted admin' : top.known ? ', a known admin' : ', an account never seen administering it'}` +
        `${top.direct ? ' directly' : ''}.`,
      actor: sender,
      details: {
        changes: scored.map((entry) => ({
          name: entry.name,
          change: entry.change,
          logIndex: entry.logIndex,
          score: entry.score,
          target: entry.target,
          actor: entry.actor,
          freshTarget: entry.fresh,
          direct: entry.direct,
          trusted: entry.trusted,
        })),
        sender,
        knownActor: known,
        throughTrustedAdmin: top.trusted,
        callers,
      },
    },
  ];
}

/**
 * Whether the sender reached the contract with no multi-party control in between: with a trace,
 * a non-static call into the contract with no Safe, timelock or governor frame above it; without
 * one, the transaction calling the contract itself.
 */
function actedAlone(context: RuleContext, address: string, sender: string): boolean {
  const trace = context.tx.trace;
  if (!trace) return context.tx.to?.toLowerCase() === address && context.tx.from.toLowerCase() === sender;
  let alone = false;
  const visit = (frame: CallFrame, governed: boolean) => {
    const selector = frame.input.length >= 10 ? (frame.input.slice(0, 10).toLowerCase() as Hex) : undefined;
    const below = governed || (selector !== undefined && governanceSelectors.has(selector));
    if (frame.to === address && !governed && frame.type !== 'STATICCALL') alone = true;
    for (const call of frame.calls) if (!alone) visit(call, below);
  };
  visit(trace, false);
  return alone;
}

function createdRecently(context: RuleContext, address: string): boolean {
  return (
    context.events.some((event) => event.type === 'creation' && event.address === address) ||
    context.recentCreation(address) !== undefined
  );
}
