import { expect, test } from 'vitest';
import { applyLiveEvent, type LiveEvent, linkIncidentAlerts, parseEventBlock } from './events.ts';

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

type Row = { id: string; status: string; preview?: string };
const alertRule = { kinds: ['alert', 'alert-retracted'], limit: 3 };
const live = (event: string, data: unknown): LiveEvent => ({ id: '1', event, data });

test('behavior: a new row from an event goes on top; the list keeps at most `limit` rows', () => {
  const rows: Row[] = [
    { id: 'b', status: 'active' },
    { id: 'a', status: 'active' },
  ];
  const once = applyLiveEvent(rows, live('alert', { id: 'c', status: 'active' }), alertRule);
  expect(once.map((row) => row.id)).toEqual(['c', 'b', 'a']);
  const twice = applyLiveEvent(once, live('alert', { id: 'd', status: 'active' }), alertRule);
  expect(twice.map((row) => row.id)).toEqual(['d', 'c', 'b']);
});

test('behavior: a retraction marks its row in place; fields the event lacks are kept', () => {
  const rows: Row[] = [
    { id: 'b', status: 'active', preview: 'kept' },
    { id: 'a', status: 'active' },
  ];
  const next = applyLiveEvent(rows, live('alert-retracted', { id: 'b', status: 'retracted' }), alertRule);
  expect(next).toEqual([
    { id: 'b', status: 'retracted', preview: 'kept' },
    { id: 'a', status: 'active' },
  ]);
  expect(rows[0]?.status).toBe('active');
});

test('behavior: the same event twice leaves one row (a replay after reconnect is harmless)', () => {
  const event = live('alert', { id: 'a', status: 'active' });
  const rows = applyLiveEvent(applyLiveEvent([] as Row[], event, alertRule), event, alertRule);
  expect(rows).toEqual([{ id: 'a', status: 'active' }]);
});

test('edge: an event of another kind, or without an id, leaves the list as it was', () => {
  const rows: Row[] = [{ id: 'a', status: 'active' }];
  expect(applyLiveEvent(rows, live('incident', { id: 'i1', alertIds: ['a'] }), alertRule)).toBe(rows);
  expect(applyLiveEvent(rows, live('alert', 'not json'), alertRule)).toBe(rows);
  expect(applyLiveEvent(rows, live('alert', null), alertRule)).toBe(rows);
});

test('behavior: an incident event links the alerts it names (through `also`); others are untouched', () => {
  type AlertRow = { id: string; incidentId: string | null };
  const rule = { kinds: ['alert'], limit: 10, also: linkIncidentAlerts<AlertRow> };
  const rows: AlertRow[] = [
    { id: 'b', incidentId: null },
    { id: 'a', incidentId: null },
  ];
  expect(applyLiveEvent(rows, live('incident', { id: 'i1', alertIds: ['a'] }), rule)).toEqual([
    { id: 'b', incidentId: null },
    { id: 'a', incidentId: 'i1' },
  ]);
  // An incident from a server that does not name its alerts changes nothing.
  expect(applyLiveEvent(rows, live('incident', { id: 'i1' }), rule)).toBe(rows);
});
