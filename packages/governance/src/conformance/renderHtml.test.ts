import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { controls } from '@bulwark/core';
import { insertAudit, openIncident, openStore, type Store, transitionIncident } from '@bulwark/store';
import { memoryPGlite } from '@bulwark/store/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addRisk } from '../risks/addRisk.ts';
import { type ConformanceReport, evaluateConformance } from './evaluateConformance.ts';
import { pdfText } from './pdfText.ts';
import { evidenceHref, renderConformanceHtml } from './renderHtml.ts';
import { defaultChromiumPath, pdfPageCount, renderPdf } from './renderPdf.ts';

// Rendering does not depend on the engine: one in-memory PGlite is enough here.
let store: Store;
let report: ConformanceReport;
let emptyReport: ConformanceReport;
const cwd = mkdtempSync(path.join(tmpdir(), 'bulwark-report-'));

beforeAll(async () => {
  store = await openStore({ pglite: await memoryPGlite() });
  emptyReport = await evaluateConformance(store, { cwd });
  await addRisk(store, {
    threat: '<script>alert("risk")</script> & co',
    asset: 'Vault',
    likelihood: 5,
    impact: 5,
    owner: 'alice',
    treatment: 'mitigate',
    controls: ['SBD-06'],
    reviewDate: '2000-01-01',
    actor: 'alice',
  });
  await addRisk(store, {
    threat: 'Key theft',
    asset: 'Admin',
    likelihood: 2,
    impact: 3,
    owner: 'bob',
    treatment: 'accept',
    reviewDate: '2999-01-01',
    actor: 'bob',
  });
  await insertAudit(store, {
    auditor: 'Evil "Auditor"',
    auditDate: '2025-01-01',
    scope: { files: [] },
    reportPath: 'javascript:alert(1)',
  });
  const t0 = new Date('2025-06-01T00:00:00Z');
  const incident = await openIncident(store, {
    title: 'Drain <b>bold</b>',
    severity: 'critical',
    actor: 'monitor',
    detectedAt: t0,
  });
  await transitionIncident(store, {
    id: incident.id,
    to: 'contained',
    actor: 'alice',
    at: new Date(t0.getTime() + 20 * 60_000),
  });
  report = await evaluateConformance(store, { cwd });
});

afterAll(async () => {
  await store?.close();
});

describe('renderConformanceHtml', () => {
  test('default: a self-contained page with summary, heat map, incidents, log and every control', () => {
    const html = renderConformanceHtml(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
    for (const c of report.controls) expect(html).toContain(`id="control-${c.id}"`);
    for (const area of ['governance', 'security-by-design', 'situational-awareness', 'wallets', 'resilience'])
      expect(html).toContain(`id="area-${area}"`);
    expect(html).toContain('<table class="heatmap"');
    // Impact 5 row: the 5×5 risk in the last column, coloured critical.
    expect(html).toMatch(
      /<tr><th scope="row">5 severe<\/th>(<td class="heat r-[a-z]+">\s*<\/td>){4}<td class="heat r-critical" title="R-1">1<\/td><\/tr>/,
    );
    expect(html).toMatch(
      /<tr><th scope="row">3 moderate<\/th><td class="heat r-low"><\/td><td class="heat r-medium" title="R-2">1<\/td>/,
    );
    expect(html).toContain('1 recorded, 1 open');
    expect(html).toContain('<tr><th>Median time to contain</th><td>20m</td></tr>');
    expect(html).toMatch(/Intact: 5 entries chained from genesis to head <code>5:[0-9a-f]{64}<\/code>/);
    expect(html).toContain('Overdue reviews: <a href="#risk-R-1">R-1</a>');
    expect(html).toContain('Treats risks: <a href="#risk-R-1">R-1</a>');
  });

  test('behavior: stored text is escaped and unsafe links are dropped', () => {
    const html = renderConformanceHtml(report);
    expect(html).not.toContain('<script>alert("risk")</script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;risk&quot;)&lt;/script&gt; &amp; co');
    expect(html).toContain('Drain &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('Evil &quot;Auditor&quot;');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(evidenceHref('javascript:alert(1)')).toBeUndefined();
    expect(evidenceHref('data:text/html,x')).toBeUndefined();
    expect(evidenceHref('#incident-1')).toBe('#incident-1');
    expect(evidenceHref('https://example.org/a b')).toBe('https://example.org/a b');
    expect(evidenceHref('audits/r 1.pdf', { cwd: '/p', outDir: '/p/out' })).toBe('../audits/r%201.pdf');
  });
});

const chromium = process.env.BULWARK_CHROMIUM ?? defaultChromiumPath;
const haveChromium = existsSync(chromium);
const requireChromium = process.env.BULWARK_REQUIRE_CHROMIUM === '1';
if (!haveChromium && !requireChromium)
  console.warn(
    `[conformance] PDF test skipped: no Chromium at ${chromium} (apt-get install chromium; BULWARK_REQUIRE_CHROMIUM=1 makes this a failure).`,
  );

describe('renderPdf', () => {
  test.skipIf(!haveChromium && !requireChromium)(
    `default: Chromium prints the report to a PDF of the expected pages (needs ${chromium})`,
    async () => {
      // Pages 1–2 summary and accountability (sign-off, log head, audits), one page per area, one
      // for the registers: 8 pages for an empty store.
      const { pdf, pages } = await renderPdf(renderConformanceHtml(emptyReport), { executablePath: chromium });
      expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      expect(pages).toBe(8);
      expect(pdfPageCount(pdf)).toBe(8);
      const text = Buffer.from(pdf).toString('latin1');
      expect(text).toMatch(/\/Type\s*\/Pages\b[\s\S]*?\/Count 8\b|\/Count 8\b[\s\S]*?\/Type\s*\/Pages\b/);
      expect(Buffer.from(pdf.subarray(-8)).toString('latin1')).toContain('%%EOF');
      // What a reader sees: every control by id with its place in the advisory, no working notes.
      const printed = pdfText(pdf).join(' ');
      for (const control of controls) expect(printed, control.id).toContain(control.id);
      expect(printed).toContain('SBD-06 No evidence Design smart contracts so that they can be paused');
      expect(printed).toContain('(§2. Security-by-design, p. 17)');
      expect(printed).toContain('Not signed off');
      expect(printed).not.toMatch(/breaks off|text at hand|our reading/i);
    },
    120_000,
  );

  test('error: a missing Chromium is a clear error', async () => {
    await expect(renderPdf('<p>x</p>', { executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      /No Chromium at \/nonexistent\/chromium to render the PDF\.\nInstall it \(Debian\/Ubuntu: apt-get install chromium\)/,
    );
  });
});
