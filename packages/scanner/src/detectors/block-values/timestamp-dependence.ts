import type { Confidence, Impact } from '@bulwark/core';
import type { Analysis, FunctionIR, Node } from '@bulwark/solidity';
import { findAll, findStateVariable, isAddress, qualifiedName, walk } from '@bulwark/solidity';
import {
  type BlockSource,
  type BlockValueStore,
  blockSources,
  blockValueStores,
  describeBlockSources,
} from '../../analysis/blockValues.ts';
import { constantValue, isPowerOfTwoAtLeast } from '../../analysis/constants.ts';
import { unparen } from '../../analysis/expressions.ts';
import { localAssignments } from '../../analysis/locals.ts';
import { statePath } from '../../analysis/valueOrigins.ts';
import { valueTransfers } from '../../analysis/valueTransfers.ts';
import { defineDetector } from '../../detector.ts';

const timestampOnly = new Set<BlockSource>(['block.timestamp']);
const comparisons = new Set(['<', '>', '<=', '>=', '==', '!=']);

export const timestampDependence = defineDetector({
  id: 'timestamp-dependence',
  category: 'block-values',
  title: 'Decision on block.timestamp',
  impact: 'medium',
  confidence: 'medium',
  description:
    'block.timestamp (`now`) is chosen by the block producer within loose limits. Code that needs it to equal an exact value, takes it modulo a small number, or lets it set an amount of ether or tokens can be steered by whoever builds the block; ordinary deadline comparisons can be tipped by a few seconds. A time (block.timestamp or block.number) stored in state, or read and passed to an internal function, that later decides an access check, a payment or a winner is reported where it is stored or read as well as where it decides (at low impact unless the decision itself is an exact match or a modulo); a stored time nobody reads, or one only compared with the current block ("already done in this block?") or with zero, decides nothing and is not reported.',
  scenario:
    'A game pays the jackpot when `now % 15 == 0`. A block producer who plays sets the timestamp of the block holding its own transaction to a multiple of 15 and wins every time.',
  recommendation:
    'Do not use block.timestamp for exact matches or randomness; use it only for coarse deadlines (minutes or more) with `<`/`>`, and use a verifiable random source (VRF, commit-reveal) for games.',
  swc: ['SWC-116'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    // Stores and reads reported once, however many decisions use them.
    const reportedOrigins = new Set<Node>();
    for (const fn of functions) {
      if (!fn.body) continue;
      const source = fn.contract.unit.source;
      const where = `${qualifiedName(fn)}`;
      const covered: [number, number][] = [];
      const emit = (node: Node, message: string, impact: Impact, confidence: Confidence) => {
        const range = node.range ?? [0, 0];
        if (covered.some(([from, to]) => from <= range[0] && range[1] <= to)) return;
        covered.push(range);
        report({ node, fn, message, impact, confidence });
      };
      const isTime = (node: Node) => blockSources(node, fn, analysis, { only: timestampOnly }).size > 0;
      const facts = analysis.facts(fn);
      const logged = (node: Node) => analysis.ancestors(node, facts).some((a) => a.type === 'EmitStatement');

      walk(fn.body, (node) => {
        if (node.type !== 'BinaryOperation') return undefined;
        if (comparisons.has(node.operator)) {
          const leftTime = isTime(node.left);
          const rightTime = isTime(node.right);
          if ((!leftTime && !rightTime) || logged(node)) return undefined;
          const text = `\`${source.textOf(node)}\``;
          const modulo = findTimeModulo(node, isTime, fn);
          if (modulo) {
            emit(
              node,
              `${where} decides on ${text}, which takes block.timestamp modulo a small number: the block producer picks a timestamp with the remainder it wants.`,
              'medium',
              'high',
            );
            return false;
          }
          const other = leftTime && !rightTime ? node.right : !leftTime && rightTime ? node.left : undefined;
          if (node.operator === '==' || node.operator === '!=') {
            const stored = [node.left, node.right].find((side) => isStoredValue(side, fn, analysis));
            if (stored) return undefined; // a time saved earlier: asks whether it ran in this block
            // `last == block.timestamp` with a stored time asks "already done in this block?".
            if (other && (recordsTimestamp(other, fn, analysis) || isStoredValue(other, fn, analysis)))
              return undefined;
            if (other && constantValue(unparen(other), fn) === 0n) return undefined; // asks whether it is set
            emit(
              node,
              `${where} requires block.timestamp to match exactly in ${text}: the block producer chooses the timestamp, so it can make this ${node.operator === '==' ? 'true for itself or never true' : 'pass or fail'} at will.`,
              'medium',
              'medium',
            );
            return false;
          }
          // A deadline the caller passes only binds that caller.
          if (other && isCallerChosen(other, fn, analysis)) return undefined;
          emit(
            node,
            `${where} decides on block.timestamp in ${text}: the block producer can shift the timestamp by several seconds and tip a decision close to the boundary.`,
            'low',
            'medium',
          );
          return false;
        }
        if (node.operator === '%' && isTime(node.left) && !truncates(node, fn) && !logged(node)) {
          emit(
            node,
            `${where} computes \`${source.textOf(node)}\` from block.timestamp: the block producer picks a timestamp with the remainder it wants, so the result is neither random nor fair.`,
            'medium',
            'high',
          );
          return false;
        }
        return undefined;
      });

      for (const transfer of valueTransfers(fn, analysis)) {
        if (!transfer.amount || !isTime(transfer.amount)) continue;
        emit(
          transfer.node,
          `${where} sends an amount computed from block.timestamp in \`${source.textOf(transfer.node)}\`: the block producer shifts the timestamp to change what is paid.`,
          'low',
          'medium',
        );
      }

      // A time saved earlier (`lastPlay = now`) or read and handed on (`payOut(now)`) decides here:
      // the finding belongs where the block value is read or stored as well as at the decision.
      const stores = blockValueStores(analysis, fn.contract);
      for (const decision of decisionsOf(analysis, fn)) {
        for (const store of storesDeciding(analysis, fn, decision.node, stores)) {
          if (!reportedOrigins.has(store.node)) {
            reportedOrigins.add(store.node);
            report({
              node: store.node,
              fn: store.fn,
              contract: store.contract,
              unit: store.contract.unit,
              message: `${store.fn ? qualifiedName(store.fn) : store.contract.name} stores ${describeBlockSources(store.sources)} in \`${clip(store.contract.unit.source.textOf(store.node))}\`; ${where} later decides ${decision.what} on it in \`${clip(source.textOf(decision.node))}\`, so the block producer who chose that value steers the decision.`,
              related: [{ node: decision.node, unit: fn.contract.unit, message: `decides ${decision.what}` }],
              impact: 'low',
              confidence: 'medium',
            });
          }
          if (!isTime(decision.node))
            emit(
              decision.node,
              `${where} decides ${decision.what} in \`${clip(source.textOf(decision.node))}\` on ${store.path.replace(/\[\]/g, '[…]')}, which holds ${describeBlockSources(store.sources)} stored earlier: the block producer chose that value.`,
              'low',
              'medium',
            );
        }
      }
      for (const passed of blockValuesPassedOn(analysis, fn)) {
        if (reportedOrigins.has(passed.read)) continue;
        reportedOrigins.add(passed.read);
        report({
          node: passed.read,
          fn,
          message: `${where} reads ${describeBlockSources(passed.sources)} in \`${clip(source.textOf(passed.read))}\` and passes it to ${qualifiedName(passed.target)}, which decides ${passed.decision.what} on it in \`${clip(passed.target.contract.unit.source.textOf(passed.decision.node))}\`: the block producer chose that value.`,
          related: [
            {
              node: passed.decision.node,
              unit: passed.target.contract.unit,
              message: `decides ${passed.decision.what}`,
            },
          ],
          impact: 'low',
          confidence: 'medium',
        });
        if (!blockSources(passed.decision.node, passed.target, analysis, { only: timeSources }).size)
          report({
            node: passed.decision.node,
            fn: passed.target,
            message: `${qualifiedName(passed.target)} decides ${passed.decision.what} in \`${clip(passed.target.contract.unit.source.textOf(passed.decision.node))}\` on ${describeBlockSources(passed.sources)} that ${where} passes in: the block producer chose that value.`,
            impact: 'low',
            confidence: 'medium',
          });
      }
    }
  },
});

