import { isMethodNotFound } from './rpcPool.ts';
import type { Capabilities, FeatureState, LostCoverage } from './types.ts';

/**
 * `flatTraces` (`trace_block`) is how the block's traces are fetched where the node has it, else
 * `debug_traceBlockByNumber`: a choice of method, not coverage, so it is not reported.
 */
export type Feature = 'traces' | 'blockReceipts' | 'traceCall' | 'flatTraces';

/** The features `Capabilities` reports (the others only choose how to ask). */
const reported = ['traces', 'blockReceipts', 'traceCall'] as const;

/** What the monitor loses without each feature: coverage ids the monitor's rules declare they need. */
const coverage: Record<Feature, LostCoverage[]> = {
  traces: [
    {
      id: 'internal-calls',
      description: 'calls into watched contracts made by other contracts (only top-level transactions are seen)',
      because: 'neither trace_block nor debug_traceBlockByNumber (callTracer) is available',
    },
    {
      id: 'reentrancy',
      description: 're-entrant call detection (a contract called again before its first call returned)',
      because: 'neither trace_block nor debug_traceBlockByNumber (callTracer) is available',
    },
    {
      id: 'internal-value-flows',
      description: 'ether moved by internal calls (outflows not visible in logs)',
      because: 'neither trace_block nor debug_traceBlockByNumber (callTracer) is available',
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
  flatTraces: [],
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
  const state: Record<Feature, FeatureState> = {
    traces: 'unknown',
    blockReceipts: 'unknown',
    traceCall: 'unknown',
    flatTraces: 'unknown',
  };
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
      if (value === 'missing' && (reported as readonly Feature[]).includes(feature)) onMissing?.(tracker.snapshot());
    },
    snapshot() {
      const missing = reported.filter((feature) => state[feature] === 'missing');
      return {
        traces: state.traces,
        blockReceipts: state.blockReceipts,
        traceCall: state.traceCall,
        missing,
        lostCoverage: missing.flatMap((feature) => coverage[feature]),
      };
    },
  };
  return tracker;
}
