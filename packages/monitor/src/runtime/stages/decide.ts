import { randomUUID } from 'node:crypto';
import type { CompositeVerdict } from '../../engine/composite.ts';
import type { BlockResult, TxResult } from '../../engine/engine.ts';
import type { Signal } from '../../rules/types.ts';
import { ALERT_SEVERITIES, type Alert, type AlertSeverity } from '../../sinks/alert.ts';

/*
 * Decide: what the engine found in a block becomes alerts to raise and verdicts to act on. Pure:
 * no store, no chain; the respond stage records and sends.
 */

export type DecideOptions = {
  chainId: number;
  /** Signals below this severity are kept out of alerts (they still count in the composite). */
  minSeverity?: AlertSeverity | undefined;
  /** Contract names, for titles. */
  names: ReadonlyMap<string, string>;
  /** Function signatures by contract and selector (from the configured ABIs), to name selectors. */
  functionNames?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
  /** The contracts exposed to an attack on `contract` (see `withExposed`); none when not given. */
  exposedTo?: ((contract: string) => readonly string[]) | undefined;
};

/** A verdict on a contract, or one it inherits from an attacked price source it reads (`exposedTo`: the source). */
export type ExposedVerdict = CompositeVerdict & { exposedTo?: string | undefined };

export type Decision = {
  /** One alert per signal at or above the minimum severity, in transaction order. */
  alerts: Alert[];
  /** Verdicts that crossed the pause line. */
  verdicts: CompositeVerdict[];
  /** The transaction the verdicts rest on (the last flagged one). */
  txHash: string | undefined;
};

export function decide(result: Pick<BlockResult, 'flagged' | 'pauses' | 'number'>, options: DecideOptions): Decision {
  const minRank = ALERT_SEVERITIES.indexOf(options.minSeverity ?? 'low');
  const alerts: Alert[] = [];
  for (const flagged of result.flagged) {
    for (const signal of flagged.signals) {
      if (ALERT_SEVERITIES.indexOf(signal.severity) > minRank) continue;
      alerts.push(signalAlert(signal, flagged, result.number, options));
    }
  }
  return {
    alerts,
    verdicts: options.exposedTo ? withExposed(result.pauses, options.exposedTo) : result.pauses,
    txHash: result.flagged.at(-1)?.tx.hash,
  };
}

/**
 * The verdicts, plus one for each contract exposed to a contract whose verdict crossed the pause
 * line (`exposed(contract)`: the contracts that read a price source whose price an attacker moved
 * or whose reserves left). A two-block attack pushes the price in one block and borrows against
 * it in the next: the reader's own signals come only with the second, once its funds are gone.
 * An exposed contract keeps its own verdict when that one pauses already.
 */
export function withExposed(
  verdicts: readonly CompositeVerdict[],
  exposed: (contract: string) => readonly string[],
): ExposedVerdict[] {
  const byContract = new Map<string, ExposedVerdict>(verdicts.map((verdict) => [verdict.contract, verdict]));
  for (const verdict of verdicts) {
    if (!verdict.pause) continue;
    for (const reader of exposed(verdict.contract)) {
      if (byContract.get(reader)?.pause) continue;
      byContract.set(reader, { ...verdict, contract: reader, exposedTo: verdict.contract });
    }
  }
  return [...byContract.values()];
}

/** `0x4641257d` becomes `harvest() (0x4641257d)` where the contract's ABI names it. */
function named(options: DecideOptions, contract: string, text: string): string {
  const names = options.functionNames?.get(contract);
  if (!names) return text;
  return text.replace(/0x[0-9a-f]{8}(?![0-9a-fA-F])/g, (selector) => {
    const name = names.get(selector);
    return name ? `${name} (${selector})` : selector;
  });
}

export function signalAlert(signal: Signal, result: TxResult, blockNumber: bigint, options: DecideOptions): Alert {
  const { chainId } = options;
  return {
    id: randomUUID(),
    ruleId: signal.ruleId,
    title: named(options, signal.contract, signal.title),
    severity: signal.severity,
    chainId,
    contract: signal.contract,
    blockNumber: blockNumber.toString(),
    txHash: result.tx.hash,
    at: new Date().toISOString(),
    summary: named(options, signal.contract, signal.summary),
    details: { ...signal.details, stage: signal.stage, score: signal.score, actor: signal.actor },
    dedupeKey: `${chainId}:${signal.ruleId}:${signal.contract}:${signal.actor ?? result.tx.from}`,
  };
}

export function verdictAlert(
  verdict: ExposedVerdict,
  blockNumber: bigint,
  txHash: string | undefined,
  incidentId: string,
  options: DecideOptions,
): Alert {
  const { chainId } = options;
  const name = options.names.get(verdict.contract) ?? verdict.contract;
  const rules = verdict.signals.map((signal) => `${signal.ruleId} ${signal.score}`).join(', ');
  return {
    id: randomUUID(),
    ruleId: 'composite-score',
    title: verdict.exposedTo
      ? `Attack on ${options.names.get(verdict.exposedTo) ?? verdict.exposedTo}, read by ${name}: composite score ${verdict.score}`
      : `Attack on ${name}: composite score ${verdict.score}`,
    severity: 'critical',
    chainId,
    contract: verdict.contract,
    blockNumber: blockNumber.toString(),
    txHash,
    at: new Date().toISOString(),
    summary: `Signals across stages ${verdict.stages.join(', ')} (${rules}) crossed the pause line since block ${verdict.firstBlock}${verdict.exposedTo ? ` on ${options.names.get(verdict.exposedTo) ?? verdict.exposedTo}, whose price ${name} reads` : ''}.`,
    details: {
      ...(verdict.exposedTo ? { exposedTo: verdict.exposedTo } : {}),
      score: verdict.score,
      stages: verdict.stages,
      signals: verdict.signals,
      firstBlock: verdict.firstBlock,
    },
    // One per incident: a new attack after the admin lifted a pause is a new incident and alerts again.
    dedupeKey: `${chainId}:composite-score:${verdict.contract}:${incidentId}`,
  };
}

/** Whether an alert of this severity opens an incident (low and info ones only join an open one). */
export function opensIncident(severity: AlertSeverity): boolean {
  return ALERT_SEVERITIES.indexOf(severity) <= ALERT_SEVERITIES.indexOf('medium');
}
