import { expect, test } from 'vitest';
import { ConflictError, NotFoundError } from './errors.ts';
import { getEvidence, insertEvidence, listEvidence } from './evidence.ts';
import { getException, insertException, insertExceptionApproval, listExceptions } from './exceptions.ts';
import { closeRisk, insertRisk, listRisks } from './risks.ts';
import { describeStore } from './testing.ts';

describeStore('evidence and exceptions', (ctx) => {
  const piece = {
    controlId: 'RES-02',
    kind: 'dr-test',
    title: 'DR test 2026',
    file: 'evidence/dr-2026.pdf',
    sha256: 'a'.repeat(64),
    size: 1234,
    owner: 'ops',
    expiresOn: '2027-06-30',
    addedBy: 'alice',
  };

  test('default: a re-add of the same control and file is a new version; latest keeps the newest', async () => {
    const first = await insertEvidence(ctx.store, piece);
    const second = await insertEvidence(ctx.store, { ...piece, sha256: 'b'.repeat(64) });
    const other = await insertEvidence(ctx.store, { ...piece, file: 'evidence/bcp.pdf', kind: 'bcp-test' });
    expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
    expect(second).toMatchObject({ size: 1234n, expiresOn: '2027-06-30', sha256: 'b'.repeat(64) });
    const latest = await listEvidence(ctx.store, { controlId: 'RES-02', latest: true });
    expect(latest.map((e) => [e.file, e.version])).toEqual([
      ['evidence/bcp.pdf', 1],
      ['evidence/dr-2026.pdf', 2],
    ]);
    expect((await listEvidence(ctx.store, { controlId: 'RES-02' })).length).toBe(3);
    expect(await getEvidence(ctx.store, first.id)).toEqual(first);
    await expect(getEvidence(ctx.store, 999_999)).rejects.toThrow(NotFoundError);
    await expect(insertEvidence(ctx.store, { ...piece, sha256: 'not-a-hash' })).rejects.toThrow();
  });

  test('behavior: an exception is accepted when its quorum approves; an approver counts once', async () => {
    const requested = await insertException(ctx.store, {
      targetKind: 'check',
      target: 'pausable',
      reason: 'immutable by design',
      compensating: 'monitoring with alerts',
      expiresOn: '2027-01-01',
      requiredApprovals: 2,
      requestedBy: 'alice',
    });
    expect(requested).toMatchObject({ id: 'EX-1', acceptedAt: null, approvals: [] });
    const once = await insertExceptionApproval(ctx.store, { exceptionId: 'EX-1', approver: 'bob' });
    expect(once.acceptedAt).toBeNull();
    await expect(insertExceptionApproval(ctx.store, { exceptionId: 'EX-1', approver: 'bob' })).rejects.toThrow(
      ConflictError,
    );
    const twice = await insertExceptionApproval(ctx.store, { exceptionId: 'EX-1', approver: 'carol' });
    expect(twice.acceptedAt).toBeInstanceOf(Date);
    expect(twice.approvals.map((a) => a.approver)).toEqual(['bob', 'carol']);
    const { requestedAt: _, ...fields } = requested;
    const next = await insertException(ctx.store, { ...fields, target: 'SBD-06', targetKind: 'control' });
    expect(next.id).toBe('EX-2');
    expect((await listExceptions(ctx.store)).map((e) => [e.id, e.approvals.length])).toEqual([
      ['EX-1', 2],
      ['EX-2', 0],
    ]);
    await expect(getException(ctx.store, 'EX-9')).rejects.toThrow(NotFoundError);
  });

  test('behavior: a risk is closed once, with its reason', async () => {
    await insertRisk(ctx.store, {
      id: 'R-close',
      threat: 't',
      asset: 'a',
      likelihood: 2,
      impact: 2,
      owner: 'o',
      treatment: 'accept',
    });
    const closed = await closeRisk(ctx.store, 'R-close', { reason: 'asset retired' });
    expect(closed).toMatchObject({ status: 'closed', closedReason: 'asset retired' });
    expect((await listRisks(ctx.store)).find((r) => r.id === 'R-close')?.status).toBe('closed');
    await expect(closeRisk(ctx.store, 'R-close', { reason: 'again' })).rejects.toThrow(ConflictError);
    await expect(closeRisk(ctx.store, 'R-none', { reason: 'x' })).rejects.toThrow(NotFoundError);
  });
});
