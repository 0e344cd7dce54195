import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UsageError } from '@bulwark/core';
import { AnvilError } from './errors.ts';

export type StartAnvilParameters = {
  /** Port on 127.0.0.1; default: a free one, chosen by anvil (`--port 0`). */
  port?: number | undefined;
  /** Seconds between blocks (`--block-time`); default: a block per transaction (automine). */
  blockTime?: number | undefined;
  /**
   * No blocks until `evm_mine` (`--no-mining`). Use it when many senders submit at once: with
   * automine anvil can strand some of their transactions.
   */
  noMining?: boolean | undefined;
  /** Default 31337. */
  chainId?: number | undefined;
  /** Number of funded dev accounts; default 10. */
  accounts?: number | undefined;
  /** Ether per dev account; default 10,000. */
  balance?: number | undefined;
  /** More anvil flags. */
  args?: readonly string[] | undefined;
  /** Default: the binary of the `@foundry-rs/anvil` package for this platform. */
  binary?: string | undefined;
  /** How long to wait for `eth_chainId` to answer; default 30 s. */
  timeoutMs?: number | undefined;
};

export type Anvil = {
  rpcUrl: string;
  wsUrl: string;
  port: number;
  pid: number;
  /** Stops anvil (SIGTERM, then SIGKILL after 3 s); resolves once it has exited. */
  stop(): Promise<void>;
};

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a local anvil on 127.0.0.1 and resolves once it answers `eth_chainId`. The process is
 * killed when this one exits, should `stop` never be called.
 */
export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<Anvil> {
  if (parameters.noMining && parameters.blockTime !== undefined) {
    throw new UsageError('startAnvil: `noMining` and `blockTime` cannot be combined.', {
      details: 'Choose interval mining (blockTime) or manual mining with evm_mine (noMining).',
    });
  }
  const args = ['--host', '127.0.0.1', '--port', String(parameters.port ?? 0)];
  if (parameters.blockTime !== undefined) args.push('--block-time', String(parameters.blockTime));
  if (parameters.noMining) args.push('--no-mining');
  if (parameters.chainId !== undefined) args.push('--chain-id', String(parameters.chainId));
  if (parameters.accounts !== undefined) args.push('--accounts', String(parameters.accounts));
  if (parameters.balance !== undefined) args.push('--balance', String(parameters.balance));
  args.push(...(parameters.args ?? []));

  const binary = parameters.binary ?? anvilBinaryPath();
  const timeoutMs = parameters.timeoutMs ?? 30_000;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (cause) => reject(new AnvilError(`Cannot run anvil (${binary}).`, { cause })));
    child.once('exit', (code, signal) =>
      reject(
        new AnvilError(`anvil exited before it was ready (${signal ?? `code ${code}`}).`, {
          details: output.slice(-2_000) || undefined,
        }),
      ),
    );
  });
  exited.catch(() => {});

  try {
    const port = await withTimeout(
      Promise.race([
        new Promise<number>((resolve) => {
          const onData = (chunk: Buffer) => {
            // Keep only a tail for error messages; anvil logs every request.
            output = (output + chunk.toString('utf8')).slice(-8_000);
            const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
            if (match) {
              child.stdout!.off('data', onData);
              child.stdout!.resume();
              resolve(Number(match[1]));
            }
          };
          child.stdout!.on('data', onData);
          child.stderr!.on('data', (chunk: Buffer) => {
            output = (output + chunk.toString('utf8')).slice(-8_000);
          });
        }),
        exited,
      ]),
      timeoutMs,
      () => output,
    );
    const rpcUrl = `http://127.0.0.1:${port}`;
    await withTimeout(Promise.race([waitForChainId(rpcUrl), exited]), timeoutMs, () => output);
    return {
      rpcUrl,
      wsUrl: `ws://127.0.0.1:${port}`,
      port,
      pid: child.pid!,
      stop: () => stop(child),
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

/** Path of the anvil binary shipped by `@foundry-rs/anvil` (its per-platform optional package). */
export function anvilBinaryPath(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  const name = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const platformPackage = arch && `@foundry-rs/anvil-${process.platform}-${arch}`;
  if (!platformPackage) {
    throw new AnvilError(`@foundry-rs/anvil has no binary for ${process.platform}/${process.arch}.`);
  }
  try {
    // Resolve from the wrapper package, as its own launcher does, so hoisting does not matter.
    const wrapper = createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json');
    const path = createRequire(wrapper).resolve(`${platformPackage}/bin/${name}`);
    if (existsSync(path)) return path;
    throw new Error(`${path} does not exist`);
  } catch (cause) {
    throw new AnvilError(`Cannot find the anvil binary (${platformPackage}).`, {
      cause,
      metaMessages: ['Install the dependencies of @bulwark/contracts (npm ci), or pass `binary`.'],
    });
  }
}

async function waitForChainId(rpcUrl: string): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      const body = (await response.json()) as { result?: string };
      if (typeof body.result === 'string') return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, output: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AnvilError(`anvil did not answer within ${ms} ms.`, {
            details: output().slice(-2_000) || undefined,
            retryable: true,
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(kill);
      running.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const anvil of running) anvil.kill('SIGKILL');
  });
}
