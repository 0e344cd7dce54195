import { randomUUID } from 'node:crypto';
import type { Block, BlockRef } from '@bulwark/chain';
import {
  addIncidentEvent,
  insertAlert,
  linkAlertsToIncident,
  listIncidents,
  listPendingDeliveries,
  markAlertDelivered,
  openIncident,
  queueAlertDeliveries,
  retractAlertsFromBlock,
  type StoreClient,
  setCheckpoint,
  upsertBaseline,
  withTransaction,
} from '@bulwark/store';
import type { ContractProfile } from '../../baseline/types.ts';
import type { CompositeVerdict } from '../../engine/composite.ts';
import type { Alert } from '../../sinks/alert.ts';
import type { Dispatcher, DispatchSummary } from '../../sinks/dispatcher.ts';
import type { BlockReport, BreakerOutcome, MonitoredContract, PauseCompetitor } from '../monitor.ts';
import { type DecideOptions, opensIncident, verdictAlert } from './decide.ts';

/*
 * Respond: pauses first (a pause is a race), then one transaction that records a block's alerts
 * (deduplicated by the store's cooldown), their incidents, the suggestions made and the chain's
 * cursor, then the alerts to the sinks through an outbox in the store. The incident policy (one
 * open incident per contract, a pause once, a suggestion once per incident) lives here.
 */

/** The key under which a contract's profile is kept in the store's baselines. */
export const profileMetric = { metricKey: 'profile', window: 'all' } as const;

export type ResponderParameters = {
  chainId: number;
  store: StoreClient;
  dispatcher: Dispatcher;
  contracts: readonly MonitoredContract[];
  decide: DecideOptions;
  /** An alert with the same dedupe key as one recorded within this time is a duplicate (the store's cooldown). */
  cooldownMs?: number | undefined;
  dryRun?: boolean | undefined;
  /** Called after a pause went out (the engine forgets the contract's running score). */
  onPaused?: ((contract: string) => void) | undefined;
  log: (line: string) => void;
};

/** A pause that was not sent because the contract has no automatic pause: recorded on the incident. */
export type PauseSuggestion = { incidentId: string; contract: string; reason: string };

/** An alert to record, with the incident it belongs to when that is already known (a verdict's). */
export type AlertToRecord = { alert: Alert; incidentId?: string | undefined };

export type Acted = {
  pauses: BlockReport['pauses'];
  alerts: AlertToRecord[];
  suggestions: PauseSuggestion[];
};

export type RecordParameters = {
  alerts: readonly AlertToRecord[];
  suggestions?: readonly PauseSuggestion[] | undefined;
  /** The block these came from: `block.timestamp` dates new incidents; with `cursor`, the cursor moves to it. */
  block: Pick<Block, 'number' | 'timestamp'> & Partial<Pick<Block, 'hash' | 'parentHash'>>;
  cursor?: boolean | undefined;
  /** Profiles to save in the same transaction. */
  profiles?: readonly ContractProfile[] | undefined;
};

export type Responder = ReturnType<typeof createResponder>;

