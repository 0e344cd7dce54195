/**
 * npm run bench:monitor — the monitor's figures, each against its limit or a peer measured in the
 * same run, on a local anvil (from npm) running the demo protocol:
 *  1. false alarms: automatic pauses over ≥ 20,000 benign transactions evaluated live;
 *  2. latency from a block's arrival (newHeads) to the end of evaluation, to the alert handed to
 *     the sinks, and to the pause transaction's broadcast: p50 and p99;
 *  3. funds saved per attack, over repeated runs of the four attacks;
 *  4. ingestion throughput with traces (fetch + normalise + rules) as a ratio to fetching the same
 *     blocks, receipts and traces from the same node in the same run.
 * Appends rows to BENCHMARKS.md. Needs nothing outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createChainSync, createMemoryCheckpointStore } from '@bulwark/chain';
import { allRules, createEngine } from '@bulwark/monitor';
import { type AttackName, runDemoScenario } from '../../packages/cli/src/demo/scenario.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const benignTarget = Number(process.env.BENCH_BENIGN_TXS ?? 20_000);
const rounds = Number(process.env.BENCH_ATTACK_ROUNDS ?? 5);
const txsPerBlock = 20;
const rows: string[] = [];
const row = (data: string, figure: string, peer: string, ratio: string) => {
  const line = `| ${date} | ${commit} | ${data} | ${figure} | ${peer} | ${ratio} |`;
  rows.push(line);
  console.log(line);
};
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const evaluated: number[] = [];
const processed: number[] = [];
const alerted: number[] = [];
const attacks: AttackName[] = [];
for (let i = 0; i < rounds; i++)
  attacks.push('reentrancy-drain', 'flash-loan-oracle', 'compromised-admin', 'slow-drain');
let ingestion: { raw: number; pipeline: number; blocks: number; txs: number } | undefined;

console.log(
  `Benign traffic: ${benignTarget} transactions evaluated live (${txsPerBlock} per block), then ${rounds} rounds of the four attacks…`,
);
const started = performance.now();
const result = await runDemoScenario({
  users: 48,
  txsPerBlock,
  learnBlocks: 300,
  benignBlocks: Math.ceil(benignTarget / txsPerBlock),
  attacks,
  log: (line) => {
    if (!line.startsWith('  monitor:')) console.log(line);
  },
  onBlock: (report) => {
    if (report.evaluatedMs !== undefined) evaluated.push(report.evaluatedMs);
    processed.push(report.processMs);
    if (report.alertMs !== undefined) alerted.push(report.alertMs);
  },
  beforeStop: async ({ rpcUrl, firstBlock, head, config }) => {
    // The same blocks, fetched twice through the same client: raw, then evaluated.
    const from = firstBlock;
    const to = head;
    const sync = createChainSync({
      chainId: 31337,
      endpoints: [rpcUrl],
      checkpointStore: createMemoryCheckpointStore(),
    });
    const engine = createEngine({
      chainId: 31337,
      rules: allRules,
      contracts: config.contracts.map((c) => ({ address: c.address, name: c.name, kind: c.kind ?? 'other' })),
    });
    const measure = async (evaluate: boolean) => {
      const t0 = performance.now();
      let blocks = 0;
      let txs = 0;
      for await (const block of sync.backfill(from, to)) {
        blocks++;
        txs += block.transactions.length;
        if (evaluate) {
          if (blocks <= 300) engine.learn(block);
          else engine.process(block);
        }
      }
      return { ms: performance.now() - t0, blocks, txs };
    };
    const raws: number[] = [];
    const pipes: number[] = [];
    let size = { blocks: 0, txs: 0 };
    for (let i = 0; i < 3; i++) {
      const raw = await measure(false);
      const pipe = await measure(true);
      raws.push(raw.ms);
      pipes.push(pipe.ms);
      size = raw;
    }
    ingestion = { raw: percentile(raws, 50), pipeline: percentile(pipes, 50), ...size };
  },
});
console.log(`Scenario done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);

row(
  `${result.benignTxs} benign txs live over ${result.benignBlocks} blocks (demo protocol, 48 accounts)`,
  `${result.falsePauses} automatic pauses, ${result.benignAlerts} alerts`,
  'target 0 pauses',
  result.falsePauses === 0 ? '0 (met)' : `${result.falsePauses} (missed)`,
);
row(
  `${evaluated.length} live blocks, ${txsPerBlock} txs each`,
  `block arrival (newHeads) → rules evaluated p50 ${fmt(percentile(evaluated, 50))}, p99 ${fmt(percentile(evaluated, 99))}`,
  'target alert p99 < 50 ms',
  (percentile(evaluated, 99) / 50).toFixed(2),
);
row(
  `the same ${processed.length} blocks`,
  `the monitor's share (block delivered with receipts and traces → rules evaluated) p50 ${fmt(percentile(processed, 50))}, p99 ${fmt(percentile(processed, 99))}`,
  'the rest is the node answering for the block, its receipts and traces',
  (percentile(processed, 99) / 50).toFixed(2),
);
row(
  `${alerted.length} blocks that raised alerts`,
  `block arrival → alert sent p50 ${fmt(percentile(alerted, 50))}, p99 ${fmt(percentile(alerted, 99))}`,
  'target p99 < 50 ms',
  (percentile(alerted, 99) / 50).toFixed(2),
);
const pauses = result.attacks.flatMap((a) => (a.msToPause === undefined ? [] : [a.msToPause]));
row(
  `${pauses.length} pauses (${result.attacks.filter((a) => a.mode === 'mempool').length} from pending txs)`,
  `arrival (block or pending tx) → pause broadcast p50 ${fmt(percentile(pauses, 50))}, p99 ${fmt(percentile(pauses, 99))}`,
  'target p99 < 100 ms',
  (percentile(pauses, 99) / 100).toFixed(2),
);
for (const name of ['reentrancy-drain', 'flash-loan-oracle', 'compromised-admin', 'slow-drain'] as const) {
  const runs = result.attacks.filter((a) => a.name === name);
  const shares = runs.map((a) => (a.atRisk === 0n ? 1 : Number(a.saved) / Number(a.atRisk)));
  const detected = runs.filter((a) => a.detected && a.paused).length;
  const multi = runs[0]?.multiTransaction;
  row(
    `${name}, ${runs.length} runs (${multi ? 'multi-tx' : 'single tx'}; modes: ${[...new Set(runs.map((a) => a.mode))].join('/')})`,
    `detected and paused ${detected}/${runs.length}; funds saved min ${(Math.min(...shares) * 100).toFixed(1)}%, median ${(percentile(shares, 50) * 100).toFixed(1)}%`,
    multi ? 'target ≥ 90% saved' : 'target: paused before the pending tx is mined (0 lost)',
    multi ? (Math.min(...shares) / 0.9).toFixed(2) : runs.every((a) => a.lost === 0n) ? 'met' : 'missed',
  );
}
if (ingestion) {
  const { raw, pipeline, blocks, txs } = ingestion;
  row(
    `${blocks} blocks, ${txs} txs with receipts and call traces (anvil, median of 3)`,
    `fetch + normalise + ${allRules.length} rules: ${((blocks / pipeline) * 1000).toFixed(0)} blocks/s`,
    `raw fetch of the same blocks: ${((blocks / raw) * 1000).toFixed(0)} blocks/s; target ≥ 0.8`,
    (raw / pipeline).toFixed(2),
  );
}

const file = path.join(repo, 'BENCHMARKS.md');
const text = readFileSync(file, 'utf8');
const marker = '<!-- bench:monitor rows -->';
if (!text.includes(marker)) {
  writeFileSync(
    file,
    `${text.trimEnd()}\n\n## Monitor (\`npm run bench:monitor\`)\n\n| date | commit | data | figure | peer or limit (same run) | ratio |\n|---|---|---|---|---|---|\n${marker}\n`,
  );
}
const updated = readFileSync(file, 'utf8').replace(marker, `${rows.join('\n')}\n${marker}`);
writeFileSync(file, updated);
appendFileSync(path.join(repo, 'bench/.out/monitor.log'), `${rows.join('\n')}\n`);
