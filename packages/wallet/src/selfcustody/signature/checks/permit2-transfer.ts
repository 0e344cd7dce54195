import { formatAmount, formatDeadline, grantSeverity, spenderStanding } from '../assessGrant.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';

export const permit2TransferCheck = defineSignatureCheck({
  id: 'permit2-transfer',
  title: 'Permit2 signature transfer (transfer-from, batch, witness)',
  impact: 'high',
  confidence: 'high',
  description:
    'A Permit2 PermitTransferFrom (single, batch or with a witness) lets the spender move the permitted tokens once, to any recipient it chooses, before the deadline.',
  scenario:
    'A fake claim page asks for a PermitBatchTransferFrom of every stablecoin in the wallet with the attacker as spender; one call to Permit2 moves them all.',
  recommendation:
    'Sign transfer permits only for an order you placed with a known settlement contract (UniswapX, CoW, 1inch Fusion) and read the amounts.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const grants = context.decoded.grants.filter((grant) => grant.standard === 'permit2-transfer');
    const spender = grants[0]?.spender;
    if (!spender) return [];
    const tokens = grants.map((grant) => `${grant.token}: ${formatAmount(grant)}`);
    return [
      {
        id: 'permit2-transfer',
        severity: grantSeverity(context, grants),
        message: `Lets ${spender} (${spenderStanding(context, spender).description}) transfer ${tokens.join('; ')} from this account to any address; the signature ${formatDeadline(grants[0]?.deadline, context.now)}.`,
      },
    ];
  },
});
