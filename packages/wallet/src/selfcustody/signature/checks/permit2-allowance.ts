import { formatAmount, formatDeadline, grantSeverity, spenderStanding } from '../assessGrant.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';

export const permit2AllowanceCheck = defineSignatureCheck({
  id: 'permit2-allowance',
  title: 'Permit2 allowance (PermitSingle or PermitBatch)',
  impact: 'high',
  confidence: 'high',
  description:
    "A Permit2 PermitSingle or PermitBatch signature sets an allowance in Uniswap's Permit2 contract, which most wallets already approved for their tokens: the spender can move those tokens until the allowance expires.",
  scenario:
    'A drainer asks for one PermitBatch over every token the victim approved to Permit2, unlimited and expiring in years, then sweeps them all in one transaction.',
  recommendation:
    'Give Permit2 allowances only to the router of the swap you are making, for its amount; revoke old ones with `bulwark wallet approvals`.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const grants = context.decoded.grants.filter((grant) => grant.standard === 'permit2-allowance');
    const spender = grants[0]?.spender;
    if (!spender) return [];
    const tokens = grants.map(
      (grant) => `${grant.token}: ${formatAmount(grant)}, ${formatDeadline(grant.deadline, context.now)}`,
    );
    return [
      {
        id: 'permit2-allowance',
        severity: grantSeverity(context, grants),
        message: `Permit2 allowance for ${spender} (${spenderStanding(context, spender).description}) on ${grants.length} token(s): ${tokens.join('; ')}.`,
      },
    ];
  },
});
