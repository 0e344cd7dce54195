/**
 * Test helpers: a real nats-server with JetStream (Debian's `nats-server`, `-js`), on 127.0.0.1,
 * a free port and a temp store folder, that a drill can kill and start again on the same port and
 * folder (the streams survive, as they do on a restarted server).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type NatsServer = {
  url: string;
  port: number;
  /** The JetStream store folder (kept across `restart`). */
  storeDir: string;
  /** Kills the server (SIGKILL: no clean shutdown, as a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
};

const candidates = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

/** The nats-server binary, or why there is none. */
export function findNatsServer(): { binary: string } | { missing: string } {
  const fromEnv = process.env.BULWARK_NATS_SERVER;
  if (fromEnv)
    return existsSync(fromEnv) ? { binary: fromEnv } : { missing: `BULWARK_NATS_SERVER=${fromEnv} does not exist` };
  const binary = candidates.find((candidate) => existsSync(candidate));
  return binary ? { binary } : { missing: `no nats-server in ${candidates.join(', ')} (apt-get install nats-server)` };
}

/**
 * Why a NATS suite cannot run here, or undefined when it can. Without nats-server the suite is
 * skipped, unless `BULWARK_REQUIRE_NATS=1` (CI), where it fails.
 */
export function natsSkipReason(): string | undefined {
  const found = findNatsServer();
  if ('binary' in found) return undefined;
  if (process.env.BULWARK_REQUIRE_NATS === '1') throw new Error(`BULWARK_REQUIRE_NATS=1 but ${found.missing}`);
  return `NATS suite not run: ${found.missing}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(): Promise<NatsServer> {
  const found = findNatsServer();
  if ('missing' in found) throw new Error(found.missing);
  const { binary } = found;
  const storeDir = mkdtempSync(path.join(tmpdir(), 'bulwark-nats-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const spawned = spawn(
      binary,
      ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), '-n', 'bulwark-test'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = spawned;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Server is ready')) resolve();
      };
      spawned.stdout!.on('data', onData);
      spawned.stderr!.on('data', onData);
      spawned.once('exit', (code) => reject(new Error(`nats-server exited (${code}) before it was ready:\n${output}`)));
    });
  }

  async function kill(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
