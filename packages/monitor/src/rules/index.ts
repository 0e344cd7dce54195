import { freshContractCallerRule } from './actors/fresh-contract-caller.ts';
import { knownMaliciousAddressRule } from './actors/known-malicious-address.ts';
import { adminChangeRule } from './admin/admin-change.ts';
import { controlToFreshAddressRule } from './admin/control-to-fresh-address.ts';
import { initializerReinvokedRule } from './admin/initializer-reinvoked.ts';
import { privilegedCallNewCallerRule } from './admin/privileged-call-new-caller.ts';
import { flashLoanRule } from './attack/flash-loan.ts';
import { oracleJumpRule } from './attack/oracle-jump.ts';
import { reentrantCallRule } from './attack/reentrant-call.ts';
import { simulatedDrainRule } from './attack/simulated-drain.ts';
import { thirdPartyPullRule } from './attack/third-party-pull.ts';
import { failedCallBurstRule } from './baseline/failed-call-burst.ts';
import { outflowSpikeRule } from './baseline/outflow-spike.ts';
import { outflowWindowRule } from './baseline/outflow-window.ts';
import { repeatedExtractionRule } from './baseline/repeated-extraction.ts';
import { selectorRateSpikeRule } from './baseline/selector-rate-spike.ts';
import { unknownSelectorRule } from './baseline/unknown-selector.ts';
import type { Rule } from './types.ts';
import { freshContractExtractionRule } from './value/fresh-contract-extraction.ts';
import { mintJumpRule } from './value/mint-jump.ts';
import { tvlDropRule } from './value/tvl-drop.ts';

/** Every monitor rule, by category. */
export const allRules: readonly Rule[] = [
  // baseline deviations
  outflowSpikeRule,
  outflowWindowRule,
  repeatedExtractionRule,
  selectorRateSpikeRule,
  unknownSelectorRule,
  failedCallBurstRule,
  // value
  tvlDropRule,
  mintJumpRule,
  freshContractExtractionRule,
  // actors
  freshContractCallerRule,
  knownMaliciousAddressRule,
  // attack patterns
  flashLoanRule,
  reentrantCallRule,
  oracleJumpRule,
  simulatedDrainRule,
  thirdPartyPullRule,
  // admin
  adminChangeRule,
  controlToFreshAddressRule,
  initializerReinvokedRule,
  privilegedCallNewCallerRule,
];

export { defineRule, RuleDefinitionError } from './defineRule.ts';
export { ruleIndex, rulePage } from './docs.ts';
export type { MonitorRuleMetadata, Rule, RuleContext, RuleParameter, RuleStage, Signal, WatchedView } from './types.ts';
