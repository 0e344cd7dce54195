/**
 * The dashboard's first load on a cold cache: Chromium, a fresh context per run with the cache
 * disabled (CDP), signed in (the token in sessionStorage, as the sign-in form leaves it), opening
 * `/`: the Posture page. Figures: bytes over the wire for every resource until the page's data is
 * shown (compressed as served, headers included), and the time from navigation start to the page's
 * main heading (h1 "Posture") in the DOM, seen by a MutationObserver in the page. Peers in the same
 * run: the same resources' raw bytes (the files as built, uncompressed), and the time to load the
 * largest of them (the main script, uncompressed) alone from the same server in a fresh context.
 * A first, uncounted run warms Chromium and the server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dashboardRoot } from '@bulwark/dashboard';
import type { Browser } from 'playwright-core';
import { median } from './load.ts';

export type FirstLoadRun = {
  /** Everything over the wire (the dashboard's files, the API's answers, headers). */
  bytes: number;
  /** The dashboard's files alone over the wire, against `rawBytes`, the same files as built. */
  fileBytes: number;
  rawBytes: number;
  requests: number;
  headingMs: number;
  staticMs: number;
};
export type FirstLoadResult = { runs: FirstLoadRun[]; staticFile: string; staticBytes: number };

/** Run in the page before its scripts: the time (ms from navigation start) the main heading appears. */
const watchHeading = `(() => {
  const seen = () => {
    const h1 = document.querySelector('h1');
    if (h1 && h1.textContent === 'Posture' && window.__headingAt === undefined) window.__headingAt = performance.now();
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
})()`;

export async function runFirstLoadBench(parameters: {
  browser: Browser;
  url: string;
  token: string;
  runs: number;
  log: (line: string) => void;
}): Promise<FirstLoadResult> {
  const { browser, url, token } = parameters;
  const dist = path.join(dashboardRoot, 'dist');
  const rawSize = (resource: string) => {
    const pathname = new URL(resource).pathname;
    const file = pathname === '/' ? 'index.html' : pathname.slice(1);
    try {
      return readFileSync(path.join(dist, file)).length;
    } catch {
      return 0; // an API answer, not a file of the dashboard
    }
  };
  const runs: FirstLoadRun[] = [];
  let staticFile = '';
  let staticBytes = 0;
  // Run 0 warms Chromium and the server (not counted).
  for (let i = 0; i <= parameters.runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map<string, string>();
    const wire = new Map<string, number>();
    cdp.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url));
    cdp.on('Network.loadingFinished', (event) => wire.set(event.requestId, event.encodedDataLength));
    await page.addInitScript(`sessionStorage.setItem('bulwark.token', ${JSON.stringify(token)}); ${watchHeading}`);
    await page.goto(`${url}/`);
    await page
      .getByRole('heading', { level: 1, name: 'Posture' })
      .waitFor()
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\n${(await page.textContent('body'))?.slice(0, 500)}`);
      });
    await page.getByRole('region', { name: 'Governance and risk management' }).first().waitFor();
    const headingMs = await page.evaluate<number>('window.__headingAt');
    const finished = [...wire].map(([id, size]) => ({ resource: urls.get(id) ?? '', size }));
    const files = finished.filter(({ resource }) => resource.startsWith(url) && rawSize(resource) > 0);
    const bytes = finished.reduce((sum, { size }) => sum + size, 0);
    const fileBytes = files.reduce((sum, { size }) => sum + size, 0);
    const rawBytes = files.reduce((sum, { resource }) => sum + rawSize(resource), 0);
    const requests = finished.length;
    const loaded = files.map(({ resource }) => resource);
    const scripts = loaded.filter((resource) => resource.endsWith('.js'));
    staticFile = scripts.sort((a, b) => rawSize(b) - rawSize(a))[0] ?? `${url}/`;
    staticBytes = rawSize(staticFile);
    await context.close();

    // The peer: the largest file alone, uncompressed, in a fresh context with the cache disabled.
    const bare = await browser.newContext({ extraHTTPHeaders: { 'accept-encoding': 'identity' } });
    const barePage = await bare.newPage();
    const bareCdp = await bare.newCDPSession(barePage);
    await bareCdp.send('Network.enable');
    await bareCdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await barePage.goto(staticFile, { waitUntil: 'load' });
    const staticMs = await barePage.evaluate<number>(
      "performance.getEntriesByType('navigation')[0].responseEnd - performance.getEntriesByType('navigation')[0].startTime",
    );
    await bare.close();
    if (i > 0) runs.push({ bytes, fileBytes, rawBytes, requests, headingMs, staticMs });
    parameters.log(
      `first load ${i === 0 ? 'warm-up' : i}: ${bytes} B over the wire in ${requests} requests (dashboard files ${fileBytes} B, raw ${rawBytes} B), heading at ${headingMs.toFixed(0)} ms; ${path.basename(staticFile)} (${staticBytes} B) alone ${staticMs.toFixed(1)} ms`,
    );
  }
  return { runs, staticFile, staticBytes };
}

export const medianOf = (runs: readonly FirstLoadRun[], key: keyof FirstLoadRun) => median(runs.map((run) => run[key]));
