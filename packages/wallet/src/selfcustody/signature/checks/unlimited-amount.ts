import { formatAmount, isUnlimited, spenderStanding } from '../assessGrant.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';

export const unlimitedAmountCheck = defineSignatureCheck({
  id: 'unlimited-amount',
  title: 'Unlimited amount',
  impact: 'high',
  confidence: 'high',
  description:
    'The signature grants an amount of at least 2^128 base units (or a DAI-style "allowed: true"): every token the account holds now or later.',
  scenario:
    'A permit for type(uint256).max stays usable after the dapp is compromised or the spender turns out to be a drainer.',
  recommendation: 'Grant the exact amount the operation needs.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    return context.decoded.grants.filter(isUnlimited).map((grant) => {
      const known = spenderStanding(context, grant.spender).trust === 'known';
      return {
        id: 'unlimited-amount',
        severity: known ? 'medium' : 'high',
        message: `Amount ${formatAmount(grant)} of token ${grant.token} for ${grant.spender}${known ? ' (a well-known router; still more than a swap needs)' : ''}.`,
      };
    });
  },
});
