import {
  type Analysis,
  assignedBases,
  assignmentOperators,
  type CallSite,
  dottedName,
  type FunctionIR,
  findAll,
  type Node,
  qualifiedName,
} from '@bulwark/solidity';
import { defineDetector } from '../../detector.ts';

/** External calls that return a pool's current state, and which of their results are spot figures. */
const spotSources: Record<string, { args: number; label: string }> = {
  getReserves: { args: 0, label: 'pair reserves' },
  slot0: { args: 0, label: 'the pool price (slot0)' },
  getAmountsOut: { args: 2, label: 'a router quote' },
  getAmountOut: { args: 3, label: 'a router quote' },
  getAmountsIn: { args: 2, label: 'a router quote' },
  get_dy: { args: 3, label: 'a Curve pool quote' },
};

/** Calls that mark a time-weighted or external oracle: the function is not reading spot prices alone. */
const twapCalls = new Set([
  'observe',
  'consult',
  'price0CumulativeLast',
  'price1CumulativeLast',
  'currentCumulativePrices',
  'latestRoundData',
  'latestAnswer',
]);

/** Calls that trade: quoting reserves right before a swap on the same pool is how DEX routing works. */
const tradeCalls = new Set([
  'swap',
  'swapExactTokensForTokens',
  'swapTokensForExactTokens',
  'exchange',
  'addLiquidity',
]);

export const spotPriceOracle = defineDetector({
  id: 'spot-price-oracle',
  category: 'oracle',
  title: 'Price taken from a DEX spot quote',
  impact: 'high',
  confidence: 'medium',
  description:
    "A price or exchange rate is computed from a DEX pool's current state (Uniswap v2 `getReserves()`, the ratio of a pair's token balances, Uniswap v3 `slot0()`, a router's `getAmountsOut`) and then scaled into amounts. Spot state can be moved arbitrarily within one transaction.",
  scenario:
    'An attacker flash-borrows a large amount, swaps it into the pool to skew the reserves, calls this contract while the price is distorted (borrowing against inflated collateral, minting at a wrong rate), swaps back and repays the loan in the same transaction (Harvest, Cream, bZx).',
  recommendation:
    'Use a manipulation-resistant price: a Chainlink-style feed with staleness checks, or a TWAP over a sufficient window (Uniswap v3 `observe`, v2 cumulative prices). Bound deviations between sources and cap the value moved per block.',
  swc: [],
  owasp: ['SC02:2025', 'SC07:2025'],
  control: 'SBD-11',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!fn.body || fn.contract.kind === 'interface') continue;
      const facts = analysis.facts(fn);
      if (facts.calls.some((c) => c.kind === 'external' && (twapCalls.has(c.name) || tradeCalls.has(c.name)))) continue;
      const sources = spotCalls(analysis, fn);
      if (sources.length === 0) continue;
      const spot = spotLocals(analysis, fn, sources);
      const ratio = balanceRatio(fn);
      const helpers = new Set(
        facts.calls
          .filter(
            (c) =>
              (c.kind === 'internal' || c.kind === 'library') &&
              // `reserve1.mul(1e18)` through `using SafeMath for uint`: the receiver is an operand too.
              [...c.arguments, ...(c.kind === 'library' && c.receiver ? [c.receiver] : [])].some((a) =>
                usesSpot(a, spot, sources),
              ) &&
              c.targets.some(
                (t) =>
                  t.body &&
                  findAll(t.body, (n) => n.type === 'BinaryOperation' && (n.operator === '*' || n.operator === '/'))
                    .length > 0,
              ),
          )
          .map((c) => c.node),
      );
      const computation = findAll(
        fn.body,
        (n) =>
          (n.type === 'BinaryOperation' &&
            (n.operator === '*' || n.operator === '/') &&
            (usesSpot(n, spot, sources) || n === ratio)) ||
          helpers.has(n),
      )[0];
      if (!computation) continue;
      const source = sources[0];
      const label = source.label;
      const viewOnly = (fn.mutability === 'view' || fn.mutability === 'pure') && !calledFromStateChange(analysis, fn);
      report({
        node: computation,
        fn,
        message: `${qualifiedName(fn)} computes a price from ${label} in \`${text(fn, computation)}\`; the pool's spot state can be skewed with a flash loan inside the same transaction.`,
        related: [{ node: source.node, message: `spot value read from \`${text(fn, source.node)}\`` }],
        confidence: viewOnly ? 'low' : undefined,
      });
    }
  },
});

type SpotCall = { node: Node; label: string; call: CallSite | undefined };

