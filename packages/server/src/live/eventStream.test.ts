import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStore } from '@bulwark/store';
import { expect, test } from 'vitest';
import { EventHub } from './eventHub.ts';
import { serveEventStream } from './eventStream.ts';
import { openEventClient } from './testing.ts';

test('behavior: a client resuming while the store cannot be read gets a resync (store-unavailable), then the live stream', async () => {
  // A store that is closed: every read fails, as when the database is down.
  const store = await openStore({ dataDir: 'memory://' });
  await store.close();
  const hub = new EventHub();
  const http = createHttpServer((_request, response) => {
    void serveEventStream(response, { hub, store, lastId: hub.origin - 60_000_000 });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    const client = await openEventClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
    const resync = await client.waitFor((event) => event.type === 'resync');
    expect(resync.data).toEqual({ reason: 'store-unavailable', replayed: 0 });
    hub.publish('monitor-health', { chains: [] });
    await client.waitFor((event) => event.type === 'monitor-health');
    expect(client.events.map((event) => event.type)).toEqual(['resync', 'monitor-health']);
    client.close();
  } finally {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
});
