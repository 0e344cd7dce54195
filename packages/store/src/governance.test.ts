import { InputError } from '@bulwark/core';
import { expect, test } from 'vitest';
import { insertApproval, listApprovals } from './approvals.ts';
import { insertAudit, listAuditFindings, listAudits, updateAuditFinding } from './audits.ts';
import { insertControlEvidence, listControlEvidence } from './controlEvidence.ts';
import { insertDependencyReview, listDependencyReviews } from './dependencyReviews.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { getContract, listContracts, listDeployments, upsertContract, upsertDeployment } from './registry.ts';
import { insertRisk, listRisks, updateRisk } from './risks.ts';
import { acceptScanFinding, insertScanRun, listScanFindings, listScanRuns } from './scans.ts';
import { describeStore } from './testing.ts';

describeStore('governance', (ctx) => {
  test('default: contracts with documentation, and their deployments', async () => {
    await upsertContract(ctx.store, {
      name: 'Vault',
      repoPath: 'contracts/src/Vault.sol',
      documentation: { specification: 'docs/vault.md', contacts: ['sec@example.org'] },
    });
    await upsertContract(ctx.store, {
      name: 'Vault',
      repoPath: 'contracts/src/Vault.sol',
      documentation: { knownIssues: [] },
    });
    expect(await getContract(ctx.store, 'Vault')).toMatchObject({ documentation: { knownIssues: [] } });
    await upsertDeployment(ctx.store, {
      contractName: 'Vault',
      network: 'mainnet',
      address: '0x00000000000000000000000000000000000000AA',
      bytecodeHash: '0x01',
      status: 'active',
      deployedAt: new Date('2025-01-01T00:00:00Z'),
    });
    await upsertDeployment(ctx.store, {
      contractName: 'Vault',
      network: 'mainnet',
      address: '0x00000000000000000000000000000000000000aa',
      bytecodeHash: '0x02',
      status: 'paused',
    });
    expect(await listDeployments(ctx.store, { contractName: 'Vault' })).toMatchObject([
      {
        address: '0x00000000000000000000000000000000000000aa',
        bytecodeHash: '0x02',
        status: 'paused',
        deployedAt: null,
      },
    ]);
    expect((await listContracts(ctx.store)).map((c) => c.name)).toEqual(['Vault']);
    await expect(
      upsertDeployment(ctx.store, {
        contractName: 'Nope',
        network: 'x',
        address: '0x01',
        bytecodeHash: '0x',
        status: 'a',
      }),
    ).rejects.toThrow(/No registered contract named Nope; register it first/);
  });

  test('default: an audit with its scope and findings; findings get resolved', async () => {
    const { audit, findings } = await insertAudit(ctx.store, {
      auditor: 'Trail of Bits',
      auditorProfile: { competency: ['solidity', 'defi'], trackRecord: 'https://example.org/audits' },
      scope: { files: [{ path: 'src/Vault.sol', hash: 'sha256:aa' }], bytecodeHashes: ['0x01'] },
      commit: 'a1b2c3d',
      reportPath: 'audits/2025-01.pdf',
      reportHash: 'sha256:bb',
      auditDate: '2025-01-31',
      findings: [
        { severity: 'high', title: 'Reentrancy in withdraw' },
        { severity: 'low', title: 'Missing event', status: 'acknowledged' },
      ],
    });
    expect(audit).toMatchObject({ auditDate: '2025-01-31', scope: { files: [{ path: 'src/Vault.sol' }] } });
    const high = findings.find((f) => f.severity === 'high')!;
    await updateAuditFinding(ctx.store, { id: high.id, status: 'resolved', resolution: 'fixed in e4f5' });
    expect(await listAuditFindings(ctx.store, { auditId: audit.id, status: 'resolved' })).toMatchObject([
      { title: 'Reentrancy in withdraw', resolution: 'fixed in e4f5' },
    ]);
    expect(await listAudits(ctx.store)).toHaveLength(1);
    await expect(insertAudit(ctx.store, { auditor: 'x', scope: {}, auditDate: '31/01/2025' })).rejects.toBeInstanceOf(
      InputError,
    );
    await expect(updateAuditFinding(ctx.store, { id: 'nope', status: 'resolved' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  test('default: scan runs with findings; accepting one needs a reason', async () => {
    const { run, findings } = await insertScanRun(ctx.store, {
      commit: 'a1b2c3d',
      toolVersion: '0.1.0',
      startedAt: new Date('2025-01-01T00:00:00Z'),
      finishedAt: new Date('2025-01-01T00:00:05Z'),
      summary: { high: 1 },
      findings: [
        { fingerprint: 'fp1', detector: 'reentrancy-eth', impact: 'high', file: 'src/Vault.sol', line: 42 },
        { fingerprint: 'fp2', detector: 'tx-origin-auth', impact: 'medium', file: 'src/Auth.sol', line: 7 },
      ],
    });
    expect(findings.map((f) => f.fingerprint)).toEqual(['fp1', 'fp2']);
    await expect(
      acceptScanFinding(ctx.store, { scanRunId: run.id, fingerprint: 'fp2', reason: ' ' }),
    ).rejects.toBeInstanceOf(InputError);
    await acceptScanFinding(ctx.store, { scanRunId: run.id, fingerprint: 'fp2', reason: 'admin is a multisig' });
    expect(await listScanFindings(ctx.store, { scanRunId: run.id, status: 'open' })).toMatchObject([
      { fingerprint: 'fp1' },
    ]);
    expect(await listScanRuns(ctx.store, { commit: 'a1b2c3d' })).toHaveLength(1);
    await expect(
      insertScanRun(ctx.store, {
        startedAt: new Date(),
        findings: [{ fingerprint: 'f', detector: 'd', impact: 'low', file: 'a', line: 1, status: 'accepted' }],
      }),
    ).rejects.toThrow(/has no reason/);
  });

  test('error: one approval per approver and digest', async () => {
    const approval = {
      releaseDigest: 'sha256:release-1',
      approverKeyId: 'key-alice',
      algorithm: 'ed25519' as const,
      signature: '0xsig',
      signedAt: new Date('2025-01-02T00:00:00Z'),
    };
    await insertApproval(ctx.store, approval);
    await insertApproval(ctx.store, { ...approval, approverKeyId: 'key-bob', signature: '0xsig2' });
    await expect(insertApproval(ctx.store, { ...approval, signature: '0xother' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(insertApproval(ctx.store, approval)).rejects.toThrow(
      /key-alice has already approved sha256:release-1/,
    );
    expect((await listApprovals(ctx.store, { releaseDigest: 'sha256:release-1' })).map((a) => a.approverKeyId)).toEqual(
      ['key-alice', 'key-bob'],
    );
  });

  test('default: dependency reviews by exact version and integrity', async () => {
    const review = {
      ecosystem: 'npm',
      name: '@openzeppelin/contracts',
      version: '5.7.0',
      integrity: 'sha512-abc',
      reviewer: 'alice',
      verdict: 'approved' as const,
    };
    await insertDependencyReview(ctx.store, { ...review, notes: 'diffed against 5.6' });
    await insertDependencyReview(ctx.store, { ...review, version: '5.6.0', integrity: 'sha512-old' });
    expect(
      await listDependencyReviews(ctx.store, {
        ecosystem: 'npm',
        name: review.name,
        version: '5.7.0',
        integrity: 'sha512-abc',
      }),
    ).toMatchObject([{ reviewer: 'alice', notes: 'diffed against 5.6' }]);
    expect(await listDependencyReviews(ctx.store, { name: review.name, integrity: 'sha512-changed' })).toEqual([]);
  });

  test('default: risks are scored by the database and checked on the way in', async () => {
    const risk = await insertRisk(ctx.store, {
      threat: 'Oracle manipulation',
      asset: 'Lending market',
      likelihood: 3,
      impact: 5,
      owner: 'alice',
      treatment: 'mitigate',
      reviewDate: '2025-07-01',
      controls: ['GOV-1', 'SA-2'],
    });
    expect(risk).toMatchObject({ score: 15, reviewDate: '2025-07-01', controls: ['GOV-1', 'SA-2'] });
    expect(await updateRisk(ctx.store, risk.id, { likelihood: 1 })).toMatchObject({ score: 5 });
    await insertRisk(ctx.store, {
      threat: 'Key loss',
      asset: 'Treasury',
      likelihood: 4,
      impact: 5,
      owner: 'bob',
      treatment: 'transfer',
    });
    expect((await listRisks(ctx.store)).map((r) => r.score)).toEqual([20, 5]);
    expect(await listRisks(ctx.store, { minScore: 10 })).toHaveLength(1);
    await expect(
      insertRisk(ctx.store, { threat: 't', asset: 'a', likelihood: 6, impact: 1, owner: 'o', treatment: 'accept' }),
    ).rejects.toThrow(/likelihood must be an integer from 1 to 5/);
    await expect(updateRisk(ctx.store, 'nope', { impact: 2 })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('default: control evidence, newest per control and kind', async () => {
    await insertControlEvidence(ctx.store, {
      controlId: 'GOV-1',
      kind: 'docs-check',
      ref: 'run-1',
      status: 'fail',
      collectedAt: new Date('2025-01-01T00:00:00Z'),
    });
    await insertControlEvidence(ctx.store, {
      controlId: 'GOV-1',
      kind: 'docs-check',
      ref: 'run-2',
      status: 'pass',
      data: { missing: [] },
      collectedAt: new Date('2025-01-02T00:00:00Z'),
    });
    expect(await listControlEvidence(ctx.store, { controlId: 'GOV-1' })).toHaveLength(2);
    expect(await listControlEvidence(ctx.store, { controlId: 'GOV-1', latest: true })).toMatchObject([
      { ref: 'run-2', status: 'pass', data: { missing: [] } },
    ]);
  });
});
