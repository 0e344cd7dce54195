import { InputError } from '@bulwark/core';
import { type Address, isAddress } from 'viem';
import type { Competitor } from './competitors.ts';

/** What the monitor's engine asks of a responder once an incident qualifies for a pause. */
export type ResponderRequest = {
  incidentId: string;
  chainId: number;
  /** The contract to pause. */
  contract: Address;
  /** Why, in a sentence: recorded with the action and sent to signers. */
  reason: string;
  /** Decide and record, send nothing. */
  dryRun: boolean;
  /**
   * The pending transactions the decision rests on (the trigger), with their fees: the pause is
   * priced above them, and their senders' other pending transactions, even before the txpool shows them.
   */
  competitors?: readonly Competitor[] | undefined;
  /**
   * What the request's records must follow (the incident they belong to, written while the pause
   * is sent): the pause does not wait for it, its records do, whether it resolves or rejects.
   */
  recordAfter?: Promise<unknown> | undefined;
};

/** Throws an `InputError` naming every malformed field: a bug in the caller, not a chain condition. */
export function checkResponderRequest(request: ResponderRequest, where: string): void {
  if (!request || typeof request !== 'object') throw new InputError(`${where}: the request is not an object.`);
  const problems: string[] = [];
  if (typeof request.incidentId !== 'string' || request.incidentId === '') problems.push('incidentId is empty');
  if (!Number.isSafeInteger(request.chainId)) problems.push('chainId is not an integer');
  if (typeof request.contract !== 'string' || !isAddress(request.contract, { strict: false }))
    problems.push('contract is not an address');
  if (typeof request.reason !== 'string') problems.push('reason is not a string');
  if (request.dryRun !== undefined && typeof request.dryRun !== 'boolean') problems.push('dryRun is not a boolean');
  if (problems.length > 0)
    throw new InputError(`${where}: ${problems.join('; ')}.`, { docsPath: 'monitor/responder.md#requests' });
}
