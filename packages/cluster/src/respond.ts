import { createRpcPool } from '@bulwark/chain';
import { type Monitor, poolClient, readPaused, touchedBy } from '@bulwark/monitor';
import { claimKey, finishClaim, getAlert, isClaimDone, retractAlertsFromBlock } from '@bulwark/store';
import { DeliverPolicy, type JsMsg } from '@nats-io/jetstream';
import type { Address, Client } from 'viem';
import { decodeMessage } from './codec.ts';
import {
  blockStream,
  blockSubject,
  type ClusterConnection,
  decisionStream,
  orderedWorkConsumer,
  respondConsumer,
} from './jetstream.ts';
import { type BlockMessage, type DecisionMessage, decisionMessageId } from './messages.ts';
import { retrying, sleep } from './retry.ts';
import { monitorFor, type RoleBase, warn } from './stageParts.ts';

/*
 * Respond: one durable consumer of each chain's decisions, shared by any number of respond
 * processes, one decision in flight at a time. Every effect has an idempotency key in the store:
 * a decision already handled is acknowledged without acting; a pause is claimed once per contract
 * and attack (`pause:<chain>:<contract>:<first block of the verdict>`) before it is sent; an alert
 * whose id is stored is not recorded or sent again (its id comes from the block and partition).
 * A redelivered decision therefore never yields a second alert or a second pause.
 */

export type RespondParameters = RoleBase & {
  connection: ClusterConnection;
  /** This process, as the claims name it. */
  owner: string;
  signal: AbortSignal;
  /** Called after each decision is handled (tests, benchmarks). */
  onHandled?: ((handled: { id: string; alerts: number; pauses: number; repeated: boolean }) => void) | undefined;
};

export async function runRespond(parameters: RespondParameters): Promise<void> {
  await Promise.all(parameters.config.chains.map((chain) => runChain(parameters, chain.id)));
}

async function runChain(parameters: RespondParameters, chainId: number): Promise<void> {
  const { connection, signal, log } = parameters;
  const contracts = parameters.config.contracts.filter((contract) => contract.chain === chainId);
  const monitor = await monitorFor(parameters, chainId, contracts);
  const chain = parameters.config.chains.find((candidate) => candidate.id === chainId)!;
  /** Reads `paused()` of a contract this process paused before (see `releaseIfUnpaused`). */
  const client = poolClient(createRpcPool({ endpoints: chain.rpc }));
  const { responder } = monitor.parts;
  const sent = await retrying(() => responder.drainOutbox(), signal);
  if (sent.alerts + sent.retractions > 0)
    log(`Chain ${chainId}: sent ${sent.alerts} alert(s) and ${sent.retractions} retraction(s) left in the outbox.`);
  await retrying(() => responder.loadIncidents(), signal);
  // As the single process does before its first block: the first pause goes out with no read first.
  const senders = monitor.parts.warmPauseSenders;
  let heads: Promise<void> | undefined;
  if (senders) {
    // Told each block from the stream, as the single process tells them after judging it.
    const warmed = await senders({ heads: 'told' }).then(
      (count) => `${count} contract(s) ready to pause (nonce, gas and pause() simulated; kept fresh each block)`,
      (error: Error) => `pause senders not prepared (${error.message.split('\n')[0]}); each pause reads first`,
    );
    heads = followHeads(parameters, monitor, chainId);
    log(`Chain ${chainId} respond: ${warmed}.`);
  }
  const consumer = await retrying(
    () =>
      orderedWorkConsumer(connection, {
        stream: decisionStream,
        durable: respondConsumer(chainId),
        filterSubject: `bulwark.decisions.${chainId}.*`,
      }),
    signal,
  );
  let failing = false;
  try {
    while (!signal.aborted) {
      let message: JsMsg | null;
      try {
        message = await consumer.next({ expires: 1_000 });
      } catch (error) {
        if (!failing) warn(parameters, `Chain ${chainId} respond: waiting for NATS (${(error as Error).message}).`);
        failing = true;
        await sleep(250, signal);
        continue;
      }
      if (!message) continue;
      failing = false;
      const keepAlive = setInterval(() => message.working(), Math.max(500, connection.settings.ackWaitMs / 3));
      try {
        await handle(parameters, monitor, client, decodeMessage<DecisionMessage>(message.data), message.redelivered);
        await message.ackAck();
        parameters.metrics?.acked(chainId, 'respond', message.redelivered);
      } catch (error) {
        if (!signal.aborted)
          warn(
            parameters,
            `Chain ${chainId} respond: handling a decision failed (handled again once redelivered): ${(error as Error).message}`,
          );
      } finally {
        clearInterval(keepAlive);
      }
    }
  } finally {
    await heads;
    await monitor.stop().catch(() => {});
  }
}

/**
 * Tells the pause senders each new block of the chain's block stream and the accounts it touched
 * (`touchedBy`), so they read again only the contracts whose pause state those reach, as the single process does after judging
 * a block; not every contract at every head. From the stream's newest block on (an ordered
 * consumer: nothing acknowledged, nothing kept); a reorg or a gap makes the senders read every
 * contract once. Until `signal` aborts; NATS away, the senders' prepared state ages and a pause
 * reads first.
 */