/** Block values that stand for time (block.number counts blocks). */
const timeSources = new Set<BlockSource>(['block.timestamp', 'block.number']);

/** Where a value decides something: an access check, a branch that pays or names a winner, a payment's amount or recipient. */
type Decision = { node: Node; what: string };

const decisionCache = new WeakMap<Analysis, Map<FunctionIR, Decision[]>>();

function decisionsOf(analysis: Analysis, fn: FunctionIR): Decision[] {
  let cache = decisionCache.get(analysis);
  if (!cache) {
    cache = new Map();
    decisionCache.set(analysis, cache);
  }
  const cached = cache.get(fn);
  if (cached) return cached;
  const decisions = findDecisions(analysis, fn);
  cache.set(fn, decisions);
  return decisions;
}

function findDecisions(analysis: Analysis, fn: FunctionIR): Decision[] {
  const facts = analysis.facts(fn);
  const out: Decision[] = [];
  for (const condition of facts.conditions) {
    const holder = facts.parents.get(condition);
    if (holder?.type === 'FunctionCall') {
      const name = holder.expression?.type === 'Identifier' ? holder.expression.name : undefined;
      if (name === 'require' || name === 'assert') out.push({ node: condition, what: 'who may proceed' });
    } else if (holder?.type === 'IfStatement' && holder.condition === condition) {
      if (stops(holder.trueBody)) out.push({ node: condition, what: 'who may proceed' });
      else if (paysOrPicks(analysis, fn, holder.trueBody) || paysOrPicks(analysis, fn, holder.falseBody))
        out.push({ node: condition, what: 'a payment or a winner' });
    }
  }
  for (const transfer of valueTransfers(fn, analysis)) {
    if (transfer.amount) out.push({ node: transfer.amount, what: 'the amount paid' });
    if (transfer.recipient) out.push({ node: transfer.recipient, what: 'who is paid' });
  }
  return out;
}

