import type { StoreCounts } from '@bulwark/store';

/** Upper bounds of the latency buckets, in seconds. */
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One Prometheus histogram's counts (cumulative per bucket of `buckets`). */
export type Latency = { counts: number[]; sum: number; count: number };

export const emptyLatency = (): Latency => ({ counts: buckets.map(() => 0), sum: 0, count: 0 });

export function observeLatency(latency: Latency, seconds: number): void {
  buckets.forEach((bound, i) => {
    if (seconds <= bound) latency.counts[i]! += 1;
  });
  latency.sum += seconds;
  latency.count += 1;
}

/** A histogram's `_bucket`, `_sum` and `_count` lines; `labels` is `a="x",b="y"` (may be empty). */
export function latencyLines(name: string, labels: string, latency: Latency): string[] {
  const sep = labels === '' ? '' : ',';
  return [
    ...buckets.map((bound, i) => `${name}_bucket{${labels}${sep}le="${bound}"} ${latency.counts[i]}`),
    `${name}_bucket{${labels}${sep}le="+Inf"} ${latency.count}`,
    `${name}_sum${labels === '' ? '' : `{${labels}}`} ${latency.sum}`,
    `${name}_count${labels === '' ? '' : `{${labels}}`} ${latency.count}`,
  ];
}

/** A label value escaped for the Prometheus text format. */
export const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Request counts and latencies per route, kept in memory and written as Prometheus text. */
export class RequestMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Latency>();

  /** `route` is the route's pattern (`/api/v1/incidents/:id`), never the raw URL, so labels stay few. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${label(method)}",route="${label(route)}"`;
    const counted = `${key},status="${status}"`;
    this.#requests.set(counted, (this.#requests.get(counted) ?? 0) + 1);
    const latency = this.#latency.get(key) ?? emptyLatency();
    this.#latency.set(key, latency);
    observeLatency(latency, seconds);
  }

  text(counts: StoreCounts): string {
    const lines = [
      '# HELP bulwark_http_requests_total HTTP requests answered, by method, route and status.',
      '# TYPE bulwark_http_requests_total counter',
      ...[...this.#requests].map(([labels, n]) => `bulwark_http_requests_total{${labels}} ${n}`),
      '# HELP bulwark_http_request_duration_seconds Time to answer, by method and route.',
      '# TYPE bulwark_http_request_duration_seconds histogram',
    ];
    for (const [labels, latency] of this.#latency)
      lines.push(...latencyLines('bulwark_http_request_duration_seconds', labels, latency));
    lines.push(
      '# HELP bulwark_alerts Alerts in the store, by status.',
      '# TYPE bulwark_alerts gauge',
      ...['active', 'retracted'].map((status) => `bulwark_alerts{status="${status}"} ${counts.alerts[status] ?? 0}`),
      '# HELP bulwark_incidents_open Incidents not yet resolved or closed.',
      '# TYPE bulwark_incidents_open gauge',
      `bulwark_incidents_open ${counts.openIncidents}`,
      '# HELP bulwark_wallet_requests_pending Wallet requests waiting for approvals.',
      '# TYPE bulwark_wallet_requests_pending gauge',
      `bulwark_wallet_requests_pending ${counts.pendingWalletRequests}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