async function followHeads(parameters: RespondParameters, monitor: Monitor, chainId: number): Promise<void> {
  const { connection, signal } = parameters;
  const told = monitor.parts.pauseSendersEvaluated;
  if (!told) return;
  let first = true;
  while (!signal.aborted) {
    try {
      const consumer = await connection.js.consumers.get(blockStream, {
        filter_subjects: blockSubject(chainId),
        deliver_policy: DeliverPolicy.New,
      });
      const messages = await consumer.consume();
      if (first) parameters.log(`Chain ${chainId} respond: told each block from the block stream.`);
      first = false;
      const stop = () => messages.stop();
      signal.addEventListener('abort', stop, { once: true });
      // Aborted while the consumer was being made: the listener came too late.
      if (signal.aborted) stop();
      try {
        for await (const message of messages) {
          const incoming = decodeMessage<BlockMessage>(message.data);
          told(incoming.tip.number, incoming.kind === 'block' ? touchedBy(incoming.block) : undefined);
        }
      } finally {
        signal.removeEventListener('abort', stop);
      }
    } catch (error) {
      if (!signal.aborted)
        warn(parameters, `Chain ${chainId} respond: following heads failed (${(error as Error).message}); again.`);
    }
    await sleep(250, signal);
  }
}

async function handle(
  parameters: RespondParameters,
  monitor: Monitor,
  client: Client,
  decision: DecisionMessage,
  redelivered: boolean,
): Promise<void> {
  const { store, owner, log, connection } = parameters;
  const { responder } = monitor.parts;
  const id = decisionMessageId(decision);
  // Most blocks bring nothing to act on: handling such a decision twice does nothing either, so it
  // needs no claim (three commits a decision, which bounded catch-up).
  const nothingToDo = decision.kind === 'decision' && decision.verdicts.length === 0 && decision.alerts.length === 0;
  const decisionKey = `decision:${id}`;
  if (!nothingToDo && (await isClaimDone(store, decisionKey))) {
    parameters.onHandled?.({ id, alerts: 0, pauses: 0, repeated: true });
    return;
  }
  // A decision handled in part by a process that died: what it recorded but did not send.
  if (redelivered) await responder.drainOutbox();
  if (nothingToDo) {
    parameters.onHandled?.({ id, alerts: 0, pauses: 0, repeated: false });
    return;
  }
  const staleAfterMs = connection.settings.ackWaitMs;
  let alerts = 0;
  let pauses = 0;
  if (decision.kind === 'reorg') {
    // Each partition passes the reorg on; the first retracts the dropped blocks' alerts, the rest find
    // them retracted. Alerts of the replacing blocks (another partition may be ahead) stay.
    const retracted =
      decision.dropped.length === 0
        ? await responder.reorg(decision.commonAncestor, decision.from)
        : (
            await retractAlertsFromBlock(store, {
              chainId: decision.chainId,
              fromBlock: decision.from,
              blockHashes: decision.dropped.map((block) => block.hash),
              reason: `reorg: blocks from ${decision.from} replaced (common ancestor ${decision.commonAncestor.number})`,
            })
          ).length;
    await responder.drainOutbox();
    if (retracted > 0)
      log(`Reorg below block ${decision.from}: ${retracted} alert(s) retracted and the retractions sent.`);
  } else {
    const pauseKeys = new Map<string, string>();
    const verdicts = [];
    for (const verdict of decision.verdicts) {
      const key = `pause:${decision.chainId}:${verdict.contract}:${verdict.firstBlock}`;
      const claim = await claimKey(store, { key, owner, staleAfterMs });
      if (claim.claimed) {
        if (responder.holdsPause(verdict.contract))
          await releaseIfUnpaused(parameters, monitor, client, verdict.contract, decision.block.number);
        verdicts.push(verdict);
        pauseKeys.set(verdict.contract, key);
      }
    }
    const acted = await responder.act(verdicts, decision.block, decision.txHash, decision.competitors);
    const fresh = [];
    for (const alert of decision.alerts) if (!(await getAlert(store, alert.id))) fresh.push({ alert });
    const toSend = await responder.record({
      alerts: [...acted.alerts, ...fresh],
      suggestions: acted.suggestions,
      block: decision.block,
    });
    await responder.deliver(toSend);
    for (const [contract, key] of pauseKeys) {
      // A verdict the responder passed over was on a contract this process had paused already.
      const pause = acted.pauses.find((taken) => taken.verdict.contract === contract);
      const outcome = pause ? (pause.outcome?.status ?? 'suggested') : 'paused-before';
      await finishClaim(store, { key, owner, outcome });
    }
    for (const pause of acted.pauses)
      parameters.metrics?.paused(decision.chainId, pause.outcome?.status ?? 'suggested');
    alerts = toSend.length;
    pauses = acted.pauses.filter((pause) => pause.outcome !== undefined).length;
  }
  const claim = await claimKey(store, { key: decisionKey, owner, staleAfterMs: 0 });
  if (claim.claimed) await finishClaim(store, { key: decisionKey, owner, outcome: 'handled' });
  parameters.onHandled?.({ id, alerts, pauses, repeated: false });
}

/**
 * A new attack's verdict on a contract this process paused before. The single process releases a
 * pause on the contract's `Unpaused` log (`Responder.released`); respond reads decisions, not
 * blocks, so it reads `paused()` at the decision's block instead: lifted by the admin since, the
 * pause is released the same way and the verdict pauses again. A failed read releases it too: the
 * breaker reads `paused()` itself before it sends, and a missed pause costs more than an incident
 * opened twice.
 */
async function releaseIfUnpaused(
  parameters: RespondParameters,
  monitor: Monitor,
  client: Client,
  contract: string,
  block: bigint,
): Promise<void> {
  const { responder, contracts } = monitor.parts;
  const name = contracts.find((candidate) => candidate.address.toLowerCase() === contract)?.name ?? contract;
  const paused = await readPaused(client, contract as Address, block).catch((error: Error) => {
    warn(parameters, `${name}: paused() could not be read (${error.message.split('\n')[0]}); its pause is released.`);
    return false;
  });
  if (!paused && responder.released(contract))
    parameters.log(`${name}: unpaused by its admin by block ${block}; a new attack is paused again.`);
}
