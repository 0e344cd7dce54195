import { redactSecrets } from '@bulwark/core';
import {
  claimKey,
  finishClaim,
  getWalletRequest,
  listUnfinishedClaims,
  listWalletRequests,
  type StoreClient,
} from '@bulwark/store';
import type { Signer } from '../signers/signer.ts';
import { WalletRefusedError } from './errors.ts';
import { broadcastSignedAgain, type SendingClient, sendRequest } from './sendRequest.ts';

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
 * whose server died before finishing is taken over after `staleAfterMs`, and a request it had
 * signed but not broadcast is broadcast again (the same transaction).
 */
export function startWalletSender(store: StoreClient, parameters: StartWalletSenderParameters): WalletSender {
  const { signer, client, chainId, source, owner } = parameters;
  const write = parameters.log ?? (() => {});
  // Node errors can quote the RPC URL, keys included.
  const log = (line: string) => write(redactSecrets(line));
  const failedAt = new Map<string, number>();
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const retryDue = (id: string) => {
    const failed = failedAt.get(id);
    return failed === undefined || Date.now() - failed >= (parameters.retryAfterMs ?? 30_000);
  };

  /** Claims left unfinished: by a server that died (stale), or by this one when a broadcast failed. */
  async function finishLeftOver(): Promise<void> {
    const staleBefore = Date.now() - (parameters.staleAfterMs ?? 60_000);
    for (const claim of await listUnfinishedClaims(store, { prefix: 'wallet.send:' })) {
      if (stopped) return;
      const id = claim.key.slice('wallet.send:'.length);
      if (claim.owner === owner ? !retryDue(id) : claim.claimedAt.getTime() >= staleBefore) continue;
      const record = await getWalletRequest(store, id);
      // Not signed yet: the main pass claims and sends it.
      if (record?.state !== 'signed' || record.chainId !== chainId || record.source !== source) continue;
      if (!(await claimKey(store, { key: claim.key, owner, staleAfterMs: parameters.staleAfterMs ?? 60_000 })).claimed)
        continue;
      await attempt(id, claim.key, () => broadcastSignedAgain(store, { id, client, actor: signer.name }));
    }
  }

  async function attempt(id: string, key: string, send: () => Promise<{ hash: string; nonce: number }>) {
    try {
      const { hash, nonce } = await send();
      await finishClaim(store, { key, owner, outcome: `sent ${hash}` });
      failedAt.delete(id);
      log(`wallet: request ${id} sent as ${hash} (nonce ${nonce})`);
    } catch (error) {
      if (error instanceof WalletRefusedError) {
        await finishClaim(store, { key, owner, outcome: `refused ${error.reason}` });
        log(`wallet: request ${id} not sent: ${error.shortMessage}`);
      } else {
        failedAt.set(id, Date.now());
        log(`wallet: sending request ${id} failed, retrying later: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }

  async function sendDue(): Promise<void> {
    await finishLeftOver();
    const due = [
      ...(await listWalletRequests(store, { state: 'approved' })),
      ...(await listWalletRequests(store, { state: 'allowed' })),
    ].filter((record) => record.chainId === chainId && record.source === source);
    for (const record of due.reverse()) {
      if (stopped) return;
      if (!retryDue(record.id)) continue;
      const key = `wallet.send:${record.id}`;
      const claim = await claimKey(store, { key, owner, staleAfterMs: parameters.staleAfterMs ?? 60_000 });
      if (!claim.claimed) continue;
      await attempt(record.id, key, () => sendRequest(store, { id: record.id, signer, client, actor: signer.name }));
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