function spotCalls(analysis: Analysis, fn: FunctionIR): SpotCall[] {
  const out: SpotCall[] = [];
  for (const call of analysis.facts(fn).calls) {
    if (call.kind !== 'external') continue;
    const source = spotSources[call.name];
    if (source && call.arguments.length === source.args) out.push({ node: call.node, label: source.label, call });
  }
  const ratio = balanceRatio(fn);
  if (ratio) out.push({ node: ratio, label: "the ratio of a pair's token balances", call: undefined });
  return out;
}

/** `a.balanceOf(pair) / b.balanceOf(pair)` (directly or through locals): a spot price from balances. */
function balanceRatio(fn: FunctionIR): Node | undefined {
  const body = fn.body!;
  const holders = new Map<string, string>(); // local -> holder expression text
  const source = fn.contract.unit.source;
  const holderOf = (node: Node | undefined): string | undefined => {
    if (!node) return undefined;
    if (node.type === 'Identifier') return holders.get(node.name);
    if (node.type !== 'FunctionCall' || node.expression?.type !== 'MemberAccess') return undefined;
    if (node.expression.memberName !== 'balanceOf' || node.arguments?.length !== 1) return undefined;
    const holder = node.arguments[0];
    const text = source.textOf(holder).replace(/\s+/g, '');
    // The contract's own balance or the caller's is accounting, not a pool price.
    if (/^(address\()?this\)?$/.test(text) || dottedName(holder) === 'msg.sender') return undefined;
    return text;
  };
  for (const declaration of findAll(body, 'VariableDeclarationStatement')) {
    const variables = (declaration.variables ?? []).filter(Boolean);
    const holder = holderOf(declaration.initialValue);
    if (variables.length === 1 && holder) holders.set(variables[0].name, holder);
  }
  for (const division of findAll(body, (n) => n.type === 'BinaryOperation' && n.operator === '/')) {
    const numerator = findAll(division.left, (n) => holderOf(n) !== undefined).map(holderOf);
    const denominator = findAll(division.right, (n) => holderOf(n) !== undefined).map(holderOf);
    if (numerator.some((h) => denominator.includes(h))) return division;
  }
  return undefined;
}

/** Locals holding spot figures: the results of the spot calls and anything computed from them. */
function spotLocals(analysis: Analysis, fn: FunctionIR, sources: SpotCall[]): Set<string> {
  const spot = new Set<string>();
  const sourceNodes = new Set(sources.map((s) => s.node));
  const assignments: [string[], Node][] = [];
  for (const node of findAll(
    fn.body!,
    (n) => n.type === 'VariableDeclarationStatement' || n.type === 'BinaryOperation',
  )) {
    if (node.type === 'VariableDeclarationStatement' && node.initialValue) {
      const names = (node.variables ?? []).map((v: Node | null) => v?.name).filter(Boolean);
      // `(uint160 sqrtPriceX96, , , , , , ) = pool.slot0()`: only the price itself is spot data.
      const slot0 = sources.find((s) => s.node === node.initialValue && s.call?.name === 'slot0');
      assignments.push([slot0 ? names.slice(0, 1) : names, node.initialValue]);
    } else if (node.type === 'BinaryOperation' && assignmentOperators.has(node.operator)) {
      const names = assignedBases(node.left)
        .filter((n) => n.type === 'Identifier')
        .map((n) => n.name);
      assignments.push([names, node.right]);
    }
  }
  const locals = analysis.facts(fn).locals;
  for (let round = 0; round < 5; round++) {
    let changed = false;
    for (const [names, value] of assignments) {
      const tainted =
        sourceNodes.has(value) ||
        findAll(value, (n) => sourceNodes.has(n) || (n.type === 'Identifier' && spot.has(n.name))).length > 0;
      if (!tainted) continue;
      for (const name of names) {
        if (locals.has(name) && !spot.has(name)) {
          spot.add(name);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return spot;
}

function usesSpot(node: Node, spot: Set<string>, sources: SpotCall[]): boolean {
  const sourceNodes = new Set(sources.map((s) => s.node));
  return findAll(node, (n) => sourceNodes.has(n) || (n.type === 'Identifier' && spot.has(n.name))).length > 0;
}

/** A view that a state-changing function of the same contract calls. */
function calledFromStateChange(analysis: Analysis, fn: FunctionIR): boolean {
  for (const c of analysis.program.contracts) {
    if (!c.linearized.includes(fn.contract)) continue;
    for (const caller of c.functions) {
      if (caller === fn || caller.mutability === 'view' || caller.mutability === 'pure') continue;
      if (analysis.reachable(caller).includes(fn)) return true;
    }
  }
  return false;
}

function text(fn: FunctionIR, node: Node): string {
  const t = fn.contract.unit.source.textOf(node).replace(/\s+/g, ' ');
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}
