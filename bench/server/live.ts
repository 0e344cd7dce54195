/**
 * A live alert from block to the browser's DOM: the real `bulwark serve --config` process with the
 * monitor following anvil (polling every 100 ms), Chromium signed in on the Monitor page (live),
 * and BENCH_SERVE_ATTACKS scripted attack blocks (default 20), one at a time: an address on the
 * monitor's threat-intel list calls the watched vault, and the block is mined (`evm_mine`). The
 * origin of each time is the mine call's return (an upper bound on the block's arrival at the
 * monitor, which adds its polling wait: the monitor does not expose its own arrival time per
 * block), on this machine's clock. Figure: to the alert's row in the page's alerts table (a
 * MutationObserver in the page, performance.timeOrigin + now()). Peer in the same run: to the
 * alert recorded in the store (its created_at, the server's insert time): what SSE and React add
 * is the difference.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startResponderChain } from '@bulwark/monitor/responder/testing';
import { createApiToken } from '@bulwark/server';
import { openStore } from '@bulwark/store';
import type { Browser } from 'playwright-core';
import { createWalletClient, encodeFunctionData, http, parseAbi, parseEther } from 'viem';
import { foundry } from 'viem/chains';
import { startServe } from './serveProcess.ts';

export type LiveAttack = { toStoreMs: number; toDomMs: number };

const vaultAbi = parseAbi(['function deposit() payable']);

/** Run in the page: each time the alerts table gains rows, the epoch time (ms) and the row count. */
const watchAlertRows = `(() => {
  window.__alertRows = [];
  const count = () => {
    const table = [...document.querySelectorAll('table')].find(
      (t) => t.querySelector('caption')?.textContent === 'Alerts, newest first',
    );
    return table ? table.querySelectorAll('tbody tr').length : 0;
  };
  let last = count();
  new MutationObserver(() => {
    const now = performance.timeOrigin + performance.now();
    const rows = count();
    if (rows > last) window.__alertRows.push({ at: now, rows });
    last = rows;
  }).observe(document.body, { childList: true, subtree: true });
})()`;

export async function runLiveBench(parameters: {
  browser: Browser;
  attacks: number;
  log: (line: string) => void;
}): Promise<LiveAttack[]> {
  const { browser, attacks, log } = parameters;
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-live-'));
  const chain = await startResponderChain();
  try {
    const guardian = await chain.newGuardian();
    const vault = await chain.deployPausable(guardian.account.address);
    const attackers = [];
    for (let i = 0; i < attacks; i++) attackers.push((await chain.newGuardian()).account);
    writeFileSync(
      path.join(dir, 'threats.txt'),
      attackers.map((account, i) => `${account.address} bench-attacker-${i}`).join('\n'),
    );
    writeFileSync(
      path.join(dir, 'monitor.json'),
      JSON.stringify({
        store: { dataDir: 'db' },
        chains: [{ id: 31337, rpc: [chain.anvil.rpcUrl], pollingIntervalMs: 100 }],
        contracts: [{ chain: 31337, address: vault, name: 'Vault', kind: 'vault', assets: ['native'] }],
        threatIntel: ['threats.txt'],
        baseline: { learnBlocks: 10 },
      }),
    );
    for (let i = 0; i < 12; i++) await chain.mine();
    const store = await openStore({ dataDir: path.join(dir, 'db') });
    const { token } = await createApiToken(store, { name: 'watcher', role: 'viewer', actor: 'bench' });
    await store.close();
    const serve = await startServe({ cwd: dir, args: ['--config', 'monitor.json'], healthy: true });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.addInitScript(`sessionStorage.setItem('bulwark.token', ${JSON.stringify(token)})`);
      await page.goto(`${serve.url}/`);
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Monitor', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Monitor' }).waitFor();
      await page.locator('.live-state', { hasText: /^Live$/ }).waitFor();
      await page.evaluate(watchAlertRows);
      const results: LiveAttack[] = [];
      const latestAlert = async () => {
        const response = await fetch(`${serve.url}/api/v1/alerts?limit=1`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await response.json()) as { id: string; createdAt: string }[])[0];
      };
      for (let i = 0; i < attacks; i++) {
        const attacker = createWalletClient({
          account: attackers[i]!,
          chain: foundry,
          transport: http(chain.anvil.rpcUrl),
        });
        await attacker.sendTransaction({
          to: vault,
          data: encodeFunctionData({ abi: vaultAbi, functionName: 'deposit' }),
          value: parseEther('0.01'),
        });
        await chain.mine();
        const minedAt = Date.now();
        await page
          .getByRole('table', { name: 'Alerts, newest first' })
          .locator('tbody tr')
          .nth(i)
          .waitFor({ timeout: 120_000 });
        const domAt = await page.evaluate<number>(`window.__alertRows[${i}].at`);
        const alert = await latestAlert();
        if (!alert) throw new Error('The page shows an alert the API does not list.');
        const storedAt = Date.parse(alert.createdAt);
        results.push({ toStoreMs: storedAt - minedAt, toDomMs: domAt - minedAt });
        log(
          `attack ${i + 1}: block mined → alert stored ${(storedAt - minedAt).toFixed(0)} ms → row in the DOM ${(domAt - minedAt).toFixed(0)} ms`,
        );
      }
      return results;
    } finally {
      await context.close();
      await serve.stop();
    }
  } finally {
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