function stops(branch: Node | null | undefined): boolean {
  const first = branch?.type === 'Block' ? branch.statements?.[0] : branch;
  if (!first) return false;
  if (first.type === 'RevertStatement' || first.type === 'ThrowStatement' || first.type === 'ReturnStatement')
    return true;
  const call = first.type === 'ExpressionStatement' ? first.expression : undefined;
  return call?.type === 'FunctionCall' && call.expression?.type === 'Identifier' && call.expression.name === 'revert';
}

/** The branch pays (ether or tokens) or writes an address to state (a winner, a new owner). */
function paysOrPicks(analysis: Analysis, fn: FunctionIR, branch: Node | null | undefined): boolean {
  if (!branch) return false;
  const [from, to] = branch.range ?? [0, -1];
  const inside = (node: Node) => (node.range?.[0] ?? -1) >= from && (node.range?.[1] ?? -1) <= to;
  if (valueTransfers(fn, analysis).some((t) => inside(t.node))) return true;
  return analysis.facts(fn).stateWrites.some((w) => inside(w.node) && isAddress(w.variable.type));
}

/**
 * Stores of a time value into the state variables the decision reads, directly or through locals
 * (not through internal getters, which answer questions such as "is it scheduled?"), when the
 * decision uses the stored value itself: comparing it with the current block (`last ==
 * block.timestamp`, "already done in this block?") or with zero ("ever set?") decides nothing
 * the block producer can steer.
 */
