import type { CallFrame } from '@bulwark/chain';
import { type Hex, toFunctionSelector } from 'viem';
import { adminChangeTarget } from '../../events/normalize.ts';
import type { AdminChange, AdminEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal, WatchedView } from '../types.ts';

const defaultAdminRole = `0x${'00'.repeat(32)}`;
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

/** How much power a change moves, before who made it and how: upgrades and ownership first, roles after. */
export function changeWeight(change: AdminChange): number {
  switch (change.name) {
    case 'Upgraded':
    case 'BeaconUpgraded':
      return 0.4;
    case 'OwnershipTransferred':
      return change.newOwner === zeroAddress ? 0.15 : 0.35;
    case 'AdminChanged':
      return 0.35;
    case 'GuardianChanged':
      return 0.3;
    case 'OwnershipTransferStarted':
    case 'AdminTransferStarted':
      return 0.25;
    case 'RoleAdminChanged':
      return 0.25;
    case 'RoleGranted':
      return change.role === defaultAdminRole ? 0.3 : 0.2;
    case 'RoleRevoked':
      return change.role === defaultAdminRole ? 0.25 : 0.15;
    case 'Unpaused':
      return 0.2;
    default:
      return 0;
  }
}

/** The account the event names as acting (the role sender, the pauser), besides the transaction sender. */
function eventActor(change: AdminChange): string | undefined {
  switch (change.name) {
    case 'RoleGranted':
    case 'RoleRevoked':
      return change.sender;
    case 'Paused':
    case 'Unpaused':
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
  impact: 'high',
  confidence: 'medium',
  description:
    'A watched contract emits an admin event: a proxy or beacon upgrade, an ownership or admin transfer (or its first step), a guardian change, a role granted or revoked, a role admin changed, an unpause, or a pause by an account that never administered the contract. ' +
    'Score = min(0.7, (weight + `freshBonus` when the new implementation, owner, admin, guardian or role holder was created recently + `directBonus` when the sender acted alone: no trusted admin and no Safe, timelock or governor `execute` frame on the way to the contract) × actor factor). ' +
    'Weights: upgrade 0.4; ownership or admin transfer 0.35 (renounce 0.15); guardian 0.3; two-step transfer started, role admin changed, DEFAULT_ADMIN_ROLE revoked 0.25; DEFAULT_ADMIN_ROLE granted 0.3; other role granted 0.2, revoked 0.15; unpause 0.2. ' +
    'Actor factor: `trustedFactor` (0: silent) when a configured trusted admin (timelock, multisig) sent it, called the contract or is the role sender; `knownActorFactor` (0.5) when the sender made admin changes while learning (or deployed the contract); 1 otherwise. ' +
    'A pause scores `pauseScore` (0.15) when neither trusted nor known, and nothing otherwise. Events of a contract created in the same transaction (its constructor) are ignored.',
  scenario:
    "An attacker who stole a deployer or admin key (or found an unprotected initializer) upgrades the proxy to a drainer implementation deployed minutes before, or makes a contract of theirs the owner, then withdraws everything through the new code (Ronin, Harmony, Multichain, Radiant). The change comes from an EOA that never administered the contract, without the protocol's timelock or multisig in between.",
  recommendation:
    'Confirm with the admin team that the change was planned. If not, pause, revoke the new holder where possible, and rotate the keys. Put upgrades and ownership behind a timelock and a multisig and list them in `trustedAdmins`, so that only changes that bypass them stand out.',
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
        'Multiplies the score of a change sent by an account seen making admin changes while learning, or by the deployer.',
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
    const constructed = new Set(
      context.events.flatMap((event) => (event.type === 'creation' ? [event.address as string] : [])),
    );
    const byContract = new Map<string, AdminEvent[]>();
    for (const event of context.events) {
      if (event.type !== 'admin' || constructed.has(event.contract)) continue;
      byContract.set(event.contract, [...(byContract.get(event.contract) ?? []), event]);
    }
    const signals: Signal[] = [];
    for (const [address, events] of byContract) {
      const view = context.watched.get(address);
      if (view) signals.push(...signalFor(context, view, events));
    }
    return signals;
  },
});

type Assessed = {
  event: AdminEvent;
  score: number;
  trusted: boolean;
  known: boolean;
  fresh: boolean;
  direct: boolean;
  target: string | undefined;
  actor: string | undefined;
};

function signalFor(context: RuleContext, view: WatchedView, events: AdminEvent[]): Signal[] {
  const address = view.address;
  const sender = context.tx.from.toLowerCase();
  const callers = [
    ...new Set(
      context.events.flatMap((event) => (event.type === 'call' && event.contract === address ? [event.caller] : [])),
    ),
  ];
  const trustedAdmins = view.trustedAdmins;
  const throughTrusted = trustedAdmins.has(sender) || callers.some((caller) => trustedAdmins.has(caller));
  const creation = context.recentCreation(address);
  const known =
    (view.profile?.adminActors[sender] ?? 0) >= context.parameter('knownActorChanges', address) ||
    creation?.txFrom === sender ||
    creation?.creator === sender;
  const alone = actedAlone(context, address, sender);

  const parameter = (name: string) => context.parameter(name, address);
  const assessed: Assessed[] = events.map((event) => {
    const { change } = event;
    const actor = eventActor(change);
    const trusted = throughTrusted || (actor !== undefined && trustedAdmins.has(actor));
    const target = adminChangeTarget(change);
    const fresh = target !== undefined && target !== zeroAddress && createdRecently(context, target);
    const direct = !trusted && (alone || actor === sender);
    const factor = trusted ? parameter('trustedFactor') : known ? parameter('knownActorFactor') : 1;
    let score: number;
    if (change.name === 'Paused') {
      const knownPauser = actor !== undefined && (view.profile?.adminActors[actor] ?? 0) > 0;
      score = trusted || known || knownPauser ? 0 : parameter('pauseScore');
    } else {
      const weight = changeWeight(change);
      score =
        weight > 0
          ? (weight + (fresh ? parameter('freshBonus') : 0) + (direct ? parameter('directBonus') : 0)) * factor
          : 0;
    }
    score = Math.min(0.7, Math.round(score * 1000) / 1000);
    return { event, score, trusted, known, fresh, direct, target, actor };
  });
  const scored = assessed.filter((entry) => entry.score > 0).sort((a, b) => b.score - a.score);
  const top = scored[0];
  if (!top) return [];

  const describe = (entry: Assessed) =>
    `${entry.event.change.name}${entry.target ? ` to ${entry.target}` : ''}${entry.fresh ? ' (created recently)' : ''}`;
  return [
    {
      ruleId: 'admin-change',
      stage: 'exploitation',
      contract: address,
      score: top.score,
      severity: severityOf(top.score),
      title: `${top.event.change.name} on ${view.name}`,
      summary:
        `${scored.map(describe).join('; ')} on ${view.name}, sent by ${sender}` +
        `${top.trusted ? ' through a trusted admin' : top.known ? ', a known admin' : ', an account never seen administering it'}` +
        `${top.direct ? ' directly' : ''}.`,
      actor: sender,
      details: {
        changes: scored.map((entry) => ({
          name: entry.event.change.name,
          change: entry.event.change,
          logIndex: entry.event.logIndex,
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
