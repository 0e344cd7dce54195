import { type Alert, alertToJson, type Sink } from './alert.ts';
import { toSinkError } from './errors.ts';

export type StdoutSinkOptions = {
  /** Defaults to process.stdout. */
  stream?: NodeJS.WritableStream | undefined;
  name?: string | undefined;
};

/** Writes one JSON line per alert to a writable stream. */
export function createStdoutSink(options: StdoutSinkOptions = {}): Sink {
  const name = options.name ?? 'stdout';
  const stream = options.stream ?? process.stdout;
  return {
    name,
    send(alert: Alert) {
      return new Promise<void>((resolve, reject) => {
        try {
          stream.write(`${alertToJson(alert)}\n`, (error) => (error ? reject(toSinkError(error, name)) : resolve()));
        } catch (error) {
          reject(toSinkError(error, name));
        }
      });
    },
  };
}
