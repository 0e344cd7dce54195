/**
 * npm run bench:monitor-soak — memory over a long run: the real `bulwark monitor` process follows
 * a local anvil mining a block a second, each block with one alerting transaction (a listed
 * address pays the watched one) and benign ones. Samples the process's resident set size (Linux
 * /proc) and reports the peak of each sixth of the run; the figure is the last sixth's peak
 * against the second sixth's (after warm-up) in the same run: flat is a ratio near 1. Also checks
 * every block got its alert. BENCH_SOAK_MINUTES sets the length (default 30). Appends rows to
 * BENCHMARKS.md.
 */

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestNode } from '../../packages/chain/src/testing.ts';
import { recordBenchmarkRows } from '../benchmarksFile.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const minutes = Number(process.env.BENCH_SOAK_MINUTES ?? 30);
const watched = '0x00000000000000000000000000000000000d1e11';

const node = await startTestNode({ blockTime: 1 });
const { anvil, rpc, accounts } = node;
// Start-up refuses a watched address without code: give it a contract that takes ether (STOP).
await rpc('anvil_setCode', [watched, '0x00']);
const attacker = accounts[1]!;
const work = mkdtempSync(path.join(tmpdir(), 'bulwark-soak-'));
const sink = path.join(work, 'alerts.jsonl');
writeFileSync(path.join(work, 'exploiters.txt'), `${attacker} soak exploiter\n`);
writeFileSync(
  path.join(work, 'monitor.json'),
  JSON.stringify({
    chains: [{ id: 31337, rpc: [anvil.rpcUrl], pollingIntervalMs: 250 }],
    contracts: [{ chain: 31337, address: watched, name: 'Watched', kind: 'other' }],
    threatIntel: ['exploiters.txt'],
    baseline: { learnBlocks: 10 },
    alerts: { cooldownMs: 0 },
    sinks: [{ type: 'jsonl', path: 'alerts.jsonl' }],
  }),
);

const env = { ...process.env };
delete env.DATABASE_URL;
const child = spawn(
  process.execPath,
  [path.join(repo, 'packages/cli/bin/bulwark.js'), 'monitor', '--config', 'monitor.json', '--db', 'db'],
  { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] },
);
let stderr = '';
child.stderr.on('data', (chunk: Buffer) => {
  stderr += chunk.toString('utf8');
  if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
});
const rssMb = (): number | undefined => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
};

while (!/Watching 1 contract/.test(stderr)) {
  if (child.exitCode !== null) throw new Error(`The monitor exited: ${stderr}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const firstBlock = BigInt(await rpc<string>('eth_blockNumber')) + 1n;
console.log(`Soak: ${minutes} min at a block a second, from block ${firstBlock}…`);
const started = Date.now();
const end = started + minutes * 60_000;
const sixths = Array.from({ length: 6 }, () => 0);
let lastSent = 0n;
while (Date.now() < end) {
  const head = BigInt(await rpc<string>('eth_blockNumber'));
  if (head > lastSent) {
    // One alerting and two benign payments per block.
    await rpc('eth_sendTransaction', [{ from: attacker, to: watched, value: '0x1' }]);
    for (const from of accounts.slice(2, 4)) await rpc('eth_sendTransaction', [{ from, to: watched, value: '0x2' }]);
    lastSent = head;
  }
  const rss = rssMb();
  const sixth = Math.min(5, Math.floor(((Date.now() - started) / (end - started)) * 6));
  if (rss !== undefined) sixths[sixth] = Math.max(sixths[sixth]!, rss);
  await new Promise((resolve) => setTimeout(resolve, 500));
}
const lastBlock = BigInt(await rpc<string>('eth_blockNumber')) - 1n;
// Let the monitor catch up to the last block, then stop it.
const alertsThrough = () =>
  existsSync(sink)
    ? readFileSync(sink, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { ruleId: string; blockNumber: string })
        .filter((alert) => alert.ruleId === 'known-malicious-address')
    : [];
const catchUpDeadline = Date.now() + 120_000;
while (!alertsThrough().some((alert) => BigInt(alert.blockNumber) >= lastBlock) && Date.now() < catchUpDeadline)
  await new Promise((resolve) => setTimeout(resolve, 500));
child.kill('SIGTERM');
const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
await node.stop();

const blocksWithAlert = new Set(alertsThrough().map((alert) => alert.blockNumber));
let missing = 0;
for (let block = firstBlock; block <= lastBlock; block++) if (!blocksWithAlert.has(block.toString())) missing++;
const blocks = Number(lastBlock - firstBlock + 1n);
rmSync(work, { recursive: true, force: true });

const rows = [
  `| ${date} | ${commit} | soak: \`bulwark monitor\` process, ${minutes} min, 1 block/s, 3 txs/block (${blocks} blocks) | peak RSS last sixth ${sixths[5]!.toFixed(0)} MB (by sixth: ${sixths.map((mb) => mb.toFixed(0)).join(', ')}) | peak RSS second sixth ${sixths[1]!.toFixed(0)} MB; flat ≤ 1.10 | ${(sixths[5]! / sixths[1]!).toFixed(2)} |`,
  `| ${date} | ${commit} | soak: same run, blocks without their alert; exit code at SIGTERM | ${missing} of ${blocks} blocks missing; exit ${code} | limit 0 missing, exit 0 | ${missing === 0 && code === 0 ? 'ok' : 'FAIL'} |`,
];
for (const row of rows) console.log(row);
recordBenchmarkRows({ name: 'monitor-soak', title: 'Monitor soak (`npm run bench:monitor-soak`)' }, rows);
mkdirSync(path.join(repo, 'bench/.out'), { recursive: true });
appendFileSync(path.join(repo, 'bench/.out/monitor-soak.log'), `${rows.join('\n')}\n`);
