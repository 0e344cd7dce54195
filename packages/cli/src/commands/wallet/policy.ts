import path from 'node:path';
import { parseArgs } from 'node:util';
import { closest, UsageError } from '@bulwark/core';
import { resolveActor } from '@bulwark/governance';
import { approvePolicy, compilePolicy, loadPolicy, policyDigest, proposePolicy } from '@bulwark/wallet';
import type { Io } from '../../main.ts';
import { withStore } from '../../store.ts';
import { outputFormat, refusalsExit1, required, storeOptions } from './shared.ts';

export const policyHelp = `Usage: bulwark wallet policy <check|propose|approve> [options]

  bulwark wallet policy check FILE              Validate a policy file; print its digest
  bulwark wallet policy propose FILE [--actor NAME]
                                                Record it as proposed (the log names the proposer)
  bulwark wallet policy approve DIGEST --approver NAME
                                                An admin's vote; at the admin quorum the policy applies

A change applies once the admin quorum of the policy in force approves it (the first policy: its
own). The proposer's vote never counts. A change that could switch a protection off applies
after the loosen delay (48h default); a new allowlist entry is usable after its cool-down (48h).

Options:
      --actor NAME          The proposer (default: $BULWARK_ACTOR, else $USER)
      --approver NAME       The admin approving
  -f, --format <text|json>  Output format (default: text)
      --db DIR              PGlite data folder (default: .bulwark/db; DATABASE_URL selects PostgreSQL)
  -h, --help                Show this help

Exit codes: 0 ok, 1 invalid policy (check) or approval refused, 2 usage or tool error.
`;

const subcommands = ['check', 'propose', 'approve'] as const;

export async function policyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...storeOptions, actor: { type: 'string' }, approver: { type: 'string' } },
  });
  const [sub, target, extra] = positionals;
  if (values.help || sub === 'help') {
    io.stdout(policyHelp);
    return 0;
  }
  if (!sub) {
    io.stderr(policyHelp);
    return 2;
  }
  if (!(subcommands as readonly string[]).includes(sub)) {
    const suggestion = closest(sub, [...subcommands]);
    throw new UsageError(`'${sub}' is not a wallet policy command.`, {
      metaMessages: [
        suggestion ? `Did you mean \`bulwark wallet policy ${suggestion}\`?` : `Use one of: ${subcommands.join(', ')}.`,
      ],
    });
  }
  if (extra !== undefined) throw new UsageError(`Unexpected argument '${extra}' for wallet policy ${sub}.`);
  const format = outputFormat(values.format);
  const what = sub === 'approve' ? 'DIGEST' : 'FILE';
  const argument = required(target, what, `wallet policy ${sub}`);
  const print = (json: unknown, text: string) =>
    io.stdout(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);

  if (sub === 'check') {
    let policy: ReturnType<typeof loadPolicy>;
    try {
      policy = loadPolicy(path.resolve(io.cwd, argument));
    } catch (error) {
      if (format === 'json') {
        print({ valid: false, error: (error as Error).message }, '');
        return 1;
      }
      io.stderr(`${(error as Error).message}\n`);
      return 1;
    }
    const compiled = compilePolicy(policy);
    print(
      {
        valid: true,
        digest: compiled.digest,
        rules: policy.rules.length,
        velocityLimits: compiled.velocityLimits.length,
      },
      `${argument} is a valid wallet policy: ${policy.rules.length} rules, ${compiled.velocityLimits.length} velocity limits.\nDigest ${compiled.digest}\n`,
    );
    return 0;
  }
  if (sub === 'propose') {
    const policy = loadPolicy(path.resolve(io.cwd, argument));
    const proposer = resolveActor(values.actor, io.env);
    const { record, log } = await withStore(io, { db: values.db }, (store) =>
      proposePolicy(store, { policy, proposer }),
    );
    print(
      { id: record.id, proposedBy: proposer, log: { seq: log.seq, hash: log.hash } },
      `Proposed policy ${policyDigest(policy)} as ${proposer}. Admins approve it with\n  bulwark wallet policy approve ${record.id} --approver NAME\n`,
    );
    return 0;
  }
  const approver = required(values.approver, '--approver NAME', 'wallet policy approve');
  return refusalsExit1(io, async () => {
    const result = await withStore(io, { db: values.db }, (store) => approvePolicy(store, { id: argument, approver }));
    print(
      {
        id: argument,
        approver,
        quorumMet: result.quorum.met,
        missing: result.quorum.missing,
        loosens: result.loosens,
        appliesAt: result.appliesAt,
        log: { seq: result.log.seq, hash: result.log.hash },
      },
      result.quorum.met
        ? `Approved: policy ${argument} applies ${result.loosens ? `after the loosen delay, at ${result.appliesAt!.toISOString()}` : 'now'}.\n`
        : `Vote recorded; still needed: ${result.quorum.missing}.\n`,
    );
    return 0;
  });
}
