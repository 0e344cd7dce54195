import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { controls } from '@bulwark/core';
import { evaluateConformance } from '@bulwark/governance';
import { createResponder } from '@bulwark/monitor';
import {
  createTestPauseResponder,
  openTestIncident,
  pausableReadAbi,
  type ResponderTestChain,
  startResponderChain,
} from '@bulwark/monitor/responder/testing';
import {
  getIncident,
  insertAudit,
  insertRisk,
  insertScanRun,
  listLog,
  openIncident,
  upsertContract,
} from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import { createPublicClient, getAddress, http, numberToHex, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer } from '../createServer.ts';
import { apiCaller, createPeopleTokens, exchange, installPolicy, people, withdrawal } from '../testing.ts';

const vaultSource = [
  '// SPDX-License-Identifier: MIT',
  'contract Vault {',
  '  function withdraw() external {',
  '    msg.sender.call{value: address(this).balance}("");',
  '  }',
  '}',
].join('\n');

/** A project folder: a manifest naming one contract (Vault) and its source, as `bulwark report` reads it. */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-api-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'Vault.sol'), vaultSource);
  writeFileSync(
    path.join(dir, 'bulwark.config.json'),
    JSON.stringify({
      version: 1,
      project: { name: 'API test' },
      contracts: [{ name: 'Vault', sources: ['src/Vault.sol'], deployments: [] }],
    }),
  );
  return dir;
}

