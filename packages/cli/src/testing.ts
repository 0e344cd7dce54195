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
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
};

/**
 * Starts the real `bulwark` binary as a child process, as an operator runs it: the embedded store
 * (DATABASE_URL empty, whatever the machine says), only PATH, HOME and `env` in its environment.
 * The caller kills what is still running after its test.
 */
export function spawnCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> | undefined },
): SpawnedCli {
  const bin = fileURLToPath(new URL('../bin/bulwark.js', import.meta.url));
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? options.cwd, DATABASE_URL: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}
