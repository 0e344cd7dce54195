import { expect, test } from 'vitest';
import { createLogger } from './logger.ts';

const at = () => new Date('2026-03-01T12:00:00.000Z');

test('default: text lines carry a timestamp, a level and the fields', () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line), now: at });
  logger.info('Watching 1 contract(s)', { chain: 1, mode: 'polling' });
  logger.warn('RPC endpoint down: http://a.example', { error: 'HTTP 503 Service Unavailable' });
  expect(lines).toEqual([
    '2026-03-01T12:00:00.000Z INFO  Watching 1 contract(s) chain=1 mode=polling\n',
    '2026-03-01T12:00:00.000Z WARN  RPC endpoint down: http://a.example error="HTTP 503 Service Unavailable"\n',
  ]);
});

test('behavior: JSON mode writes one object a line for log shippers', () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line), format: 'json', now: at });
  logger.error('Chain 1 unreachable', { chain: 1, head: 12n, skipped: undefined });
  expect(lines).toHaveLength(1);
  expect(lines[0]!.endsWith('\n')).toBe(true);
  expect(JSON.parse(lines[0]!)).toEqual({
    time: '2026-03-01T12:00:00.000Z',
    level: 'error',
    msg: 'Chain 1 unreachable',
    chain: 1,
    head: '12',
  });
});

test('behavior: lines below the level are dropped', () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line), level: 'warn' });
  logger.debug('noise');
  logger.info('noise');
  logger.warn('kept');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/WARN {2}kept/);
});

test('error: secrets never reach a line, in either format, in the message or a field', () => {
  const key = 'k3y-of-the-operator-51f0';
  const privateKey = `0x${'ab'.repeat(32)}`;
  for (const format of ['text', 'json'] as const) {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), format, secrets: [key] });
    logger.warn(`endpoint https://user:pass@rpc.example/${key} failed`, { detail: `signed with ${privateKey}` });
    logger.info('https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef down');
    const text = lines.join('');
    expect(text).not.toContain(key);
    expect(text).not.toContain('pass@');
    expect(text).not.toContain(privateKey);
    expect(text).not.toContain('0123456789abcdef0123456789abcdef');
    expect(text).toContain('***');
  }
});

test('behavior: a multi-line message stays one record, its lines indented', () => {
  const lines: string[] = [];
  createLogger({ write: (line) => lines.push(line), now: at }).error('Pause failed\nDetails: reverted');
  expect(lines).toEqual(['2026-03-01T12:00:00.000Z ERROR Pause failed\n    Details: reverted\n']);
});
