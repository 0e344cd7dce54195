import {
  type Analysis,
  dottedName,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type TaintSource,
  walk,
} from '@bulwark/solidity';
import { fieldPath } from './expressions.ts';
import { localAssignments } from './locals.ts';

/** Values a block producer sets or knows before anyone else. */
export type BlockSource =
  | 'block.timestamp'
  | 'block.number'
  | 'block.difficulty'
  | 'blockhash'
  | 'block.coinbase'
  | 'block.gaslimit';
// No prototype: `magic['constructor']` must be undefined.
const magic: Record<string, BlockSource> = Object.assign(Object.create(null), {
  now: 'block.timestamp',
  'block.timestamp': 'block.timestamp',
  'block.number': 'block.number',
  'block.difficulty': 'block.difficulty',
  'block.prevrandao': 'block.difficulty',
  'block.coinbase': 'block.coinbase',
  'block.gaslimit': 'block.gaslimit',
});
const blockTaints = new Set<TaintSource>([
  'block.timestamp',
  'block.number',
  'block.difficulty',
  'blockhash',
  'block.coinbase',
  'block.gaslimit',
]);
export type BlockSourceOptions = {
  /** Also count state variables written from block values elsewhere (a stored seed). */
  followState?: boolean;
  /** Only these sources. */
  only?: Set<BlockSource>;
};
/**
 * Block values an expression depends on: directly, through locals assigned from them, and
 * through internal functions that return them (`_now()`). State is followed only on request:
 * `lastUpdate == 0` is not a decision on the current block's time.
 */
export function blockSources(
  expression: Node | null | undefined,
  fn: FunctionIR,
  analysis: Analysis,
  options: BlockSourceOptions = {},
  seen: Set<string> = new Set(),
  depth = 0,
): Set<BlockSource> {
  const out = new Set<BlockSource>();
  if (!expression || depth > 6) return out;
  const facts = analysis.facts(fn);
  const add = (source: BlockSource) => {
    if (!options.only || options.only.has(source)) out.add(source);
  };
  walk(expression, (node) => {
    if (node.type === 'Identifier') {
      if (node.name === 'now' && !facts.locals.has('now') && !findStateVariable(fn.contract, 'now')) {
        add('block.timestamp');
        return false;
      }
      if (facts.locals.has(node.name)) {
        const key = `${node.name}`;
        if (seen.has(key)) return false;
        seen.add(key);
        for (const value of localAssignments(fn).get(node.name) ?? []) {
          for (const source of blockSources(value, fn, analysis, options, seen, depth + 1)) out.add(source);
        }
        return false;
      }
      if (options.followState) {
        // A stored seed is a scalar; mappings and structs mix fields written from many places.
        const state = findStateVariable(fn.contract, node.name);
        if (state && !state.constant && state.type.kind === 'elementary') {
          for (const source of analysis.stateTaint(fn.contract).get(node.name) ?? []) {
            if (blockTaints.has(source)) add(source as BlockSource);
          }
        }
      }
      return false;
    }
    if (node.type === 'MemberAccess') {
      const dotted = dottedName(node);
      if (dotted && magic[dotted]) {
        add(magic[dotted]);
        return false;
      }
      const field = fieldPath(node);
      const root = field?.split('.')[0];
      if (field && root && facts.locals.has(root)) {
        // A field of a local struct: what was stored in that field, or in the whole struct.
        for (const key of [field, root]) {
          if (seen.has(key)) continue;
          seen.add(key);
          for (const value of localAssignments(fn).get(key) ?? []) {
            for (const source of blockSources(value, fn, analysis, options, seen, depth + 1)) out.add(source);
          }
        }
        return false;
      }
      return undefined;
    }
    if (node.type === 'FunctionCall') {
      const callee = node.expression;
      const name = callee?.type === 'Identifier' ? callee.name : dottedName(callee);
      if (name === 'blockhash' || name === 'block.blockhash') add('blockhash');
      // Getters such as `_now()` or `Time.timestamp()` return a block value as-is; other
      // functions that merely consult one (a schedule lookup) return something else.
      const call = facts.calls.find((c) => c.node === node);
      if (call && (call.kind === 'internal' || call.kind === 'library')) {
        for (const target of call.targets) {
          for (const source of getterSources(target, analysis, depth + 1)) add(source);
        }
      }
      return undefined;
    }
    return undefined;
  });
  return out;
}
/** Block values a function returns unchanged (up to casts): `return uint48(block.timestamp);`. */
function getterSources(fn: FunctionIR, analysis: Analysis, depth: number): Set<BlockSource> {
  const out = new Set<BlockSource>();
  if (!fn.body || depth > 4) return out;
  const returns = findAll(fn.body, 'ReturnStatement').filter((r) => r.expression);
  if (returns.length === 0) return out;
  for (const statement of returns) {
    let expression: Node = statement.expression;
    while (
      expression.type === 'FunctionCall' &&
      expression.expression?.type === 'ElementaryTypeName' &&
      expression.arguments?.length === 1
    )
      expression = expression.arguments[0];
    while (expression.type === 'TupleExpression' && expression.components?.length === 1)
      expression = expression.components[0];
    const dotted = dottedName(expression);
    if (dotted && magic[dotted]) out.add(magic[dotted]);
    else if (expression.type === 'FunctionCall') {
      const call = analysis.facts(fn).calls.find((c) => c.node === expression);
      for (const target of call?.targets ?? []) for (const s of getterSources(target, analysis, depth + 1)) out.add(s);
    }
  }
  return out;
}
/** `block.timestamp` or `now`, as the source wrote it, for messages. */
export function describeBlockSources(sources: Set<BlockSource>): string {
  return [...sources].join(', ');
}
