import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runDemoScenario, type ScenarioResult } from '@bulwark/cli/demo';
import { createApiToken, createServer } from '@bulwark/server';
import { installPolicy, withdrawal } from '@bulwark/server/api-testing';
import { type ApiTokenRole, insertRisk, type OpenStoreReturnType, openIncident, openStore } from '@bulwark/store';
import { memoryPGlite } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  artifacts,
  capture,
  chromiumPath,
  focusProblem,
  haveChromium,
  laptop,
  requireChromium,
  slow,
} from './browserTesting.ts';

/*
 * The dashboard in a real Chromium against a real server on a real store; the live alert comes
 * from the demo's monitor watching a scripted attack on anvil, writing to the server's store.
 * Screenshots of every page (laptop and phone size) go to packages/dashboard/artifacts/.
 */

describe.skipIf(!haveChromium && !requireChromium)('dashboard in Chromium', () => {
  let store: OpenStoreReturnType;
  let server: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let scenario: Promise<ScenarioResult> | undefined;
  const tokens: Record<string, string> = {};
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    store = await openStore({ pglite: await memoryPGlite() });
    const people: [string, ApiTokenRole][] = [
      ['olga', 'operator'],
      ['alice', 'approver'],
      ['carol', 'approver'],
    ];
    for (const [name, role] of people)
      tokens[name] = (await createApiToken(store, { name, role, actor: 'test' })).token;
    await installPolicy(store);
    await insertRisk(store, {
      threat: 'Guardian key stolen',
      asset: 'DemoVault',
      likelihood: 2,
      impact: 5,
      owner: 'security',
      treatment: 'Hardware key, two-person rule',
    });
    await insertRisk(store, {
      threat: 'Oracle manipulation',
      asset: 'DemoLendingMarket',
      likelihood: 4,
      impact: 4,
      owner: 'engineering',
      treatment: 'TWAP and bounds',
    });
    server = await createServer({
      store,
      chromium: chromiumPath,
      dashboard: { log: (line) => process.stderr.write(`${line}\n`) },
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: laptop });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, slow);

  afterAll(async () => {
    await browser?.close();
    await scenario?.catch(() => undefined);
    await server?.close();
    await store?.close();
  }, slow);

  const signIn = async (name: string) => {
    await page.goto(`${base}/`);
    await page.getByLabel('API token').fill(tokens[name]!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
  };
  const signOut = () => page.getByRole('button', { name: 'Sign out' }).click();
  const open = async (title: string) => {
    // From a fresh load (the session is in sessionStorage), so one failed test leaves no dialog behind.
    await page.goto(`${base}/`);
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: title, exact: true }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  };

  test(
    'sign in: a wrong token is refused; a right one shows who is signed in, kept only for the tab',
    async () => {
      await page.goto(`${base}/`);
      await page.getByLabel('API token').fill('not-a-real-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('That token is unknown or revoked');
      await capture(page, 'sign-in');
      await signIn('olga');
      await expect.poll(() => page.locator('.who').textContent()).toContain('olga (operator)');
      expect(await page.evaluate<string | null>("sessionStorage.getItem('bulwark.token')")).toBe(tokens.olga);
      expect(await page.evaluate<number>('localStorage.length')).toBe(0);
      // A reload keeps the session (same tab); the URL never carries the token.
      await page.reload();
      await page.getByRole('navigation', { name: 'Pages' }).waitFor();
      expect(page.url()).not.toContain(tokens.olga!);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).first().textContent()).toBe('Posture');
      await page.getByRole('region', { name: 'Governance and risk management' }).first().waitFor();
      await capture(page, 'posture');
    },
    slow,
  );

  test(
    'monitor: an alert from a scripted attack on anvil appears without reloading, and its incident shows the pause',
    async () => {
      await open('Monitor');
      await expect.poll(() => page.locator('.live-state').textContent(), { timeout: slow }).toBe('Live');
      await expect.poll(() => page.getByText('No alerts.').count()).toBe(1);
      // A marker that a reload would wipe out.
      await page.evaluate('window.stayed = true');
      // The alert is drawn from the live event itself: the list is not read again for it.
      const alertReads: string[] = [];
      const onRequest = (request: { url(): string }) => {
        if (new URL(request.url()).pathname === '/api/v1/alerts') alertReads.push(request.url());
      };
      page.on('request', onRequest);
      scenario = runDemoScenario({
        store,
        attacks: ['reentrancy-drain'],
        learnBlocks: 60,
        benignBlocks: 5,
        users: 8,
        log: (line) => process.stderr.write(`[scenario] ${line}\n`),
      });
      const alertRow = page.getByRole('table', { name: 'Alerts, newest first' }).getByRole('row').nth(1);
      await alertRow.waitFor({ timeout: 4 * slow });
      expect(await page.evaluate<boolean | undefined>('window.stayed')).toBe(true);
      const result = await scenario;
      expect(result.attacks[0]?.detected).toBe(true);
      expect(result.attacks[0]?.paused).toBe(true);
      await expect
        .poll(() => page.getByRole('link', { name: /^Incident / }).count(), { timeout: slow })
        .toBeGreaterThan(0);
      page.off('request', onRequest);
      expect(alertReads).toEqual([]);
      await capture(page, 'monitor');

      await page
        .getByRole('link', { name: /^Incident / })
        .first()
        .click();
      const actions = page.getByRole('list', { name: 'Containment actions' });
      await actions.waitFor({ timeout: slow });
      await expect.poll(() => actions.textContent(), { timeout: slow }).toMatch(/verified\s*pause/);
      expect(await page.getByRole('heading', { name: 'Timeline' }).count()).toBe(1);
      await capture(page, 'incident');
      await open('Incidents');
      await capture(page, 'incidents');
    },
    6 * slow,
  );

  test(
    'incident, keyboard only: tab to the pause button, the dialog takes focus, Escape closes it, typing the address and confirming sends it; focus always visible; no unpause',
    async () => {
      await signOut();
      await signIn('alice');
      await open('Incidents');
      await page.getByRole('table', { name: 'Incidents, most recent first' }).getByRole('link').first().click();
      await page.getByRole('heading', { name: 'Containment' }).waitFor();
      const address = (await page.locator('.facts code').first().textContent())!.trim();
      expect(address).toMatch(/^0x[0-9a-f]{40}$/);
      // From the page (focus moves to it on navigation), Tab until the pause button; every stop shows its focus.
      const pauseButton = page.getByRole('button', { name: 'Pause contract…' });
      let stops = 0;
      while (!(await pauseButton.evaluate((element) => element === element.ownerDocument.activeElement))) {
        expect(stops++, 'Tab presses before the pause button').toBeLessThan(80);
        await page.keyboard.press('Tab');
        expect(await page.evaluate<string | null>(focusProblem)).toBeNull();
      }
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Pause this contract?' });
      await dialog.waitFor();
      const input = dialog.getByLabel('Type the contract address to confirm');
      // The dialog moves focus to its first field once it has rendered; keys typed before that are lost.
      const inputFocused = () => input.evaluate((element) => element === element.ownerDocument.activeElement);
      await expect.poll(inputFocused).toBe(true);
      expect(await page.evaluate<string | null>(focusProblem)).toBeNull();
      const confirm = dialog.getByRole('button', { name: 'Pause contract' });
      await page.keyboard.type('0x0000000000000000000000000000000000000001');
      expect(await confirm.isDisabled()).toBe(true);
      await capture(page, 'incident-pause-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      // Focus returns to the button that opened it.
      expect(await pauseButton.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await expect.poll(inputFocused).toBe(true);
      await page.keyboard.type(address);
      await expect.poll(() => confirm.isEnabled()).toBe(true);
      // Tab: Cancel, then the confirm button.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await confirm.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
      expect(await page.evaluate<string | null>(focusProblem)).toBeNull();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      // The request reached the server: this one runs no responder, and says so.
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('No pause responder is configured');
      expect(await page.getByRole('button', { name: /unpause/i }).count()).toBe(0);
    },
    slow,
  );

  test(
    'incident: a post-mortem section and the resolution land on the timeline; a resolved incident offers no pause',
    async () => {
      await open('Incidents');
      await page.getByRole('table', { name: 'Incidents, most recent first' }).getByRole('link').first().click();
      await page.getByLabel('Post-mortem section').selectOption('root-cause');
      await page
        .getByLabel('Post-mortem', { exact: true })
        .fill('Vault accepted calls from a contract built in the same block.');
      await page.getByRole('button', { name: 'Save post-mortem' }).click();
      const timeline = page.locator('ol.timeline');
      await expect
        .poll(() => timeline.textContent())
        .toContain('root-cause: Vault accepted calls from a contract built in the same block.');
      await page.getByLabel('Resolution summary').fill('Paused in the attack block; funds returned to the vault.');
      await page.getByRole('button', { name: 'Resolve incident' }).click();
      await expect.poll(() => page.locator('.facts').textContent()).toContain('resolved');
      await expect
        .poll(() => timeline.textContent())
        .toContain('Paused in the attack block; funds returned to the vault.');
      expect(await page.getByRole('button', { name: 'Pause contract…' }).count()).toBe(0);
      await capture(page, 'incident-resolved');
    },
    slow,
  );

  test(
    'wallets: the initiator cannot approve their own withdrawal; a second approver can',
    async () => {
      const submitted = await fetch(`${base}/api/v1/wallet/requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify(withdrawal('5000')),
      });
      expect(submitted.status).toBe(201);
      const request = (await submitted.json()) as { id: string; state: string; digest: string };
      expect(request.state).toBe('pending');

      await open('Wallets');
      const card = page.getByRole('article', { name: new RegExp(`Request ${request.id} by alice`) });
      await card.waitFor();
      expect(await card.textContent()).toContain(request.digest);
      // Nothing decided yet: the message alone, no empty table under it.
      await page.getByText('No decided requests yet.').waitFor();
      expect(await page.getByRole('table', { name: 'Recent requests' }).count()).toBe(0);
      await card.getByRole('button', { name: `Approve request ${request.id}` }).click();
      await expect
        .poll(() => card.getByRole('alert').textContent())
        .toMatch(/alice initiated request .* cannot approve it/);
      await capture(page, 'wallets');

      await signOut();
      await signIn('carol');
      await open('Wallets');
      await page.getByRole('button', { name: `Approve request ${request.id}` }).click();
      await expect
        .poll(() =>
          page
            .getByRole('status')
            .filter({ hasText: `Request ${request.id}` })
            .textContent(),
        )
        .toContain('Approved');
      const row = page
        .getByRole('table', { name: 'Recent requests' })
        .getByRole('row', { name: new RegExp(request.id) });
      await expect.poll(() => row.textContent()).toContain('approved');
      // The amount with its unit (5000 wei is below what ETH decimals show); the exact figure kept.
      expect(await row.locator('[data-amount="5000"]').textContent()).toBe('5,000 wei');
      await capture(page, 'wallets-approved');

      // Rejecting asks for a reason in a dialog; the request leaves the pending list as rejected.
      const second = await fetch(`${base}/api/v1/wallet/requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify(withdrawal('7000')),
      });
      const { id } = (await second.json()) as { id: string };
      await open('Wallets');
      await page.getByRole('button', { name: `Reject request ${id}…` }).click();
      const dialog = page.getByRole('dialog', { name: `Reject request ${id}?` });
      await dialog.getByLabel('Reason (recorded in the audit log)').fill('Destination not agreed with the client');
      await dialog.getByRole('button', { name: 'Reject request' }).click();
      const rejected = page.getByRole('table', { name: 'Recent requests' }).getByRole('row', { name: new RegExp(id) });
      await expect.poll(() => rejected.textContent()).toContain('rejected');
    },
    slow,
  );

  test('risks: the heat map places each open risk by impact and likelihood', async () => {
    await open('Risks');
    const heat = page.getByRole('table', { name: /Open risks by impact/ });
    await heat.waitFor();
    // Impact 5 (the top row), likelihood 2 (the second column): the guardian-key risk.
    const cell = heat.getByRole('row', { name: /^5 / }).getByRole('cell').nth(1);
    expect(await cell.textContent()).toContain('1 risks with impact 5 and likelihood 2');
    expect(await heat.getByRole('row', { name: /^2 / }).getByRole('cell').nth(4).textContent()).toContain(
      '0 risks with impact 2 and likelihood 5',
    );
    await capture(page, 'risks');
  });

  test(
    'report: the conformance report opens in the page and downloads as JSON, HTML and PDF',
    async () => {
      await open('Report');
      await page.getByRole('button', { name: 'View report' }).click();
      const frame = page.frameLocator('iframe[title="Conformance report"]');
      await frame.locator('h1').first().waitFor({ timeout: slow });
      expect(await frame.locator('body').textContent()).toMatch(/Governance and risk management/);
      /** Clicks a download button and reads the file the browser saved. */
      const downloaded = async (label: string) => {
        const [download] = await Promise.all([
          page.waitForEvent('download', { timeout: slow }),
          page.getByRole('button', { name: label }).click(),
        ]);
        const file = join(artifacts, download.suggestedFilename());
        await download.saveAs(file);
        return { name: download.suggestedFilename(), bytes: await readFile(file) };
      };
      const json = await downloaded('Download JSON');
      expect(json.name).toBe('bulwark-conformance.json');
      const report = JSON.parse(json.bytes.toString('utf8')) as { controls: { id: string }[] };
      expect(report.controls.length).toBeGreaterThan(0);

      const html = await downloaded('Download HTML');
      expect(html.name).toBe('bulwark-conformance.html');
      const text = html.bytes.toString('utf8');
      expect(text).toMatch(/^<!doctype html>/i);
      expect(text).toMatch(/<h1>Conformance report[^<]*<\/h1>/);
      // Every control of the report, by its id.
      expect(report.controls.filter((control) => !text.includes(control.id))).toEqual([]);

      const pdf = await downloaded('Download PDF');
      expect(pdf.name).toBe('bulwark-conformance.pdf');
      expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // Pages: the page objects of the PDF (not the /Pages tree nodes).
      const pages = pdf.bytes.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
      expect(pages.length).toBeGreaterThan(0);
      expect(pdf.bytes.subarray(-1024).toString('latin1')).toContain('%%EOF');
      await capture(page, 'report');
      await open('Contracts');
      await capture(page, 'contracts');
      expect(pageErrors).toEqual([]);
    },
    slow,
  );

  // Last: the incidents it opens would crowd the lists the tests above read.
  test(
    'posture: a control with more evidence than /posture carries says how many more, and links the report',
    async () => {
      const incidents = 60;
      for (let i = 0; i < incidents; i++)
        await openIncident(store, {
          title: `Overdue ${i}`,
          severity: 'critical',
          chainId: 1,
          address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
          // Detected two hours ago: overdue against the response targets, so each is evidence.
          detectedAt: new Date(Date.now() - 2 * 3_600_000),
          actor: 'monitor',
        });
      const answer = await fetch(`${base}/api/v1/posture`, { headers: { authorization: `Bearer ${tokens.olga}` } });
      const posture = (await answer.json()) as {
        areas: { controls: { id: string; evidence: unknown[]; evidenceTotal: number }[] }[];
      };
      const busiest = posture.areas
        .flatMap((area) => area.controls)
        .reduce((a, b) => (b.evidenceTotal > a.evidenceTotal ? b : a));
      expect(busiest.evidenceTotal).toBeGreaterThan(busiest.evidence.length);

      await open('Posture');
      const item = page
        .getByRole('listitem')
        .filter({ has: page.locator('summary > code').getByText(busiest.id, { exact: true }) });
      await item.locator('summary').click();
      const more = item.getByText(`and ${busiest.evidenceTotal - busiest.evidence.length} more`);
      await more.waitFor();
      expect(await item.getByRole('link', { name: 'in the report' }).count()).toBe(1);
    },
    slow,
  );
});
