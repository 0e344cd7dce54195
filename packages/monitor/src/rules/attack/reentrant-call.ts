import type { CallFrame } from '@bulwark/chain';
import type { Hex } from 'viem';
import type { ReentrancyEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal, WatchedView } from '../types.ts';
import { batchSelectors, designedCallbackSelectors } from './selectors.ts';

type TraceNode = { frame: CallFrame; parent: number };

/** Frames in depth-first order (the `frameIndex` of the events), with their parent. */
function indexTrace(root: CallFrame): TraceNode[] {
  const nodes: TraceNode[] = [];
  const visit = (frame: CallFrame, parent: number) => {
    const index = nodes.length;
    nodes.push({ frame, parent });
    for (const call of frame.calls) visit(call, index);
  };
  visit(root, -1);
  return nodes;
}

const selectorOf = (input: Hex): Hex | undefined =>
  input.length >= 10 ? (input.slice(0, 10).toLowerCase() as Hex) : undefined;

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

/** How the contract left its own frame on the way to being re-entered. */
type Route = 'batch' | 'designed-callback' | 'other';

export const reentrantCallRule = defineRule({
  id: 'reentrant-call',
  title: 'Watched contract re-entered through another contract',
  category: 'attack',
  stage: 'exploitation',
  impact: 'high',
  confidence: 'medium',
  description:
    'A watched contract is entered again while one of its frames is still open, through another contract (A → X → A), as the normaliser reports from the call trace. Read-only re-entry (STATICCALL) is ignored, and so is a contract calling itself through a batching contract (multicall, Safe multiSend), through another watched contract, or through an established caller, as long as no value leaves it. ' +
    'Score: `baseScore` (0.3) for a re-entering call that succeeded, + `nestingBonus` (0.05) per nesting level beyond the first (up to three), + `outflowBonus` (0.2) when value left the contract in the transaction, + `freshBonus` (0.1) when the re-entering contract was created recently; halved when the contract only re-entered through a lender or pool callback it made by design (flash loan, swap callback), and halved without the outflow bonus when every re-entering call failed (a guard held). At most 0.75.',
  scenario:
    'The contract sends ether or tokens (or calls a hook) before updating its state; the attacker contract receives the call and calls back into the contract, which pays out again against the stale state, several levels deep, until it is drained (The DAO, Cream, Fei Rari, ERC-777 and ERC-721 hook re-entries).',
  recommendation:
    'Check the re-entered functions for state written after the external call (checks-effects-interactions) and for a missing reentrancy guard on every function sharing the state (cross-function re-entry). If value left, pause the contract and trace where it went.',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SA-03',
  needs: ['traces'],
  parameters: {
    baseScore: {
      default: 0.3,
      minimum: 0,
      maximum: 0.8,
      description: 'Score of a successful re-entry through another contract.',
    },
    nestingBonus: {
      default: 0.05,
      minimum: 0,
      maximum: 0.2,
      description: 'Added per nesting level beyond the first (A → X → A → X → A is nesting 2), up to three levels.',
    },
    outflowBonus: {
      default: 0.2,
      minimum: 0,
      maximum: 0.4,
      description:
        'Added when a re-entering call succeeded and value (ether or tokens) left the contract in the transaction.',
    },
    freshBonus: {
      default: 0.1,
      minimum: 0,
      maximum: 0.3,
      description:
        'Added when the re-entering contract was created in this transaction or within the recent-creation window.',
    },
    knownCallerCalls: {
      default: 20,
      minimum: 0,
      description:
        'Calls while learning from which a contract is an established caller: the contract calling itself through one is benign unless value leaves. 0 turns this off.',
    },
  },
  evaluate(context) {
    const byContract = new Map<string, ReentrancyEvent[]>();
    for (const event of context.events) {
      if (event.type !== 'reentrancy' || event.callType === 'STATICCALL') continue;
      byContract.set(event.contract, [...(byContract.get(event.contract) ?? []), event]);
    }
    if (byContract.size === 0) return [];
    const nodes = context.tx.trace ? indexTrace(context.tx.trace) : [];
    const signals: Signal[] = [];
    for (const [address, events] of byContract) {
      const view = context.watched.get(address);
      if (view) signals.push(...signalFor(context, view, events, nodes));
    }
    return signals;
  },
});

