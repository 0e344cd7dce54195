import type { Address } from 'viem';
import { ResponderConfigError } from './errors.ts';
import type { PauseOutcome, PauseResponder } from './pauseSender.ts';
import type { SafeProposalOutcome, SafeProposer } from './safeProposal.ts';
import { checkResponderRequest, type ResponderRequest } from './types.ts';

export type ResponderOutcome = ({ kind: 'pause' } & PauseOutcome) | ({ kind: 'safe-proposal' } & SafeProposalOutcome);

export type Responder = {
  /**
   * Routes a request: a contract guarded by a Safe gets a Safe proposal; one guarded by a hot
   * guardian key gets a pause; anything else is refused (and recorded) by the chain's responder.
   */
  respond(request: ResponderRequest): Promise<ResponderOutcome>;
};

export type CreateResponderParameters = {
  /** At most one per chain. */
  pause?: readonly PauseResponder[] | undefined;
  /** At most one per chain. */
  safe?: readonly SafeProposer[] | undefined;
};

/** One entry point for the monitor's engine, over the pause responders and Safe proposers of each chain. */
export function createResponder(parameters: CreateResponderParameters): Responder {
  const pausers = parameters.pause ?? [];
  const proposers = parameters.safe ?? [];
  if (pausers.length + proposers.length === 0)
    throw new ResponderConfigError('Responder: configure a pause responder or a Safe proposer.');
  const unique = (chains: number[], what: string) => {
    const seen = new Set<number>();
    for (const chainId of chains) {
      if (seen.has(chainId)) throw new ResponderConfigError(`Responder: two ${what} for chain ${chainId}; merge them.`);
      seen.add(chainId);
    }
  };
  unique(
    pausers.map((p) => p.chainId),
    'pause responders',
  );
  unique(
    proposers.map((p) => p.chainId),
    'Safe proposers',
  );
  for (const pauser of pausers) {
    const proposer = proposers.find((p) => p.chainId === pauser.chainId);
    const both = pauser.allowed.filter((contract) => proposer?.handles(contract as Address));
    if (both.length > 0)
      throw new ResponderConfigError(
        `Responder: ${both.join(', ')} on chain ${pauser.chainId} is allowed both for a direct pause and a Safe proposal; choose one.`,
      );
  }

  return {
    async respond(request) {
      checkResponderRequest(request, 'Responder request');
      const pauser = pausers.find((p) => p.chainId === request.chainId);
      const proposer = proposers.find((p) => p.chainId === request.chainId);
      if (proposer?.handles(request.contract)) return { kind: 'safe-proposal', ...(await proposer.propose(request)) };
      if (pauser) return { kind: 'pause', ...(await pauser.pause(request)) };
      if (proposer) return { kind: 'safe-proposal', ...(await proposer.propose(request)) };
      throw new ResponderConfigError(
        `Responder: nothing is configured for chain ${request.chainId}; nothing was done.`,
        {
          metaMessages: [
            'Add a pause responder or a Safe proposer for that chain, or stop routing its incidents here.',
          ],
        },
      );
    },
  };
}
