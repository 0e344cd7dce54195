/**
 * `bulwark serve --config` as an operator runs it (the real CLI process, its monitor following
 * anvil, a custody file for wallet simulations), seen through Chromium: the Monitor page charts a
 * watched vault's learned baseline against the benign traffic mined while it watches, and a
 * withdrawal from the custody's hot wallet shows its simulated asset changes to the approver.
 * Waits are on conditions (answers, attributes, pixels), never on time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killSpawnedClis, spawnCli } from '@bulwark/cli/testing';
import { type ResponderTestChain, startResponderChain, until } from '@bulwark/monitor/responder/testing';
import { createApiToken } from '@bulwark/server';
import { exchange, installPolicy, withdrawal } from '@bulwark/server/api-testing';
import { openStore } from '@bulwark/store';
import type { Browser, Page } from 'playwright-core';
import { type Address, encodeFunctionData, getAddress, type Hex, parseAbi, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { artifacts, capture, chromiumPath, haveChromium, laptop, requireChromium, slow } from './browserTesting.ts';

const vaultAbi = parseAbi(['function deposit() payable', 'function withdraw(uint256 amount)']);
/** The chart's stroke colours (src/app/chart.tsx): a pixel near one is that series' line. */
const strokes = { baseline: [0x1f, 0x5f, 0xa8], recent: [0xb3, 0x26, 0x1e] };

type Point = { t: string; baseline: number; recent: number };
type Baseline = { calls: Point[]; outflow: Point[]; valueLocked: Point[] };

/** Run in the page: per chart, its data attributes and the pixels of each stroke colour on its canvas. */
const chartPixels = `(() => [...document.querySelectorAll('figure.chart')].map((figure) => {
  const canvas = figure.querySelector('canvas');
  const found = { series: figure.dataset.series, attributes: { ...figure.dataset }, canvas: !!canvas, baseline: 0, recent: 0 };
  if (!canvas) return found;
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const near = (i, [r, g, b]) => Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40 && Math.abs(data[i + 2] - b) < 40;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    if (near(i, ${JSON.stringify(strokes.baseline)})) found.baseline++;
    if (near(i, ${JSON.stringify(strokes.recent)})) found.recent++;
  }
  return found;
}))()`;
type ChartPixels = {
  series: string;
  attributes: Record<string, string>;
  canvas: boolean;
  baseline: number;
  recent: number;
};

