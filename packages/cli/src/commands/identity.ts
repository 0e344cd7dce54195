import { parseArgs } from 'node:util';
import { closest, UsageError } from '@bulwark/core';
import { addIdentity, isRole, publicKeyHex, type Role, readPublicKey, roleNames, roles } from '@bulwark/governance';
import { listIdentities } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const identityHelp = `Usage: bulwark identity <add|list> [options]

The people actions are attributed to. Before the first is registered, any name given by --actor,
BULWARK_ACTOR or the login name is logged as given. Once one is registered, every action needs a
registered actor, and roles decide who may resolve audit findings, review dependencies and accept
exceptions. The first identity must be an admin; after that only an admin registers people.

  bulwark identity add NAME [--role ROLE]... [--key PUBKEY]
        Register NAME, or add roles (and a key) to them. Logged as identity.add.
  bulwark identity list [--format text|json]

Roles:
${roleNames.map((role) => `  ${role.padEnd(20)} ${roles[role]}`).join('\n')}

Options:
      --role <role>          A role to grant (repeatable)
      --key <pubkey|file>    The person's public key (hex, or what \`bulwark approve pubkey\` prints)
      --actor <name>         Who registers them (default: $BULWARK_ACTOR, $USER)
  -f, --format <text|json>   Output format (default: text)
      --db <dir>             PGlite folder (default .bulwark/db; DATABASE_URL wins)
  -h, --help                 Show this help

Exit codes: 0 done, 2 usage or tool error (an unregistered actor or a missing role included).
`;

export async function identityCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string', multiple: true },
      key: { type: 'string' },
      actor: { type: 'string' },
      format: { type: 'string', short: 'f' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, ...rest] = positionals;
  if (values.help || sub === 'help') {
    io.stdout(identityHelp);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format here.`, { metaMessages: ['Use text or json.'] });
  if (sub === 'list') {
    if (rest.length > 0) throw new UsageError(`Unexpected argument '${rest[0]}' for identity list.`);
    const identities = await withStore(io, { db: values.db }, (store) => listIdentities(store));
    if (format === 'json') io.stdout(`${JSON.stringify({ identities }, null, 2)}\n`);
    else if (identities.length === 0)
      io.stdout(
        'No identities registered: actions are logged under the name given by --actor, BULWARK_ACTOR or the login name, unchecked.\nRegister yourself first: bulwark identity add YOUR-NAME --role admin\n',
      );
    else
      io.stdout(
        `${identities
          .map((i) =>
            `${i.name.padEnd(20)} ${(i.roles.join(', ') || '(no role)').padEnd(40)} ${i.keyId ?? ''}`.trimEnd(),
          )
          .join('\n')}\n`,
      );
    return 0;
  }
  if (sub === 'add') {
    const [name, ...extra] = rest;
    if (!name) throw new UsageError('identity add needs a NAME: bulwark identity add NAME --role ROLE.');
    if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}' for identity add.`);
    const granted: Role[] = [];
    for (const role of values.role ?? []) {
      if (!isRole(role)) {
        const guess = closest(role, roleNames);
        throw new UsageError(`--role ${role} is not a role.`, {
          metaMessages: [guess ? `Did you mean ${guess}?` : `Use one of: ${roleNames.join(', ')}.`],
          docsPath: 'governance/identity.md',
        });
      }
      granted.push(role);
    }
    if (granted.length === 0 && values.key === undefined)
      throw new UsageError('identity add needs --role ROLE or --key PUBKEY (or both).');
    const key = values.key === undefined ? undefined : readPublicKey(values.key, { cwd: io.cwd });
    if (key && !key.publicKey) throw new UsageError('--key needs a public key, not only an address.');
    const identity = await withStore(io, { db: values.db }, async (store) => {
      // The very first registration is the person themselves; later ones are by an admin.
      const actor = values.actor?.trim() || io.env.BULWARK_ACTOR?.trim() || io.env.USER?.trim() || name;
      return addIdentity(store, {
        name,
        roles: granted,
        publicKey: key ? { hex: publicKeyHex({ publicKey: key.publicKey! }), keyId: key.keyId } : undefined,
        actor,
      });
    });
    if (format === 'json') io.stdout(`${JSON.stringify({ identity }, null, 2)}\n`);
    else
      io.stdout(
        `Registered ${identity.name}: ${identity.roles.join(', ') || 'no role'}${identity.keyId ? `; key ${identity.keyId}` : ''}.\n`,
      );
    return 0;
  }
  if (!sub) {
    io.stderr(identityHelp);
    return 2;
  }
  const guess = closest(sub, ['add', 'list']);
  throw new UsageError(`'${sub}' is not an identity subcommand.`, {
    metaMessages: [guess ? `Did you mean \`bulwark identity ${guess}\`?` : 'Use add or list.'],
    docsPath: 'governance/identity.md',
  });
}
