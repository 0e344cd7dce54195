import { farDeadlineDays, formatDeadline, isFarDeadline, spenderStanding } from '../assessGrant.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';

export const farDeadlineCheck = defineSignatureCheck({
  id: 'far-deadline',
  title: 'Far or no deadline',
  impact: 'medium',
  confidence: 'high',
  description: `The permit or allowance stays valid more than ${farDeadlineDays} days, or never expires.`,
  scenario: 'A signature collected today is used months later, when the victim holds more and has forgotten it.',
  recommendation: 'Sign permits with a deadline of minutes; allowances should expire within days.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    return context.decoded.grants
      .filter((grant) => isFarDeadline(grant, context.now))
      .map((grant) => ({
        id: 'far-deadline',
        severity: spenderStanding(context, grant.spender).trust === 'known' ? 'low' : 'medium',
        message: `The grant to ${grant.spender} on token ${grant.token} ${formatDeadline(grant.deadline, context.now)}.`,
      }));
  },
});
