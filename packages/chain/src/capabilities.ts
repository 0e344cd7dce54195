import { isMethodNotFound } from './rpcPool.ts';
import type { Capabilities, FeatureState, LostCoverage } from './types.ts';

export type Feature = 'traces' | 'blockReceipts' | 'traceCall';

/** What the monitor loses without each feature: coverage ids the monitor's rules declare they need. */
const coverage: Record<Feature, LostCoverage[]> = {
  traces: [
    {
      id: 'internal-calls',
      description: 'calls into watched contracts made by other contracts (only top-level transactions are seen)',
      because: 'debug_traceBlockByNumber (callTracer) is not available',
    },
    {
      id: 'reentrancy',
      description: 're-entrant call detection (a contract called again before its first call returned)',
      because: 'debug_traceBlockByNumber (callTracer) is not available',
    },
    {
      id: 'internal-value-flows',
      description: 'ether moved by internal calls (outflows not visible in logs)',
      because: 'debug_traceBlockByNumber (callTracer) is not available',
    },
  ],
  traceCall: [
    {
      id: 'pending-simulation',
      description: 'pending transactions touching watched contracts only through internal calls',
      because: 'debug_traceCall (callTracer) is not available',
    },
  ],
  blockReceipts: [],
};

export type CapabilityTracker = {
  get(feature: Feature): FeatureState;
  /**
   * Runs `request` unless the feature is known missing (then resolves undefined); a "method not
   * found" answer marks it missing, any answer marks it available. While the first request (the
   * probe) runs, concurrent callers wait for its outcome, so a missing feature is asked for once.
   */
  use<T>(feature: Feature, request: () => Promise<T>): Promise<T | undefined>;
  /** Records what a request found; calls `onChange` when a feature is first found missing. */
  set(feature: Feature, state: Exclude<FeatureState, 'unknown'>): void;
  snapshot(): Capabilities;
};

/** What a chain's nodes can do, learnt once per feature from the first request that needs it. */
export function createCapabilityTracker(onMissing?: (capabilities: Capabilities) => void): CapabilityTracker {
  const state: Record<Feature, FeatureState> = { traces: 'unknown', blockReceipts: 'unknown', traceCall: 'unknown' };
  const probes = new Map<Feature, Promise<unknown>>();
  const tracker: CapabilityTracker = {
    get: (feature) => state[feature],
    async use(feature, request) {
      const probe = probes.get(feature);
      if (probe) await probe.catch(() => {});
      if (state[feature] === 'missing') return undefined;
      const run = request().then(
        (result) => {
          tracker.set(feature, 'available');
          return result;
        },
        (error) => {
          if (!isMethodNotFound(error)) throw error;
          tracker.set(feature, 'missing');
          return undefined;
        },
      );
      if (state[feature] === 'unknown' && !probes.has(feature)) {
        probes.set(feature, run);
        run.then(
          () => probes.delete(feature),
          () => probes.delete(feature),
        );
      }
      return run;
    },
    set(feature, value) {
      if (state[feature] === value) return;
      state[feature] = value;
      if (value === 'missing') onMissing?.(tracker.snapshot());
    },
    snapshot() {
      const missing = (Object.keys(state) as Feature[]).filter((feature) => state[feature] === 'missing');
      return {
        ...state,
        missing,
        lostCoverage: missing.flatMap((feature) => coverage[feature]),
      };
    },
  };
  return tracker;
}
