import { spenderStanding } from '../assessGrant.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';
import type { SignatureFinding } from '../types.ts';

export const spenderRiskCheck = defineSignatureCheck({
  id: 'spender-risk',
  title: 'Spender is a plain account, a fresh contract, or unchecked',
  impact: 'high',
  confidence: 'medium',
  description:
    'Who receives the right to move tokens: with --rpc the code at the spender and its creation age are read from the chain. Routers are old contracts; drainers use plain accounts or contracts deployed days before.',
  scenario:
    'The permit names an externally owned account: nothing but the key of its holder, the attacker, stands between the signature and the tokens.',
  recommendation:
    'Run with --rpc to check spenders; refuse grants to plain accounts and to contracts younger than a month; check that the contract source is verified on an explorer (not checked here).',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const spenders = new Set(context.decoded.grants.map((grant) => grant.spender));
    const findings: SignatureFinding[] = [];
    for (const spender of spenders) {
      const standing = spenderStanding(context, spender);
      const severity = (
        { known: undefined, account: 'critical', fresh: 'high', contract: 'info', unchecked: 'info' } as const
      )[standing.trust];
      if (!severity) continue;
      const advice =
        standing.trust === 'unchecked'
          ? ' Give --rpc URL to read its code and age.'
          : standing.trust === 'contract'
            ? ' Whether its source is verified on an explorer was not checked.'
            : '';
      findings.push({
        id: 'spender-risk',
        severity,
        message: `Spender ${spender} is ${standing.description}.${advice}`,
      });
    }
    return findings;
  },
});
