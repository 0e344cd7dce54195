import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { checkSignature, riskAtLeast } from './checkSignature.ts';

/*
 * The signature corpus (testdata/signatures): drainer payloads written from public drainer
 * reports, and benign look-alikes. Each file cites its source in `_source`; `_context.chainId`
 * is the chain the user is on (`--chain-id`), when the case needs one.
 */
const corpusDir = fileURLToPath(new URL('../../../testdata/signatures/', import.meta.url));
// A fixed "now" (2027-01-15), which the deadlines in the corpus are written against.
const now = 1_800_000_000n;

const load = (folder: 'drainer' | 'benign') =>
  readdirSync(`${corpusDir}${folder}`)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const input = JSON.parse(readFileSync(`${corpusDir}${folder}/${file}`, 'utf8')) as {
        _source?: string;
        _context?: { chainId?: number };
        /** The kind the request decodes to and, for a drainer, the check that must rate it high or above. */
        _expect?: { kind?: string; check?: string };
      };
      return { file, input };
    });

describe('signature corpus', () => {
  const drainers = load('drainer');
  const benign = load('benign');

  test('behavior: every file cites its source', () => {
    expect(drainers.length).toBeGreaterThanOrEqual(20);
    expect(benign.length).toBeGreaterThanOrEqual(10);
    for (const { file, input } of [...drainers, ...benign]) expect(input._source, file).toMatch(/.{20,}/);
  });

  test.each(drainers.map((d) => [d.file, d.input] as const))('drainer %s is high or above', async (_file, input) => {
    const result = await checkSignature({ input, now, chainId: input._context?.chainId });
    expect(riskAtLeast(result.risk, 'high'), JSON.stringify(result.findings, null, 1)).toBe(true);
    // Caught for the right reason: the named check rates it high or above.
    expect(result.kind).toBe(input._expect?.kind);
    const named = result.findings.filter((f) => f.id === input._expect?.check);
    expect(named.some((f) => riskAtLeast(f.severity === 'info' ? 'none' : f.severity, 'high'))).toBe(true);
  });

  test.each(benign.map((b) => [b.file, b.input] as const))('benign %s is low or below', async (_file, input) => {
    const result = await checkSignature({ input, now, chainId: input._context?.chainId });
    expect(riskAtLeast(result.risk, 'medium'), JSON.stringify(result.findings, null, 1)).toBe(false);
    // Decoded as what it is, not waved through as unrecognised.
    expect(result.kind).toBe(input._expect?.kind);
  });
});
