import type { MonitorEvent } from '../events/types.ts';
import type { SimulatedFlow } from './types.ts';

/** What one call moved out of and into the protected contracts: per contract, the assets that left net, and the ones that came back net. */
export type CallFlows = { contract: string; gave: SimulatedFlow[]; got: SimulatedFlow[] }[];

/**
 * Nets the value flows of one simulated call per protected contract and asset. Flows between two
 * protected contracts are internal and left out; what leaves toward anyone else counts (the new
 * contract, its deployer, or whoever they send it to).
 */
export function measureFlows(events: readonly MonitorEvent[]): CallFlows {
  const byContract = new Map<string, Map<string, { out: bigint; in: bigint; recipients: Set<string> }>>();
  const entry = (contract: string, asset: string) => {
    let assets = byContract.get(contract);
    if (!assets) {
      assets = new Map();
      byContract.set(contract, assets);
    }
    let flow = assets.get(asset);
    if (!flow) {
      flow = { out: 0n, in: 0n, recipients: new Set() };
      assets.set(asset, flow);
    }
    return flow;
  };
  for (const event of events) {
    if (event.type !== 'value-flow' || event.fromWatched === event.toWatched) continue;
    if (event.fromWatched) {
      const flow = entry(event.from, event.asset);
      flow.out += event.amount;
      flow.recipients.add(event.to);
    } else {
      entry(event.to, event.asset).in += event.amount;
    }
  }
  const result: CallFlows = [];
  for (const [contract, assets] of byContract) {
    const gave: SimulatedFlow[] = [];
    const got: SimulatedFlow[] = [];
    for (const [asset, flow] of assets) {
      const net = flow.out - flow.in;
      if (net === 0n) continue;
      const simulated: SimulatedFlow = {
        contract,
        asset,
        out: flow.out.toString(),
        in: flow.in.toString(),
        net: net.toString(),
        recipients: [...flow.recipients],
      };
      (net > 0n ? gave : got).push(simulated);
    }
    if (gave.length > 0 || got.length > 0) result.push({ contract, gave, got });
  }
  return result;
}
