import type { StoreCounts } from '@bulwark/store';

/** Upper bounds of the request-latency buckets, in seconds. */
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Latency = { counts: number[]; sum: number; count: number };

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Request counts and latencies per route, kept in memory and written as Prometheus text. */
export class RequestMetrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Latency>();

  /** `route` is the route's pattern (`/api/v1/incidents/:id`), never the raw URL, so labels stay few. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${label(method)}",route="${label(route)}"`;
    const counted = `${key},status="${status}"`;
    this.#requests.set(counted, (this.#requests.get(counted) ?? 0) + 1);
    const latency = this.#latency.get(key) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
    this.#latency.set(key, latency);
    buckets.forEach((bound, i) => {
      if (seconds <= bound) latency.counts[i]! += 1;
    });
    latency.sum += seconds;
    latency.count += 1;
  }

  text(counts: StoreCounts): string {
    const lines = [
      '# HELP bulwark_http_requests_total HTTP requests answered, by method, route and status.',
      '# TYPE bulwark_http_requests_total counter',
      ...[...this.#requests].map(([labels, n]) => `bulwark_http_requests_total{${labels}} ${n}`),
      '# HELP bulwark_http_request_duration_seconds Time to answer, by method and route.',
      '# TYPE bulwark_http_request_duration_seconds histogram',
    ];
    for (const [labels, latency] of this.#latency) {
      buckets.forEach((bound, i) => {
        lines.push(`bulwark_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${latency.counts[i]}`);
      });
      lines.push(
        `bulwark_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${latency.count}`,
        `bulwark_http_request_duration_seconds_sum{${labels}} ${latency.sum}`,
        `bulwark_http_request_duration_seconds_count{${labels}} ${latency.count}`,
      );
    }
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
