import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runDemoScenario, type ScenarioResult } from '@bulwark/cli/demo';
import { createApiToken, createServer } from '@bulwark/server';
import { installPolicy, withdrawal } from '@bulwark/server/api-testing';
import { type ApiTokenRole, insertRisk, type OpenStoreReturnType, openStore } from '@bulwark/store';
import { memoryPGlite } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dashboardRoot } from './build.ts';

/*
 * The dashboard in a real Chromium against a real server on a real store; the live alert comes
 * from the demo's monitor watching a scripted attack on anvil, writing to the server's store.
 * Screenshots of every page (laptop and phone size) go to packages/dashboard/artifacts/.
 */

const chromiumPath = process.env.BULWARK_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const requireChromium = process.env.BULWARK_REQUIRE_CHROMIUM === '1';
if (!haveChromium && !requireChromium)
  console.warn(
    `[dashboard] browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium; BULWARK_REQUIRE_CHROMIUM=1 makes this a failure).`,
  );

const artifacts = join(dashboardRoot, 'artifacts');
const laptop = { width: 1366, height: 768 };
const phone = { width: 390, height: 844 };
/** Generous: the CI machine is shared; these are upper bounds on conditions, not expected durations. */
const slow = 120_000;

/**
 * Run in the page (as text: this file is type-checked for Node, not the DOM): every form control
 * has a label, every button and link a name, the page an h1, and nothing overflows sideways.
 */
const accessibilityProblems = `(() => {
  const found = [];
  const nameOf = (element) => {
    const labelledBy = element.getAttribute('aria-labelledby');
    if (labelledBy)
      return labelledBy.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
    const aria = element.getAttribute('aria-label');
    if (aria) return aria.trim();
    if (element.labels && element.labels.length > 0)
      return [...element.labels].map((label) => label.textContent ?? '').join(' ').trim();
    return '';
  };
  for (const control of document.querySelectorAll('input, select, textarea, meter'))
    if (!nameOf(control)) found.push('unlabelled ' + control.outerHTML.slice(0, 100));
  for (const named of document.querySelectorAll('button, a[href]'))
    if (!(nameOf(named) || (named.textContent ?? '').trim())) found.push('unnamed ' + named.outerHTML.slice(0, 100));
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    // Name the innermost element that sticks out, so a failure says what to fix.
    const wide = [...document.querySelectorAll('body *')].filter(
      (element) => element.getBoundingClientRect().right > root.clientWidth + 1 && !element.closest('.table-wrap, pre'),
    );
    const culprit = wide.find((element) => ![...element.children].some((child) => wide.includes(child)));
    found.push(
      'page is ' + root.scrollWidth + 'px wide in a ' + root.clientWidth + 'px viewport' +
        (culprit ? ' (' + culprit.outerHTML.slice(0, 120) + ')' : ''),
    );
  }
  if (!document.querySelector('h1')) found.push('no h1');
  return found;
})()`;

async function checkAccessibilityBasics(page: Page, where: string) {
  expect(await page.evaluate<string[]>(accessibilityProblems), where).toEqual([]);
}

/** A screenshot at laptop and phone size, each after the accessibility check at that size. */
async function capture(page: Page, name: string) {
  for (const [size, viewport] of [
    ['laptop', laptop],
    ['phone', phone],
  ] as const) {
    await page.setViewportSize(viewport);
    await checkAccessibilityBasics(page, `${name} (${size})`);
    await page.screenshot({ path: join(artifacts, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(laptop);
}

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
    'incident: pausing needs the contract address typed in a dialog; there is no unpause',
    async () => {
      await signOut();
      await signIn('alice');
      await open('Incidents');
      await page.getByRole('table', { name: 'Incidents, most recent first' }).getByRole('link').first().click();
      await page.getByRole('button', { name: 'Pause contract…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Pause this contract?' });
      await dialog.waitFor();
      const confirm = dialog.getByRole('button', { name: 'Pause contract' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog
        .getByLabel('Type the contract address to confirm')
        .fill('0x0000000000000000000000000000000000000001');
      expect(await confirm.isDisabled()).toBe(true);
      await capture(page, 'incident-pause-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
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
    'report: the conformance report opens in the page and downloads as JSON',
    async () => {
      await open('Report');
      await page.getByRole('button', { name: 'View report' }).click();
      const frame = page.frameLocator('iframe[title="Conformance report"]');
      await frame.locator('h1').first().waitFor({ timeout: slow });
      expect(await frame.locator('body').textContent()).toMatch(/Governance and risk management/);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download JSON' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('bulwark-conformance.json');
      await capture(page, 'report');
      await open('Contracts');
      await capture(page, 'contracts');
      expect(pageErrors).toEqual([]);
    },
    slow,
  );
});
