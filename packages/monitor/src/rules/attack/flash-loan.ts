import type { CallFrame } from '@bulwark/chain';
import { type Hex, toFunctionSelector } from 'viem';
import type { CallEvent } from '../../events/types.ts';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal } from '../types.ts';
import {
  decodeArgs,
  type FlashLoanFamily,
  type FlashLoanFamilyId,
  flashLoanCallbacks,
  flashLoanEntries,
  flashLoanFamilies,
  type LoanAmount,
} from './selectors.ts';

/** A flash loan found in a trace: the lender, the borrower called back, and the frames (depth-first indexes). */
export type FlashLoan = {
  protocol: FlashLoanFamilyId;
  provider: string;
  receiver: string;
  /** The lender's entry frame; undefined when only the callback was recognised. */
  entryFrame: number | undefined;
  callbackFrame: number;
  /** Last frame inside the callback. */
  callbackEnd: number;
  callbackSelector: Hex | undefined;
  amounts: LoanAmount[];
  /** The callback frame and everything around it succeeded. */
  success: boolean;
};

type TraceNode = { frame: CallFrame; index: number; parent: number; end: number; ok: boolean };

/** Frames in depth-first order (the `frameIndex` of the events), with their parent and last descendant. */
function indexTrace(root: CallFrame, txOk: boolean): TraceNode[] {
  const nodes: TraceNode[] = [];
  const visit = (frame: CallFrame, parent: number, parentOk: boolean) => {
    const ok = parentOk && frame.error === undefined;
    const node: TraceNode = { frame, index: nodes.length, parent, end: nodes.length, ok };
    nodes.push(node);
    for (const call of frame.calls) visit(call, node.index, ok);
    node.end = nodes.length - 1;
  };
  visit(root, -1, txOk);
  return nodes;
}

const selectorOf = (input: Hex): Hex | undefined =>
  input.length >= 10 ? (input.slice(0, 10).toLowerCase() as Hex) : undefined;

const callbackSelectors = new Map(
  flashLoanFamilies.map((family) => [family.id, new Set(family.callbacks.map((item) => toFunctionSelector(item)))]),
);

/** ERC-20 plumbing: the lent token moving in and out is the loan itself, not a use of the token. */
const tokenPlumbing = new Set<Hex>([
  toFunctionSelector('transfer(address,uint256)'),
  toFunctionSelector('transferFrom(address,address,uint256)'),
  toFunctionSelector('approve(address,uint256)'),
]);

/** The lender's call back into the borrower, within the entry frame. */
function findCallback(
  nodes: TraceNode[],
  entry: TraceNode,
  family: FlashLoanFamily,
  provider: string,
  receiver: string | undefined,
): TraceNode | undefined {
  const known = callbackSelectors.get(family.id)!;
  for (let i = entry.index + 1; i <= entry.end; i++) {
    const node = nodes[i]!;
    const { frame } = node;
    if (frame.type !== 'CALL' || frame.from !== provider) continue;
    const selector = selectorOf(frame.input);
    if (selector && known.has(selector)) return node;
    if (family.anyCallback && selector && frame.to === receiver) return node;
  }
  return undefined;
}

/** Every flash loan in a trace: by lender entry point and callback, or by a specific callback alone. */
export function findFlashLoans(root: CallFrame, txOk: boolean): FlashLoan[] {
  const nodes = indexTrace(root, txOk);
  const loans: FlashLoan[] = [];
  const callbacks = new Set<number>();
  for (const node of nodes) {
    const { frame } = node;
    const selector = selectorOf(frame.input);
    if (!selector || frame.type !== 'CALL' || !frame.to) continue;
    for (const { family, item } of flashLoanEntries.get(selector) ?? []) {
      const args = decodeArgs(item, frame.input);
      if (!args || (family.lends && !family.lends(args))) continue;
      const provider = frame.to;
      const callback = findCallback(nodes, node, family, provider, family.receiver(args, frame.from));
      if (!callback) continue;
      callbacks.add(callback.index);
      let amounts = family.entryAmounts(args);
      if (amounts.length === 0) amounts = callbackAmounts(family, callback.frame.input);
      loans.push(loanOf(family.id, provider, node.index, callback, amounts));
      break;
    }
  }
  for (const node of nodes) {
    const { frame } = node;
    const selector = selectorOf(frame.input);
    if (!selector || frame.type !== 'CALL' || !frame.to || callbacks.has(node.index)) continue;
    const match = (flashLoanCallbacks.get(selector) ?? []).find(
      ({ family, item }) => family.callbackAlone && decodeArgs(item, frame.input) !== undefined,
    );
    if (!match) continue;
    loans.push(loanOf(match.family.id, frame.from, undefined, node, callbackAmounts(match.family, frame.input)));
  }
  return loans;
}

