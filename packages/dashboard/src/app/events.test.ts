import { expect, test, vi } from 'vitest';
import { applyLiveEvent, followEvents, type LiveEvent, linkIncidentAlerts, parseEventBlock } from './events.ts';

test('default: an event with id, type and JSON data', () => {
  expect(parseEventBlock('id: 7\nevent: alert\ndata: {"id":"a1","ruleId":"drain"}')).toEqual({
    id: '7',
    event: 'alert',
    data: { id: 'a1', ruleId: 'drain' },
  });
});

test('behavior: data over several lines is joined; CRLF line ends are accepted', () => {
  expect(parseEventBlock('event: incident\r\ndata: {"id":\r\ndata: "i1"}')).toEqual({
    id: undefined,
    event: 'incident',
    data: { id: 'i1' },
  });
});

test('behavior: a heartbeat comment is no event; text that is not JSON is kept as text', () => {
  expect(parseEventBlock(': heartbeat')).toBeUndefined();
  expect(parseEventBlock('data: hello')).toEqual({ id: undefined, event: 'message', data: 'hello' });
});

type Row = { id: string; status: string; createdAt: string; preview?: string };
const alertRule = { kinds: ['alert', 'alert-retracted'], limit: 3, orderBy: 'createdAt' as const };
const live = (event: string, data: unknown): LiveEvent => ({ id: '1', event, data });
const row = (id: string, minute: number, status = 'active'): Row => ({
  id,
  status,
  createdAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
});

test('behavior: a new row from an event goes on top; the list keeps at most `limit` rows', () => {
  const rows = [row('b', 2), row('a', 1)];
  const once = applyLiveEvent(rows, live('alert', row('c', 3)), alertRule);
  expect(once.map((each) => each.id)).toEqual(['c', 'b', 'a']);
  const twice = applyLiveEvent(once, live('alert', row('d', 4)), alertRule);
  expect(twice.map((each) => each.id)).toEqual(['d', 'c', 'b']);
});

test('behavior: a row older than the newest goes in its place by time; one older than a full list stays out', () => {
  const rows = [row('c', 3), row('a', 1)];
  const placed = applyLiveEvent(rows, live('alert', row('b', 2)), alertRule);
  expect(placed.map((each) => each.id)).toEqual(['c', 'b', 'a']);
  // A retraction of an alert the full list no longer shows does not bring it back on top.
  expect(applyLiveEvent(placed, live('alert-retracted', row('old', 0, 'retracted')), alertRule)).toEqual(placed);
});

test('behavior: a retraction marks its row in place; fields the event lacks are kept', () => {
  const rows: Row[] = [{ ...row('b', 2), preview: 'kept' }, row('a', 1)];
  const next = applyLiveEvent(rows, live('alert-retracted', { id: 'b', status: 'retracted' }), alertRule);
  expect(next).toEqual([{ ...row('b', 2, 'retracted'), preview: 'kept' }, row('a', 1)]);
  expect(rows[0]?.status).toBe('active');
});

test('behavior: the same event twice leaves one row (a replay after reconnect is harmless)', () => {
  const event = live('alert', row('a', 1));
  const rows = applyLiveEvent(applyLiveEvent([] as Row[], event, alertRule), event, alertRule);
  expect(rows).toEqual([row('a', 1)]);
});

test('edge: an event of another kind, or without an id, leaves the list as it was', () => {
  const rows = [row('a', 1)];
  expect(applyLiveEvent(rows, live('incident', { id: 'i1', alertIds: ['a'] }), alertRule)).toBe(rows);
  expect(applyLiveEvent(rows, live('alert', 'not json'), alertRule)).toBe(rows);
  expect(applyLiveEvent(rows, live('alert', null), alertRule)).toBe(rows);
});

test('behavior: an incident event links the alerts it names (through `also`); others are untouched', () => {
  type AlertRow = { id: string; incidentId: string | null; createdAt: string };
  const rule = { kinds: ['alert'], limit: 10, orderBy: 'createdAt' as const, also: linkIncidentAlerts<AlertRow> };
  const rows: AlertRow[] = [
    { id: 'b', incidentId: null, createdAt: '2026-01-01T00:02:00.000Z' },
    { id: 'a', incidentId: null, createdAt: '2026-01-01T00:01:00.000Z' },
  ];
  expect(applyLiveEvent(rows, live('incident', { id: 'i1', alertIds: ['a'] }), rule)).toEqual([
    rows[0],
    { ...rows[1], incidentId: 'i1' },
  ]);
  // An incident from a server that does not name its alerts changes nothing.
  expect(applyLiveEvent(rows, live('incident', { id: 'i1' }), rule)).toBe(rows);
});

test('behavior: a resync event (the server cut its replay off) reads the lists again; other events go on as events', async () => {
  // A Response as the server streams it: resumed, a replayed alert, the resync, a live alert.
  const body = [
    ': connected\n\n',
    'id: 5\nevent: alert\ndata: {"id":"a1"}\n\n',
    'event: resync\ndata: {"reason":"replay-limit","replayed":1}\n\n',
    'id: 6\nevent: alert\ndata: {"id":"a2"}\n\n',
  ].join('');
  const stop = new AbortController();
  vi.stubGlobal('sessionStorage', { getItem: () => 'bwk_token' });
  vi.stubGlobal('fetch', async () => {
    return new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body));
          controller.close();
        },
      }),
      { status: 200, headers: { 'content-type': 'text/event-stream' } },
    );
  });
  const events: LiveEvent[] = [];
  let gaps = 0;
  try {
    await new Promise<void>((resolve) => {
      void followEvents(
        (event) => {
          events.push(event);
          if (event.data && (event.data as { id?: string }).id === 'a2') {
            stop.abort();
            resolve();
          }
        },
        () => {},
        stop.signal,
        () => {
          gaps++;
        },
      );
    });
  } finally {
    vi.unstubAllGlobals();
  }
  // One gap when the stream opened without an id to resume from, one for the resync.
  expect(gaps).toBe(2);
  expect(events.map((event) => event.event)).toEqual(['alert', 'alert']);
});