function storesDeciding(
  analysis: Analysis,
  fn: FunctionIR,
  decision: Node,
  stores: Map<string, BlockValueStore[]>,
): BlockValueStore[] {
  const out: BlockValueStore[] = [];
  for (const path of statePathsRead(analysis, fn, decision)) {
    // A hash of a block (`blockhash(block.number - 1)`) is a challenge or a seed, not a time.
    const timeStores = (stores.get(path) ?? []).filter(
      (s) => !s.sources.has('blockhash') && [...s.sources].some((x) => timeSources.has(x)),
    );
    if (timeStores.length === 0) continue;
    if (onlyPresenceOrSameBlock(analysis, fn, decision, path)) continue;
    out.push(...timeStores);
  }
  return out;
}

/**
 * Storage paths an expression reads (`lastPlay`, `stakes[].since`), itself or through the locals
 * it uses (depth-limited); internal calls are not followed.
 */
function statePathsRead(analysis: Analysis, fn: FunctionIR, expression: Node, depth = 0, out = new Set<string>()) {
  if (depth > 3) return out;
  const facts = analysis.facts(fn);
  walk(expression, (node) => {
    if (node.type === 'FunctionCall' && facts.calls.some((c) => c.node === node && c.kind === 'internal')) return false;
    if (node.type === 'Identifier' || node.type === 'MemberAccess' || node.type === 'IndexAccess') {
      const path = statePath(analysis, node, fn);
      if (path) {
        out.add(path);
        // The keys may read other state (`stakes[lastWinner]`).
        if (node.type === 'IndexAccess' && node.index) statePathsRead(analysis, fn, node.index, depth, out);
        return false;
      }
    }
    if (node.type === 'Identifier' && facts.locals.has(node.name)) {
      for (const value of localAssignments(fn).get(node.name) ?? [])
        statePathsRead(analysis, fn, value, depth + 1, out);
    }
    return undefined;
  });
  return out;
}

/** Every comparison in the decision that reads `path` compares it with zero or with the current block value. */
function onlyPresenceOrSameBlock(analysis: Analysis, fn: FunctionIR, decision: Node, path: string): boolean {
  const reads = (node: Node) => statePathsRead(analysis, fn, node).has(path);
  const comparisonsOf = findAll(
    decision,
    (n) => n.type === 'BinaryOperation' && comparisons.has(n.operator) && (reads(n.left) || reads(n.right)),
  );
  if (comparisonsOf.length === 0) return false;
  return comparisonsOf.every((c) => {
    const [side, other] = reads(c.left) ? [c.left, c.right] : [c.right, c.left];
    // `started % 2 == 0` computes with the value; only a plain read asks about presence or the block.
    const plain = unparen(side);
    if (!['Identifier', 'IndexAccess', 'MemberAccess'].includes(plain.type)) return false;
    if (constantValue(unparen(other), fn) === 0n) return true;
    return (
      (c.operator === '==' || c.operator === '!=') && blockSources(other, fn, analysis, { only: timeSources }).size > 0
    );
  });
}

/**
 * `payOut(now)`, `uint r = randomGen(); payOut(r)`: a time value read here and handed to an
 * internal function whose parameter decides something there. `read` is where the value is read:
 * the argument, or the initialiser of the local passed.
 */
