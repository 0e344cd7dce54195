import type { SimulatedDrain } from '../../simulate/types.ts';
import { defineRule } from '../defineRule.ts';
import { round, scaledScore, short } from '../score.ts';
import type { Signal } from '../types.ts';

export const simulatedDrainRule = defineRule({
  id: 'simulated-drain',
  title: 'New contract whose own calls would drain a watched contract (simulated at its deployment)',
  category: 'attack',
  stage: 'exploitation',
  family: 'simulated-drain',
  impact: 'high',
  confidence: 'medium',
  description:
    'A contract created in this transaction references a watched contract (its address in the code or the constructor arguments, or calls to its own functions together with a flash-loan entry point or callback). The monitor called each of its external functions from its deployer on the state after the block (`debug_traceCall`, a few argument shapes, see docs/monitor/simulation.md) and netted what would leave the watched contracts: ether in call frames and ERC-20 `Transfer` logs, minus what comes back in the same asset. ' +
    'A call that brings another asset back is a trade, unless a watched pool holding both assets prices what came back below 90% of what left: then the shortfall is the drain. The rule fires when the largest net outflow of one asset reaches `minShare` of what the watched contract holds of it. ' +
    'Score = 0.5 at `minShare`, rising with log(share / minShare) to 0.9 at `saturationShare`. With the fresh-contract signal of the same deployment (its simulated calls reach the watched contract) it crosses the pause line at the deployment block, before the first strike.',
  scenario:
    'An attacker deploys a contract built against the protocol, then strikes from it in transactions that spend no time in the mempool, each taking a slice of the funds. The deployment is the last moment a pause can save nearly everything: simulated from its deployer, the contract already takes value out with nothing in return.',
  recommendation:
    'Read the simulated flows in the alert: the function, the arguments and the ether sent, what left and where it went. Pause (or keep paused) until the vulnerable function is understood; block the deployer and its contract where the protocol can.',
  swc: [],
  owasp: [],
  control: 'SA-01',
  needs: ['traces'],
  parameters: {
    minShare: {
      default: 0.02,
      minimum: 0,
      maximum: 1,
      description:
        'Net simulated outflow of one asset, as a share of the holdings, from which the rule fires (keeper rewards and trades stay below).',
    },
    saturationShare: {
      default: 0.2,
      minimum: 0,
      maximum: 1,
      description: 'Share at which the score reaches its maximum (0.9).',
    },
  },
  evaluate(context) {
    const signals: Signal[] = [];
    for (const simulation of context.simulations ?? []) {
      const byContract = new Map<string, SimulatedDrain[]>();
      for (const drain of simulation.drains) {
        if (!context.watched.has(drain.contract)) continue;
        byContract.set(drain.contract, [...(byContract.get(drain.contract) ?? []), drain]);
      }
      for (const [contract, drains] of byContract) {
        const top = drains.reduce((best, drain) => (drain.share > best.share ? drain : best));
        const minShare = context.parameter('minShare', contract);
        if (top.share < minShare || top.share === 0) continue;
        const saturation = Math.max(context.parameter('saturationShare', contract), minShare * 1.01);
        const score =
          minShare > 0 ? scaledScore(top.share / minShare, 0.5, 0.9, saturation / minShare) : top.share > 0 ? 0.9 : 0;
        const view = context.watched.get(contract)!;
        const asset = top.asset === 'native' ? 'ether' : top.asset;
        signals.push({
          ruleId: 'simulated-drain',
          stage: 'exploitation',
          contract,
          score,
          severity: score >= 0.8 ? 'critical' : 'high',
          title: `${view.name} would lose ${round(top.share * 100)}% of its ${asset} to a contract deployed in this transaction (simulated)`,
          summary: `${simulation.address}, deployed by ${simulation.deployer}, called as its deployer (${top.call.selector}, arguments ${top.call.args}, ${short(Number(top.call.value))} wei sent) takes ${short(Number(top.net))} of ${short(Number(top.holdings))} ${asset} out of ${view.name} net${top.pricedBy ? ` (of what came back in ${top.pricedBy.got.asset}, valued at ${top.pricedBy.pool}'s price)` : ''}, to ${top.recipients.join(', ')}; ${simulation.calls} calls simulated, ${simulation.reverted} reverted.`,
          actor: simulation.address,
          details: {
            newContract: simulation.address,
            deployer: simulation.deployer,
            references: simulation.references,
            share: top.share,
            drains,
            trades: simulation.trades.filter((trade) => trade.contract === contract),
            simulatedCalls: simulation.calls,
            revertedCalls: simulation.reverted,
          },
        });
      }
    }
    return signals;
  },
});