export function createResponder(parameters: ResponderParameters) {
  const { chainId, store, dispatcher, log } = parameters;
  const byAddress = new Map(parameters.contracts.map((contract) => [contract.address.toLowerCase(), contract]));
  /** The open incident of each contract this run, and the contracts already paused. */
  const incidents = new Map<string, string>();
  const paused = new Set<string>();
  /** Incidents whose pause the admin lifted: a later attack opens a new one (they stay open for people to resolve). */
  const released = new Set<string>();
  /** Incidents on contracts without an automatic pause, where a pause was already suggested. */
  const suggested = new Set<string>();
  /** Whether `incidents` holds every open incident of the chain (see `loadIncidents`): then a miss needs no store read. */
  let incidentsLoaded = false;

  /** The contract's open incident: this run's, else one still open in the store (from before a restart). */
  async function openIncidentOf(client: StoreClient, contract: string): Promise<string | undefined> {
    const known = incidents.get(contract);
    if (known || incidentsLoaded) return known;
    const open = await listIncidents(client, {
      chainId,
      address: contract,
      state: ['detected', 'triaged', 'contained'],
    });
    const id = open.find((incident) => !released.has(incident.id))?.id;
    if (id) incidents.set(contract, id);
    return id;
  }

  /** The contract's open incident (the alert is filed under it), opened by this alert when there is none. */
  async function incidentFor(client: StoreClient, alert: Alert, startedAt: Date | undefined): Promise<string> {
    let id = await openIncidentOf(client, alert.contract);
    if (id) {
      await linkAlertsToIncident(client, { incidentId: id, alertIds: [alert.id], actor: alert.ruleId });
    } else {
      const name = byAddress.get(alert.contract)?.name ?? alert.contract;
      const incident = await openIncident(client, {
        title: `${alert.title} (${name})`,
        severity: alert.severity,
        chainId,
        address: alert.contract,
        startedAt,
        actor: alert.ruleId,
        alertIds: [alert.id],
        data: { summary: alert.summary },
      });
      id = incident.id;
    }
    incidents.set(alert.contract, id);
    return id;
  }

  async function saveProfile(client: StoreClient, profile: ContractProfile): Promise<void> {
    await upsertBaseline<ContractProfile>(client, {
      chainId,
      address: profile.address,
      ...profileMetric,
      stats: profile,
    });
  }

  /** Outcomes of a sink delivery go to the outbox: a sink that took it is not sent it again. */
  async function markDelivered(summary: DispatchSummary, kind: 'alert' | 'retraction'): Promise<void> {
    for (const outcome of summary.outcomes) {
      if (outcome.ok) await markAlertDelivered(store, { alertId: summary.alertId, sink: outcome.sink, kind });
    }
  }

  /** Sends what the outbox still holds (after a crash, a sink that was down, a reorg's retractions). */
  async function drainOutbox(): Promise<{ alerts: number; retractions: number }> {
    const counts = { alerts: 0, retractions: 0 };
    for (const pending of await listPendingDeliveries(store, { chainId })) {
      const sinks = pending.sinks.filter((sink) => dispatcher.sinks.includes(sink));
      if (sinks.length === 0) continue;
      const alert = {
        ...(pending.alert.payload as unknown as Alert),
        incidentId: pending.alert.incidentId ?? undefined,
      };
      if (pending.kind === 'alert') {
        await markDelivered(await dispatcher.dispatch(alert, { sinks }), 'alert');
        counts.alerts++;
      } else {
        const retracted = {
          at: (pending.alert.retractedAt ?? new Date()).toISOString(),
          reason: pending.alert.retractReason ?? 'retracted',
        };
        await markDelivered(await dispatcher.retract(alert, retracted, { sinks }), 'retraction');
        counts.retractions++;
      }
    }
    return counts;
  }

  return {
    /**
     * Reads the chain's open incidents into memory (before following the chain), so that a
     * verdict finds its contract's incident, or knows there is none, without a store read.
     */
    async loadIncidents(): Promise<void> {
      const open = await listIncidents(store, { chainId, state: ['detected', 'triaged', 'contained'] });
      incidents.clear();
      // The store lists the newest first: the one a lookup by contract would find.
      for (const incident of open) {
        if (incident.address && !released.has(incident.id) && !incidents.has(incident.address))
          incidents.set(incident.address, incident.id);
      }
      incidentsLoaded = true;
    },

    /** Whether this run paused the contract (and the admin has not lifted it since). */
    holdsPause: (contract: string): boolean => paused.has(contract),

    /** The admin lifted the contract's pause: it is watched afresh, and a new attack opens a new incident. */
    released(contract: string): boolean {
      if (!paused.delete(contract)) return false;
      const incident = incidents.get(contract);
      if (incident) released.add(incident);
      incidents.delete(contract);
      return true;
    },

    /**
     * Acts on verdicts that crossed the pause line, the pause before anything is written: the
     * opted-in breaker is called at once (its incident id known from memory, see `loadIncidents`),
     * the incident is opened while the pause goes out, and the breaker's own records wait for it
     * (`recordAfter`). A contract without an automatic pause gets a suggestion instead.
     */
    async act(
      verdicts: readonly CompositeVerdict[],
      block: { number: bigint },
      txHash: string | undefined,
      /** The transactions behind the decision, with their fees: the pause is priced above them. */
      competitors?: readonly PauseCompetitor[],
    ): Promise<Acted> {
      const acted: Acted = { pauses: [], alerts: [], suggestions: [] };
      for (const verdict of verdicts) {
        if (paused.has(verdict.contract)) continue;
        const existing = await openIncidentOf(store, verdict.contract);
        const incidentId = existing ?? randomUUID();
        const alert = verdictAlert(verdict, block.number, txHash, incidentId, parameters.decide);
        const contract = byAddress.get(verdict.contract);
        const reason = `composite score ${verdict.score} from ${verdict.signals.map((s) => s.ruleId).join(', ')}`;
        const pausing = contract?.breaker !== undefined && contract.autoPause;
        let incidentWritten!: () => void;
        const recordAfter = new Promise<void>((resolve) => {
          incidentWritten = resolve;
        });
        let requestedAt: number | undefined;
        let breaking: Promise<BreakerOutcome> | undefined;
        if (pausing) {
          paused.add(verdict.contract);
          requestedAt = performance.timeOrigin + performance.now();
          breaking = contract.breaker!({
            incidentId,
            chainId,
            contract: verdict.contract,
            reason,
            dryRun: parameters.dryRun ?? false,
            txHashes: txHash ? [txHash] : [],
            competitors,
            recordAfter,
          });
        }
        // Written once the breaker has run up to its broadcast (a macrotask later), so the store's
        // work does not sit between the decision and the signed pause on the wire.
        const writing = existing
          ? Promise.resolve()
          : new Promise((resolve) => setImmediate(resolve)).then(() =>
              openIncident(store, {
                id: incidentId,
                title: alert.title,
                severity: 'critical',
                chainId,
                address: verdict.contract,
                actor: 'composite-score',
                data: { summary: alert.summary },
              }),
            );
        incidents.set(verdict.contract, incidentId);
        // The breaker's records wait for the incident, whether its write worked or not (a failed
        // write fails them too, noted in the pause's outcome; the pause itself stands).
        const written = writing.then(incidentWritten, (error: unknown) => {
          incidentWritten();
          incidents.delete(verdict.contract);
          throw error;
        });
        let outcome: BreakerOutcome | undefined;
        try {
          outcome = await breaking;
        } finally {
          await written;
        }
        if (pausing) {
          parameters.onPaused?.(verdict.contract);
          log(`${contract!.name}: pause ${outcome?.status}${outcome?.txHash ? ` (${outcome.txHash})` : ''}.`);
        } else if (contract && !suggested.has(incidentId)) {
          // Suggested once per incident, not again for every signal that keeps the score up.
          suggested.add(incidentId);
          acted.suggestions.push({ incidentId, contract: verdict.contract, reason });
          log(`${contract.name}: pause suggested (${reason}); automatic pause is not enabled for it.`);
        }
        acted.pauses.push({ verdict, incidentId, outcome, requestedAt });
        acted.alerts.push({ alert, incidentId });
      }
      return acted;
    },

    /**
     * Records in one transaction: each alert unless the store's cooldown finds it a duplicate (the
     * one cooldown), filed under its incident and queued for every sink; the suggestions; the
     * profiles; and with `cursor`, the chain's cursor at this block. Returns the alerts to send.
     */
    async record(input: RecordParameters): Promise<Alert[]> {
      const { block } = input;
      const startedAt = new Date(Number(block.timestamp) * 1000);
      try {
        return await withTransaction(store, async (tx) => {
          const toSend: Alert[] = [];
          for (const { alert, incidentId: known } of input.alerts) {
            const { duplicate } = await insertAlert(tx, {
              id: alert.id,
              ruleId: alert.ruleId,
              severity: alert.severity,
              chainId,
              address: alert.contract,
              blockNumber: block.number,
              blockHash: block.hash && block.hash !== `0x${'00'.repeat(32)}` ? block.hash : undefined,
              txHash: alert.txHash,
              dedupeKey: alert.dedupeKey,
              payload: alert as unknown as Record<string, unknown>,
              cooldownMs: parameters.cooldownMs,
            });
            if (duplicate) continue;
            let incidentId = known;
            if (known) {
              await linkAlertsToIncident(tx, { incidentId: known, alertIds: [alert.id], actor: alert.ruleId });
            } else if (opensIncident(alert.severity) || incidents.has(alert.contract)) {
              incidentId = await incidentFor(tx, alert, startedAt);
            }
            await queueAlertDeliveries(tx, { alertId: alert.id, sinks: dispatcher.sinks });
            toSend.push({ ...alert, incidentId });
          }
          for (const suggestion of input.suggestions ?? []) {
            await addIncidentEvent(tx, {
              incidentId: suggestion.incidentId,
              kind: 'pause-suggested',
              actor: 'monitor',
              data: { contract: suggestion.contract, reason: suggestion.reason, autoPause: false },
            });
          }
          for (const profile of input.profiles ?? []) await saveProfile(tx, profile);
          if (input.cursor && block.hash && block.parentHash) {
            await setCheckpoint(tx, {
              chainId,
              blockNumber: block.number,
              blockHash: block.hash,
              blocks: [{ number: block.number, hash: block.hash, parentHash: block.parentHash }],
            });
          }
          return toSend;
        });
      } catch (error) {
        // Rolled back: incidents this transaction opened do not exist; look them up again.
        incidents.clear();
        incidentsLoaded = false;
        throw error;
      }
    },

    /** Saves the profiles (at start and stop; between, `record` saves them with the cursor). */
    async saveProfiles(profiles: readonly ContractProfile[]): Promise<void> {
      await withTransaction(store, async (tx) => {
        for (const profile of profiles) await saveProfile(tx, profile);
      });
    },

    /** Sends recorded alerts to every sink, each marked delivered where the sink took it. */
    async deliver(alerts: readonly Alert[], onFirst?: () => void): Promise<void> {
      for (const alert of alerts) {
        const summary = await dispatcher.dispatch(alert);
        if (summary.delivered > 0) onFirst?.();
        await markDelivered(summary, 'alert');
      }
    },

    drainOutbox,

    /**
     * A reorg: retracts the alerts from the dropped blocks and moves the cursor back to the common
     * ancestor in one transaction, then sends the retractions to the sinks that had the alerts.
     */
    async reorg(commonAncestor: BlockRef, from: bigint): Promise<number> {
      const retracted = await withTransaction(store, async (tx) => {
        const alerts = await retractAlertsFromBlock(tx, {
          chainId,
          fromBlock: from,
          reason: `reorg: blocks from ${from} replaced (common ancestor ${commonAncestor.number})`,
        });
        await setCheckpoint(tx, { chainId, blockNumber: commonAncestor.number, blockHash: commonAncestor.hash });
        return alerts;
      });
      await drainOutbox();
      return retracted.length;
    },
  };
}