describe.skipIf(!haveChromium && !requireChromium)('dashboard on `bulwark serve --config` in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-serve-dashboard-'));
  const tokens: Record<string, string> = {};
  let chain: ResponderTestChain;
  let vault: Address;
  let hot: Address;
  let url: string;
  let serve: ReturnType<typeof spawnCli>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  /** One transaction from anvil's first account to the vault, mined in a block of its own. */
  const toVault = async (data: Hex, value?: bigint) => {
    const hash = await chain.deployer.sendTransaction({
      account: chain.deployer.account!,
      chain: foundry,
      to: vault,
      data,
      value,
    });
    await chain.mine();
    expect((await chain.client.waitForTransactionReceipt({ hash })).status).toBe('success');
  };
  /** Benign use: deposits, and now and then a small withdrawal. */
  const benign = async (round: number) => {
    await toVault(encodeFunctionData({ abi: vaultAbi, functionName: 'deposit' }), parseEther('1'));
    if (round % 2 === 1)
      await toVault(encodeFunctionData({ abi: vaultAbi, functionName: 'withdraw', args: [parseEther('0.2')] }));
  };
  const api = async <T>(path: string, as = 'alice'): Promise<T> => {
    const response = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[as]}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    chain = await startResponderChain();
    const guardian = await chain.newGuardian();
    vault = await chain.deployPausable(guardian.account.address);
    hot = (await chain.deployer.getAddresses())[1]!;
    // History to learn from before the server starts.
    for (let round = 0; round < 8; round++) await benign(round);

    writeFileSync(
      join(dir, 'monitor.json'),
      JSON.stringify({
        store: { dataDir: 'db' },
        chains: [{ id: foundry.id, rpc: [chain.anvil.rpcUrl], pollingIntervalMs: 100 }],
        contracts: [{ chain: foundry.id, address: vault, name: 'Vault', kind: 'vault', assets: ['native'] }],
        baseline: { learnBlocks: 60, persistEveryBlocks: 2 },
      }),
    );
    writeFileSync(
      join(dir, 'custody.json'),
      JSON.stringify({
        chains: [
          {
            chainId: foundry.id,
            name: 'anvil',
            rpc: chain.anvil.rpcUrl,
            assets: [{ symbol: 'ETH' }],
            wallets: [{ name: 'hot', address: hot, tier: 'hot' }],
          },
        ],
        sinks: [],
      }),
    );
    // Tokens and a wallet policy in the store the server will open (closed again before it starts).
    const store = await openStore({ dataDir: join(dir, 'db') });
    try {
      for (const [name, role] of [
        ['olga', 'operator'],
        ['alice', 'approver'],
      ] as const)
        tokens[name] = (await createApiToken(store, { name, role, actor: 'test' })).token;
      await installPolicy(store);
    } finally {
      await store.close();
    }

    serve = spawnCli(
      ['serve', '--config', 'monitor.json', '--custody', 'custody.json', '--port', '0', '--format', 'json'],
      { cwd: dir },
    );
    await until(() => serve.stdout().includes('\n') || serve.child.exitCode !== null, 4 * slow);
    expect(serve.child.exitCode, serve.stderr()).toBeNull();
    url = (JSON.parse(serve.stdout()) as { url: string }).url;
    await until(async () => (await fetch(`${url}/healthz`)).status === 200, 4 * slow);

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: laptop });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${url}/`);
    await page.getByLabel('API token').fill(tokens.alice!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  }, 8 * slow);

  afterAll(async () => {
    // The server's log, for a failure to be read after the fact.
    if (serve) writeFileSync(join(artifacts, 'serve-dashboard-stderr.log'), serve.stderr());
    await browser?.close();
    killSpawnedClis();
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, slow);

  test(
    'monitor: the charts draw the learned baseline against the benign traffic mined while the server watches',
    async () => {
      for (let round = 0; round < 6; round++) await benign(round);
      // Until the monitor has evaluated (and learned) blocks with calls and with outflow.
      let served: Baseline = { calls: [], outflow: [], valueLocked: [] };
      await until(async () => {
        served = await api<Baseline>(`/monitor/contracts/${foundry.id}/${vault}/baseline`);
        if (served.calls.some((p) => p.recent > 0) && served.outflow.some((p) => p.recent > 0)) return true;
        await chain.mine();
        return false;
      }, 4 * slow);
      // Nothing is mined from here on: once the monitor has evaluated the head (each block's sample
      // is taken before the block counts as evaluated), the series stay as they are.
      const head = String(await chain.client.getBlockNumber({ cacheTime: 0 }));
      await until(
        async () => (await api<{ lastBlock: string | null }[]>('/monitor/status'))[0]?.lastBlock === head,
        slow,
      );
      served = await api<Baseline>(`/monitor/contracts/${foundry.id}/${vault}/baseline`);
      expect(served.calls[0]!.baseline).toBeGreaterThan(0);
      expect(served.outflow[0]!.baseline).toBeGreaterThan(0);
      expect(served.valueLocked.at(-1)!.recent).toBeGreaterThan(0);

      await page.goto(`${url}/`);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Monitor', exact: true }).click();
      await page.locator('figure.chart[data-series="Calls"] canvas').waitFor({ timeout: slow });
      const expected: [string, Point[]][] = [
        ['Calls', served.calls],
        ['Outflow', served.outflow],
        ['Value locked', served.valueLocked],
      ];
      let charts: ChartPixels[] = [];
      await expect
        .poll(
          async () => {
            charts = await page.evaluate<ChartPixels[]>(chartPixels);
            return charts.every((chart) => chart.recent > 0);
          },
          { timeout: slow },
        )
        .toBe(true);
      expect(charts.map((chart) => chart.series)).toEqual(expected.map(([series]) => series));
      for (const [series, points] of expected) {
        const chart = charts.find((candidate) => candidate.series === series)!;
        const recent = points.map((point) => point.recent);
        // The chart received the series the API serves, point for point.
        expect(chart.attributes, series).toMatchObject({
          points: String(points.length),
          baselineLast: String(points.at(-1)!.baseline),
          recentLast: String(recent.at(-1)),
          recentMax: String(Math.max(...recent)),
        });
        expect(chart.canvas, series).toBe(true);
        // Both lines are drawn; the dashed baseline is hidden only where recent activity lies on it.
        if (points.some((point) => point.recent !== point.baseline)) expect(chart.baseline, series).toBeGreaterThan(0);
      }
      expect(Number(charts[0]!.attributes.recentMax)).toBeGreaterThan(0);
      // The same numbers as a table for screen readers.
      await page.getByText('Calls as a table').click();
      expect(await page.locator('figure.chart[data-series="Calls"] details tbody tr').count()).toBe(
        served.calls.length,
      );
      // Amounts carry their unit: wei series are shown in ETH (or wei when tiny), the served wei kept in data-value.
      expect(await page.locator('figure.chart[data-series="Calls"] figcaption').textContent()).toBe('Calls');
      expect(await page.locator('figure.chart[data-series="Outflow"] figcaption').textContent()).toBe('Outflow (ETH)');
      const lastOutflow = page
        .locator('figure.chart[data-series="Outflow"] details tbody tr')
        .last()
        .locator('td')
        .nth(2);
      const lastRecent = served.outflow.at(-1)!.recent;
      expect(await lastOutflow.getAttribute('data-value')).toBe(lastRecent === null ? null : String(lastRecent));
      expect(await lastOutflow.textContent()).toMatch(lastRecent === null ? /^—$/ : /^-?[\d,.]+ (ETH|wei)$/);
      expect((await api<{ paused: boolean; pausedFrom: string }[]>('/monitor/contracts'))[0]).toMatchObject({
        paused: false,
        pausedFrom: 'chain',
      });
      await capture(page, 'monitor-charts');
    },
    6 * slow,
  );

  test(
    'wallets: a withdrawal from the custody hot wallet shows the approver its simulated asset changes and digest',
    async () => {
      const submitted = await fetch(`${url}/api/v1/wallet/requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.olga}`, 'content-type': 'application/json' },
        body: JSON.stringify(withdrawal('5000', { chain: foundry.id })),
      });
      expect(submitted.status).toBe(201);
      const request = (await submitted.json()) as { id: string; state: string; digest: string };
      expect(request.state).toBe('pending');

      await page.goto(`${url}/`);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Wallets', exact: true }).click();
      const card = page.getByRole('article', { name: new RegExp(`Request ${request.id} by olga`) });
      await card.waitFor({ timeout: slow });
      expect(await card.textContent()).toContain(request.digest);
      expect(await card.textContent()).toContain('Simulated when submitted: success');
      const changes = card.getByRole('list', { name: 'Simulated asset changes' }).getByRole('listitem');
      expect(await changes.allTextContents()).toEqual([
        `${getAddress(hot)}: -5000 native`,
        `${getAddress(exchange)}: 5000 native`,
      ]);
      await capture(page, 'wallets-simulated');
      expect(pageErrors).toEqual([]);

      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    },
    slow,
  );
});
