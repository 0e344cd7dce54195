/**
 * API latency under load: the real `bulwark serve --config` process (monitor on anvil, in the same
 * process) on a seeded store (see seed.ts), BENCH_SERVE_CLIENTS concurrent clients (default 200)
 * on keep-alive connections, each a user with its own viewer token and source address, closed loop
 * for BENCH_SERVE_SECONDS (default 4) per route. The peer: the same server's /healthz under the
 * same load, measured just before each route (interleaved, so the machine's load touches both).
 * PGlite by default; PostgreSQL (a fresh database on that server) when DATABASE_URL is set, or
 * with `postgres` (TEST_DATABASE_URL, else a local cluster started from the PostgreSQL binaries).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startResponderChain } from '@bulwark/monitor/responder/testing';
import { createApiToken } from '@bulwark/server';
import { openStore } from '@bulwark/store';
import { createTestDatabase, postgresAdminUrl } from '@bulwark/store/testing';
import { type LoadClient, type LoadResult, percentile, runLoad } from './load.ts';
import { describeVolume, seedStore, seedVolume } from './seed.ts';
import { startServe } from './serveProcess.ts';

export const readRoutes = [
  '/api/v1/posture',
  '/api/v1/contracts',
  '/api/v1/incidents',
  '/api/v1/alerts',
  '/api/v1/wallet/requests',
  '/api/v1/risks',
  '/api/v1/monitor/status',
] as const;

export type RouteFigure = { route: string; load: LoadResult; peer: LoadResult };
export type ApiBenchResult = {
  engine: string;
  clients: number;
  seconds: number;
  volume: string;
  routes: RouteFigure[];
};

const statusText = (load: LoadResult) =>
  [...load.statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${count}×${status === 0 ? 'socket error' : status}`)
    .join(', ');

export const p = (load: LoadResult, fraction: number) => percentile(load.latenciesMs, fraction);

export function describeLoad(load: LoadResult): string {
  const rate = load.requests / load.seconds;
  return `p99 ${p(load, 0.99).toFixed(1)} ms, p50 ${p(load, 0.5).toFixed(1)} ms, ${rate.toFixed(0)} req/s (${statusText(load)})`;
}

async function postgresUrl(postgres: boolean): Promise<string | undefined> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (!postgres) return undefined;
  const admin = await postgresAdminUrl();
  if ('skip' in admin) throw new Error(admin.skip);
  return admin.url;
}

export async function runApiBench(
  log: (line: string) => void,
  options: { postgres?: boolean } = {},
): Promise<ApiBenchResult> {
  const clientsCount = Number(process.env.BENCH_SERVE_CLIENTS ?? 200);
  const seconds = Number(process.env.BENCH_SERVE_SECONDS ?? 4);
  const databaseUrl = await postgresUrl(options.postgres ?? false);
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-serve-'));
  const chain = await startResponderChain();
  const database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
  try {
    const guardian = await chain.newGuardian();
    const vault = await chain.deployPausable(guardian.account.address);
    for (let i = 0; i < 12; i++) await chain.mine();
    const volume = seedVolume();
    const store = await openStore(database ? { url: database.url } : { dataDir: path.join(dir, 'db') });
    const tokens: string[] = [];
    try {
      await seedStore(store, dir, volume, log);
      for (let i = 0; i < clientsCount; i++)
        tokens.push((await createApiToken(store, { name: `user-${i}`, role: 'viewer', actor: 'bench' })).token);
    } finally {
      await store.close();
    }
    writeFileSync(
      path.join(dir, 'monitor.json'),
      JSON.stringify({
        store: { dataDir: 'db' },
        chains: [{ id: 31337, rpc: [chain.anvil.rpcUrl], pollingIntervalMs: 200 }],
        contracts: [{ chain: 31337, address: vault, name: 'Vault', kind: 'vault', assets: ['native'] }],
        baseline: { learnBlocks: 10 },
      }),
    );
    const serve = await startServe({
      cwd: dir,
      args: ['--config', 'monitor.json'],
      databaseUrl: database?.url,
      healthy: true,
    });
    log(`serve listening on ${serve.url} (${database ? 'PostgreSQL' : 'PGlite'})`);
    const routes: RouteFigure[] = [];
    try {
      // A fresh set of source addresses per run: the per-IP limit counts each user's own requests.
      let phase = 0;
      const clients = (withTokens: boolean): LoadClient[] => {
        phase++;
        return tokens.map((token, c) => ({
          localAddress: `127.${phase}.${Math.floor(c / 250)}.${(c % 250) + 1}`,
          headers: withTokens ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>),
        }));
      };
      // Warm-up: the server's first answers compile schemas and fill caches.
      for (const route of ['/healthz', ...readRoutes])
        await runLoad({ url: `${serve.url}${route}`, clients: clients(true).slice(0, 10), durationMs: 500 });
      for (const route of readRoutes) {
        const peer = await runLoad({
          url: `${serve.url}/healthz`,
          clients: clients(false),
          durationMs: seconds * 1000,
        });
        const load = await runLoad({ url: `${serve.url}${route}`, clients: clients(true), durationMs: seconds * 1000 });
        log(`GET ${route}: ${describeLoad(load)}; /healthz ${describeLoad(peer)}`);
        routes.push({ route, load, peer });
      }
    } finally {
      await serve.stop();
    }
    return {
      engine: database ? 'PostgreSQL' : 'PGlite',
      clients: clientsCount,
      seconds,
      volume: describeVolume(volume),
      routes,
    };
  } finally {
    await chain.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
