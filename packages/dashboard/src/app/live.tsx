import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';
import { applyLiveEvent, followEvents, type LiveEvent, type LiveListRule, type StreamState } from './events.ts';
import { type Loaded, problemOf } from './ui.tsx';

type LiveListener = (event: LiveEvent) => void;

type LiveValue = {
  state: StreamState;
  /** Events received since sign-in, newest first (at most 200). */
  events: LiveEvent[];
  /** Bumped on every event of a kind: pages use it to refetch (`useApi(path, versions.incident)`). */
  versions: Record<string, number>;
  /** Bumped when the stream opens with nothing to resume from: lists kept from events are read again. */
  gaps: number;
  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  subscribe: (listener: LiveListener) => () => void;
};

const LiveContext = createContext<LiveValue>({
  state: 'connecting',
  events: [],
  versions: {},
  gaps: 0,
  subscribe: () => () => {},
});

export function LiveProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Set<LiveListener>());
  const subscribe = useCallback((listener: LiveListener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const [value, setValue] = useState<LiveValue>({ state: 'connecting', events: [], versions: {}, gaps: 0, subscribe });
  useEffect(() => {
    const stop = new AbortController();
    void followEvents(
      (event) => {
        for (const listener of listeners.current) listener(event);
        setValue((previous) => ({
          ...previous,
          events: [event, ...previous.events].slice(0, 200),
          versions: { ...previous.versions, [event.event]: (previous.versions[event.event] ?? 0) + 1 },
        }));
      },
      (state) => setValue((previous) => ({ ...previous, state })),
      stop.signal,
      () => setValue((previous) => ({ ...previous, gaps: previous.gaps + 1 })),
    );
    return () => stop.abort();
  }, []);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);

/**
 * A list read once from the API and then kept current from the live events' own rows (no
 * refetch per event): events arriving while it loads are applied on top of the answer. Read
 * again only when the stream may have missed events (`gaps`: it opened with nothing to resume
 * from) or on `reload` (after an action).
 */
export function useLiveList<T extends { id: string }>(path: string, rule: LiveListRule<T>): Loaded<T[]> {
  const { subscribe, gaps, state } = useLive();
  // Read once the stream is open (so nothing falls between the answer and the first event), or
  // without it when it cannot open; each later gap reads again.
  const canRead = gaps > 0 || state === 'unavailable' || state === 'retrying';
  const [result, setResult] = useState<Loaded<T[]>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const ruleRef = useRef(rule);
  ruleRef.current = rule;
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick and gaps only trigger a refetch
  useEffect(() => {
    if (!canRead) return;
    let current = true;
    let waiting: LiveEvent[] | undefined = [];
    const unsubscribe = subscribe((event) => {
      if (waiting) waiting.push(event);
      else
        setResult((previous) =>
          previous.state === 'ready'
            ? { ...previous, data: applyLiveEvent(previous.data, event, ruleRef.current) }
            : previous,
        );
    });
    api<T[]>(path).then(
      (data) => {
        if (!current) return;
        const rows = (waiting ?? []).reduce((list, event) => applyLiveEvent(list, event, ruleRef.current), data);
        waiting = undefined;
        setResult({ state: 'ready', data: rows, reload });
      },
      (error: unknown) => {
        waiting = undefined;
        if (current) setResult({ state: 'error', problem: problemOf(error) });
      },
    );
    return () => {
      current = false;
      unsubscribe();
    };
  }, [path, canRead, gaps, tick, subscribe, reload]);
  return result;
}
