import { formatAmount, formatDeadline, grantSeverity, spenderStanding } from '../assessGrant.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';

export const tokenPermitCheck = defineSignatureCheck({
  id: 'token-permit',
  title: 'Token permit (EIP-2612 or DAI-style)',
  impact: 'high',
  confidence: 'high',
  description:
    "An EIP-2612 or DAI-style permit is an approval signed off-chain: whoever holds the signature calls the token's permit() and then transferFrom(), with no approval transaction the wallet would show.",
  scenario:
    'A phishing page asks for a "gasless" signature; it is a permit of the whole balance, for ever, to the attacker, who drains the token the next block.',
  recommendation:
    'Sign a permit only for the amount the dapp needs, with a deadline of minutes, to a spender you recognise; refuse permits to plain accounts or new contracts.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const grants = context.decoded.grants.filter((grant) => grant.standard === 'eip2612' || grant.standard === 'dai');
    return grants.map((grant) => ({
      id: 'token-permit',
      severity: grantSeverity(context, [grant]),
      message: `Permit lets ${grant.spender} (${spenderStanding(context, grant.spender).description}) spend ${formatAmount(grant)} of token ${grant.token}; the signature ${formatDeadline(grant.deadline, context.now)}.`,
    }));
  },
});
