import type { SignatureCheck } from '../types.ts';
import { blindSignatureCheck } from './blind-signature.ts';
import { domainMismatchCheck } from './domain-mismatch.ts';
import { eip7702DelegationCheck } from './eip7702-delegation.ts';
import { farDeadlineCheck } from './far-deadline.ts';
import { loginMessageCheck } from './login-message.ts';
import { marketplaceGiveawayCheck } from './marketplace-giveaway.ts';
import { permit2AllowanceCheck } from './permit2-allowance.ts';
import { permit2TransferCheck } from './permit2-transfer.ts';
import { spenderRiskCheck } from './spender-risk.ts';
import { tokenPermitCheck } from './token-permit.ts';
import { unlimitedAmountCheck } from './unlimited-amount.ts';
import { unrecognizedTypedDataCheck } from './unrecognized-typed-data.ts';

/** Every signature check, run in this order on each request. */
export const allSignatureChecks: readonly SignatureCheck[] = [
  tokenPermitCheck,
  permit2AllowanceCheck,
  permit2TransferCheck,
  marketplaceGiveawayCheck,
  blindSignatureCheck,
  eip7702DelegationCheck,
  unlimitedAmountCheck,
  farDeadlineCheck,
  spenderRiskCheck,
  domainMismatchCheck,
  loginMessageCheck,
  unrecognizedTypedDataCheck,
];
