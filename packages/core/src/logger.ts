import { redactSecrets } from './errors.ts';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];
export type LogFormat = 'text' | 'json';

/** Extra facts of a line: kept as fields in JSON, appended as `key=value` in text. */
export type LogFields = Record<string, string | number | boolean | bigint | null | undefined>;

export type Logger = {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  log(level: LogLevel, message: string, fields?: LogFields): void;
};

export type CreateLoggerParameters = {
  /** Receives each line, newline included (e.g. `process.stderr.write`). */
  write: (line: string) => void;
  /** `text` (default): `2026-01-01T00:00:00.000Z INFO  message key=value`; `json`: one object a line, for log shippers. */
  format?: LogFormat | undefined;
  /** Lines below it are dropped; default `info`. */
  level?: LogLevel | undefined;
  /** Strings never to print (RPC URLs with keys, tokens): replaced by `***` before the generic redaction. */
  secrets?: readonly string[] | undefined;
  /** Default `() => new Date()`; tests pin it. */
  now?: (() => Date) | undefined;
};

/**
 * The one logger of long-running commands: every line has a timestamp and a level, and passes
 * the secrets scrubber (`redactSecrets`) whatever its format.
 */
export function createLogger(parameters: CreateLoggerParameters): Logger {
  const format = parameters.format ?? 'text';
  const minimum = logLevels.indexOf(parameters.level ?? 'info');
  // Longest first, so a URL is replaced whole before its key alone would be.
  const secrets = [...(parameters.secrets ?? [])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const now = parameters.now ?? (() => new Date());
  const clean = (text: string) => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('***');
    return redactSecrets(out);
  };
  const log = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (logLevels.indexOf(level) < minimum) return;
    const time = now().toISOString();
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    if (format === 'json') {
      const record: Record<string, unknown> = { time, level, msg: clean(message) };
      for (const [key, value] of entries) {
        record[key] = typeof value === 'string' ? clean(value) : typeof value === 'bigint' ? value.toString() : value;
      }
      parameters.write(`${JSON.stringify(record)}\n`);
      return;
    }
    const extra = entries.map(([key, value]) => ` ${key}=${quote(clean(String(value)))}`).join('');
    // A multi-line message (an error with details) keeps its lines, indented under the first.
    const text = clean(message).replace(/\n/g, '\n    ');
    parameters.write(`${time} ${level.toUpperCase().padEnd(5)} ${text}${extra}\n`);
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    log,
  };
}

function quote(value: string): string {
  return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
}
