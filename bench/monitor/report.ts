/** The run's table on the terminal and its rows in BENCHMARKS.md (appended under the monitor's marker). */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { recordBenchmarkRows } from '../benchmarksFile.ts';
import { percentile } from './fees.ts';
import { type AttackFunds, reachableShare, savedShare } from './measurement.ts';

export type Row = { data: string; figure: string; peer: string; ratio: string };

export type SideOutcome = AttackFunds & {
  paused: boolean;
  /** Blocks from the strike's block to the pause (0: the strike's own block). */
  blocksToPause: number | undefined;
  rounds: number;
};

export type AttackOutcome = {
  name: string;
  victim: string;
  singleTransaction: boolean;
  description: string;
  attackerTipGwei: number;
  bulwark: SideOutcome;
  naive: SideOutcome | undefined;
};

/** Rounded down to the tenth: 99.96% saved is not shown as 100%. */
const pct = (share: number) => `${(Math.floor(share * 1000) / 10).toFixed(1)}%`;
export const ms = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(1)} ms`);
const units = (value: bigint) =>
  (Number(value / 10n ** 15n) / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 });

/** A row per attack: Bulwark's share saved against its target and the naive script's in the same run. */
export function attackRow(outcome: AttackOutcome): Row {
  const { bulwark, naive } = outcome;
  const saved = savedShare(bulwark);
  const target = outcome.singleTransaction ? 1 : 0.95;
  const naiveSaved = naive ? savedShare(naive) : undefined;
  const paused = bulwark.paused
    ? `paused ${bulwark.blocksToPause === 0 ? "in the strike's block" : `${bulwark.blocksToPause} block(s) after the strike`}`
    : `not paused in ${bulwark.rounds} blocks`;
  return {
    data: `${outcome.name} on its own victim (${outcome.victim}; ${outcome.singleTransaction ? 'single tx, left pending' : 'multi-tx, strike mined unseen'}; attacker tip ${outcome.attackerTipGwei.toFixed(1)} gwei)`,
    figure: `Bulwark saved ${pct(saved)} (lost ${units(bulwark.lost)} of ${units(bulwark.atRisk)}; ${paused}; reachable ${pct(reachableShare(bulwark))})`,
    peer: `naive 5%/block script saved ${naiveSaved === undefined ? '—' : pct(naiveSaved)}${naive ? ` (${naive.paused ? `paused after ${naive.blocksToPause} block(s)` : 'never paused'})` : ''}; target ≥ ${pct(target)}`,
    ratio: `${(Math.floor((saved / target) * 100) / 100).toFixed(2)} of target (${saved >= target ? 'met' : 'missed'}); vs naive ${naiveSaved === undefined || naiveSaved === 0 ? '—' : (saved / naiveSaved).toFixed(2)}`,
  };
}

export function latencyRow(label: string, values: readonly number[], targetMs: number, peer: string): Row {
  const p99 = percentile(values, 99);
  return {
    data: `${values.length} ${label}`,
    figure: `p50 ${ms(percentile(values, 50))}, p99 ${ms(p99)}`,
    peer,
    ratio: Number.isNaN(p99)
      ? '— (none measured)'
      : `${(p99 / targetMs).toFixed(2)} (${p99 < targetMs ? 'met' : 'missed'})`,
  };
}

export function printTable(rows: readonly Row[]): void {
  for (const row of rows) {
    console.log(`\n• ${row.data}\n    ${row.figure}\n    peer/limit: ${row.peer}\n    ratio: ${row.ratio}`);
  }
}

/** One line per attack: the figures side by side. */
export function printAttackTable(outcomes: readonly AttackOutcome[]): void {
  const header = ['attack', 'txs', 'Bulwark saved', 'reachable', 'naive saved', 'target'];
  const lines = outcomes.map((o) => [
    o.name,
    o.singleTransaction ? 'single' : 'multi',
    pct(savedShare(o.bulwark)),
    pct(reachableShare(o.bulwark)),
    o.naive ? pct(savedShare(o.naive)) : '—',
    o.singleTransaction ? '100%' : '≥ 95%',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(`
${format(header)}
${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}

/** Appends the rows under the monitor's table in BENCHMARKS.md and to bench/.out/monitor.log. */
export function appendRows(repo: string, date: string, commit: string, rows: readonly Row[]): void {
  const lines = rows.map((row) => `| ${date} | ${commit} | ${row.data} | ${row.figure} | ${row.peer} | ${row.ratio} |`);
  recordBenchmarkRows({ name: 'monitor', title: 'Monitor (`npm run bench:monitor`)' }, lines);
  mkdirSync(path.join(repo, 'bench/.out'), { recursive: true });
  appendFileSync(path.join(repo, 'bench/.out/monitor.log'), `${lines.join('\n')}\n`);
}

/** Per phase of the pauses (from arrival, or from the pending tx's delivery): p50 and p99 of each step's end. */
export function printPhases(
  measured: readonly { at: 'block' | 'pending'; phases: Record<string, number | undefined> }[],
): void {
  for (const at of ['block', 'pending'] as const) {
    const of = measured.filter((m) => m.at === at).map((m) => m.phases);
    if (of.length === 0) continue;
    const keys = [...new Set(of.flatMap((phases) => Object.keys(phases)))];
    const parts = keys.flatMap((key) => {
      const values = of.flatMap((phases) => (phases[key] === undefined ? [] : [phases[key]!]));
      return values.length === 0 ? [] : [`${key} p50 ${ms(percentile(values, 50))} p99 ${ms(percentile(values, 99))}`];
    });
    console.log(
      `Pause phases on a ${at} (${of.length}, cumulative from ${at === 'block' ? 'arrival' : 'delivery'}): ${parts.join('; ')}`,
    );
  }
}

/**
 * The blocks slowest from arrival to evaluation, each with where its time went, and what the block
 * before it spent responding (pauses, the record, the sinks): the events are handled one at a time.
 */
export function printSlowestBlocks(
  reports: readonly {
    number: bigint;
    txs: number;
    evaluatedMs?: number | undefined;
    fetchedMs?: number | undefined;
    deliveredMs?: number | undefined;
    simulatedMs?: number | undefined;
    respondMs?: number | undefined;
  }[],
  count = 5,
): void {
  const timed = reports.filter((report) => report.evaluatedMs !== undefined);
  const slowest = [...timed].sort((a, b) => b.evaluatedMs! - a.evaluatedMs!).slice(0, count);
  const previous = new Map(reports.map((report, i) => [report.number, reports[i - 1]]));
  const show = (value: number | undefined) => (value === undefined ? '—' : ms(value));
  for (const report of slowest) {
    const before = previous.get(report.number);
    console.log(
      `Slow block ${report.number} (${report.txs} txs): evaluated ${show(report.evaluatedMs)} after arrival; fetched ${show(report.fetchedMs)}, delivered ${show(report.deliveredMs)}, simulated ${show(report.simulatedMs)}; block ${before?.number ?? '—'} before it responded in ${show(before?.respondMs)}`,
    );
  }
}
