import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { describeStore, plansWithoutSeqScan } from './testing.ts';

describeStore('list order indexes (migration 0013)', (ctx) => {
  test('behavior: every API list is read in its order straight off an index, with no sort of the rows', async () => {
    const plans = await plansWithoutSeqScan(ctx.store, {
      alerts: sql`select * from alerts order by created_at desc, id limit 100`,
      incidents: sql`select * from incidents order by detected_at desc, id limit 100`,
      walletRequests: sql`select * from wallet_requests order by created_at desc, id limit 100`,
      risks: sql`select * from risks order by score desc, id limit 100`,
      walletPolicies: sql`select * from wallet_policies order by proposed_at desc, id desc limit 100`,
    });
    expect(plans.alerts).toContain('alerts_created_at_id');
    expect(plans.incidents).toContain('incidents_detected_at_id');
    expect(plans.walletRequests).toContain('wallet_requests_created_at_id');
    expect(plans.risks).toContain('risks_score_id');
    expect(plans.walletPolicies).toContain('wallet_policies_proposed_at_id');
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Sort/);
  });
});
