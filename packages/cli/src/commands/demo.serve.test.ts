import { expect, test } from 'vitest';
import type { Io } from '../main.ts';
import { demoCommand } from './demo.ts';

test('behavior: demo --serve keeps the server up on the demo’s data, with the URL and an admin token, until stopped', {
  timeout: 600_000,
}, async () => {
  let stdout = '';
  let printed!: () => void;
  const ready = new Promise<void>((resolve) => {
    printed = resolve;
  });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const io: Io = {
    stdout: (text) => {
      stdout += text;
      printed();
    },
    stderr: () => {},
    stdoutIsTty: false,
    stderrIsTty: false,
    cwd: process.cwd(),
    env: {},
  };
  const running = demoCommand(
    ['--skip-scan', '--attacks', 'reentrancy-drain', '--serve', '--port', '0', '--format', 'json'],
    io,
    () => stopped,
  );
  await Promise.race([ready, running]);
  const { serve, attacks } = JSON.parse(stdout) as {
    serve: { url: string; token: string };
    attacks: { name: string; paused: boolean }[];
  };
  expect(attacks).toMatchObject([{ name: 'reentrancy-drain', paused: true }]);
  const get = async (path: string) => {
    const response = await fetch(`${serve.url}/api/v1${path}`, { headers: { authorization: `Bearer ${serve.token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>[];
  };
  expect((await get('/alerts')).length).toBeGreaterThan(0);
  const [incident] = await get('/incidents');
  const { timeline } = (await get(`/incidents/${incident!.id}`)) as unknown as { timeline: { kind: string }[] };
  expect(timeline.map((entry) => entry.kind)).toContain('responder-action');
  expect((await get('/wallet/requests')).length).toBeGreaterThan(0);
  expect((await get('/tokens')).map((token) => token.name)).toEqual(['demo']);
  stop();
  expect(await running).toBe(0);
  await expect(fetch(`${serve.url}/healthz`)).rejects.toThrow();
});

test('error: --port without --serve is a usage error', async () => {
  const io: Io = {
    stdout: () => {},
    stderr: () => {},
    stdoutIsTty: false,
    stderrIsTty: false,
    cwd: process.cwd(),
    env: {},
  };
  await expect(demoCommand(['--port', '1'], io)).rejects.toThrow('--port is for --serve');
});
