import { BaseError } from '@bulwark/core';

/** Something is wrong with how the store was configured (a malformed DATABASE_URL, a bad option). */
export class StoreConfigError extends BaseError {
  override name = 'StoreConfigError' as const;
}

/** The store could not be opened: PostgreSQL unreachable or refusing us, a PGlite folder that cannot be used. */
export class StoreOpenError extends BaseError {
  override name = 'StoreOpenError' as const;
}

/** Another process holds the PGlite data folder; PGlite cannot be shared between processes. */
export class StoreLockedError extends BaseError {
  override name = 'StoreLockedError' as const;
}

/** The database was migrated by a newer Bulwark than this one; we refuse to touch it. */
export class SchemaTooNewError extends BaseError {
  override name = 'SchemaTooNewError' as const;
}

/** A migration failed; the transaction around it was rolled back, so nothing was lost. */
export class MigrationError extends BaseError {
  override name = 'MigrationError' as const;
}

/** A row the caller named does not exist. */
export class NotFoundError extends BaseError {
  override name = 'NotFoundError' as const;
}

/**
 * A write lost a race or broke a rule of the data: a checkpoint or baseline changed since it was
 * read, an incident asked to move to a state it cannot reach, a duplicate approval.
 */
export class ConflictError extends BaseError {
  override name = 'ConflictError' as const;
}

/** An incident transition the state machine does not allow. */
export class InvalidTransitionError extends BaseError {
  override name = 'InvalidTransitionError' as const;
}
