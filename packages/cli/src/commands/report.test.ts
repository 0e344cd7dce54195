import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

const require = createRequire(import.meta.url);
const schemaPath = path.join(path.dirname(require.resolve('@bulwark/governance')), 'conformance/report.schema.json');
const chromium = process.env.BULWARK_CHROMIUM ?? '/usr/bin/chromium';
const runPdf = existsSync(chromium) || process.env.BULWARK_REQUIRE_CHROMIUM === '1';

describeCli('bulwark report', (ctx) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-report-cli-'));
  const run = (args: string[]) =>
    ctx.run(args, { cwd: dir, env: { BULWARK_ACTOR: 'alice', BULWARK_CHROMIUM: chromium } });

  test('default: JSON on stdout is clean, schema-shaped, and follows the register', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const validate = new Ajv2020({ allowUnionTypes: true, validateFormats: false }).compile(
      JSON.parse(readFileSync(schemaPath, 'utf8')),
    );
    const before = await run(['report', '--format', 'json']);
    expect(before).toMatchObject({ code: 0, stderr: '' });
    const empty = JSON.parse(before.stdout);
    expect(validate(empty)).toBe(true);
    expect(empty.controls.find((c: { id: string }) => c.id === 'GOV-01').status).toBe('no-evidence');

    await run([
      'risk',
      'add',
      '--threat',
      'Oracle manipulation',
      '--asset',
      'Pool',
      '--likelihood',
      '4',
      '--impact',
      '4',
      '--owner',
      'alice',
      '--treatment',
      'mitigate',
      '--controls',
      'SBD-11',
      '--review-date',
      '2000-01-01',
    ]);
    const stale = JSON.parse((await run(['report', '--format', 'json'])).stdout);
    expect(stale.controls.find((c: { id: string }) => c.id === 'GOV-01').status).toBe('not-met');
    await run(['risk', 'update', 'R-1', '--reviewed']);
    const reviewed = JSON.parse((await run(['report', '--format', 'json'])).stdout);
    expect(validate(reviewed)).toBe(true);
    expect(reviewed.controls.find((c: { id: string }) => c.id === 'GOV-01')).toMatchObject({
      status: 'met',
      evidence: [{ ref: 'risk:R-1' }],
    });
    // The log's integrity shows SA-04 only in part (no SIEM feed or retention recorded).
    expect(reviewed.controls.find((c: { id: string }) => c.id === 'SA-04').status).toBe('partial');
    expect(reviewed.risks.heatMap[3][3]).toBe(1);
  });

  test('behavior: HTML to a file, format from the extension, summary on stderr', async () => {
    const result = await run(['report', '--out', 'conformance.html']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^Wrote conformance\.html: 2 met, 1 partial, 0 not met, 0 not applicable, 40 without evidence, of 43 controls\.\n$/,
    );
    const html = readFileSync(path.join(dir, 'conformance.html'), 'utf8');
    expect(html).toContain('<table class="heatmap"');
    expect(html).toContain('id="risk-R-1"');
  });

  test('behavior: --fail-on exits 1 when a control is below it', async () => {
    await run(['risk', 'update', 'R-1', '--review-date', '2001-01-01']);
    const result = await run(['report', '--format', 'json', '--fail-on', 'not-met']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('1 control is not met: GOV-01.\n');
    expect(JSON.parse(result.stdout).summary.byStatus['not-met']).toBe(1);
    expect((await run(['report', '--format', 'json', '--fail-on', 'partial'])).code).toBe(1);
  });

  test.skipIf(!runPdf)(
    `behavior: a PDF rendered by Chromium (${chromium})`,
    async () => {
      const result = await run(['report', '--format', 'pdf', '--out', 'conformance.pdf']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/^Wrote conformance\.pdf \(\d+ pages\):/);
      const pdf = readFileSync(path.join(dir, 'conformance.pdf'));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    },
    120_000,
  );

  test('error: usage mistakes exit 2 and write nothing', async () => {
    const pdf = await run(['report', '--format', 'pdf']);
    expect(pdf).toMatchObject({ code: 2, stdout: '' });
    expect(pdf.stderr).toContain('A PDF report needs --out FILE.');
    expect((await run(['report', '--format', 'docx'])).stderr).toContain('--format docx is not a report format.');
    expect((await run(['report', '--fail-on', 'high'])).stderr).toContain('--fail-on high is not a threshold.');
    expect((await run(['report', '--targets', 'critical=soon'])).stderr).toContain(
      'The duration "soon" is not a duration.',
    );
    const missing = await run(['report', '--manifest', 'nope.yaml', '--format', 'json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('The manifest nope.yaml does not exist');
    const noChromium = await ctx.run(
      ['report', '--format', 'pdf', '--out', 'x.pdf', '--chromium', '/nonexistent/chromium'],
      { cwd: dir },
    );
    expect(noChromium.code).toBe(2);
    expect(noChromium.stderr).toContain('No Chromium at /nonexistent/chromium to render the PDF.');
    expect(existsSync(path.join(dir, 'x.pdf'))).toBe(false);
  });
});
