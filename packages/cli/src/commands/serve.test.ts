import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiToken } from '@bulwark/server';
import { listApiTokens, listLog } from '@bulwark/store';
import { expect, test } from 'vitest';
import type { Io } from '../main.ts';
import { describeCli } from '../testing.ts';
import { serveCommand } from './serve.ts';

describeCli('bulwark init and serve', (ctx) => {
  /** Starts `bulwark serve …args` in `cwd` on the suite's store; `stop()` ends it as a signal would. */
  async function startServe(args: string[], cwd: string) {
    let output = '';
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => {
      listening = resolve;
    });
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const io: Io = {
      stdout: (text) => {
        output += text;
        listening((JSON.parse(text) as { url: string }).url);
      },
      stderr: () => {},
      stdoutIsTty: false,
      stderrIsTty: false,
      cwd,
      env: {},
      openStore: async () => ctx.store,
    };
    const serving = serveCommand(args, io, () => stopped);
    return { base: await url, stop, serving, stdout: () => output };
  }

  test('default: init creates the first admin token once; serve answers with it until stopped', async () => {
    const init = await ctx.run(['init', '--name', 'ops', '--no-config', '--format', 'json']);
    expect(init).toMatchObject({ code: 0, stderr: '' });
    const { token, name, role } = JSON.parse(init.stdout) as { token: string; name: string; role: string };
    expect({ name, role }).toEqual({ name: 'ops', role: 'admin' });
    expect(await listApiTokens(ctx.store)).toMatchObject([{ name: 'ops', role: 'admin' }]);
    expect((await listLog(ctx.store)).find((e) => e.action === 'api-token.create')).toMatchObject({
      actor: 'bulwark init',
    });

    const again = await ctx.run(['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already has API tokens (ops)');

    const { base, stop, serving, stdout } = await startServe(['--port', '0', '--format', 'json'], process.cwd());
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/risks`)).status).toBe(401);
    const risks = await fetch(`${base}/api/v1/risks`, { headers: { authorization: `Bearer ${token}` } });
    expect(risks.status).toBe(200);
    expect(await risks.json()).toEqual([]);
    stop();
    expect(await serving).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    expect(stdout()).toBe(`${JSON.stringify({ url: base })}\n`);
  });

  test('error: a port that is not one is a usage error (exit 2); --help is exact', async () => {
    for (const port of ['abc', '70000', '-1']) {
      const result = await ctx.run(['serve', `--port=${port}`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('is not a TCP port');
    }
    for (const flag of ['--rate-limit-ip=0', '--rate-limit-token=ten', '--rate-limit-ip=-5']) {
      const result = await ctx.run(['serve', flag]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('is not a number of requests');
    }
    for (const [args, message] of [
      [['--wallet-rpc', 'http://127.0.0.1:8545'], 'goes with a wallet key'],
      [['--wallet-key-env', 'HOT_KEY'], 'needs --wallet-rpc'],
      [['--wallet-key-env', 'NOT_SET', '--wallet-rpc', 'http://127.0.0.1:8545'], 'must hold a private key'],
    ] as const) {
      const result = await ctx.run(['serve', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    }
    for (const command of ['serve', 'init']) {
      const help = await ctx.run([command, '--help']);
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^Usage: bulwark ${command} `));
    }
  });

  test('behavior: --custody names the custody file /api/v1/wallet/custody reads', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-serve-'));
    writeFileSync(path.join(dir, 'custody.json'), '{"chains": [');
    const { token } = await createApiToken(ctx.store, { name: 'custody-viewer', role: 'viewer', actor: 'test' });
    const { base, stop, serving } = await startServe(
      ['--port', '0', '--custody', 'custody.json', '--format', 'json'],
      dir,
    );
    const answer = await fetch(`${base}/api/v1/wallet/custody`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: { message: string } }).error.message).toContain('custody.json');
    stop();
    expect(await serving).toBe(0);
  });
});
