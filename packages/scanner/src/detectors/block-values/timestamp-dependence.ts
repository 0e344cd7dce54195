import type { Confidence, Impact } from '@bulwark/core';
import type { Analysis, FunctionIR, Node } from '@bulwark/solidity';
import { findStateVariable, qualifiedName, walk } from '@bulwark/solidity';
import { type BlockSource, blockSources } from '../../analysis/blockValues.ts';
import { constantValue, isPowerOfTwoAtLeast } from '../../analysis/constants.ts';
import { unparen } from '../../analysis/expressions.ts';
import { localAssignments } from '../../analysis/locals.ts';
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
    'block.timestamp (`now`) is chosen by the block producer within loose limits. Code that needs it to equal an exact value, takes it modulo a small number, or lets it set an amount of ether or tokens can be steered by whoever builds the block; ordinary deadline comparisons can be tipped by a few seconds.',
  scenario:
    'A game pays the jackpot when `now % 15 == 0`. A block producer who plays sets the timestamp of the block holding its own transaction to a multiple of 15 and wins every time.',
  recommendation:
    'Do not use block.timestamp for exact matches or randomness; use it only for coarse deadlines (minutes or more) with `<`/`>`, and use a verifiable random source (VRF, commit-reveal) for games.',
  swc: ['SWC-116'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
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
    }
  },
});

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
