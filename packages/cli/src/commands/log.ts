import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closest, InputError, UsageError } from '@bulwark/core';
import {
  exportLog,
  formatAnchor,
  isSignatureAlgorithm,
  parseAnchor,
  parseLogJsonl,
  readCheckpoint,
  readPublicKey,
  readSigningKey,
  signCheckpoint,
  toLogLine,
  verifyLogEntries,
} from '@bulwark/governance/log';
import {
  listLog,
  type VerifyBoundRowsReturnType,
  type VerifyLogReturnType,
  verifyBoundRows,
  verifyLog,
} from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const logHelp = `Usage: bulwark log <verify|list|export> [options]

The tamper-evident log: every governance action (risks, incidents, audits, approvals…) is an
entry hash-chained to the one before, and records the digest of each governance row it wrote.
\`verify\` re-hashes the chain and reports the first entry that was edited, deleted or moved,
then checks every governance row against the log and reports each row edited, inserted or
deleted outside Bulwark, with the entry that last wrote it.

  bulwark log verify [--anchor SEQ:HASH | --checkpoint FILE [--key PUBKEY]] [--file FILE]
        Verify the store's log and rows, or with --file an exported log without the store.
        --checkpoint is a signed checkpoint: its signature is checked (by --key, or the key of
        a registered identity) and the log must still extend its head.
        --anchor is a head recorded earlier: it also catches entries cut from the end and
        a log rewritten and re-hashed from the start.
  bulwark log list [--action ACTION] [--after SEQ] [--limit N] [--format text|json|jsonl]
  bulwark log export --out FILE
        Write the log as JSON lines (one entry per line), for \`log verify --file\`.
  bulwark log checkpoint --key FILE|--key-env VAR [--algorithm ALG] [--out FILE]
        Sign the log head and governance state digest (after verifying both) with an approver
        key, as a DSSE envelope: keep it outside the database.

Options:
  -f, --format <text|json>  Output format (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 the log is intact, 1 the chain is broken, 2 usage or tool error.
`;

const subcommands = ['verify', 'list', 'export', 'checkpoint'] as const;

export async function logCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub) {
    io.stderr(logHelp);
    return 2;
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(logHelp);
    return 0;
  }
  if (sub === 'verify') return verify(rest, io);
  if (sub === 'list') return list(rest, io);
  if (sub === 'export') return exportCommand(rest, io);
  if (sub === 'checkpoint') return checkpoint(rest, io);
  const suggestion = closest(sub, [...subcommands]);
  throw new UsageError(`'${sub}' is not a log subcommand.`, {
    metaMessages: [
      suggestion ? `Did you mean \`bulwark log ${suggestion}\`?` : `Use one of: ${subcommands.join(', ')}.`,
    ],
    docsPath: 'governance/log.md',
  });
}

function textOrJson(value: string | undefined): 'text' | 'json' {
  const f = value ?? 'text';
  if (f !== 'text' && f !== 'json')
    throw new UsageError(`--format ${f} is not a format here.`, { metaMessages: ['Use text or json.'] });
  return f;
}

