/**
 * Drills on real processes: several `bulwark serve` replicas (the real binary, spawned as an
 * operator runs it) on one real PostgreSQL, the stateless way they are meant to run: a request
 * made on one is seen and acted on by the others; concurrent approvals on two replicas reach a
 * quorum once; an idempotency key holds across them; a change one process records reaches an event
 * stream on another; rate limits hold across them; a replica killed mid-approval leaves no
 * half-written state. The replicas send approved requests from a hot wallet on anvil: each is
 * signed and broadcast once, checked on the chain. Skipped without PostgreSQL (required in CI:
 * BULWARK_REQUIRE_POSTGRES=1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestNode, type TestNode } from '@bulwark/chain/testing';
import { createApiToken } from '@bulwark/server';
import { exchange, installPolicy } from '@bulwark/server/api-testing';
import { openEventClient } from '@bulwark/server/testing';
import {
  insertAlert,
  listLog,
  listWalletRequestApprovals,
  listWalletRequests,
  type OpenStoreReturnType,
  openStore,
  verifyBoundRows,
  verifyLog,
} from '@bulwark/store';
import { createTestDatabase, postgresAdminUrl } from '@bulwark/store/testing';
import { approveRequest, parseRequest, submitRequest } from '@bulwark/wallet';
import { createPublicClient, type Hex, http, keccak256, numberToHex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type SpawnedCli, spawnCli } from '../testing.ts';

/** A withdrawal above 100 wei on anvil: held for two of the treasury (alice, bob, carol). */
const withdrawal = (amount = '500') => ({
  kind: 'withdrawal',
  source: 'hot',
  chain: 31337,
  asset: 'native',
  amount,
  destination: exchange,
});

type Answer = { status: number; json: Record<string, unknown>; headers: Headers };
type Replica = { name: string; url: string; process: SpawnedCli };

const admin = await postgresAdminUrl();
const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-replicas-'));
const replicas = new Set<SpawnedCli>();
const disposers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const replica of replicas) replica.child.kill('SIGKILL');
  await Promise.all([...replicas].map((replica) => replica.exited));
  for (const dispose of disposers.splice(0).reverse()) await dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A new database with the wallet policy in force and a token per person; closed and dropped after the suite. */
async function database(): Promise<{ url: string; store: OpenStoreReturnType; tokens: Record<string, string> }> {
  if ('skip' in admin) throw new Error(admin.skip);
  const created = await createTestDatabase(admin.url);
  const store = await openStore({ url: created.url, poolSize: 4 });
  disposers.push(async () => {
    await store.close();
    await created.drop();
  });
  await installPolicy(store, { members: ['alice', 'bob', 'carol'], threshold: 2 });
  const tokens: Record<string, string> = {};
  for (const [name, role] of [
    ['vera', 'viewer'],
    ['alice', 'approver'],
    ['bob', 'approver'],
    ['carol', 'approver'],
  ] as const)
    tokens[name] = (await createApiToken(store, { name, role, actor: 'test' })).token;
  return { url: created.url, store, tokens };
}

/** Starts `bulwark serve` on `databaseUrl`; resolves once it prints its address. */
async function startReplica(
  name: string,
  databaseUrl: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Replica> {
  const process = spawnCli(['serve', '--port', '0', '--format', 'json', ...args], {
    cwd: dir,
    env: { DATABASE_URL: databaseUrl, ...env },
  });
  replicas.add(process);
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const line = process.stdout().split('\n')[0];
      if (line && process.stdout().includes('\n')) resolve((JSON.parse(line) as { url: string }).url);
    };
    process.child.stdout!.on('data', check);
    void process.exited.then((code) => reject(new Error(`replica ${name} exited ${code}: ${process.stderr()}`)));
  });
  return { name, url, process };
}

function caller(tokens: Record<string, string>) {
  return async (
    replica: Replica,
    method: string,
    route: string,
    options: { as?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${tokens[options.as]}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${replica.url}${route}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : {}, headers: response.headers };
  };
}

