import type { CallEvent } from '../../events/types.ts';
import { callsOf, isKnownAdmin, privilegedFunction, touchedContracts } from '../../privilege/inspect.ts';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal, WatchedView } from '../types.ts';

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

export const initializerReinvokedRule = defineRule({
  id: 'initializer-reinvoked',
  title: 'Initializer called again, or by a new account on a live contract',
  category: 'admin',
  stage: 'exploitation',
  impact: 'high',
  confidence: 'high',
  description:
    'A successful call to an initializer of a watched contract (`initialize`, `init`, `reinitialize…`, or a function declared privileged in the config with such a name) when an initializer was already called while learning ("again"), or when the contract has a history (at least `minTxs` learned transactions) and the caller is neither its deployer nor a known administrator ("new account"), or when the contract was created within the recent-creation window and someone else than its deployer initializes it first ("front-run"). ' +
    'The first initialization of a contract by its deployer or an administrator, the first of a contract the monitor did not see created, and calls during the deploying transaction are ignored. ' +
    'Score: `againScore` (0.65) or `newCallerScore` (0.55), × `knownAdminFactor` (0.25) when a known administrator (seen calling privileged functions or making admin changes while learning, or the deployer) calls it, as in an upgrade that runs a `reinitializer`; × 0 through a trusted admin.',
  scenario:
    'An upgradeable contract (or its implementation) leaves `initialize` unguarded. An attacker calls it again, sets themselves as owner or operator, and drains the contract through the admin functions (Parity multisig 2017; many proxies since).',
  recommendation:
    'Pause and check who controls the contract now. Guard initializers (OpenZeppelin `initializer`, `_disableInitializers()` in the implementation’s constructor) and initialize in the deploying transaction.',
  swc: ['SWC-105', 'SWC-118'],
  owasp: ['SC01:2025'],
  control: 'SA-03',
  needs: ['baseline'],
  parameters: {
    againScore: {
      default: 0.65,
      minimum: 0,
      maximum: 1,
      description: 'Score of an initializer called when one was already called while learning.',
    },
    newCallerScore: {
      default: 0.55,
      minimum: 0,
      maximum: 1,
      description:
        'Score of a first initializer call on a contract with a history, by an account neither deployer nor admin.',
    },
    knownAdminFactor: {
      default: 0.25,
      minimum: 0,
      maximum: 1,
      description: 'Multiplies the score when a known administrator (or the deployer) calls the initializer.',
    },
    minTxs: {
      default: 1,
      minimum: 1,
      description: 'Learned transactions from which a contract is live (its first initialization is behind it).',
    },
  },
  evaluate(context) {
    return touchedContracts(context).flatMap((view) => {
      const signal = signalFor(context, view);
      return signal ? [signal] : [];
    });
  },
});

function signalFor(context: RuleContext, view: WatchedView): Signal | undefined {
  const address = view.address;
  const initializers = callsOf(context, address).filter(
    (call) => privilegedFunction(view, call.selector)?.kind === 'initializer',
  );
  const call: CallEvent | undefined = initializers[0];
  if (!call) return undefined;
  const parameter = (name: string) => context.parameter(name, address);
  const sender = context.tx.from.toLowerCase();
  const history = view.profile?.privilege?.callers ?? {};
  const earlier = Object.entries(history).flatMap(([selector, callers]) =>
    privilegedFunction(view, selector)?.kind === 'initializer' ? Object.keys(callers) : [],
  );
  const again = earlier.length > 0;
  const live = (view.profile?.txs ?? 0) >= parameter('minTxs');
  // A contract created within the recent-creation window, initialized by someone else than its
  // deployer before anyone: the deployer's own initialization was front-run.
  const creation = context.recentCreation(address);
  const frontRun = !again && !live && creation !== undefined;
  if (!again && !live && !frontRun) return undefined;
  const trusted = view.trustedAdmins.has(sender) || view.trustedAdmins.has(call.caller);
  const known = isKnownAdmin(context, view, sender) || isKnownAdmin(context, view, call.caller);
  // The first initialization of a contract that is running, by its own administrators: routine.
  if (!again && known) return undefined;
  const factor = trusted ? 0 : known ? parameter('knownAdminFactor') : 1;
  const score = Math.min(
    0.7,
    Math.round((again ? parameter('againScore') : parameter('newCallerScore')) * factor * 1000) / 1000,
  );
  if (score <= 0) return undefined;
  const signature = privilegedFunction(view, call.selector)!.signature;
  return {
    ruleId: 'initializer-reinvoked',
    stage: 'exploitation',
    contract: address,
    score,
    severity: severityOf(score),
    title: `${view.name}: ${signature} called ${again ? 'again' : frontRun ? 'before its deployer did' : 'on a live contract'}`,
    summary:
      `${call.caller} called ${signature} on ${view.name}` +
      `${again ? `, already initialized by ${earlier.join(', ')}` : frontRun ? `, created by ${creation.txFrom} ${context.blockNumber - creation.blockNumber} blocks ago` : `, which has ${view.profile?.txs ?? 0} learned transactions`}` +
      `${known ? ' (a known administrator)' : ', an account that never administered it'}.`,
    actor: call.caller,
    details: {
      function: signature,
      caller: call.caller,
      sender,
      again,
      frontRun,
      earlierInitializers: earlier,
      learnedTxs: view.profile?.txs ?? 0,
      knownAdmin: known,
      trusted,
    },
  };
}
