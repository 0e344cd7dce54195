import { createHash, randomBytes } from 'node:crypto';
import {
  type ApiToken,
  type ApiTokenRole,
  appendLog,
  insertApiToken,
  type StoreClient,
  withTransaction,
} from '@bulwark/store';

/** Roles in order: each may do what the ones before it may. */
export const apiRoles = ['viewer', 'operator', 'approver', 'admin'] as const satisfies readonly ApiTokenRole[];

export const roleAllows = (held: ApiTokenRole, needed: ApiTokenRole): boolean =>
  apiRoles.indexOf(held) >= apiRoles.indexOf(needed);

/** What is stored for a token: the sha256 of the whole token text, lower-case hex. */
export const hashApiToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export type CreateApiTokenParameters = {
  name: string;
  role: ApiTokenRole;
  /** Who creates it, for the log (`bulwark init` for the first admin token). */
  actor: string;
  now?: Date | undefined;
};

/**
 * Creates a token from a random 32-byte secret and returns its text, which is never stored or
 * shown again: only its hash is kept, and the creation is logged (name and role, never the
 * secret) in the same transaction.
 */
export async function createApiToken(
  store: StoreClient,
  parameters: CreateApiTokenParameters,
): Promise<{ token: string; record: ApiToken }> {
  const token = `bwk_${randomBytes(32).toString('base64url')}`;
  const now = parameters.now ?? new Date();
  const record = await withTransaction(store, async (tx) => {
    const inserted = await insertApiToken(tx, {
      name: parameters.name,
      role: parameters.role,
      hash: hashApiToken(token),
      createdAt: now,
    });
    await appendLog(tx, {
      actor: parameters.actor,
      action: 'api-token.create',
      payload: { name: inserted.name, role: inserted.role },
      at: now,
    });
    return inserted;
  });
  return { token, record };
}
