import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { followEvents, type LiveEvent, type StreamState } from './events.ts';

type LiveValue = {
  state: StreamState;
  /** Events received since sign-in, newest first (at most 200). */
  events: LiveEvent[];
  /** Bumped on every event of a kind: pages use it to refetch (`useApi(path, versions.incident)`). */
  versions: Record<string, number>;
};

const LiveContext = createContext<LiveValue>({ state: 'connecting', events: [], versions: {} });

export function LiveProvider({ children }: { children: ReactNode }) {
  const [value, setValue] = useState<LiveValue>({ state: 'connecting', events: [], versions: {} });
  useEffect(() => {
    const stop = new AbortController();
    void followEvents(
      (event) =>
        setValue((previous) => ({
          ...previous,
          events: [event, ...previous.events].slice(0, 200),
          versions: { ...previous.versions, [event.event]: (previous.versions[event.event] ?? 0) + 1 },
        })),
      (state) => setValue((previous) => ({ ...previous, state })),
      stop.signal,
    );
    return () => stop.abort();
  }, []);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);