function blockValuesPassedOn(
  analysis: Analysis,
  fn: FunctionIR,
): { read: Node; sources: Set<BlockSource>; target: FunctionIR; decision: Decision }[] {
  const out: { read: Node; sources: Set<BlockSource>; target: FunctionIR; decision: Decision }[] = [];
  for (const call of analysis.facts(fn).calls) {
    if (call.kind !== 'internal') continue;
    call.arguments.forEach((argument, index) => {
      const sources = blockSources(argument, fn, analysis, { only: timeSources });
      if (sources.size === 0) return;
      for (const target of call.targets) {
        const param = target.params[index]?.name;
        if (!param || !target.body) continue;
        const decision = decisionsOf(analysis, target).find(
          (d) => analysis.taintOf(d.node, target).has(`param:${param}`) && !onlyPresenceOfParam(d.node, target, param),
        );
        if (!decision) continue;
        const local = unparen(argument);
        const initial =
          local.type === 'Identifier' && analysis.facts(fn).locals.has(local.name)
            ? localAssignments(fn).get(local.name)?.[0]
            : undefined;
        out.push({ read: initial ?? argument, sources, target, decision });
      }
    });
  }
  return out;
}

/** `rand > 0` alone: the parameter's presence, not its value, decides. */
function onlyPresenceOfParam(decision: Node, fn: FunctionIR, param: string): boolean {
  const uses = findAll(decision, (n) => n.type === 'Identifier' && n.name === param);
  return uses.every((use) => {
    const comparison = findAll(
      decision,
      (n) => n.type === 'BinaryOperation' && comparisons.has(n.operator) && (n.left === use || n.right === use),
    )[0];
    return (
      comparison !== undefined &&
      constantValue(unparen(comparison.left === use ? comparison.right : comparison.left), fn) === 0n
    );
  });
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

function findTimeModulo(node: Node, isTime: (n: Node) => boolean, fn: FunctionIR): Node | undefined {
  let found: Node | undefined;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === 'BinaryOperation' && n.operator === '%' && isTime(n.left) && !truncates(n, fn)) found = n;
    return undefined;
  });
  return found;
}

/** `block.timestamp % 2**32`: truncation to a smaller word, not a choice among few values. */
function truncates(modulo: Node, fn: FunctionIR): boolean {
  return isPowerOfTwoAtLeast(constantValue(unparen(modulo.right), fn), 256n);
}

/** A state variable that holds an earlier block's timestamp: `last == block.timestamp` asks "same block?". */
function recordsTimestamp(node: Node, fn: FunctionIR, analysis: Analysis): boolean {
  const expression = unparen(node);
  let root = expression;
  while (root.type === 'IndexAccess' || root.type === 'MemberAccess') root = root.base ?? root.expression;
  if (root.type !== 'Identifier' || analysis.facts(fn).locals.has(root.name)) return false;
  return analysis.stateTaint(fn.contract).get(root.name)?.has('block.timestamp') ?? false;
}

/** A plain read of storage (`lastUpdate`, `reserve.lastUpdateTimestamp`) or a local copy of one. */
function isStoredValue(node: Node, fn: FunctionIR, analysis: Analysis, depth = 0): boolean {
  let expression = unparen(node);
  while (
    expression.type === 'FunctionCall' &&
    expression.expression?.type === 'ElementaryTypeName' &&
    expression.arguments?.length === 1
  )
    expression = unparen(expression.arguments[0]);
  let root = expression;
  while (root.type === 'IndexAccess' || root.type === 'MemberAccess') root = root.base ?? root.expression;
  if (root.type !== 'Identifier') return false;
  const facts = analysis.facts(fn);
  const local = facts.locals.get(root.name);
  if (!local) return Boolean(findStateVariable(fn.contract, root.name));
  if (local.storageLocation === 'storage') return root !== expression;
  if (root !== expression || fn.params.includes(local) || depth > 2) return false;
  const values = localAssignments(fn).get(root.name) ?? [];
  return values.length > 0 && values.every((value) => isStoredValue(value, fn, analysis, depth + 1));
}

/** Depends only on parameters of a public function: a deadline the caller picks for itself. */
function isCallerChosen(node: Node, fn: FunctionIR, analysis: Analysis): boolean {
  if (fn.visibility !== 'public' && fn.visibility !== 'external') return false;
  const sources = analysis.taintOf(node, fn);
  return sources.size > 0 && [...sources].every((s) => s.startsWith('param:'));
}