function noPositionals(positionals: string[], sub: string): void {
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for log ${sub}.`);
}

async function verify(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      anchor: { type: 'string' },
      checkpoint: { type: 'string' },
      key: { type: 'string' },
      file: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(logHelp);
    return 0;
  }
  noPositionals(positionals, 'verify');
  const out = textOrJson(values.format);
  if (values.anchor !== undefined && values.checkpoint !== undefined)
    throw new UsageError('Give --anchor or --checkpoint, not both: a checkpoint is a signed anchor.');
  if (values.checkpoint !== undefined && values.file !== undefined)
    throw new UsageError('--checkpoint checks the store’s log; with --file, pass its head as --anchor.');
  let anchor = values.anchor === undefined ? undefined : parseAnchor(values.anchor);
  let signedBy: string | undefined;
  let result: VerifyLogReturnType;
  let rows: VerifyBoundRowsReturnType | undefined;
  let source: string;
  if (values.file !== undefined) {
    const file = path.resolve(io.cwd, values.file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new InputError(`Cannot read the log file ${values.file}.`, {
        cause: error,
        metaMessages: ['Check the path; write one with `bulwark log export --out FILE`.'],
        docsPath: 'governance/log.md#export',
      });
    }
    result = verifyLogEntries(parseLogJsonl(text, values.file), { anchor });
    source = values.file;
  } else {
    const verified = await withStore(io, { db: values.db }, async (store) => {
      if (values.checkpoint !== undefined) {
        const read = await readCheckpoint(store, readText(io, values.checkpoint, 'checkpoint'), {
          key: values.key === undefined ? undefined : readPublicKey(values.key, { cwd: io.cwd }),
          file: values.checkpoint,
        });
        anchor = read.checkpoint.head;
        signedBy = read.signer;
      }
      const log = await verifyLog(store, { anchor });
      // Rows are checked against a log that verifies; a broken log vouches for nothing.
      return { result: log, rows: log.ok ? await verifyBoundRows(store) : undefined, location: store.location };
    });
    result = verified.result;
    rows = verified.rows;
    source = verified.location;
  }
  const ok = result.ok && (rows?.ok ?? true);
  if (out === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          source,
          anchor: anchor ?? null,
          ...(signedBy ? { checkpoint: { file: values.checkpoint, signedBy } } : {}),
          ...result,
          ...(rows
            ? { ok, rows: { ok: rows.ok, checked: rows.rows, stateDigest: rows.stateDigest, problems: rows.problems } }
            : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else if (result.ok) {
    io.stdout(
      result.head
        ? `Log intact: ${result.entries} entries, chained from genesis to head ${formatAnchor(result.head)}${anchor ? `, which includes the ${signedBy ? `checkpoint signed by ${signedBy}` : 'anchor'} at ${anchor.seq}` : ''}.\nKeep the head outside the database and pass it as --anchor next time.\n`
        : 'Log intact: it is empty.\n',
    );
    if (rows?.ok) io.stdout(`Rows intact: ${rows.rows} governance rows match the log (state ${rows.stateDigest}).\n`);
    else if (rows)
      io.stdout(
        `Rows BROKEN: ${rows.problems.length} governance row(s) changed outside Bulwark:\n${rows.problems.map((p) => `  ${p.message}`).join('\n')}\n`,
      );
  } else {
    const before = result.entries === 1 ? '1 entry before it verifies' : `${result.entries} entries before it verify`;
    io.stdout(`Log BROKEN at entry ${result.seq} (${result.reason}): ${result.message}\n${before}.\n`);
  }
  return ok ? 0 : 1;
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      action: { type: 'string' },
      after: { type: 'string' },
      limit: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(logHelp);
    return 0;
  }
  noPositionals(positionals, 'list');
  const format = values.format ?? 'text';
  if (!['text', 'json', 'jsonl'].includes(format))
    throw new UsageError(`--format ${format} is not a format here.`, { metaMessages: ['Use text, json or jsonl.'] });
  const number = (option: string, text: string | undefined, min: number) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min)
      throw new UsageError(`--${option} ${text} is not a whole number${min > 0 ? ' above 0' : ''}.`);
    return n;
  };
  const entries = await withStore(io, { db: values.db }, (store) =>
    listLog(store, {
      action: values.action,
      afterSeq: number('after', values.after, 0),
      limit: number('limit', values.limit, 1),
    }),
  );
  const lines = entries.map(toLogLine);
  if (format === 'json') io.stdout(`${JSON.stringify({ entries: lines }, null, 2)}\n`);
  else if (format === 'jsonl') io.stdout(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  else if (lines.length === 0) io.stdout('No log entries match.\n');
  else
    io.stdout(
      `${lines
        .map((l) => {
          const payload = JSON.stringify(l.payload);
          return `${String(l.seq).padStart(5)}  ${l.at}  ${l.actor.padEnd(12)}  ${l.action.padEnd(18)}  ${payload.length > 100 ? `${payload.slice(0, 99)}…` : payload}`;
        })
        .join('\n')}\n`,
    );
  return 0;
}

async function exportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(logHelp);
    return 0;
  }
  noPositionals(positionals, 'export');
  const out = textOrJson(values.format);
  if (!values.out)
    throw new UsageError('log export needs --out FILE.', {
      metaMessages: ['For stdout, use `bulwark log list --format jsonl`.'],
    });
  const file = path.resolve(io.cwd, values.out);
  // Written beside the target and renamed at the end, so a failed export never leaves half a log.
  const partial = `${file}.${process.pid}.partial`;
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (error) {
    throw new InputError(`Cannot write ${values.out}.`, {
      cause: error,
      metaMessages: ['Check that the folder exists and is writable.'],
    });
  }
  let result: Awaited<ReturnType<typeof exportLog>>;
  let closed = false;
  try {
    result = await withStore(io, { db: values.db }, (store) => exportLog(store, (chunk) => writeSync(fd, chunk)));
    closeSync(fd);
    closed = true;
    renameSync(partial, file);
  } catch (error) {
    if (!closed) closeSync(fd);
    rmSync(partial, { force: true });
    throw error;
  }
  if (out === 'json')
    io.stdout(`${JSON.stringify({ file: values.out, entries: result.entries, head: result.head ?? null }, null, 2)}\n`);
  else
    io.stdout(
      `Exported ${result.entries} entries to ${values.out}${result.head ? `; head ${formatAnchor(result.head)}` : ''}.\nCheck it later with: bulwark log verify --file ${values.out}${result.head ? ` --anchor ${formatAnchor(result.head)}` : ''}\n`,
    );
  return 0;
}

function readText(io: Io, file: string, what: string): string {
  try {
    return readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read the ${what} file ${file}.`, {
      cause: error,
      metaMessages: ['Check the path.'],
      docsPath: 'governance/log.md#checkpoints',
    });
  }
}