function callbackAmounts(family: FlashLoanFamily, input: Hex): LoanAmount[] {
  const selector = selectorOf(input);
  const item = family.callbacks.find((candidate) => toFunctionSelector(candidate) === selector);
  const args = item && decodeArgs(item, input);
  return args ? family.callbackAmounts(args) : [];
}

function loanOf(
  protocol: FlashLoanFamilyId,
  provider: string,
  entryFrame: number | undefined,
  callback: TraceNode,
  amounts: LoanAmount[],
): FlashLoan {
  return {
    protocol,
    provider,
    receiver: callback.frame.to!,
    entryFrame,
    callbackFrame: callback.index,
    callbackEnd: callback.end,
    callbackSelector: selectorOf(callback.frame.input),
    amounts,
    success: callback.ok,
  };
}

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

const inside = (loan: FlashLoan, frameIndex: number) =>
  frameIndex > loan.callbackFrame && frameIndex <= loan.callbackEnd;

export const flashLoanRule = defineRule({
  id: 'flash-loan',
  title: 'Flash loan in a transaction that uses a watched contract',
  category: 'attack',
  stage: 'preparation',
  impact: 'medium',
  confidence: 'medium',
  description:
    'Recognises flash loans in the call trace by their public interfaces: the lender entry point and its callback into the borrower (ERC-3156 flashLoan/onFlashLoan, Aave v2/v3 flashLoan and flashLoanSimple/executeOperation, Balancer Vault flashLoan/receiveFlashLoan, Uniswap v2-style swap with data and its uniswapV2Call/pancakeCall callback, Uniswap and PancakeSwap v3 flash/…FlashCallback, Morpho Blue flashLoan/onMorphoFlashLoan, dYdX operate/callFunction). ' +
    'It signals each watched contract the transaction calls or moves value to or from, other than as the lender itself, as a receiver of a callback it already took while learning, or as the lent token moving. ' +
    'Score: `score` (0.3) for a loan in the same transaction; `callbackScore` (0.45) when the watched contract is called inside the loan callback by a contract that is not an established caller. ' +
    'Without a call trace the rule is silent.',
  scenario:
    'An attacker borrows a large amount with no collateral, and inside the callback uses it against the protocol: moves a pool price the protocol reads, inflates a share price with a donation, or passes a governance vote; then repays the loan in the same transaction. Most price-manipulation exploits (bZx, Harvest, Cream, Euler) started this way.',
  recommendation:
    'Read the callback: what did it call on the protocol, and at what prices? Alone a flash loan is common (arbitrage, refinancing, liquidations); together with a price jump, re-entry or outsized outflow it marks an attack in progress. Harden the protocol against same-transaction manipulation (time-weighted or external prices, per-block limits).',
  swc: [],
  owasp: ['SC07:2025', 'SC02:2025'],
  control: 'SA-03',
  needs: ['traces'],
  parameters: {
    score: {
      default: 0.3,
      minimum: 0,
      maximum: 0.8,
      description: 'Score when a flash loan shares the transaction with a watched contract.',
    },
    callbackScore: {
      default: 0.45,
      minimum: 0,
      maximum: 0.8,
      description:
        'Score when the watched contract is called inside the loan callback (from a contract that is not an established caller).',
    },
    knownCallerCalls: {
      default: 20,
      minimum: 0,
      description:
        'Calls while learning from which a caller is established: a call inside the callback from an established caller scores `score`, not `callbackScore`. 0 treats every caller as new.',
    },
  },
  evaluate(context) {
    const trace = context.tx.trace;
    if (!trace) return [];
    const loans = findFlashLoans(trace, context.tx.receipt.status === 'success');
    if (loans.length === 0) return [];
    return [...involved(context)].flatMap(([address, calls]) => signalFor(context, address, calls, loans));
  },
});

