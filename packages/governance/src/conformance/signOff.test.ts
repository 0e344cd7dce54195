import { appendLog, listLog } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import { newKey } from '../gate/testing.ts';
import { listSignOffs, parseReportPeriod, signOffReport } from './signOff.ts';

describeStore('report sign-off', (ctx) => {
  const period = { from: '2026-01-01', to: '2026-06-30' };

  test('default: sign-offs verify; a key that is not the approver under that name, or a forged signature, does not count', async () => {
    await appendLog(ctx.store, { actor: 'alice', action: 'risk.add', payload: { id: 'R-1' } });
    const alice = newKey('ed25519');
    const bob = newKey('secp256k1');
    const mallory = newKey('ed25519');
    const approvers = [
      { name: 'alice', key: alice },
      { name: 'bob', key: bob },
    ];
    const signed = await signOffReport(ctx.store, {
      project: 'P',
      period,
      key: alice,
      signer: 'alice',
      actor: 'alice',
    });
    expect(signed.statement.logHead.seq).toBe(1);
    await signOffReport(ctx.store, { project: 'P', period, key: bob, signer: 'bob', actor: 'bob' });
    await signOffReport(ctx.store, { project: 'P', period, key: mallory, signer: 'alice', actor: 'mallory' });
    // A sign-off for another period is not this report's.
    await signOffReport(ctx.store, {
      project: 'P',
      period: { ...period, to: '2026-12-31' },
      key: alice,
      signer: 'alice',
      actor: 'alice',
    });
    // A forged entry: alice's key id with a signature over another statement.
    const [first] = await listLog<Record<string, unknown>>(ctx.store, { action: 'report.signoff' });
    await appendLog(ctx.store, {
      actor: 'mallory',
      action: 'report.signoff',
      payload: { ...first!.payload, statement: { ...signed.statement, logHead: { seq: 2, hash: 'f'.repeat(64) } } },
    });
    const signOffs = await listSignOffs(ctx.store, { project: 'P', period, approvers });
    expect(signOffs.map((s) => [s.signer, s.valid, s.registered])).toEqual([
      ['alice', true, true],
      ['bob', true, true],
      ['alice', true, false],
      ['alice', false, true],
    ]);
    expect(signOffs[3]!.reason).toBe('the signature does not verify');
  });

  test('error: a period needs both days, in order', () => {
    expect(parseReportPeriod(undefined, undefined)).toBeUndefined();
    expect(() => parseReportPeriod('2026-06-30', '2026-01-01')).toThrow(/is not two days in order/);
    expect(() => parseReportPeriod('2026-01-01', undefined)).toThrow(/Give both, written YYYY-MM-DD/);
    expect(() => parseReportPeriod('2026-02-30', '2026-03-01')).toThrow(/not two days in order/);
  });
});
