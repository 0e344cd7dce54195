import { type Identity, listIdentities, type StoreClient, upsertIdentity } from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { IdentityError } from './errors.ts';
import { requireRole } from './requireRole.ts';
import type { Role } from './roles.ts';

export type AddIdentityParameters = {
  name: string;
  roles: readonly Role[];
  /** The person's public key (hex) and its key id, e.g. the key they approve releases with. */
  publicKey?: { hex: string; keyId: string } | undefined;
  /** Who registers them: an admin, except for the very first identity. */
  actor: string;
};

/**
 * Registers a person (or adds roles and a key to one), logged as `identity.add`. The first
 * identity must be an admin, so that someone can register the rest; after that only an admin may.
 */
export async function addIdentity(store: StoreClient, parameters: AddIdentityParameters): Promise<Identity> {
  const name = parameters.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name))
    throw new IdentityError(`${JSON.stringify(parameters.name)} is not an identity name.`, {
      metaMessages: ['Use letters, digits, dot, dash, underscore or @ (up to 64), e.g. alice or alice@example.org.'],
      docsPath: 'governance/identity.md',
    });
  const existing = await listIdentities(store);
  if (existing.length === 0 && !parameters.roles.includes('admin'))
    throw new IdentityError('The first identity must be an admin, so that someone can register the others.', {
      metaMessages: [`Register yourself first: bulwark identity add ${name} --role admin`],
      docsPath: 'governance/identity.md',
    });
  if (existing.length > 0) await requireRole(store, parameters.actor, 'admin');
  const before = existing.find((i) => i.name === name);
  const { result } = await withLogEntry(
    store,
    (tx) =>
      upsertIdentity(tx, {
        name,
        roles: [...(before?.roles ?? []), ...parameters.roles],
        publicKey: parameters.publicKey?.hex ?? before?.publicKey ?? null,
        keyId: parameters.publicKey?.keyId ?? before?.keyId ?? null,
      }),
    (identity) => ({
      actor: existing.length === 0 ? name : parameters.actor,
      action: 'identity.add',
      payload: { name, roles: identity.roles, keyId: identity.keyId },
    }),
  );
  return result;
}
