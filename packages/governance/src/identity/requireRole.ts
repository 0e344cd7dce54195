import { getIdentity, type Identity, type StoreClient } from '@bulwark/store';
import { IdentityError } from './errors.ts';
import type { Role } from './roles.ts';

const docsPath = 'governance/identity.md';

/**
 * The actor's identity, once any is registered: an unregistered actor is refused. Before the
 * first registration every name is accepted (as given), so a new project can start; the first
 * `bulwark identity add NAME --role admin` turns the check on. Returns undefined in that case.
 */
export async function requireIdentity(store: StoreClient, actor: string): Promise<Identity | undefined> {
  const identity = await getIdentity(store, actor);
  if (identity) return identity;
  const any = await store.db.selectFrom('identities').select('name').limit(1).executeTakeFirst();
  if (!any) return undefined;
  throw new IdentityError(`${JSON.stringify(actor)} is not a registered identity, so it cannot act here.`, {
    metaMessages: [
      'Act as a registered person: --actor NAME or BULWARK_ACTOR=NAME (`bulwark identity list` shows them).',
      'An admin registers people with `bulwark identity add NAME --role ROLE [--key PUBKEY]`.',
    ],
    docsPath,
  });
}

/**
 * Refuses the action unless `actor` holds `role` (or `admin`). Before any identity is registered,
 * anyone may act (see requireIdentity). Exceptions, audit resolutions and dependency reviews call it.
 */
export async function requireRole(store: StoreClient, actor: string, role: Role): Promise<void> {
  const identity = await requireIdentity(store, actor);
  if (!identity || identity.roles.includes(role) || identity.roles.includes('admin')) return;
  throw new IdentityError(`${actor} may not do this: it needs the role ${role}.`, {
    metaMessages: [
      `${actor} has ${identity.roles.length > 0 ? `the role(s) ${identity.roles.join(', ')}` : 'no role'}.`,
      `An admin grants it with \`bulwark identity add ${actor} --role ${role}\` (roles add up).`,
    ],
    docsPath,
  });
}
