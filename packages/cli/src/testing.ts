import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeStore, type StoreTestContext } from '@bulwark/store/testing';
import { type Io, main } from './main.ts';

export type CliRun = { code: number; stdout: string; stderr: string };

export type CliTestContext = StoreTestContext & {
  /** Runs `bulwark …args` in-process against the suite's store. */
  run(args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
};

/**
 * Runs a CLI suite twice, on PGlite and on PostgreSQL (see `describeStore`): each command gets
 * the suite's store, so the suite's commands see each other's records as a user's would.
 */
export function describeCli(name: string, fn: (ctx: CliTestContext) => void): void {
  describeStore(name, (ctx) => {
    // Commands attribute actions to someone: a test that does not say who acts as `tester`.
    const run: CliTestContext['run'] = (args, options = {}) =>
      runCli(args, {
        ...options,
        env: {
          ...(options.env?.BULWARK_ACTOR === undefined && options.env?.USER === undefined
            ? { BULWARK_ACTOR: 'tester' }
            : {}),
          ...options.env,
        },
        openStore: async () => ctx.store,
      });
    fn(Object.assign(Object.create(ctx) as StoreTestContext, { run }) as CliTestContext);
  });
}

/** Runs `bulwark …args` in-process and collects its output; without `openStore`, a command that needs a store opens its own. */
export async function runCli(
  args: string[],
  options: { cwd?: string | undefined; env?: NodeJS.ProcessEnv | undefined; openStore?: Io['openStore'] } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdoutIsTty: false,
    stderrIsTty: false,
    cwd: options.cwd ?? process.cwd(),
    env: { ...options.env },
    openStore: options.openStore,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

export type SpawnedCli = {
  child: ChildProcess;
  /** What `spawnCli` was told to call it (the args by default): error messages name it. */
  name: string;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr together, in the order they arrived. */
  output(): string;
  /** The non-empty lines of `output()`. */
  lines(): string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first line (either stream) matching `pattern`; fails if the process exits first or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (SIGTERM by default, as a supervisor stops it); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/** Every spawned CLI still running, for `killSpawnedClis`. */
const running = new Set<ChildProcess>();

/**
 * Starts the real `bulwark` binary as a child process, as an operator runs it: the embedded store
 * (DATABASE_URL empty, unless `env` gives one), only PATH, HOME and `env` in its environment.
 * The caller stops what is still running after its test (`killSpawnedClis` does it for all).
 */
export function spawnCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> | undefined; name?: string | undefined },
): SpawnedCli {
  const bin = fileURLToPath(new URL('../bin/bulwark.js', import.meta.url));
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? options.cwd, DATABASE_URL: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const name = options.name ?? `bulwark ${args.join(' ')}`;
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const lines = () => output.split('\n').filter((line) => line !== '');
  const spawned: SpawnedCli = {
    child,
    name,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    lines,
    exited,
    waitForLine: (pattern, timeoutMs) =>
      waitFor(`a line matching ${pattern}`, () => lines().find((line) => pattern.test(line)), [spawned], {
        timeoutMs,
      }),
    stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
  return spawned;
}

/** SIGKILL to every CLI `spawnCli` started that still runs (a suite's afterAll/afterEach). */
export function killSpawnedClis(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Polls `probe` until it gives a value (not undefined or false) and resolves with it; fails,
 * showing their output, if one of `watching` exits first, or after `timeoutMs` (default 180 s: a
 * cold CLI start compiles TypeScript and opens a store, seconds on a shared machine).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  watching: readonly SpawnedCli[] = [],
  options: { timeoutMs?: number | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    for (const cli of watching)
      if (cli.child.exitCode !== null || cli.child.signalCode !== null)
        throw new Error(
          `${cli.name} exited (${cli.child.exitCode ?? cli.child.signalCode}) before ${what}.\n${cli.output()}`,
        );
    if (Date.now() > deadline)
      throw new Error(
        `Timed out waiting for ${what}.\n${watching.map((cli) => `--- ${cli.name}\n${cli.output()}`).join('\n')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The monitor config the CLI tests and benches start from: one anvil chain (id 31337) at `rpc`,
 * one vault guarded with automatic pause by the key in environment variable `keyEnv`, the store in
 * `db` beside the config, a short learning span. Plain JSON, to write to a file.
 */
export function guardedVaultConfig(parameters: {
  rpc: string;
  vault: string;
  keyEnv?: string | undefined;
  /** Assets whose balance is read at start; default none. */
  assets?: readonly string[] | undefined;
  pollingIntervalMs?: number | undefined;
  baseline?: { learnBlocks?: number; persistEveryBlocks?: number } | undefined;
}) {
  return {
    store: { dataDir: 'db' },
    chains: [{ id: 31337, rpc: [parameters.rpc], pollingIntervalMs: parameters.pollingIntervalMs ?? 200 }],
    contracts: [
      {
        chain: 31337,
        address: parameters.vault,
        name: 'Vault',
        kind: 'vault',
        ...(parameters.assets ? { assets: [...parameters.assets] } : {}),
        breaker: {
          kind: 'guardian',
          autoPause: true,
          guardian: { privateKeyEnv: parameters.keyEnv ?? 'GUARDIAN_KEY' },
        },
      },
    ],
    baseline: parameters.baseline ?? { learnBlocks: 10 },
  };
}
