import type { RpcPool } from '@bulwark/chain';
import { type Address, getAddress } from 'viem';
import { checkDestination, type DestinationCheck } from './checkDestination.ts';
import { type FindPoisoningParameters, type FindPoisoningReturnType, findPoisoning } from './findPoisoning.ts';

export type CheckDestinationHistoryReturnType = {
  /** Undefined when the destination is fine. */
  check: (DestinationCheck & { planted: boolean }) | undefined;
  history: FindPoisoningReturnType;
};

/**
 * Checks a requested destination of `address` against its history on chain: a destination that
 * imitates a real counterparty, or that planted transfers in the history, is reported. For the
 * hosted-wallet policy and the signer preview to call before a transfer.
 */
export async function checkDestinationHistory(
  pool: RpcPool,
  parameters: FindPoisoningParameters & { destination: Address },
): Promise<CheckDestinationHistoryReturnType> {
  const history = await findPoisoning(pool, parameters);
  const destination = getAddress(parameters.destination);
  const planted = history.findings.find((finding) => finding.lookalike === destination);
  const real = history.counterparties.filter((c) => c !== destination || !planted);
  const check = checkDestination(destination, real, parameters);
  if (check) return { check: { ...check, planted: planted !== undefined }, history };
  if (planted) {
    return {
      check: {
        destination,
        imitates: planted.imitates,
        planted: true,
        message: `Destination ${destination} planted transfers in the history while imitating ${planted.imitates.join(', ')}.`,
      },
      history,
    };
  }
  return { check: undefined, history };
}