/** Value that left the contract in the transaction, by asset, to accounts that are not watched. */
function outflowOf(context: RuleContext, address: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const event of context.events) {
    if (event.type !== 'value-flow' || event.from !== address || event.toWatched) continue;
    out.set(event.asset, (out.get(event.asset) ?? 0n) + event.amount);
  }
  return out;
}

/**
 * The frame through which the contract left itself on the way to the re-entering frame: the
 * nearest ancestor called by the contract (from its storage), and whether it is a batch call or
 * a callback the contract makes by design.
 */
function routeOf(nodes: TraceNode[], event: ReentrancyEvent): { route: Route; via: TraceNode | undefined } {
  let index = nodes[event.frameIndex]?.parent ?? -1;
  while (index >= 0) {
    const node = nodes[index]!;
    if (node.frame.from === event.contract && node.frame.type !== 'DELEGATECALL' && node.frame.type !== 'CALLCODE') {
      const selector = selectorOf(node.frame.input);
      if (selector && batchSelectors.has(selector)) return { route: 'batch', via: node };
      if (selector && designedCallbackSelectors.has(selector)) return { route: 'designed-callback', via: node };
      return { route: 'other', via: node };
    }
    index = node.parent;
  }
  return { route: 'other', via: undefined };
}

function signalFor(context: RuleContext, view: WatchedView, events: ReentrancyEvent[], nodes: TraceNode[]): Signal[] {
  const address = view.address;
  const outflow = outflowOf(context, address);
  const valueLeft = outflow.size > 0;
  const minimumCalls = context.parameter('knownCallerCalls', address);
  const established = (caller: string) =>
    context.watched.has(caller) || (minimumCalls > 0 && (view.profile?.callers[caller] ?? 0) >= minimumCalls);

  const counted: { event: ReentrancyEvent; route: Route }[] = [];
  for (const event of events) {
    const { route, via } = routeOf(nodes, event);
    // The contract called itself: through a batch, another watched contract or an established caller.
    const viaSelf =
      via !== undefined && via.frame.to === event.reenteredBy && (route === 'batch' || established(event.reenteredBy));
    if (viaSelf && !valueLeft) continue;
    counted.push({ event, route });
  }
  if (counted.length === 0) return [];

  const succeeded = counted.filter(({ event }) => event.success);
  const nesting = Math.max(...counted.map(({ event }) => event.nesting));
  const reenterers = [...new Set(counted.map(({ event }) => event.reenteredBy))];
  const fresh = reenterers.filter((reenterer) => createdRecently(context, reenterer));
  const designedOnly = counted.every(({ route }) => route === 'designed-callback');

  let score =
    context.parameter('baseScore', address) +
    context.parameter('nestingBonus', address) * Math.min(3, nesting - 1) +
    (fresh.length > 0 ? context.parameter('freshBonus', address) : 0);
  if (succeeded.length > 0 && valueLeft) score += context.parameter('outflowBonus', address);
  if (succeeded.length === 0) score /= 2;
  if (designedOnly) score /= 2;
  score = Math.min(0.8, Math.round(score * 1000) / 1000);
  if (score <= 0) return [];

  const strongest = [...counted].sort((a, b) => b.event.nesting - a.event.nesting)[0]!.event;
  return [
    {
      ruleId: 'reentrant-call',
      stage: 'exploitation',
      contract: address,
      score,
      severity: severityOf(score),
      title: `${view.name} re-entered through ${strongest.reenteredBy}`,
      summary:
        `${view.name} was re-entered ${counted.length} time${counted.length === 1 ? '' : 's'} (nesting ${nesting}) through ${reenterers.join(', ')}` +
        `${succeeded.length === 0 ? '; every re-entering call failed' : ''}` +
        `${valueLeft ? `; value left it in the transaction (${[...outflow].map(([asset, amount]) => `${amount} ${asset}`).join(', ')})` : ''}.`,
      actor: strongest.reenteredBy,
      details: {
        reentries: counted.length,
        succeeded: succeeded.length,
        nesting,
        reenteredBy: reenterers,
        freshReenterers: fresh,
        selectors: [...new Set(counted.map(({ event }) => event.selector ?? '0x'))],
        path: strongest.path,
        outflow: Object.fromEntries([...outflow].map(([asset, amount]) => [asset, amount.toString()])),
        throughDesignedCallback: designedOnly,
      },
    },
  ];
}

function createdRecently(context: RuleContext, address: string): boolean {
  return (
    context.events.some((event) => event.type === 'creation' && event.address === address) ||
    context.recentCreation(address) !== undefined
  );
}
