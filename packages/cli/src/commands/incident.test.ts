import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { insertAlert, listLog, openIncident, recordResponderAction, verifyLog } from '@bulwark/store';
import { expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

const t0 = Date.parse('2025-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const vault = '0x00000000000000000000000000000000000000aa';

describeCli('bulwark incident', (ctx) => {
  const env = { BULWARK_ACTOR: 'alice' };
  let fromMonitor = '';
  let byHand = '';

  test('default: an incident from the monitor is worked through to a post-mortem', async () => {
    const { alert } = await insertAlert(ctx.store, {
      ruleId: 'large-outflow',
      severity: 'critical',
      chainId: 1,
      address: vault,
      blockNumber: 77n,
      dedupeKey: 'outflow',
      payload: { title: 'Outflow 40x baseline' },
      createdAt: at(1),
    });
    const incident = await openIncident(ctx.store, {
      title: 'Vault drain',
      severity: 'critical',
      chainId: 1,
      address: vault,
      startedAt: at(0),
      detectedAt: at(2),
      actor: 'monitor',
      alertIds: [alert.id],
    });
    fromMonitor = incident.id;
    await recordResponderAction(ctx.store, {
      incidentId: incident.id,
      kind: 'pause',
      chainId: 1,
      address: vault,
      dryRun: false,
      status: 'verified',
      txHash: `0x${'cd'.repeat(32)}`,
      actor: 'responder',
      at: at(3),
    });
    const short = incident.id.slice(0, 8);

    const list = await ctx.run(['incident', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`^${short}\\s+critical\\s+detected\\s+2025-03-01 10:02:00\\s+—\\s+1h overdue\\s+Vault drain$`, 'm'),
    );

    const contained = await ctx.run(['incident', 'move', short, 'contained', '--note', 'paused', '--at', iso(5)], {
      env,
    });
    expect(contained).toMatchObject({ code: 0, stderr: '' });
    expect(contained.stdout).toBe(
      `Incident ${incident.id}: detected → contained (time to contain 3m). Logged as entry 3.\n`,
    );

    const action = await ctx.run(
      ['incident', 'action', short, '--kind', 'other', '--description', 'Revoked the relayer key', '--at', iso(6)],
      { env },
    );
    expect(action.code).toBe(0);
    expect(action.stdout).toMatch(/^Recorded other action event:\d+\. Logged as entry 4\.\n$/);

    const resolved = await ctx.run(
      ['incident', 'move', short, 'resolved', '--root-cause', 'Spot price from one pool', '--at', iso(60)],
      { env },
    );
    expect(resolved.code).toBe(0);
    const note = await ctx.run(['incident', 'note', short, '--impact', '40 ETH lost', '--lessons', 'Use a TWAP'], {
      env,
    });
    expect(note.stdout).toBe('Added impact, lessons. Logged as entries 6, 7.\n');

    const shown = await ctx.run(['incident', 'show', short]);
    expect(shown.stdout).toContain('  contained  2025-03-01T10:05:00.000Z (time to contain 3m)');
    expect(shown.stdout).toContain('  target     1h: within-target (3m)');
    expect(shown.stdout).toMatch(/monitor\s+pause verified tx 0xcdcd/);
    expect(shown.stdout).toMatch(/manual\s+other done: Revoked the relayer key/);
    expect(shown.stdout).toContain('large-outflow (critical, active)');

    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-pm-'));
    const md = await ctx.run(['incident', 'postmortem', short, '--out', 'pm.md'], { cwd: dir });
    expect(md).toMatchObject({ code: 0, stdout: '' });
    const text = readFileSync(path.join(dir, 'pm.md'), 'utf8');
    expect(text).toMatch(/^# Post-mortem: Vault drain\n/);
    expect(text).toContain('| Started | 2025-03-01T10:00:00.000Z | time to detect 2m |');
    expect(text).toContain('## Root cause\n\nSpot price from one pool\n');
    expect(text).toContain('## Impact\n\n40 ETH lost\n');
    expect(text).toContain('- Use a TWAP');

    const json = await ctx.run(['incident', 'postmortem', short, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      schemaVersion: 1,
      incident: { id: incident.id, state: 'resolved' },
      times: { timeToDetectMs: 120_000, timeToContainMs: 180_000 },
      containment: { verdict: 'within-target' },
      rootCause: 'Spot price from one pool',
      actions: [
        { source: 'monitor', kind: 'pause' },
        { source: 'manual', kind: 'other' },
      ],
      alerts: [{ ruleId: 'large-outflow', blockNumber: '77' }],
    });
    // The monitor's writes (the incident, its pause) are bound by `store.write` entries.
    expect((await listLog(ctx.store)).map((e) => e.action)).toEqual([
      'store.write',
      'store.write',
      'incident.move',
      'incident.action',
      'incident.move',
      'incident.note',
      'incident.note',
    ]);
  });

  test('behavior: open by hand, filter the list, a manual pause is a responder action', async () => {
    const opened = await ctx.run(
      [
        'incident',
        'open',
        '--title',
        'Phishing of a signer',
        '--severity',
        'high',
        '--description',
        'Reported by Bob',
        '--format',
        'json',
      ],
      { env },
    );
    expect(opened.code).toBe(0);
    const { incident, log } = JSON.parse(opened.stdout);
    byHand = incident.id;
    expect(incident).toMatchObject({ state: 'detected', severity: 'high' });
    expect(log.seq).toBe(8);
    const pause = await ctx.run(
      [
        'incident',
        'action',
        byHand,
        '--kind',
        'pause',
        '--description',
        'Paused the bridge by hand',
        '--status',
        'mined',
        '--tx',
        `0x${'ef'.repeat(32)}`,
      ],
      { env },
    );
    expect(pause.code).toBe(0);
    const record = JSON.parse((await ctx.run(['incident', 'show', byHand, '--format', 'json'])).stdout);
    expect(record.actions).toEqual([
      expect.objectContaining({
        source: 'manual',
        kind: 'pause',
        status: 'mined',
        description: 'Paused the bridge by hand',
        actor: 'alice',
      }),
    ]);
    const open = JSON.parse((await ctx.run(['incident', 'list', '--open', '--format', 'json'])).stdout);
    expect(open.incidents.map((i: { id: string }) => i.id)).toEqual([byHand]);
    const critical = JSON.parse(
      (await ctx.run(['incident', 'list', '--severity', 'critical', '--format', 'json'])).stdout,
    );
    expect(critical.incidents.map((i: { id: string }) => i.id)).toEqual([fromMonitor]);
    expect((await verifyLog(ctx.store)).ok).toBe(true);
  });

  test('error: a move the state machine refuses is explained, exit 2, nothing logged', async () => {
    const before = (await listLog(ctx.store)).length;
    const refused = await ctx.run(['incident', 'move', fromMonitor, 'triaged'], { env });
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain(`error: Incident ${fromMonitor} cannot go from resolved to triaged.`);
    expect(refused.stderr).toContain('From resolved it can go to: closed.');
    const typo = await ctx.run(['incident', 'move', byHand, 'contianed'], { env });
    expect(typo.stderr).toContain('Did you mean contained?');
    expect((await listLog(ctx.store)).length).toBe(before);
  });

  test('error: unknown ids, missing options and bad formats', async () => {
    const unknown = await ctx.run(['incident', 'show', 'deadbeef']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('No incident with id deadbeef.');
    const missing = await ctx.run(['incident', 'open', '--title', 'x']);
    expect(missing.stderr).toContain('incident open needs --title and --severity.');
    const severity = await ctx.run(['incident', 'open', '--title', 'x', '--severity', 'hihg']);
    expect(severity.stderr).toContain('Did you mean high?');
    const format = await ctx.run(['incident', 'postmortem', fromMonitor, '--format', 'pdf']);
    expect(format.stderr).toContain('--format pdf is not a post-mortem format.');
    const time = await ctx.run(['incident', 'move', byHand, 'triaged', '--at', 'yesterday']);
    expect(time.stderr).toContain('--at yesterday is not a time.');
  });
});
