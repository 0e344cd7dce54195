import { expect, test } from 'vitest';
import { createEventChannel } from './eventChannel.ts';

type Event = { type: 'block' | 'pending' | 'reorg'; n: number };

/** Takes `count` events from the channel, each processed (the next asked for) before the following. */
async function take(channel: ReturnType<typeof createEventChannel<Event>>, count: number): Promise<string[]> {
  const taken: string[] = [];
  for await (const event of channel.iterable) {
    taken.push(`${event.type} ${event.n}`);
    if (taken.length === count) break;
  }
  return taken;
}

test('default: events come out in the order they were pushed', async () => {
  const channel = createEventChannel<Event>(async () => {});
  for (const event of [
    { type: 'pending', n: 1 },
    { type: 'block', n: 2 },
    { type: 'pending', n: 3 },
  ] as const)
    void channel.push(event);
  expect(await take(channel, 3)).toEqual(['pending 1', 'block 2', 'pending 3']);
});

test('behavior: an event goes ahead of the queued events it overtakes, never ahead of others', async () => {
  const channel = createEventChannel<Event>(
    async () => {},
    (event, queued) => event.type === 'block' && queued.type === 'pending',
  );
  const pushed: Promise<void>[] = [];
  for (const event of [
    { type: 'pending', n: 1 },
    { type: 'block', n: 2 },
    { type: 'pending', n: 3 },
    { type: 'pending', n: 4 },
    { type: 'reorg', n: 5 },
    { type: 'pending', n: 6 },
    { type: 'block', n: 7 },
    { type: 'block', n: 8 },
  ] as const)
    pushed.push(channel.push(event));
  expect(await take(channel, 8)).toEqual([
    'block 2',
    'pending 1',
    'pending 3',
    'pending 4',
    'reorg 5',
    'block 7',
    'block 8',
    'pending 6',
  ]);
  channel.close();
  // Every producer is released once its event was processed (or the channel closed).
  await Promise.all(pushed);
});
