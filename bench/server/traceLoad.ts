/** The load side of traceQueue.ts, in its own process: told a URL and tokens, answers the latencies. */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runLoad } from './load.ts';

process.on('message', async (message: { url: string; tokens: string[]; seconds: number; phase: number }) => {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const result = await runLoad({
    url: message.url,
    clients: message.tokens.map((token, c) => ({
      localAddress: `127.${message.phase}.${Math.floor(c / 250)}.${(c % 250) + 1}`,
      headers: { authorization: `Bearer ${token}` },
    })),
    durationMs: message.seconds * 1000,
  });
  loopDelay.disable();
  console.log(`load process: event loop delay max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
  process.send?.({ latencies: result.latenciesMs, statuses: [...result.statuses] });
});
