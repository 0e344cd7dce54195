import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl.ts';
import { createStdoutSink } from './stdout.ts';
import { sampleAlert } from './testing.ts';

const dir = await mkdtemp(join(tmpdir(), 'bulwark-sinks-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('jsonl sink', () => {
  it('creates folders and appends one line per alert', async () => {
    const path = join(dir, 'nested', 'deeper', 'alerts.jsonl');
    const sink = createJsonlSink({ path });
    expect(sink.name).toBe('jsonl');
    await sink.send(sampleAlert({ id: 'a' }));
    await sink.send(sampleAlert({ id: 'b', details: { big: 5n } }));
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]).id).toBe('a');
    expect(JSON.parse(lines[1]).details.big).toBe('5');
  });

  it('wraps failures in a SinkError', async () => {
    const sink = createJsonlSink({ path: join(dir, 'nested') }); // a directory, cannot append
    await expect(sink.send(sampleAlert())).rejects.toMatchObject({ name: 'SinkError', sink: 'jsonl' });
  });
});

describe('stdout sink', () => {
  it('writes a JSON line to the stream', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    await createStdoutSink({ stream }).send(sampleAlert());
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual(sampleAlert());
  });
});
