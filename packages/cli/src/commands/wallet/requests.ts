import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import { resolveActor } from '@bulwark/governance';
import { listWalletRequests, type WalletRequestState } from '@bulwark/store';
import {
  activePolicy,
  approveRequest,
  type Decision,
  type PriceSource,
  priceSourceFor,
  rejectRequest,
  staticPriceTable,
  submitRequestText,
} from '@bulwark/wallet';
import type { Io } from '../../main.ts';
import { withStore } from '../../store.ts';
import { exitFor, formatDecision, outputFormat, readInput, refusalsExit1, required, storeOptions } from './shared.ts';

export const requestHelp = `Usage: bulwark wallet request FILE [options]

Submits a request (wallet.request.schema.json) to the policy in force: it is allowed, held for
approval (with its request digest, which approvers confirm) or blocked. The request, its decision
and any velocity reservation are stored and logged in one transaction; a malformed or oversized
request is refused and the refusal logged.

Options:
      --prices FILE         Price table for usd rules (default: the policy's prices.table, from the working folder)
      --actor NAME          Who submits, for refusals of unreadable requests (default: $BULWARK_ACTOR, else $USER)
  -f, --format <text|json>  Output format (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 allowed, 1 held for approval or blocked, 2 usage or input error (incl. a refused request).
`;

export const approveHelp = `Usage: bulwark wallet approve ID --approver NAME --digest DIGEST [options]

One approver's vote on a held request. --digest is the request digest the approver reviewed; the
vote counts only when it is the request's. Refused (exit 1, logged): the initiator approving their
own, an approver outside the rule's quorum groups, a second vote, an expired or closed request.

Options:
      --approver NAME       Who approves
      --digest DIGEST       The request digest reviewed (from \`wallet request\` or \`wallet requests\`)
  -f, --format <text|json>  Output format (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 vote recorded, 1 refused, 2 usage or tool error.
`;

export const rejectHelp = `Usage: bulwark wallet reject ID --actor NAME [--reason TEXT] [options]

Rejects a held request (an approver of its quorum, or its initiator withdrawing it); its velocity
reservation is released.

Options:
      --actor NAME          Who rejects (default: $BULWARK_ACTOR, else $USER)
      --reason TEXT         Why, for the log
  -f, --format <text|json>  Output format (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 rejected, 1 refused, 2 usage or tool error.
`;

export const requestsHelp = `Usage: bulwark wallet requests [--state STATE] [--initiator NAME] [options]

Lists requests, newest first, with state, digest and the deciding rule.

Options:
      --state STATE         allowed, pending, approved, blocked, rejected, expired or signed
      --initiator NAME      Only this initiator's requests
  -f, --format <text|json>  Output format (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 2 usage or tool error.
`;

const states = ['allowed', 'pending', 'approved', 'blocked', 'rejected', 'expired', 'signed'] as const;

function parse(argv: string[], io: Io, help: string, options: Record<string, { type: 'string' }>) {
  const parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...storeOptions, ...options } });
  if (parsed.values.help) io.stdout(help);
  return parsed as { values: Record<string, string | boolean | undefined>; positionals: string[] };
}

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

export async function requestCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, io, requestHelp, {
    prices: { type: 'string' },
    actor: { type: 'string' },
  });
  if (values.help) return 0;
  if (positionals.length !== 1)
    throw new UsageError('wallet request takes one request FILE.', {
      metaMessages: ['Run `bulwark wallet request --help`.'],
    });
  const format = outputFormat(text(values.format));
  const file = readInput(io, positionals[0]!, 'request file');
  const explicit = text(values.prices);
  const { record, decision, digest } = await withStore(io, { db: text(values.db) }, async (store) => {
    let prices: PriceSource | undefined = explicit ? staticPriceTable(path.resolve(io.cwd, explicit)) : undefined;
    if (!prices) {
      const active = await activePolicy(store, new Date());
      prices = active && priceSourceFor(active.compiled, io.cwd);
    }
    return submitRequestText(store, {
      text: file.text,
      where: positionals[0],
      actor: resolveActor(text(values.actor), io.env),
      prices,
    });
  });
  if (format === 'json')
    io.stdout(
      `${JSON.stringify({ id: record.id, state: record.state, digest, expiresAt: record.expiresAt, decision }, null, 2)}\n`,
    );
  else
    io.stdout(
      `Request ${record.id}: ${record.state}${record.expiresAt ? ` (approvals until ${record.expiresAt.toISOString()})` : ''}\n${formatDecision(decision, digest)}`,
    );
  return exitFor(decision);
}

export async function approveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, io, approveHelp, {
    approver: { type: 'string' },
    digest: { type: 'string' },
  });
  if (values.help) return 0;
  if (positionals.length !== 1)
    throw new UsageError('wallet approve takes one request ID.', {
      metaMessages: ['Run `bulwark wallet approve --help`.'],
    });
  const format = outputFormat(text(values.format));
  const approver = required(text(values.approver), '--approver NAME', 'wallet approve');
  const digest = required(text(values.digest), '--digest DIGEST', 'wallet approve');
  return refusalsExit1(io, async () => {
    const result = await withStore(io, { db: text(values.db) }, (store) =>
      approveRequest(store, { id: positionals[0]!, approver, digest }),
    );
    if (format === 'json')
      io.stdout(
        `${JSON.stringify({ id: result.record.id, state: result.record.state, quorumMet: result.quorum.met, missing: result.quorum.missing }, null, 2)}\n`,
      );
    else
      io.stdout(
        result.quorum.met
          ? `Request ${result.record.id} approved.\n`
          : `Vote recorded; still needed: ${result.quorum.missing}.\n`,
      );
    return 0;
  });
}

export async function rejectCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, io, rejectHelp, {
    actor: { type: 'string' },
    reason: { type: 'string' },
  });
  if (values.help) return 0;
  if (positionals.length !== 1)
    throw new UsageError('wallet reject takes one request ID.', {
      metaMessages: ['Run `bulwark wallet reject --help`.'],
    });
  const format = outputFormat(text(values.format));
  const actor = resolveActor(text(values.actor), io.env);
  return refusalsExit1(io, async () => {
    const { record } = await withStore(io, { db: text(values.db) }, (store) =>
      rejectRequest(store, { id: positionals[0]!, actor, reason: text(values.reason) }),
    );
    io.stdout(
      format === 'json'
        ? `${JSON.stringify({ id: record.id, state: record.state }, null, 2)}\n`
        : `Request ${record.id} rejected.\n`,
    );
    return 0;
  });
}

export async function requestsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, io, requestsHelp, {
    state: { type: 'string' },
    initiator: { type: 'string' },
  });
  if (values.help) return 0;
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}' for wallet requests.`);
  const format = outputFormat(text(values.format));
  const state = text(values.state);
  if (state !== undefined && !(states as readonly string[]).includes(state))
    throw new UsageError(`--state ${state} is not a request state.`, { metaMessages: [`Use ${states.join(', ')}.`] });
  const rows = await withStore(io, { db: text(values.db) }, (store) =>
    listWalletRequests(store, { state: state as WalletRequestState | undefined, initiator: text(values.initiator) }),
  );
  if (format === 'json') {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const row of rows) {
    const decision = row.decision as unknown as Decision;
    io.stdout(
      `${row.id}  ${row.state.padEnd(8)}  ${row.createdAt.toISOString()}  ${row.initiator}  ${decision.rule}  ${row.digest}\n`,
    );
  }
  if (rows.length === 0) io.stdout('No wallet requests.\n');
  return 0;
}