async function checkpoint(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      'key-env': { type: 'string' },
      algorithm: { type: 'string' },
      out: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(logHelp);
    return 0;
  }
  noPositionals(positionals, 'checkpoint');
  const out = textOrJson(values.format);
  const algorithm = values.algorithm ?? 'ed25519';
  if (!isSignatureAlgorithm(algorithm))
    throw new UsageError(`--algorithm ${algorithm} is not supported.`, { metaMessages: ['Use ed25519 or secp256k1.'] });
  const key = readSigningKey({ algorithm, file: values.key, envVar: values['key-env'], cwd: io.cwd, env: io.env });
  const { envelope, checkpoint: signed } = await withStore(io, { db: values.db }, (store) =>
    signCheckpoint(store, { key }),
  );
  const text = `${JSON.stringify(envelope, null, 2)}\n`;
  if (!values.out) {
    io.stdout(text);
    return 0;
  }
  const file = path.resolve(io.cwd, values.out);
  const partial = `${file}.${process.pid}.partial`;
  try {
    const fd = openSync(partial, 'w');
    writeSync(fd, text);
    closeSync(fd);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new InputError(`Cannot write ${values.out}.`, {
      cause: error,
      metaMessages: ['Check that the folder exists and is writable.'],
    });
  }
  if (out === 'json') io.stdout(`${JSON.stringify({ file: values.out, keyId: key.keyId, ...signed }, null, 2)}\n`);
  else
    io.stdout(
      `Checkpoint of head ${formatAnchor(signed.head)} and state ${signed.stateDigest} signed by ${key.keyId}, written to ${values.out}.\nCheck it later with: bulwark log verify --checkpoint ${values.out}\n`,
    );
  return 0;
}
