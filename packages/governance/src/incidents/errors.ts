import { BaseError } from '@bulwark/core';

/** No incident matches the id (or the prefix) given. */
export class IncidentNotFoundError extends BaseError {
  override name = 'IncidentNotFoundError' as const;
}

/** Input for an incident that cannot be recorded: an unknown severity, an empty title, a bad duration. */
export class IncidentInputError extends BaseError {
  override name = 'IncidentInputError' as const;
}