describeStore('bulwark serve API: the dashboard routes', (ctx) => {
  let server: FastifyInstance;
  let bare: FastifyInstance;
  let chain: ResponderTestChain;
  let call: ReturnType<typeof apiCaller>;
  let callBare: ReturnType<typeof apiCaller>;
  let dir: string;
  let vault: `0x${string}`;
  const tokens: Record<string, string> = {};
  const logOf = async (action: string) => (await listLog(ctx.store)).filter((entry) => entry.action === action);

  beforeAll(async () => {
    Object.assign(tokens, await createPeopleTokens(ctx.store));
    await installPolicy(ctx.store);
    dir = project();
    chain = await startResponderChain();
    const { account } = await chain.newGuardian();
    vault = await chain.deployPausable(account.address);
    const pauser = createTestPauseResponder(chain, { account, store: ctx.store, vault });
    const responder = createResponder({ pause: [pauser] });
    const [hot, cold] = (await chain.deployer.getAddresses()).slice(0, 2) as `0x${string}`[];
    const custodyFile = path.join(dir, 'custody.json');
    writeFileSync(
      custodyFile,
      JSON.stringify({
        ceiling: 0.1,
        chains: [
          {
            chainId: foundry.id,
            name: 'anvil',
            rpc: chain.anvil.rpcUrl,
            assets: [{ symbol: 'ETH' }],
            wallets: [
              { name: 'hot', address: hot, tier: 'hot' },
              { name: 'vault', address: cold, tier: 'cold' },
            ],
          },
        ],
        sinks: [],
      }),
    );
    await chain.rpc('anvil_setBalance', [hot, numberToHex(parseEther('25'))]);
    await chain.rpc('anvil_setBalance', [cold, numberToHex(parseEther('75'))]);
    await chain.mine();
    server = await createServer({
      store: ctx.store,
      cwd: dir,
      responder,
      custodyFile,
      logError: (line) => console.error(line),
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    call = apiCaller(server, tokens);
    bare = await createServer({ store: ctx.store, cwd: dir });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    callBare = apiCaller(bare, tokens);
  });
  afterAll(async () => {
    await server?.close();
    await bare?.close();
    await chain?.stop();
  });

  test('default: /me names the token’s owner and role', async () => {
    for (const [name, role] of people)
      expect((await call('GET', '/api/v1/me', { as: name })).json).toEqual({ name, role });
    expect((await call('GET', '/api/v1/me')).status).toBe(401);
  });

  test('default: /posture is the conformance report grouped by the five areas, statuses as the report gives them', async () => {
    const { status, json } = await call('GET', '/api/v1/posture', { as: 'vera' });
    expect(status).toBe(200);
    expect(json.areas.map((a: { id: string }) => a.id)).toEqual([
      'governance',
      'security-by-design',
      'situational-awareness',
      'wallets',
      'resilience',
    ]);
    const served = json.areas.flatMap((a: { id: string; controls: { id: string; status: string }[] }) =>
      a.controls.map((c) => ({ id: c.id, area: a.id, status: c.status })),
    );
    const report = await evaluateConformance(ctx.store, { cwd: dir });
    expect(served).toEqual(
      expect.arrayContaining(report.controls.map((c) => ({ id: c.id, area: c.area, status: c.status }))),
    );
    expect(served).toHaveLength(controls.length);
    for (const area of json.areas) expect(area.title).toMatch(/\w/);
  });

  test('default: /report answers JSON, HTML and a PDF printed by Chromium; an unknown format is 400', async () => {
    const asJson = await call('GET', '/api/v1/report', { as: 'vera' });
    expect(asJson.status).toBe(200);
    expect(asJson.json).toMatchObject({ schemaVersion: 1, project: { name: 'API test' } });
    expect(asJson.json.controls).toHaveLength(controls.length);
    const html = await call('GET', '/api/v1/report?format=html', { as: 'vera' });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toMatch(/<html[\s>]/i);
    expect(html.text).toContain('API test');
    const pdf = await call('GET', '/api/v1/report?format=pdf', { as: 'vera' });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(new TextDecoder().decode(pdf.bytes.slice(0, 5))).toBe('%PDF-');
    expect((await call('GET', '/api/v1/report?format=docx', { as: 'vera' })).status).toBe(400);
  });

  test('default: /contracts and /contracts/:name give documentation, audits, deployments and findings with excerpts', async () => {
    await upsertContract(ctx.store, {
      name: 'Registered',
      repoPath: 'src/Other.sol',
      documentation: { sources: ['src/Other.sol'] },
    });
    await insertAudit(ctx.store, {
      auditor: 'Example Audits',
      scope: { files: [{ path: './src/Vault.sol', hash: 'x' }] },
      auditDate: '2026-01-10',
    });
    await insertScanRun(ctx.store, {
      startedAt: new Date(Date.now() - 60_000),
      findings: [{ fingerprint: 'old', detector: 'tx-origin', impact: 'high', file: 'src/Vault.sol', line: 1 }],
    });
    await insertScanRun(ctx.store, {
      startedAt: new Date(),
      findings: [
        {
          fingerprint: 'f1',
          detector: 'unchecked-low-level-call',
          impact: 'medium',
          confidence: 'high',
          file: 'src/Vault.sol',
          line: 3,
          data: { title: 'Unchecked call', message: 'The call’s result is ignored.', endLine: 5 },
        },
        {
          fingerprint: 'f2',
          detector: 'pragma',
          impact: 'informational',
          file: 'src/Vault.sol',
          line: 1,
          status: 'accepted',
          acceptedReason: 'ok',
        },
        { fingerprint: 'f3', detector: 'gone', impact: 'low', file: 'src/Other.sol', line: 9 },
      ],
    });
    const list = await call('GET', '/api/v1/contracts', { as: 'vera' });
    expect(list.status).toBe(200);
    expect(list.json.map((c: { name: string }) => c.name)).toEqual(['Registered', 'Vault']);
    const [registered, vaultSummary] = list.json as { documentation: { complete: boolean; missing: string[] } }[];
    // Only the newest run counts, and an accepted finding is not open.
    expect(vaultSummary).toMatchObject({ audits: 1, findings: { high: 0, medium: 1, low: 0, informational: 0 } });
    expect(vaultSummary.documentation.complete).toBe(false);
    expect(vaultSummary.documentation.missing).toContain('specification');
    expect(registered).toMatchObject({ audits: 0, findings: { low: 1 }, documentation: { complete: false } });

    const one = await call('GET', '/api/v1/contracts/Vault', { as: 'vera' });
    expect(one.status).toBe(200);
    expect(one.json.audits).toEqual([expect.objectContaining({ auditor: 'Example Audits', date: '2026-01-10' })]);
    const call3 = one.json.findings.find((f: { detector: string }) => f.detector === 'unchecked-low-level-call');
    expect(call3).toMatchObject({
      impact: 'medium',
      message: 'The call’s result is ignored.',
      location: { file: 'src/Vault.sol', startLine: 3, endLine: 5 },
      excerpt: vaultSource.split('\n').slice(2, 5).join('\n'),
    });
    // A source that is not in the project folder has no excerpt.
    const other = await call('GET', '/api/v1/contracts/Registered', { as: 'vera' });
    expect(other.json.findings).toEqual([expect.objectContaining({ detector: 'gone', excerpt: null })]);

    expect((await call('GET', '/api/v1/contracts/Nothing', { as: 'vera' })).status).toBe(404);
    expect((await call('GET', `/api/v1/contracts/${encodeURIComponent('../etc/passwd')}`, { as: 'vera' })).status).toBe(
      400,
    );
  });

  test('behavior: incidents are acknowledged, resolved and given a post-mortem, each logged with the caller as actor', async () => {
    const incident = await openIncident(ctx.store, { title: 'Oracle skew', severity: 'high', actor: 'monitor' });
    const url = `/api/v1/incidents/${incident.id}`;
    expect((await call('POST', `${url}/acknowledge`, { as: 'vera' })).status).toBe(403);
    const acknowledged = await call('POST', `${url}/acknowledge`, { as: 'olga' });
    expect(acknowledged).toMatchObject({ status: 200, json: { incident: { id: incident.id, state: 'triaged' } } });
    expect((await logOf('incident.move')).at(-1)).toMatchObject({ actor: 'olga', payload: { to: 'triaged' } });
    expect(await call('POST', `${url}/acknowledge`, { as: 'olga' })).toMatchObject({
      status: 409,
      json: { error: { code: 'invalid-transition' } },
    });

    const moves = (await logOf('incident.move')).length;
    expect((await call('POST', `${url}/resolve`, { as: 'olga', body: { summary: '   ' } })).status).toBe(400);
    expect((await call('POST', `${url}/resolve`, { as: 'olga', body: {} })).status).toBe(400);
    expect((await logOf('incident.move')).length).toBe(moves);
    const resolved = await call('POST', `${url}/resolve`, { as: 'olga', body: { summary: 'Oracle feed replaced.' } });
    expect(resolved.json.incident.state).toBe('resolved');

    const note = await call('POST', `${url}/postmortem`, { as: 'olga', body: { text: 'Use a TWAP.' } });
    expect(note).toMatchObject({ status: 201, json: { kind: 'note', actor: 'olga', data: { field: 'lessons' } } });
    expect((await logOf('incident.note')).at(-1)).toMatchObject({ actor: 'olga', payload: { field: 'lessons' } });
    const shown = await call('GET', url, { as: 'vera' });
    const notes = shown.json.timeline
      .filter((e: { kind: string }) => e.kind === 'note')
      .map((e: { data: unknown }) => e.data);
    expect(notes).toEqual([
      { field: 'summary', text: 'Oracle feed replaced.' },
      { field: 'lessons', text: 'Use a TWAP.' },
    ]);
    expect((await call('POST', '/api/v1/incidents/nope-404/acknowledge', { as: 'olga' })).status).toBe(404);
  });

  test('behavior: an approver pauses the incident’s contract through the responder, confirming its address; never without it', async () => {
    const incident = await openTestIncident(ctx.store, vault);
    const url = `/api/v1/incidents/${incident.id}/pause`;
    const pausesBefore = (await logOf('incident.pause')).length;
    expect((await call('POST', url, { as: 'olga', body: { confirm: vault } })).status).toBe(403);
    expect(
      await call('POST', url, { as: 'alice', body: { confirm: '0x0000000000000000000000000000000000000001' } }),
    ).toMatchObject({ status: 422, json: { error: { code: 'confirm-mismatch' } } });
    expect((await call('POST', url, { as: 'alice', body: { confirm: 'yes' } })).status).toBe(400);
    expect(await callBare('POST', url, { as: 'alice', body: { confirm: vault } })).toMatchObject({
      status: 409,
      json: { error: { code: 'no-responder' } },
    });
    expect((await logOf('incident.pause')).length).toBe(pausesBefore);
    const client = createPublicClient({ chain: foundry, transport: http(chain.anvil.rpcUrl) });
    expect(await client.readContract({ address: vault, abi: pausableReadAbi, functionName: 'paused' })).toBe(false);

    const paused = await call('POST', url, { as: 'alice', body: { confirm: vault.toUpperCase().replace('0X', '0x') } });
    expect(paused).toMatchObject({ status: 200, json: { kind: 'pause', status: 'verified', contained: true } });
    expect(await client.readContract({ address: vault, abi: pausableReadAbi, functionName: 'paused' })).toBe(true);
    expect((await logOf('incident.pause')).at(-1)).toMatchObject({
      actor: 'alice',
      payload: { id: incident.id, contract: vault.toLowerCase() },
    });
    expect((await getIncident(ctx.store, incident.id))?.state).toBe('contained');
    const shown = await call('GET', `/api/v1/incidents/${incident.id}`, { as: 'vera' });
    expect(shown.json.actions).toEqual([
      expect.objectContaining({ kind: 'pause', status: 'verified', source: 'monitor' }),
    ]);
    expect(shown.json.timeline.map((e: { kind: string }) => e.kind)).toContain('pause-requested');
  });

  test('behavior: an approver rejects a held wallet request with a reason (logged); policies list the one in force', async () => {
    const submitted = await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('500') });
    expect(submitted.json.state).toBe('pending');
    const url = `/api/v1/wallet/requests/${submitted.json.id}/reject`;
    expect((await call('POST', url, { as: 'vera', body: { reason: 'no' } })).status).toBe(403);
    expect((await call('POST', url, { as: 'alice', body: { reason: '' } })).status).toBe(400);
    expect(await call('POST', url, { as: 'alice', body: { reason: 'Unknown destination.' } })).toMatchObject({
      status: 200,
      json: { id: submitted.json.id, state: 'rejected' },
    });
    expect((await logOf('wallet.reject')).at(-1)).toMatchObject({
      actor: 'alice',
      payload: { id: submitted.json.id, reason: 'Unknown destination.' },
    });
    expect((await call('POST', url, { as: 'alice', body: { reason: 'again' } })).status).toBe(409);
    expect(
      (await call('POST', '/api/v1/wallet/requests/none/reject', { as: 'alice', body: { reason: 'x' } })).status,
    ).toBe(404);

    const policies = await call('GET', '/api/v1/wallet/policies', { as: 'vera' });
    expect(policies.json.filter((p: { active: boolean }) => p.active)).toEqual([
      expect.objectContaining({ state: 'approved', proposedBy: 'heidi' }),
    ]);
  });

  test('behavior: a request from a custody wallet is simulated on its chain when submitted; approvers get the asset changes with the digest', async () => {
    const [hot] = (await chain.deployer.getAddresses()) as `0x${string}`[];
    const submitted = await call('POST', '/api/v1/wallet/requests', {
      as: 'olga',
      body: withdrawal('5000', { chain: foundry.id }),
    });
    expect(submitted.status).toBe(201);
    expect(submitted.json.state).toBe('pending');
    const expected = {
      chainId: foundry.id,
      from: getAddress(hot!),
      to: getAddress(exchange),
      value: '5000',
      status: 'success',
      flags: [],
      assetChanges: [
        { account: getAddress(hot!), changes: [{ asset: 'native', standard: 'native', delta: '-5000' }] },
        { account: getAddress(exchange), changes: [{ asset: 'native', standard: 'native', delta: '5000' }] },
      ],
    };
    expect(submitted.json.preview).toMatchObject(expected);
    // The list approvers read carries the same simulation beside the digest they vote on.
    const listed = (await call('GET', '/api/v1/wallet/requests?state=pending', { as: 'vera' })).json.find(
      (record: { id: string }) => record.id === submitted.json.id,
    );
    expect(listed).toMatchObject({ digest: submitted.json.digest, preview: expected });
    expect((await logOf('wallet.preview')).at(-1)).toMatchObject({
      actor: 'olga',
      payload: { id: submitted.json.id, status: 'success', flags: [] },
    });
    // A chain the custody file does not name: nothing to simulate from, so no preview is recorded.
    const elsewhere = await call('POST', '/api/v1/wallet/requests', { as: 'olga', body: withdrawal('6000') });
    expect(elsewhere.json.preview).toBeNull();
    const listedElsewhere = (await call('GET', '/api/v1/wallet/requests', { as: 'vera' })).json.find(
      (record: { id: string }) => record.id === elsewhere.json.id,
    );
    expect(listedElsewhere.preview).toBeNull();
    // A custody file the server cannot read does not hold requests up: decided as before, no preview.
    const broken = path.join(dir, 'unreadable-custody.json');
    writeFileSync(broken, '{"chains": [');
    const misconfigured = await createServer({ store: ctx.store, cwd: dir, custodyFile: broken, dashboard: false });
    try {
      const answer = await misconfigured.inject({
        method: 'POST',
        url: '/api/v1/wallet/requests',
        headers: { authorization: `Bearer ${tokens.olga}`, 'content-type': 'application/json' },
        payload: withdrawal('7000', { chain: foundry.id }),
      });
      expect(answer.statusCode).toBe(201);
      expect(answer.json()).toMatchObject({ state: 'pending', preview: null });
    } finally {
      await misconfigured.close();
    }
  });

  test('default: /wallet/custody reads the hot/cold share per asset from the chain; without a custody file it says so', async () => {
    const custody = await call('GET', '/api/v1/wallet/custody', { as: 'vera' });
    expect(custody.status).toBe(200);
    expect(custody.json).toMatchObject({ configured: true, breaches: 1 });
    expect(custody.json.chains[0].assets[0]).toMatchObject({ symbol: 'ETH', hotShare: 0.25, overCeiling: true });
    expect((await callBare('GET', '/api/v1/wallet/custody', { as: 'vera' })).json).toMatchObject({
      configured: false,
      chains: [],
    });
    // A custody file the server cannot use is the server's problem: 503, with the reason.
    const broken = path.join(dir, 'broken-custody.json');
    writeFileSync(broken, '{"chains": [');
    const misconfigured = await createServer({ store: ctx.store, cwd: dir, custodyFile: broken });
    try {
      const answer = await misconfigured.inject({
        method: 'GET',
        url: '/api/v1/wallet/custody',
        headers: { authorization: `Bearer ${tokens.vera}` },
      });
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({
        error: { code: 'custody-unavailable', message: expect.stringContaining('not JSON') },
      });
    } finally {
      await misconfigured.close();
    }
  });

  test('default: /risks carry likelihood, impact and rating for the heat map', async () => {
    await insertRisk(ctx.store, {
      threat: 'Key theft',
      asset: 'hot wallet',
      likelihood: 4,
      impact: 5,
      owner: 'ciso',
      treatment: 'mitigate',
    });
    const risks = await call('GET', '/api/v1/risks', { as: 'vera' });
    expect(risks.json[0]).toMatchObject({
      threat: 'Key theft',
      likelihood: 4,
      impact: 5,
      score: 20,
      rating: 'critical',
    });
  });
});
