import { formatDuration } from '../../incidents/duration.ts';
import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessment, Assessments, EvidenceLink } from '../types.ts';
import { assessment, names, plural, ratioStatus } from './judge.ts';

/**
 * SBD-05 (a baseline per contract): each watched contract has a learned baseline. SA-03
 * (continuous monitoring): each chain's checkpoint moved recently. SA-02 (deviations detected):
 * both, since deviations are measured against the baselines by the running monitor.
 */
export function assessMonitoring(facts: ConformanceFacts): Assessments {
  const { now, watched, baselines, checkpoints, recentAlerts, options } = facts;
  const key = (chainId: number, address: string) => `${chainId}:${address.toLowerCase()}`;
  const withBaseline = new Set(baselines.map((b) => key(b.chainId, b.address)));
  const active = watched.filter((w) => w.active);
  const contractName = (chainId: number, address: string) =>
    active.find((w) => key(w.chainId, w.address) === key(chainId, address))?.name ?? address;

  let baseline: Assessment;
  if (active.length === 0 && baselines.length === 0)
    baseline = assessment(
      'baselines',
      'no-evidence',
      'The monitor watches no contract and has learned no baseline (`bulwark monitor`).',
      now,
    );
  else if (active.length === 0)
    baseline = assessment(
      'baselines',
      'met',
      `Baselines are learned for ${plural(withBaseline.size, 'contract')} (${plural(baselines.length, 'metric')}).`,
      now,
      baselineLinks(),
    );
  else {
    const missing = active.filter((w) => !withBaseline.has(key(w.chainId, w.address)));
    baseline = assessment(
      'baselines',
      ratioStatus(active.length - missing.length, active.length),
      missing.length === 0
        ? `Each of the ${plural(active.length, 'watched contract')} has a learned baseline (${plural(baselines.length, 'metric')}).`
        : `${plural(missing.length, 'watched contract')} of ${active.length} ha${missing.length === 1 ? 's' : 've'} no baseline yet: ${names(missing.map((w) => w.name ?? w.address))}.`,
      now,
      baselineLinks(),
    );
  }
  function baselineLinks(): EvidenceLink[] {
    const byContract = new Map<string, typeof baselines>();
    for (const b of baselines)
      byContract.set(key(b.chainId, b.address), [...(byContract.get(key(b.chainId, b.address)) ?? []), b]);
    return [...byContract.values()].map((list) => {
      const first = list[0]!;
      const updated = list.reduce((max, b) => (b.updatedAt > max ? b.updatedAt : max), first.updatedAt);
      return {
        kind: 'baseline',
        ref: `baseline:${first.chainId}:${first.address}`,
        summary: `${contractName(first.chainId, first.address)} on chain ${first.chainId}: ${plural(list.length, 'metric')} (${names([...new Set(list.map((b) => b.metricKey))], 4)})`,
        at: updated.toISOString(),
      };
    });
  }

  const fresh = checkpoints.filter((c) => now.getTime() - c.updatedAt.getTime() <= options.monitorStaleAfterMs);
  const stale = checkpoints.filter((c) => now.getTime() - c.updatedAt.getTime() > options.monitorStaleAfterMs);
  const running = assessment(
    'monitor-running',
    ratioStatus(fresh.length, checkpoints.length),
    checkpoints.length === 0
      ? 'The monitor has not synced any chain (no checkpoint in the store).'
      : stale.length === 0
        ? `The monitor is following ${plural(checkpoints.length, 'chain')}: each checkpoint moved within the last ${formatDuration(options.monitorStaleAfterMs)}.`
        : `The monitor has stopped on ${plural(stale.length, 'chain')}: ${names(stale.map((c) => `chain ${c.chainId} last synced ${formatDuration(now.getTime() - c.updatedAt.getTime())} ago`))}.`,
    now,
    checkpoints.map((c) => ({
      kind: 'checkpoint',
      ref: `checkpoint:${c.chainId}`,
      summary: `chain ${c.chainId}: block ${c.blockNumber} synced ${formatDuration(now.getTime() - c.updatedAt.getTime())} ago`,
      status: fresh.includes(c) ? 'running' : 'stale',
      at: c.updatedAt.toISOString(),
    })),
  );

  const parts = [baseline.status, running.status];
  const detection = assessment(
    'deviation-detection',
    parts.every((s) => s === 'no-evidence')
      ? 'no-evidence'
      : parts.every((s) => s === 'met')
        ? 'met'
        : parts.every((s) => s === 'not-met' || s === 'no-evidence')
          ? 'not-met'
          : 'partial',
    `Deviations are detected by the running monitor against learned baselines. Baselines: ${baseline.status}; monitor: ${running.status}. ${plural(recentAlerts.count, 'alert')} raised in the last 30 days.`,
    now,
    recentAlerts.count === 0
      ? []
      : [
          {
            kind: 'alerts',
            ref: 'alerts:30d',
            summary: `${plural(recentAlerts.count, 'alert')} in 30 days (${names(recentAlerts.ruleIds, 4)})`,
            href: '#incidents',
          },
        ],
  );
  return { 'SBD-05': [baseline], 'SA-03': [running], 'SA-02': [detection] };
}
