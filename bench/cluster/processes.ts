/**
 * What the cluster benches share: `bulwark monitor` started as a real process (the single-process
 * mode, or `--role …`), a wait on a condition that fails when a process died, and the config file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'packages/cli/bin/bulwark.js');

export type MonitorProcess = {
  name: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
};

/**
 * `bulwark monitor --config FILE [--role ROLE]` with `env` added. `nodeArgs` go to node (e.g.
 * `--cpu-prof` to see where a process spends its time).
 */
export function startMonitorProcess(
  name: string,
  config: string,
  options: { role?: string; env?: Record<string, string>; nodeArgs?: readonly string[] } = {},
): MonitorProcess {
  const args = [...(options.nodeArgs ?? []), bin, 'monitor', '--config', config];
  if (options.role) args.push('--role', options.role);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // The last lines are what a failure report needs.
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
    // BENCH_CLUSTER_LOGS=DIR keeps every process's whole log (to read which rules fired where).
    if (process.env.BENCH_CLUSTER_LOGS) appendFileSync(path.join(process.env.BENCH_CLUSTER_LOGS, `${name}.log`), chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `probe` every `everyMs` until it returns a value; throws when a watched process exits first or time runs out. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { watching?: readonly MonitorProcess[]; timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    for (const running of options.watching ?? [])
      if (running.child.exitCode !== null || running.child.signalCode !== null)
        throw new Error(`${running.name} exited before ${what}:\n${running.stderr()}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
}

/** Writes a monitor config as JSON into `dir`; its path. */
export function writeConfig(dir: string, name: string, config: unknown): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
