import { listLog, verifyLog } from '@bulwark/store';
import { expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

describeCli('bulwark risk', (ctx) => {
  const env = { BULWARK_ACTOR: 'alice' };

  test('default: add, list, show and update risks; each change is logged', async () => {
    const added = await ctx.run(
      [
        'risk',
        'add',
        '--threat',
        'Oracle price manipulation',
        '--asset',
        'Lending pool',
        '--likelihood',
        'likely',
        '--impact',
        '5',
        '--owner',
        'alice',
        '--treatment',
        'mitigate',
        '--plan',
        'TWAP with deviation cap',
        '--review-date',
        '2000-01-01',
        '--controls',
        'SBD-11,sa-02',
      ],
      { env },
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toBe('Added R-1: score 20 (critical). Logged as entry 1.\n');

    const second = await ctx.run(
      [
        'risk',
        'add',
        '--threat',
        'Key theft',
        '--asset',
        'Admin key',
        '--likelihood',
        '1',
        '--impact',
        '3',
        '--owner',
        'bob',
        '--treatment',
        'transfer',
        '--review-date',
        '2999-12-31',
        '--format',
        'json',
      ],
      { env },
    );
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      risk: { id: 'R-2', score: 3, rating: 'low', treatment: { kind: 'transfer', plan: null } },
      log: { seq: 2 },
    });

    const list = await ctx.run(['risk', 'list', '--heatmap']);
    expect(list.code).toBe(0);
    const lines = list.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+SCORE\s+RATING\s+L×I\s+OWNER\s+TREATMENT\s+REVIEW\s+CONTROLS\s+THREAT → ASSET$/);
    expect(lines[1]).toMatch(
      /^R-1\s+20\s+critical\s+4×5\s+alice\s+mitigate\s+2000-01-01 OVERDUE\s+SBD-11,SA-02\s+Oracle price manipulation → Lending pool$/,
    );
    expect(lines[2]).toMatch(/^R-2\s+3\s+low\s+1×3/);
    expect(list.stdout).toMatch(/^5 severe\s+│\s+·M\s+·H\s+·H\s+1C\s+·C │$/m);
    expect(list.stdout).toMatch(/^3 moderate\s+│\s+1L/m);
    expect(list.stdout).toContain('2 risks in the register; 1 review OVERDUE (R-1).');

    expect((await ctx.run(['risk', 'list', '--fail-on-overdue'])).code).toBe(1);
    const overdue = await ctx.run(['risk', 'list', '--overdue', '--format', 'json']);
    expect(JSON.parse(overdue.stdout)).toMatchObject({ risks: [{ id: 'R-1' }], overdue: ['R-1'] });

    const reviewed = await ctx.run(['risk', 'update', 'R-1', '--reviewed', '--review-date', '+30d'], {
      env: { USER: 'carol' },
    });
    expect(reviewed.code).toBe(0);
    expect(reviewed.stdout).toMatch(
      /^Reviewed R-1: score 20 \(critical\), next review \d{4}-\d{2}-\d{2}\. Logged as entry 3\.\n {2}reviewDate: "2000-01-01" → "\d{4}-\d{2}-\d{2}"\n$/,
    );
    expect((await ctx.run(['risk', 'list', '--fail-on-overdue'])).code).toBe(0);

    const shown = await ctx.run(['risk', 'show', 'r-1']);
    expect(shown.stdout).toContain('treatment   mitigate: TWAP with deviation cap');
    expect(shown.stdout).toContain('controls    SBD-11, SA-02');

    const log = await listLog(ctx.store);
    expect(log.map((e) => [e.seq, e.actor, e.action])).toEqual([
      [1, 'alice', 'risk.add'],
      [2, 'alice', 'risk.add'],
      [3, 'carol', 'risk.review'],
    ]);
    expect((await verifyLog(ctx.store)).ok).toBe(true);
  });

  test('behavior: update changes fields and controls; the heat map JSON is 5×5', async () => {
    const updated = await ctx.run(
      ['risk', 'update', 'R-2', '--likelihood', '3', '--add-controls', 'GOV-09', '--format', 'json'],
      { env },
    );
    expect(JSON.parse(updated.stdout)).toMatchObject({
      risk: { id: 'R-2', score: 9, rating: 'medium', controls: ['GOV-09'] },
      changes: { likelihood: [1, 3], controls: [[], ['GOV-09']] },
    });
    const list = JSON.parse((await ctx.run(['risk', 'list', '--heatmap', '--format', 'json'])).stdout);
    expect(list.heatMap).toHaveLength(5);
    expect(list.heatMap[2][2]).toBe(1);
    expect(list.heatMap[4][3]).toBe(1);
  });

  test('error: a misspelt control is refused with a suggestion and nothing is stored', async () => {
    const before = (await listLog(ctx.store)).length;
    const result = await ctx.run(
      [
        'risk',
        'add',
        '--threat',
        't',
        '--asset',
        'a',
        '--likelihood',
        '2',
        '--impact',
        '2',
        '--owner',
        'o',
        '--treatment',
        'accept',
        '--controls',
        'GOV-1',
      ],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error: The control GOV-1 is not in the advisory catalogue.');
    expect(result.stderr).toContain('Did you mean GOV-01 instead of GOV-1?');
    expect(result.stderr).toContain('Docs: docs/governance/risk.md#controls');
    expect((await listLog(ctx.store)).length).toBe(before);
  });

  test('error: usage mistakes exit 2 with the fix', async () => {
    const missing = await ctx.run(['risk', 'add', '--threat', 't']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('risk add needs --asset, --likelihood, --impact, --owner, --treatment.');
    const scale = await ctx.run(['risk', 'update', 'R-1', '--impact', '9']);
    expect(scale.stderr).toContain('The impact "9" is not 1 to 5.');
    const unknown = await ctx.run(['risk', 'show', 'R-7']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toMatch(/No risk with id R-7 in the register\.\nDid you mean R-1\?/);
    const sub = await ctx.run(['risk', 'lst']);
    expect(sub.stderr).toContain('Did you mean `bulwark risk list`?');
    expect((await ctx.run(['risk', '--help'])).stdout).toContain('Usage: bulwark risk');
  });

  test('behavior: close retires a risk with a reason; it leaves the open register and stays readable', async () => {
    await ctx.run(
      ['risk', 'add', '--id', 'R-old', '--threat', 'Bridge hack', '--asset', 'Old bridge', '--likelihood', '2'].concat([
        '--impact',
        '4',
        '--owner',
        'bob',
        '--treatment',
        'mitigate',
        '--review-date',
        '2000-01-01',
      ]),
      { env },
    );
    const closed = await ctx.run(['risk', 'close', 'r-old', '--reason', 'bridge decommissioned'], { env });
    expect(closed.stdout).toMatch(/^Closed R-old: bridge decommissioned\. Logged as entry \d+\.\n$/);
    const open = JSON.parse((await ctx.run(['risk', 'list', '--format', 'json'])).stdout);
    expect(open.risks.map((r: { id: string }) => r.id)).not.toContain('R-old');
    expect(open.overdue).not.toContain('R-old');
    const all = JSON.parse((await ctx.run(['risk', 'list', '--include-closed', '--format', 'json'])).stdout);
    expect(all.risks.find((r: { id: string }) => r.id === 'R-old')).toMatchObject({
      status: 'closed',
      closedReason: 'bridge decommissioned',
    });
    expect((await ctx.run(['risk', 'show', 'R-old'])).stdout).toMatch(/\n {2}CLOSED {6}\S+: bridge decommissioned\n$/);
    const again = await ctx.run(['risk', 'close', 'R-old', '--reason', 'x'], { env });
    expect(again.stderr).toContain('Risk R-old was already closed on');
    expect((await ctx.run(['risk', 'close', 'R-1'], { env })).stderr).toContain('risk close needs --reason TEXT');
    const log = await listLog<{ id: string; reason: string }>(ctx.store, { action: 'risk.close' });
    expect(log.map((e) => [e.actor, e.payload.id, e.payload.reason])).toEqual([
      ['alice', 'R-old', 'bridge decommissioned'],
    ]);
  });
});