/** Waits for `check` to hold, reading again every 50 ms (the deadline only stops a hung drill). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not true within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `bulwark log verify` (the real binary) on the database: its exit code and output. */
async function logVerify(databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnCli(['log', 'verify'], { cwd: dir, env: { DATABASE_URL: databaseUrl } });
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe.skipIf('skip' in admin)('bulwark serve: three replicas on one PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof database>>;
  let call: ReturnType<typeof caller>;
  let a: Replica;
  let b: Replica;
  let c: Replica;
  let node: TestNode;
  const hotKey = generatePrivateKey();
  const hotWallet = privateKeyToAccount(hotKey).address;
  beforeAll(async () => {
    db = await database();
    call = caller(db.tokens);
    node = await startTestNode();
    await node.rpc('anvil_setBalance', [hotWallet, numberToHex(parseEther('10'))]);
    const sending = ['--wallet-key-env', 'HOT_KEY', '--wallet-rpc', node.anvil.rpcUrl];
    const env = { HOT_KEY: hotKey };
    // The first start builds the dashboard when it is stale; the others then find it built.
    a = await startReplica('A', db.url, sending, env);
    [b, c] = await Promise.all([startReplica('B', db.url, sending, env), startReplica('C', db.url, sending, env)]);
  }, 300_000);
  afterAll(async () => {
    await node?.stop();
  });

  /** Every transaction the hot wallet sent, read from the chain block by block. */
  async function sentFromHotWallet(): Promise<{ hash: Hex; nonce: number; to: string | null; value: bigint }[]> {
    const client = createPublicClient({ transport: http(node.anvil.rpcUrl) });
    const head = await client.getBlockNumber({ cacheTime: 0 });
    const sent = [];
    for (let number = 0n; number <= head; number++)
      for (const tx of (await client.getBlock({ blockNumber: number, includeTransactions: true })).transactions)
        if (tx.from.toLowerCase() === hotWallet.toLowerCase())
          sent.push({ hash: tx.hash, nonce: tx.nonce, to: tx.to, value: tx.value });
    return sent;
  }

  /** Submits a held withdrawal as alice on `on`; its id and digest. */
  async function submit(on: Replica): Promise<{ id: string; digest: string }> {
    const answer = await call(on, 'POST', '/api/v1/wallet/requests', { as: 'alice', body: withdrawal() });
    expect(answer).toMatchObject({ status: 201, json: { state: 'pending' } });
    return answer.json as { id: string; digest: string };
  }

  test('default: a request made on A is listed on B and C, self-approval is refused on B, and concurrent approvals on A and B reach the quorum once', async () => {
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const { id, digest } = await submit(a);
      for (const other of [b, c]) {
        const listed = await call(other, 'GET', '/api/v1/wallet/requests?state=pending', { as: 'vera' });
        expect((listed.json as unknown as { id: string }[]).map((r) => r.id)).toContain(id);
      }
      const self = await call(b, 'POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'alice', body: { digest } });
      expect(self).toMatchObject({ status: 422, json: { error: { code: 'self-approval' } } });
      // Both votes at once, on two replicas: each is counted, and exactly one of them meets the quorum.
      const [bob, carol] = await Promise.all([
        call(a, 'POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'bob', body: { digest } }),
        call(b, 'POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'carol', body: { digest } }),
      ]);
      expect([bob.status, carol.status]).toEqual([200, 200]);
      expect([bob.json.quorumMet, carol.json.quorumMet].filter(Boolean)).toEqual([true]);
      expect(['approved', 'signed']).toContain((await listWalletRequests(db.store)).find((r) => r.id === id)?.state);
      expect((await listWalletRequestApprovals(db.store, id)).map((v) => v.approver).sort()).toEqual(['bob', 'carol']);
      // A third vote, on C, finds the request closed.
      const late = await call(c, 'POST', `/api/v1/wallet/requests/${id}/reject`, {
        as: 'carol',
        body: { reason: 'late' },
      });
      expect(late).toMatchObject({ status: 409, json: { error: { code: 'not-pending' } } });
    }
    // Every replica sends; each approved request is signed and broadcast by one of them, once.
    const requests = (await listWalletRequests(db.store)).map((r) => r.id);
    expect(requests).toHaveLength(rounds);
    await until(
      async () => (await listLog(db.store)).filter((e) => e.action === 'wallet.request.broadcast').length >= rounds,
      'every approved request broadcast',
    );
    const log = await listLog(db.store);
    const sent = await sentFromHotWallet();
    expect(sent.map((tx) => tx.nonce)).toEqual(Array.from({ length: rounds }, (_, i) => i));
    for (const tx of sent) expect({ to: tx.to, value: tx.value }).toEqual({ to: exchange, value: 500n });
    // The log has each action once: two votes (one meeting the quorum), one signature, one broadcast per request.
    for (const id of requests) {
      const about = log.filter((entry) => (entry.payload as { id?: string }).id === id);
      const approvals = about.filter((entry) => entry.action === 'wallet.approve');
      expect(approvals.map((entry) => entry.actor).sort()).toEqual(['bob', 'carol']);
      expect(approvals.filter((entry) => (entry.payload as { quorumMet: boolean }).quorumMet)).toHaveLength(1);
      expect(about.filter((entry) => entry.action === 'wallet.request.signed')).toHaveLength(1);
      const broadcast = about.filter((entry) => entry.action === 'wallet.request.broadcast');
      expect(broadcast).toHaveLength(1);
      expect(sent.map((tx) => tx.hash)).toContain((broadcast[0]!.payload as { hash: Hex }).hash);
      expect((await listWalletRequests(db.store)).find((r) => r.id === id)?.state).toBe('signed');
    }
    expect(await verifyLog(db.store)).toMatchObject({ ok: true });
    expect(await verifyBoundRows(db.store)).toMatchObject({ ok: true });
    expect(await logVerify(db.url)).toMatchObject({ code: 0 });
  }, 300_000);

  test('behavior: one Idempotency-Key sent to A, then to B, gets the same stored answer and writes once', async () => {
    const before = (await listWalletRequests(db.store)).length;
    const headers = { 'idempotency-key': 'payout-2026-12-06-0001' };
    const first = await call(a, 'POST', '/api/v1/wallet/requests', { as: 'alice', body: withdrawal('700'), headers });
    const again = await call(b, 'POST', '/api/v1/wallet/requests', { as: 'alice', body: withdrawal('700'), headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await listWalletRequests(db.store)).length).toBe(before + 1);
    // The same key with another body, on C, is refused.
    const other = await call(c, 'POST', '/api/v1/wallet/requests', { as: 'alice', body: withdrawal('701'), headers });
    expect(other).toMatchObject({ status: 409, json: { error: { code: 'idempotency-key-reused' } } });
  });

  test('behavior: an alert recorded by another process and a request submitted on A reach an event stream on C', async () => {
    const stream = await openEventClient(`${c.url}/api/v1/events`, { token: db.tokens.vera });
    try {
      expect(stream.status).toBe(200);
      await stream.waitForComment('connected');
      // This test's process writes to the store as a monitor elsewhere would.
      const { alert } = await insertAlert(db.store, {
        ruleId: 'large-outflow',
        severity: 'high',
        chainId: 1,
        address: exchange,
        dedupeKey: `replicas-drill-${Date.now()}`,
        payload: { note: 'from another process' },
      });
      const { id } = await submit(a);
      expect((await stream.waitFor((e) => e.type === 'alert' && e.data.id === alert.id)).data).toMatchObject({
        ruleId: 'large-outflow',
      });
      expect((await stream.waitFor((e) => e.type === 'wallet-request' && e.data.id === id)).data).toMatchObject({
        state: 'pending',
      });
    } finally {
      stream.close();
    }
  });

  test('behavior: a replica killed (SIGKILL) mid-approval leaves the request approved or not, never half; the others carry on', async () => {
    for (let round = 0; round < 3; round++) {
      const doomed = await startReplica(`D${round}`, db.url);
      const { id, digest } = await submit(a);
      // bob's vote goes to D, which is killed while it handles it (or before, or just after).
      const sent = call(doomed, 'POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'bob', body: { digest } }).catch(
        () => undefined,
      );
      // A different moment each round; whatever it hits, the checks below must hold.
      await new Promise((resolve) => setTimeout(resolve, round * 3));
      doomed.process.child.kill('SIGKILL');
      await doomed.process.exited;
      await sent;
      // Either bob's vote and its log entry are both there, or neither is.
      const votes = (await listWalletRequestApprovals(db.store, id)).map((v) => v.approver);
      const logged = (await listLog(db.store)).filter(
        (entry) => entry.action === 'wallet.approve' && (entry.payload as { id: string }).id === id,
      );
      expect(logged.map((entry) => entry.actor)).toEqual(votes);
      expect((await listWalletRequests(db.store)).find((r) => r.id === id)?.state).toBe('pending');
      // The others carry on: bob's retry on B is counted once, carol's vote on C meets the quorum.
      const retry = await call(b, 'POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'bob', body: { digest } });
      expect(
        retry.status === 200 ||
          (retry.status === 409 && (retry.json.error as { code: string }).code === 'already-voted'),
      ).toBe(true);
      const carol = await call(c, 'POST', `/api/v1/wallet/requests/${id}/approve`, { as: 'carol', body: { digest } });
      expect(carol).toMatchObject({ status: 200, json: { state: 'approved', quorumMet: true } });
    }
    expect(await verifyLog(db.store)).toMatchObject({ ok: true });
    // The replicas may still be sending the last request: the check reads one snapshot.
    expect(await verifyBoundRows(db.store)).toMatchObject({ ok: true });
    expect(await logVerify(db.url)).toMatchObject({ code: 0 });
  }, 300_000);
});

describe.skipIf('skip' in admin)('bulwark serve: rate limits across two replicas', () => {
  let call: ReturnType<typeof caller>;
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    // A database of its own: the counters are per database, and the other suite's traffic is not this one's.
    const db = await database();
    call = caller(db.tokens);
    const limit = ['--rate-limit-ip', '5'];
    [a, b] = await Promise.all([startReplica('RA', db.url, limit), startReplica('RB', db.url, limit)]);
  }, 300_000);

  test('behavior: a limit of 5 a minute per IP holds across two replicas: the 6th request, on either, is 429 with Retry-After', async () => {
    const statuses = [];
    for (const replica of [a, b, a, b, a])
      statuses.push((await call(replica, 'GET', '/api/v1/me', { as: 'vera' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    for (const replica of [b, a]) {
      const limited = await call(replica, 'GET', '/api/v1/me', { as: 'vera' });
      expect(limited).toMatchObject({ status: 429, json: { error: { code: 'rate-limited' } } });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
  }, 300_000);
});

/**
 * A JSON-RPC relay in front of the node that passes every call but `eth_sendRawTransaction`,
 * which it keeps and never answers or forwards: a replica behind it has signed and is stuck
 * broadcasting, as when it is killed at that moment.
 */
async function holdBroadcasts(rpcUrl: string): Promise<{ url: string; held: Hex[]; close(): Promise<void> }> {
  const held: Hex[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const calls = [JSON.parse(body)].flat() as { method: string; params: unknown[] }[];
      const raw = calls.find((call) => call.method === 'eth_sendRawTransaction');
      if (raw) {
        held.push(raw.params[0] as Hex);
        return;
      }
      void fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf('skip' in admin)('bulwark serve: a replica killed between signing and broadcasting', () => {
  test('behavior: after --wallet-claim-stale-after, another replica broadcasts the same signed transaction: one hash, one nonce', async () => {
    const db = await database();
    const node = await startTestNode();
    const relay = await holdBroadcasts(node.anvil.rpcUrl);
    disposers.push(relay.close, () => node.stop());
    const hotKey = generatePrivateKey();
    const hotWallet = privateKeyToAccount(hotKey).address;
    await node.rpc('anvil_setBalance', [hotWallet, numberToHex(parseEther('1'))]);
    const sending = (rpcUrl: string) => [
      '--wallet-key-env',
      'HOT_KEY',
      '--wallet-rpc',
      rpcUrl,
      '--wallet-claim-stale-after',
      '2',
    ];
    const env = { HOT_KEY: hotKey };

    // D sends through the relay: it claims, signs (the request is `signed` in the store), then hangs broadcasting.
    const doomed = await startReplica('D', db.url, sending(relay.url), env);
    const { record } = await submitRequest(db.store, {
      request: parseRequest({ ...withdrawal(), initiator: 'alice' }),
    });
    for (const approver of ['bob', 'carol'])
      await approveRequest(db.store, { id: record.id, approver, digest: record.digest });
    await until(async () => relay.held.length > 0, 'D signed and is broadcasting');
    doomed.process.child.kill('SIGKILL');
    await doomed.process.exited;
    const signed = (await listLog(db.store)).filter(
      (e) => e.action === 'wallet.request.signed' && (e.payload as { id: string }).id === record.id,
    );
    expect(signed).toHaveLength(1);
    const { rawTransaction, nonce } = signed[0]!.payload as { rawTransaction: Hex; nonce: number };
    expect(relay.held).toEqual([rawTransaction]);
    const client = createPublicClient({ transport: http(node.anvil.rpcUrl) });
    expect(await client.getTransactionCount({ address: hotWallet, blockTag: 'pending' })).toBe(0);

    // E, on the node itself, takes the stale claim over and broadcasts what D signed.
    await startReplica('E', db.url, sending(node.anvil.rpcUrl), env);
    const broadcast = async () =>
      (await listLog(db.store)).filter(
        (e) => e.action === 'wallet.request.broadcast' && (e.payload as { id: string }).id === record.id,
      );
    await until(async () => (await broadcast()).length > 0, 'E broadcast the request again');
    const [entry, ...more] = await broadcast();
    expect(more).toEqual([]);
    const hash = keccak256(rawTransaction);
    expect(entry!.payload).toMatchObject({ hash, nonce, again: true });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    expect(receipt).toMatchObject({ status: 'success', from: hotWallet.toLowerCase(), to: exchange });
    // One transaction from the hot wallet: D's, with D's nonce; no second signature, no second nonce.
    expect(await client.getTransactionCount({ address: hotWallet, blockTag: 'pending' })).toBe(1);
    expect(nonce).toBe(0);
    expect(
      (await listLog(db.store)).filter(
        (e) => e.action === 'wallet.request.signed' && (e.payload as { id: string }).id === record.id,
      ),
    ).toHaveLength(1);
    expect((await listWalletRequests(db.store)).find((r) => r.id === record.id)?.state).toBe('signed');
    expect(await verifyLog(db.store)).toMatchObject({ ok: true });
  }, 300_000);
});
