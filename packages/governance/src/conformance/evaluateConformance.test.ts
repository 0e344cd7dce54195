import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { controls } from '@bulwark/core';
import {
  insertAudit,
  insertControlEvidence,
  insertEvidence,
  openIncident,
  recordResponderAction,
  type StoreClient,
  setCheckpoint,
  transitionIncident,
  updateResponderAction,
  upsertBaseline,
  upsertWatchedContract,
  withTransaction,
} from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, test } from 'vitest';
import { addIncidentNote } from '../incidents/addIncidentNote.ts';
import { addRisk } from '../risks/addRisk.ts';
import { reviseRisk } from '../risks/reviseRisk.ts';
import { type ConformanceReport, evaluateConformance } from './evaluateConformance.ts';

const schema = JSON.parse(readFileSync(new URL('./report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allowUnionTypes: true, validateFormats: false }).compile(schema);

const vault = '0x00000000000000000000000000000000000000aa';
const empty = mkdtempSync(path.join(tmpdir(), 'bulwark-conformance-empty-'));

function control(report: ConformanceReport, id: string) {
  const found = report.controls.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

function expectValid(report: ConformanceReport) {
  const ok = validate(JSON.parse(JSON.stringify(report)));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describeStore('conformance', (ctx) => {
  const evaluate = (now = new Date(), cwd = empty) => evaluateConformance(ctx.store, { cwd, now });
  // Fixtures go in as Bulwark writes them: in a transaction, so their rows are bound to the log.
  const bound = <T>(write: (tx: StoreClient) => Promise<T>) => withTransaction(ctx.store, write);

  test('default: with nothing recorded every control is no-evidence, in catalogue order, and the JSON fits the schema', async () => {
    const report = await evaluate();
    expect(report.controls.map((c) => c.id)).toEqual(controls.map((c) => c.id));
    expect(report.summary.byStatus).toEqual({
      met: 0,
      partial: 0,
      'not-met': 0,
      'not-applicable': 0,
      'no-evidence': controls.length,
    });
    expect(control(report, 'GOV-01').reasons).toEqual([
      'no-evidence: The risk register is empty: add risks with `bulwark risk add`.',
    ]);
    expect(control(report, 'WAL-03').reasons[0]).toMatch(/no wallet guard yet/);
    expect(report.notes[0]).toMatch(/^No manifest \(bulwark\.config\.ts, .*\) in /);
    expectValid(report);
  });

  test('behavior: the risk register moves GOV-01 from not-met to met when reviewed', async () => {
    await addRisk(ctx.store, {
      threat: 'Oracle manipulation',
      asset: 'Lending pool',
      likelihood: 4,
      impact: 5,
      owner: 'alice',
      treatment: 'mitigate',
      reviewDate: '2001-01-01',
      controls: ['SBD-11'],
      actor: 'alice',
    });
    let gov01 = control(await evaluate(), 'GOV-01');
    expect(gov01.status).toBe('not-met');
    expect(gov01.reasons[0]).toMatch(
      /^not-met: 0 of 1 risk in order; 1 risk overdue for review or without a review date: R-1/,
    );
    expect(gov01.evidence[0]).toMatchObject({ kind: 'risk', ref: 'risk:R-1', href: '#risk-R-1', status: 'overdue' });

    await reviseRisk(ctx.store, { id: 'R-1', reviewed: true, actor: 'alice' });
    const report = await evaluate();
    gov01 = control(report, 'GOV-01');
    expect(gov01.status).toBe('met');
    expect(control(report, 'SBD-11').risks).toEqual(['R-1']);
    expect(report.risks).toMatchObject({ total: 1, overdue: [], byRating: { critical: 1 } });
    expect(report.risks.heatMap[4]![3]).toBe(1);

    await addRisk(ctx.store, {
      threat: 'Key theft',
      asset: 'Admin',
      likelihood: 2,
      impact: 5,
      owner: 'bob',
      treatment: 'mitigate',
      reviewDate: '2999-01-01',
      actor: 'bob',
    });
    gov01 = control(await evaluate(), 'GOV-01');
    expect(gov01.status).toBe('partial');
    expect(gov01.reasons).toEqual([
      'partial: 1 of 2 risks in order; 1 mitigated risk naming no control: R-2 (`bulwark risk update ID --add-controls …`).',
    ]);
    await reviseRisk(ctx.store, { id: 'R-2', addControls: ['SBD-08'], actor: 'bob' });
    expect(control(await evaluate(), 'GOV-01').status).toBe('met');
  });

  test('behavior: a governance row edited outside Bulwark fails SA-04 and GOV-02 and leaves no state digest', async () => {
    const before = await evaluate();
    expect(before.integrity.stateDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(before.integrity.rowProblems).toEqual([]);
    const risk = await ctx.store.db.selectFrom('risks').select(['id', 'owner']).orderBy('id').executeTakeFirstOrThrow();
    await ctx.store.db.updateTable('risks').set({ owner: 'mallory' }).where('id', '=', risk.id).execute();
    try {
      const report = await evaluate();
      expect(control(report, 'GOV-02')).toMatchObject({ status: 'not-met' });
      expect(control(report, 'GOV-02').reasons.join('\n')).toMatch(
        new RegExp(`governance row\\(s\\) do not match it: risks ${risk.id} .*edited outside Bulwark`),
      );
      expect(report.integrity.stateDigest).toBeNull();
      expect(report.integrity.rowProblems).toHaveLength(1);
      expectValid(report);
    } finally {
      await ctx.store.db.updateTable('risks').set({ owner: risk.owner }).where('id', '=', risk.id).execute();
    }
    expect((await evaluate()).integrity.stateDigest).toBe(before.integrity.stateDigest);
  });

  test('behavior: the tamper-evident log counts for SA-04 and GOV-02, and a break fails them', async () => {
    let report = await evaluate();
    // A verifying log shows integrity, not central collection, retention or a SIEM feed.
    expect(control(report, 'SA-04').status).toBe('partial');
    expect(control(report, 'SA-04').reasons[0]).toMatch(/Shows the control only in part: the log’s integrity is shown/);
    expect(control(report, 'GOV-02').status).toBe('met');
    // Evidence recorded for the rest lifts the cap; expired evidence does not.
    const siem = {
      controlId: 'SA-04',
      kind: 'other',
      title: 'SIEM forwarding and retention',
      file: 'evidence/siem.md',
      sha256: 'c'.repeat(64),
      size: 10,
      owner: 'soc-lead',
      addedBy: 'alice',
    };
    await bound((tx) => insertEvidence(tx, { ...siem, expiresOn: '2020-01-01' }));
    expect(control(await evaluate(), 'SA-04').status).toBe('partial');
    await bound((tx) => insertEvidence(tx, { ...siem, file: 'evidence/siem-2.md', expiresOn: '2999-01-01' }));
    report = await evaluate();
    expect(control(report, 'SA-04').status).toBe('met');
    expect(control(report, 'SA-04').evidence.map((e) => [e.ref.startsWith('evidence:'), e.status])).toContainEqual([
      true,
      'expired',
    ]);
    const row = await ctx.store.db.selectFrom('audit_log').selectAll().where('seq', '=', 1n).executeTakeFirstOrThrow();
    await ctx.store.db.updateTable('audit_log').set({ actor: 'mallory' }).where('seq', '=', 1n).execute();
    try {
      report = await evaluate();
      // The SIEM record still stands; the broken chain does not: in part.
      expect(control(report, 'SA-04')).toMatchObject({ status: 'partial' });
      expect(control(report, 'GOV-02')).toMatchObject({ status: 'not-met' });
      expect(control(report, 'SA-04').reasons.join('\n')).toMatch(
        /not-met: The tamper-evident log is broken at entry 1 \(edited\)/,
      );
      expect(report.log).toMatchObject({ ok: false, seq: 1, reason: 'edited' });
      expectValid(report);
    } finally {
      await ctx.store.db.updateTable('audit_log').set({ actor: row.actor }).where('seq', '=', 1n).execute();
    }
  });

  test('behavior: incidents judge containment times (GOV-06) and post-incident reviews (RES-05)', async () => {
    const t0 = new Date('2025-05-01T00:00:00Z');
    const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);
    const late = await openIncident(ctx.store, {
      title: 'Slow',
      severity: 'critical',
      actor: 'monitor',
      detectedAt: t0,
    });
    await transitionIncident(ctx.store, { id: late.id, to: 'contained', actor: 'alice', at: minutes(90) });
    let report = await evaluate();
    expect(control(report, 'GOV-06').status).toBe('not-met');
    expect(control(report, 'GOV-06').evidence[0]).toMatchObject({
      ref: `incident:${late.id}`,
      status: 'late',
      href: `#incident-${late.id}`,
    });

    const quick = await openIncident(ctx.store, { title: 'Quick', severity: 'high', actor: 'monitor', detectedAt: t0 });
    await transitionIncident(ctx.store, { id: quick.id, to: 'contained', actor: 'alice', at: minutes(10) });
    await transitionIncident(ctx.store, { id: quick.id, to: 'resolved', actor: 'alice', at: minutes(50) });
    report = await evaluate();
    expect(control(report, 'GOV-06').status).toBe('partial');
    expect(control(report, 'RES-05').status).toBe('not-met');
    expect(report.incidents).toMatchObject({
      total: 2,
      byVerdict: { 'within-target': 1, late: 1 },
      medianTimeToContainMs: 50 * 60_000,
    });

    await addIncidentNote(ctx.store, { id: quick.id, field: 'root-cause', text: 'Unbounded loop', actor: 'alice' });
    expect(control(await evaluate(), 'RES-05').status).toBe('met');
  });

  test('behavior: baselines, a running monitor and a verified pause meet SBD-05, SA-03, SA-02 and SBD-06', async () => {
    await upsertWatchedContract(ctx.store, {
      chainId: 1,
      address: vault,
      name: 'Vault',
      breakerKind: 'guardian-pause',
    });
    let report = await evaluate();
    expect(control(report, 'SBD-05').status).toBe('not-met');
    expect(control(report, 'SA-03').status).toBe('no-evidence');

    await upsertBaseline(ctx.store, {
      chainId: 1,
      address: vault,
      metricKey: 'calls:deposit',
      window: '1h',
      stats: { mean: 3 },
    });
    await setCheckpoint(ctx.store, { chainId: 1, blockNumber: 100n, blockHash: `0x${'01'.repeat(32)}` });
    report = await evaluate();
    expect(control(report, 'SBD-05').status).toBe('met');
    expect(control(report, 'SA-03').status).toBe('met');
    expect(control(report, 'SA-02').status).toBe('met');
    const tomorrow = new Date(Date.now() + 86_400_000);
    report = await evaluate(tomorrow);
    expect(control(report, 'SA-03').status).toBe('not-met');
    expect(control(report, 'SA-03').reasons[0]).toMatch(/stopped on 1 chain: chain 1 last synced 1d/);
    expect(control(report, 'SA-02').status).toBe('partial');

    const incident = await openIncident(ctx.store, {
      title: 'Drain',
      severity: 'critical',
      actor: 'monitor',
      address: vault,
      chainId: 1,
    });
    const pause = await recordResponderAction(ctx.store, {
      incidentId: incident.id,
      kind: 'pause',
      chainId: 1,
      address: vault,
      dryRun: false,
      status: 'sent',
      actor: 'responder',
    });
    expect(control(await evaluate(), 'SBD-06').status).toBe('partial');
    await updateResponderAction(ctx.store, { id: pause.id, status: 'verified', actor: 'responder' });
    const sbd06 = control(await evaluate(), 'SBD-06');
    expect(sbd06.status).toBe('met');
    expect(sbd06.evidence[0]).toMatchObject({ kind: 'responder-action', status: 'verified' });
  });

  test('behavior: recorded evidence counts by its latest status, expires, and can declare a control not applicable', async () => {
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
    await bound((tx) =>
      insertControlEvidence(tx, {
        controlId: 'GOV-05',
        kind: 'gate',
        ref: 'release:abc:v1',
        status: 'fail',
        collectedAt: ago(2),
        data: { target: 'v1' },
      }),
    );
    expect(control(await evaluate(now), 'GOV-05').status).toBe('not-met');
    await bound((tx) =>
      insertControlEvidence(tx, {
        controlId: 'GOV-05',
        kind: 'gate',
        ref: 'release:def:v2',
        status: 'pass',
        collectedAt: ago(1),
        data: { target: 'v2' },
      }),
    );
    const gov05 = control(await evaluate(now), 'GOV-05');
    expect(gov05.status).toBe('met');
    expect(gov05.evidence).toEqual([expect.objectContaining({ kind: 'gate', ref: 'release:def:v2', status: 'pass' })]);

    await bound((tx) =>
      insertControlEvidence(tx, {
        controlId: 'RES-02',
        kind: 'dr-test',
        ref: 'docs/dr-2023.md',
        status: 'pass',
        collectedAt: ago(800),
      }),
    );
    expect(control(await evaluate(now), 'RES-02')).toMatchObject({
      status: 'no-evidence',
      reasons: [expect.stringMatching(/older than 365 days/)],
    });

    await bound((tx) =>
      insertControlEvidence(tx, {
        controlId: 'RES-04',
        kind: 'scope',
        ref: 'docs/scope.md',
        status: 'not-applicable',
        data: { reason: 'no public API' },
      }),
    );
    const report = await evaluate(now);
    expect(control(report, 'RES-04').status).toBe('not-applicable');
    expect(control(report, 'WAL-01').status).toBe('no-evidence');
    expectValid(report);
  });

  test('behavior: with a manifest, documentation, audit coverage, design and dependencies are checked live', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-conformance-project-'));
    mkdirSync(path.join(dir, 'src'));
    const source =
      'pragma solidity ^0.8.20;\ncontract Vault {\n  bool paused;\n  function pause() external { paused = true; }\n}\n';
    writeFileSync(path.join(dir, 'src/Vault.sol'), source);
    const manifest = (admin: string) => `project:
  name: Test protocol
  securityContact: security@example.org
contacts:
  - name: Alice
    email: alice@example.org
contracts:
  - name: Vault
    sources: [src/Vault.sol]
    holdsValue: true
    pausable: true
    admin: ${admin}
    documentation:
      contacts: [Alice]
      externalDependencies: []
`;
    writeFileSync(
      path.join(dir, 'bulwark.config.yaml'),
      manifest('{ kind: eoa, address: "0x1111111111111111111111111111111111111111" }'),
    );
    let report = await evaluate(new Date(), dir);
    expect(report.project).toEqual({ name: 'Test protocol', manifest: 'bulwark.config.yaml' });
    expect(control(report, 'SBD-04').status).toBe('not-met');
    expect(control(report, 'SBD-04').evidence[0]).toMatchObject({
      kind: 'documentation',
      ref: 'bulwark.config.yaml#Vault',
      status: 'incomplete',
    });
    expect(control(report, 'SBD-08').status).toBe('not-met');
    expect(control(report, 'SBD-02').status).toBe('not-met');
    expect(control(report, 'GOV-04')).toMatchObject({ status: 'not-applicable' });
    expect(control(report, 'GOV-07').status).toBe('partial');

    writeFileSync(
      path.join(dir, 'bulwark.config.yaml'),
      manifest('{ kind: multisig, address: "0x1111111111111111111111111111111111111111", threshold: 2 }'),
    );
    await bound((tx) =>
      insertAudit(tx, {
        auditor: 'Independent Auditors Ltd',
        auditDate: '2025-04-01',
        scope: { files: [{ path: 'src/Vault.sol', hash: createHash('sha256').update(source).digest('hex') }] },
        reportPath: 'audits/2025-04.pdf',
      }),
    );
    report = await evaluate(new Date(), dir);
    // The multisig is the manifest's claim: without the chain confirming it, it shows SBD-08 only in part.
    expect(control(report, 'SBD-08').status).toBe('partial');
    expect(control(report, 'SBD-08').reasons[0]).toMatch(
      /shows the control only in part: the admin kind is the manifest’s claim unless the chain confirmed it/,
    );
    expect(control(report, 'SBD-02').status).toBe('met');
    expect(control(report, 'SBD-03').status).toBe('met');
    expect(control(report, 'SBD-02').evidence).toContainEqual(
      expect.objectContaining({ kind: 'audit', href: 'audits/2025-04.pdf' }),
    );

    writeFileSync(path.join(dir, 'src/Vault.sol'), `${source}// changed\n`);
    report = await evaluate(new Date(), dir);
    expect(control(report, 'SBD-03').status).toBe('not-met');
    expect(control(report, 'SBD-03').reasons[0]).toMatch(/1 file changed after its audit: src\/Vault\.sol/);

    writeFileSync(path.join(dir, 'bulwark.config.yaml'), 'project: [not a map\n');
    report = await evaluate(new Date(), dir);
    expect(control(report, 'SBD-04').status).toBe('no-evidence');
    expect(report.notes[0]).toMatch(/^The manifest bulwark\.config\.yaml cannot be used/);
    expectValid(report);
  });

  test('behavior: a reporting period counts incidents detected in it and evidence recorded by its end', async () => {
    const inside = await openIncident(ctx.store, {
      title: 'In the period',
      severity: 'low',
      actor: 'monitor',
      detectedAt: new Date('2024-03-01T00:00:00Z'),
    });
    await openIncident(ctx.store, {
      title: 'After the period',
      severity: 'low',
      actor: 'monitor',
      detectedAt: new Date('2024-08-01T00:00:00Z'),
    });
    await bound((tx) =>
      insertEvidence(tx, {
        controlId: 'RES-02',
        kind: 'dr-test',
        title: 'DR test after the period',
        file: 'evidence/dr.md',
        sha256: 'd'.repeat(64),
        size: 1,
        owner: 'ops',
        expiresOn: '2999-01-01',
        addedBy: 'alice',
        addedAt: new Date('2024-09-01T00:00:00Z'),
      }),
    );
    const report = await evaluateConformance(ctx.store, {
      cwd: empty,
      period: { from: '2024-01-01', to: '2024-06-30' },
    });
    expect(report.period).toEqual({ from: '2024-01-01', to: '2024-06-30' });
    expect(report.incidents.entries.map((i) => i.id)).toContain(inside.id);
    expect(report.incidents.entries.map((i) => i.title)).not.toContain('After the period');
    expect(control(report, 'RES-02').status).toBe('no-evidence');
    expect(control(await evaluate(), 'RES-02').status).toBe('met');
    expectValid(report);
  });
});
