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
import type { Block, CallFrame, Tx } from '@bulwark/chain';

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

// Hand-built traced blocks, for tests that run a detect partition's engine without a chain.
/** A successful CALL with `input` and nested `inner` calls. */
export const frame = (from: string, to: string, input: string, inner: CallFrame[] = []): CallFrame => ({
  type: 'CALL',
  from: from as `0x${string}`,
  to: to as `0x${string}`,
  value: 0n,
  gas: 100_000n,
  gasUsed: 1_000n,
  input: input as `0x${string}`,
  output: '0x',
  error: undefined,
  revertReason: undefined,
  calls: inner,
});
const testHash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as `0x${string}`;
/** A transaction of block `n` whose trace is `trace`. */
export const tx = (n: number, from: string, trace: CallFrame): Tx => ({
  hash: testHash(1000 + n),
  blockNumber: BigInt(n),
  blockHash: testHash(n),
  index: 0,
  type: 'eip1559',
  from: from as `0x${string}`,
  to: trace.to ?? null,
  value: 0n,
  input: trace.input,
  nonce: 0n,
  gas: 1_000_000n,
  gasPrice: 1n,
  maxFeePerGas: 1n,
  maxPriorityFeePerGas: 1n,
  receipt: {
    status: 'success',
    gasUsed: 50_000n,
    cumulativeGasUsed: 50_000n,
    effectiveGasPrice: 1n,
    contractAddress: null,
    logs: [],
  },
  trace,
  traceError: undefined,
});
/** Block `n` (hash and parent from `n`), traced, with `transactions`. */
export const block = (n: number, transactions: Tx[]): Block => ({
  number: BigInt(n),
  hash: testHash(n),
  chainId: 31337,
  parentHash: testHash(n - 1),
  timestamp: BigInt(1_700_000_000 + n * 12),
  miner: `0x${'0'.repeat(39)}1` as `0x${string}`,
  gasUsed: 0n,
  gasLimit: 30_000_000n,
  baseFeePerGas: 1n,
  transactions,
  logs: [],
  traced: true,
});
