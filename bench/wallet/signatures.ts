/**
 * `npm run bench:wallet-signatures`: the signature corpus (packages/wallet/testdata/signatures)
 * through checkSignature, against a naive peer measured in the same run, and the time per check
 * against the EIP-712 hashing every wallet does before it signs. Rows go to BENCHMARKS.md under
 * the marker of this section.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashTypedData } from 'viem';
import { checkSignature, riskAtLeast } from '../../packages/wallet/src/index.ts';
import { recordBenchmarkRows } from '../benchmarksFile.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const corpusDir = `${repo}packages/wallet/testdata/signatures/`;
const now = 1_800_000_000n; // the corpus's deadlines are written against this time

type Case = { file: string; input: { _context?: { chainId?: number }; [key: string]: unknown } };
const load = (folder: string): Case[] =>
  readdirSync(`${corpusDir}${folder}`)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, input: JSON.parse(readFileSync(`${corpusDir}${folder}/${file}`, 'utf8')) }));
const drainers = load('drainer');
const benign = load('benign');

/**
 * The naive peer: the warnings a wallet gave before it decoded signatures: eth_sign is dangerous,
 * and so is any number of at least 2^255 (type(uint256).max-style approvals).
 */
function naiveFlags(input: Case['input']): boolean {
  if (input.method === 'eth_sign') return true;
  const huge = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.some(huge)
      : typeof value === 'object' && value !== null
        ? Object.values(value).some(huge)
        : typeof value === 'string' && /^\d{70,}$/.test(value) && BigInt(value) >= 2n ** 255n;
  return huge(input);
}

const risks = async (cases: Case[]) =>
  Promise.all(
    cases.map(async ({ input }) => (await checkSignature({ input, now, chainId: input._context?.chainId })).risk),
  );

const drainerRisks = await risks(drainers);
const benignRisks = await risks(benign);
const caught = drainerRisks.filter((r) => riskAtLeast(r, 'high')).length;
const falseAlarms = benignRisks.filter((r) => riskAtLeast(r, 'medium')).length;
const peerCaught = drainers.filter((c) => naiveFlags(c.input)).length;
const peerFalse = benign.filter((c) => naiveFlags(c.input)).length;

// Time per request: every check on the whole corpus, against hashing the typed data of the same corpus.
const typed = [...drainers, ...benign].map((c) => c.input).filter((i) => 'primaryType' in i) as Parameters<
  typeof hashTypedData
>[0][];
const all = [...drainers, ...benign];
const time = async (fn: () => Promise<unknown> | unknown, rounds: number) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / rounds;
};
const rounds = 200;
const checkMs: number[] = [];
const hashMs: number[] = [];
for (let repeat = 0; repeat < 3; repeat++) {
  checkMs.push(
    (await time(() => Promise.all(all.map(({ input }) => checkSignature({ input, now }))), rounds)) / all.length,
  );
  hashMs.push((await time(() => typed.map((t) => hashTypedData(t)), rounds)) / typed.length);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[1] as number;
const check = median(checkMs);
const hash = median(hashMs);

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const data = `signature corpus (${drainers.length} drainers, ${benign.length} benign)`;
const rows = [
  `| ${date} | ${commit} | ${data}: drainers rated high or above | ${caught}/${drainers.length} | naive peer (eth_sign or a number ≥ 2^255): ${peerCaught}/${drainers.length} | ${(caught / Math.max(peerCaught, 1)).toFixed(2)}× peer |`,
  `| ${date} | ${commit} | ${data}: benign rated above low | ${falseAlarms}/${benign.length} | naive peer: ${peerFalse}/${benign.length} | target 0 |`,
  `| ${date} | ${commit} | ${data}: time per request, every check, no RPC (median of 3 × ${rounds} rounds) | ${(check * 1000).toFixed(0)} µs | EIP-712 hashTypedData of the same typed data: ${(hash * 1000).toFixed(0)} µs | ${(check / hash).toFixed(2)} |`,
];
console.log(rows.join('\n'));
recordBenchmarkRows(
  { name: 'wallet-signatures', title: 'Wallet self-custody signatures (`npm run bench:wallet-signatures`)' },
  rows,
);
