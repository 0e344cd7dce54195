import {
  type Analysis,
  allFunctions,
  type Contract,
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
import { statePath } from './valueOrigins.ts';

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

/**
 * A block value written to a state variable or one field of it: `lastPlay = now;`,
 * `stakes[msg.sender].since = block.timestamp;`, or a declaration `uint start = block.timestamp;`.
 */
export type BlockValueStore = {
  node: Node;
  /** The writing function; undefined for a declaration's initialiser. */
  fn: FunctionIR | undefined;
  /** The contract holding `node`. */
  contract: Contract;
  variable: string;
  /** The storage path written (`stakes[].since`), as `statePath` spells it. */
  path: string;
  sources: Set<BlockSource>;
};

const storeCache = new WeakMap<Analysis, Map<Contract, Map<string, BlockValueStore[]>>>();

/**
 * Every store of a block value into a state variable of `contract` (or a base), by storage path.
 * Only values that hold the block value as written (`now + 1 days`), into a single slot: a whole
 * struct assigned at once, or a figure computed through locals, says nothing about one field.
 */
export function blockValueStores(analysis: Analysis, contract: Contract): Map<string, BlockValueStore[]> {
  let perContract = storeCache.get(analysis);
  if (!perContract) {
    perContract = new Map();
    storeCache.set(analysis, perContract);
  }
  const cached = perContract.get(contract);
  if (cached) return cached;
  const out = new Map<string, BlockValueStore[]>();
  const add = (store: BlockValueStore) => out.set(store.path, [...(out.get(store.path) ?? []), store]);
  for (const base of contract.linearized) {
    for (const variable of base.stateVariables) {
      if (variable.constant || !variable.initialValue) continue;
      const sources = writtenSources(variable.initialValue);
      if (sources.size > 0 && variable.type.kind === 'elementary')
        add({
          node: variable.declaration,
          fn: undefined,
          contract: base,
          variable: variable.name,
          path: variable.name,
          sources,
        });
    }
  }
  for (const writer of allFunctions(contract)) {
    if (!writer.body) continue;
    for (const write of analysis.facts(writer).stateWrites) {
      if (write.node.type !== 'BinaryOperation' || write.node.operator !== '=') continue;
      const sources = writtenSources(write.node.right);
      const path = statePath(analysis, write.node.left, writer);
      if (sources.size === 0 || !path || analysis.typeOf(write.node.left, writer).kind !== 'elementary') continue;
      add({ node: write.node, fn: writer, contract: writer.contract, variable: write.variable.name, path, sources });
    }
  }
  perContract.set(contract, out);
  return out;
}

/** Block values written out in an expression (`now`, `block.number - 1`, `blockhash(n)`), locals and getters not followed. */
function writtenSources(expression: Node): Set<BlockSource> {
  const out = new Set<BlockSource>();
  walk(expression, (node) => {
    if (node.type === 'Identifier' && node.name === 'now') out.add('block.timestamp');
    const dotted = node.type === 'MemberAccess' ? dottedName(node) : undefined;
    if (dotted && magic[dotted]) out.add(magic[dotted]);
    if (node.type === 'FunctionCall') {
      const callee = node.expression;
      const name = callee?.type === 'Identifier' ? callee.name : dottedName(callee);
      if (name === 'blockhash' || name === 'block.blockhash') out.add('blockhash');
    }
    return undefined;
  });
  return out;
}
