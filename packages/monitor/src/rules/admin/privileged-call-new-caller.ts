import type { CallEvent } from '../../events/types.ts';
import { calledBefore, callsOf, isKnownAdmin, privilegedFunction, touchedContracts } from '../../privilege/inspect.ts';
import type { PrivilegedFunction } from '../../privilege/types.ts';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal, WatchedView } from '../types.ts';

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

type Assessed = { call: CallEvent; privileged: PrivilegedFunction; score: number; known: boolean };

export const privilegedCallNewCallerRule = defineRule({
  id: 'privileged-call-new-caller',
  title: 'Privileged function called by an account that never called it',
  category: 'admin',
  stage: 'exploitation',
  impact: 'high',
  confidence: 'medium',
  description:
    'A successful call to a privileged function of a watched contract (one that changes control or code, or an admin operation: parameter setters, mint, sweep, rescue; classified from the ABI, the config, or a function only administrators were seen calling; see docs/monitor/privilege.md) by an account that never called it while learning, neither directly nor as the transaction sender. ' +
    'Initializers, pause, unpause and accept-style second steps of a handover are left to `initializer-reinvoked` and `admin-change`. A function more than 8 distinct accounts were seen calling is public, whatever its name. Needs a profile learned with the callers of each function (profiles stored before privilege was learned stay silent until relearned): before learning every caller is new. ' +
    'Score = (`controlScore` (0.4) for a control or upgrade function, `operationScore` (0.3) for another) + `valueBonus` (0.25) when the transaction moved value out of the contract or minted it, × `knownAdminFactor` (0: silent) when the caller or sender is a known administrator (trusted, seen calling privileged functions or making admin changes while learning, or the deployer). At most 0.7; the strongest call is the score.',
  scenario:
    'An attacker uses a function that should have been guarded, or that a new role lets them call: `grantRole` on a contract whose admin check is missing, then `mint` or `sweep` from the account just given the role; an operator set through an unguarded initializer calls the operator-only withdrawal. Access-control failures are the first cause of losses in 2024 (OWASP SC01).',
  recommendation:
    'Check who the caller is and why it could call this function. If nobody on the team knows it, pause and revoke its power. List the admin team’s timelock or multisig in `trustedAdmins`, and declare functions that are public despite their names in `notPrivileged`.',
  swc: ['SWC-105'],
  owasp: ['SC01:2025'],
  control: 'SA-03',
  needs: ['baseline'],
  parameters: {
    controlScore: {
      default: 0.4,
      minimum: 0,
      maximum: 1,
      description: 'Score of a new caller of a function that changes control or code.',
    },
    operationScore: {
      default: 0.3,
      minimum: 0,
      maximum: 1,
      description: 'Score of a new caller of another privileged function (parameter setter, mint, sweep).',
    },
    valueBonus: {
      default: 0.25,
      minimum: 0,
      maximum: 0.5,
      description: 'Added when the transaction moved value out of the contract or minted it.',
    },
    knownAdminFactor: {
      default: 0,
      minimum: 0,
      maximum: 1,
      description:
        'Multiplies the score when the caller or sender is a known administrator; 0 keeps routine admin work silent.',
    },
  },
  evaluate(context) {
    return touchedContracts(context).flatMap((view) => {
      const signal = view.profile?.privilege && signalFor(context, view);
      return signal ? [signal] : [];
    });
  },
});

/** Moved value out of the contract (ether or tokens), or minted it (a watched token). */
function tookValue(context: RuleContext, address: string): boolean {
  return context.events.some(
    (event) =>
      event.type === 'value-flow' &&
      event.amount > 0n &&
      ((event.fromWatched && event.from === address) ||
        (event.asset === address && event.from === '0x0000000000000000000000000000000000000000')),
  );
}

function signalFor(context: RuleContext, view: WatchedView): Signal | undefined {
  const address = view.address;
  const sender = context.tx.from.toLowerCase();
  const parameter = (name: string) => context.parameter(name, address);
  const assessed: Assessed[] = [];
  const value = tookValue(context, address);
  for (const call of callsOf(context, address)) {
    const privileged = privilegedFunction(view, call.selector);
    if (!privileged || privileged.accepts) continue;
    if (privileged.kind === 'initializer' || privileged.kind === 'pause' || privileged.kind === 'unpause') continue;
    const selector = privileged.selector;
    if (calledBefore(view, selector, call.caller) || calledBefore(view, selector, sender)) continue;
    const known = isKnownAdmin(context, view, call.caller) || isKnownAdmin(context, view, sender);
    const base = privileged.kind === 'operation' ? parameter('operationScore') : parameter('controlScore');
    const score = (base + (value ? parameter('valueBonus') : 0)) * (known ? parameter('knownAdminFactor') : 1);
    assessed.push({ call, privileged, score: Math.min(0.7, Math.round(score * 1000) / 1000), known });
  }
  const scored = assessed.filter((entry) => entry.score > 0).sort((a, b) => b.score - a.score);
  const top = scored[0];
  if (!top) return undefined;
  const name = (entry: Assessed) => entry.privileged.item.name;
  return {
    ruleId: 'privileged-call-new-caller',
    stage: 'exploitation',
    contract: address,
    score: top.score,
    severity: severityOf(top.score),
    title: `${name(top)} on ${view.name} called by a new account`,
    summary:
      `${top.call.caller} called ${top.privileged.signature} (${top.privileged.kind}) on ${view.name}, ` +
      `a function it never called before${value ? ', and value left the contract' : ''}` +
      `${top.known ? ' (a known administrator)' : ''}.`,
    actor: top.call.caller,
    details: {
      calls: scored.map((entry) => ({
        function: entry.privileged.signature,
        selector: entry.privileged.selector,
        kind: entry.privileged.kind,
        classifiedBy: entry.privileged.source,
        caller: entry.call.caller,
        depth: entry.call.depth,
        score: entry.score,
        knownAdmin: entry.known,
      })),
      sender,
      valueMoved: value,
    },
  };
}
