import { redactSecrets } from '@bulwark/core';
import { claimKey, finishClaim, listWalletRequests, type StoreClient } from '@bulwark/store';
import type { Signer } from '../signers/signer.ts';
import { WalletRefusedError } from './errors.ts';
import { type SendingClient, sendRequest } from './sendRequest.ts';

export type StartWalletSenderParameters = {
  signer: Signer;
  client: SendingClient;
  /** The chain `client` speaks to: only requests on it are sent. */
  chainId: number;
  /** The wallet (`source` of a request) `signer` holds the key of. */
  source: string;
  /** This process, among the servers that share the store: who holds a request's claim. */
  owner: string;
  /** How often the store is read for requests to send. Default 1 s. */
  intervalMs?: number | undefined;
  /** A claim its owner did not finish in this time (the owner died) is taken over. Default 60 s. */
  staleAfterMs?: number | undefined;
  /** A request whose sending failed (the node, not a refusal) is tried again after this. Default 30 s. */
  retryAfterMs?: number | undefined;
  log?: ((line: string) => void) | undefined;
};

export type WalletSender = {
  /** Sends what is due now (the timer does it every `intervalMs`). */
  poll(): Promise<void>;
  /** Stops the timer and waits for the send in hand. */
  stop(): Promise<void>;
};

/**
 * Sends every allowed or approved transaction request of one wallet on one chain, from any number
 * of servers sharing the store: each request is claimed first (`cluster_claims`, key
 * `wallet.send:<id>`), so one server signs and broadcasts it while the others skip it; a claim
 * whose server died before finishing is taken over after `staleAfterMs`.
 */
export function startWalletSender(store: StoreClient, parameters: StartWalletSenderParameters): WalletSender {
  const { signer, client, chainId, source, owner } = parameters;
  const write = parameters.log ?? (() => {});
  // Node errors can quote the RPC URL, keys included.
  const log = (line: string) => write(redactSecrets(line));
  const failedAt = new Map<string, number>();
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function sendDue(): Promise<void> {
    const due = [
      ...(await listWalletRequests(store, { state: 'approved' })),
      ...(await listWalletRequests(store, { state: 'allowed' })),
    ].filter((record) => record.chainId === chainId && record.source === source);
    for (const record of due.reverse()) {
      if (stopped) return;
      const failed = failedAt.get(record.id);
      if (failed !== undefined && Date.now() - failed < (parameters.retryAfterMs ?? 30_000)) continue;
      const key = `wallet.send:${record.id}`;
      const claim = await claimKey(store, { key, owner, staleAfterMs: parameters.staleAfterMs ?? 60_000 });
      if (!claim.claimed) continue;
      try {
        const { hash, nonce } = await sendRequest(store, { id: record.id, signer, client, actor: signer.name });
        await finishClaim(store, { key, owner, outcome: `sent ${hash}` });
        failedAt.delete(record.id);
        log(`wallet: request ${record.id} sent as ${hash} (nonce ${nonce})`);
      } catch (error) {
        if (error instanceof WalletRefusedError) {
          await finishClaim(store, { key, owner, outcome: `refused ${error.reason}` });
          log(`wallet: request ${record.id} not sent: ${error.shortMessage}`);
        } else {
          failedAt.set(record.id, Date.now());
          log(
            `wallet: sending request ${record.id} failed, retrying later: ${(error as Error).message.split('\n')[0]}`,
          );
        }
      }
    }
  }

  const poll = () => {
    running = running
      .then(() => (stopped ? undefined : sendDue()))
      .catch((error: unknown) => {
        log(`wallet: reading the requests to send failed: ${(error as Error).message.split('\n')[0]}`);
      });
    return running;
  };
  const timer = setInterval(() => void poll(), parameters.intervalMs ?? 1000);
  timer.unref();
  void poll();
  return {
    poll,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
