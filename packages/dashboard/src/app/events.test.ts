import { expect, test } from 'vitest';
import { parseEventBlock } from './events.ts';

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
