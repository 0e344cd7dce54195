/** The real `bulwark serve` as an operator starts it, for the benches: its URL once listening, and a clean stop. */
import { spawnCli } from '../../packages/cli/src/testing.ts';

export type ServeProcess = { url: string; stderr(): string; stop(): Promise<void> };

/**
 * Starts `bulwark serve --port 0 --format json` in `cwd` with `args`, waits for its URL and, when
 * `healthy`, for /healthz 200 (every chain of the monitor followed). `databaseUrl` selects PostgreSQL.
 */
export async function startServe(parameters: {
  cwd: string;
  args?: readonly string[];
  env?: Record<string, string>;
  databaseUrl?: string | undefined;
  healthy?: boolean;
}): Promise<ServeProcess> {
  const spawned = spawnCli(['serve', '--port', '0', '--format', 'json', ...(parameters.args ?? [])], {
    cwd: parameters.cwd,
    env: { ...parameters.env, ...(parameters.databaseUrl ? { DATABASE_URL: parameters.databaseUrl } : {}) },
  });
  let exited = false;
  void spawned.exited.then(() => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) spawned.child.kill('SIGTERM');
    await spawned.exited;
  };
  let url: string | undefined;
  while (!url) {
    if (exited) throw new Error(`bulwark serve exited before listening:\n${spawned.stderr()}`);
    const line = spawned.stdout().split('\n')[0] ?? '';
    if (line.endsWith('}')) url = (JSON.parse(line) as { url: string }).url;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (parameters.healthy) {
    for (;;) {
      if (exited) throw new Error(`bulwark serve exited before /healthz said ok:\n${spawned.stderr()}`);
      const status = await fetch(`${url}/healthz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, stderr: spawned.stderr, stop };
}
