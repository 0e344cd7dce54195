import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Alert, alertToJson, type Sink } from './alert.ts';
import { toSinkError } from './errors.ts';

export type JsonlSinkOptions = { path: string; name?: string | undefined };

/** Appends one JSON line per alert, creating parent folders. */
export function createJsonlSink(options: JsonlSinkOptions): Sink {
  const name = options.name ?? 'jsonl';
  let ready: Promise<unknown> | undefined;
  return {
    name,
    async send(alert: Alert) {
      try {
        ready ??= mkdir(dirname(options.path), { recursive: true });
        await ready;
        await appendFile(options.path, `${alertToJson(alert)}\n`, 'utf8');
      } catch (error) {
        ready = undefined;
        throw toSinkError(error, name);
      }
    },
  };
}