/** Watched contracts the transaction uses, with their non-static calls (from the trace). */
function involved(context: RuleContext): Map<string, CallEvent[]> {
  const byContract = new Map<string, CallEvent[]>();
  const of = (address: string) => {
    let calls = byContract.get(address);
    if (!calls) {
      calls = [];
      byContract.set(address, calls);
    }
    return calls;
  };
  for (const event of context.events) {
    if (event.type === 'call' && event.callType !== 'STATICCALL' && event.source === 'trace')
      of(event.contract).push(event);
    if (event.type === 'value-flow') {
      if (event.fromWatched) of(event.from);
      if (event.toWatched) of(event.to);
    }
  }
  return byContract;
}

function signalFor(context: RuleContext, address: string, calls: CallEvent[], loans: FlashLoan[]): Signal[] {
  const view = context.watched.get(address);
  if (!view) return [];
  const lends = loans.some((loan) => loan.provider === address);
  const ownEntries = new Set(loans.filter((loan) => loan.provider === address).map((loan) => loan.entryFrame));
  const lentAssets = new Set(loans.flatMap((loan) => loan.amounts.map((amount) => amount.asset)));
  const knownSelectors = view.profile?.selectors ?? {};
  // A callback the contract already took while learning is its own routine use of flash loans.
  const routine = (loan: FlashLoan) =>
    loan.receiver === address && loan.callbackSelector !== undefined && loan.callbackSelector in knownSelectors;
  const relevant = loans.filter((loan) => loan.provider !== address && !routine(loan));
  if (relevant.length === 0) return [];
  const routineCallbacks = new Set(loans.filter(routine).map((loan) => loan.callbackFrame));
  const uses = calls.filter(
    (call) =>
      !ownEntries.has(call.frameIndex) &&
      !routineCallbacks.has(call.frameIndex) &&
      !(lentAssets.has(address) && call.selector !== undefined && tokenPlumbing.has(call.selector)),
  );
  const flowsOnly = calls.length === 0 && !lends;
  if (uses.length === 0 && !flowsOnly) return [];

  const minimumCalls = context.parameter('knownCallerCalls', address);
  const established = (caller: string) => minimumCalls > 0 && (view.profile?.callers[caller] ?? 0) >= minimumCalls;
  const insideCalls = uses.filter((call) => relevant.some((loan) => inside(loan, call.frameIndex)));
  const fromNewCaller = insideCalls.some((call) => !established(call.caller));
  const score = context.parameter(fromNewCaller ? 'callbackScore' : 'score', address);
  if (score <= 0) return [];

  const first = relevant[0]!;
  const amounts = (loan: FlashLoan) => loan.amounts.map(({ asset, amount }) => `${amount} ${asset}`).join(', ');
  return [
    {
      ruleId: 'flash-loan',
      stage: 'preparation',
      contract: address,
      score,
      severity: severityOf(score),
      title: `Flash loan in a transaction using ${view.name}`,
      summary:
        `${relevant.length === 1 ? 'A flash loan' : `${relevant.length} flash loans`} (${first.protocol} from ${first.provider}` +
        `${first.amounts.length > 0 ? `: ${amounts(first)}` : ''}) ` +
        (insideCalls.length > 0
          ? `with ${view.name} called inside the loan callback.`
          : `in the same transaction as a call into ${view.name}.`),
      actor: first.receiver,
      details: {
        loans: relevant.map((loan) => ({
          protocol: loan.protocol,
          provider: loan.provider,
          receiver: loan.receiver,
          amounts: loan.amounts.map(({ asset, amount }) => ({ asset, amount: amount.toString() })),
          entryFrame: loan.entryFrame,
          callbackFrame: loan.callbackFrame,
          success: loan.success,
          calledInsideCallback: uses.some((call) => inside(loan, call.frameIndex)),
        })),
        calledInsideCallback: insideCalls.length > 0,
        callersInsideCallback: [...new Set(insideCalls.map((call) => call.caller))],
        establishedCallersOnly: insideCalls.length > 0 && !fromNewCaller,
      },
    },
  ];
}
