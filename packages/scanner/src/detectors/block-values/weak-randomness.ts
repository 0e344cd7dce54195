import type { Analysis, FunctionFacts, FunctionIR, Node } from '@bulwark/solidity';
import { findStateVariable, qualifiedName, walk } from '@bulwark/solidity';
import { type BlockSource, type BlockValueStore, blockSources, blockValueStores } from '../../analysis/blockValues.ts';
import { constantValue, isPowerOfTwoAtLeast } from '../../analysis/constants.ts';
import { mentions, unparen } from '../../analysis/expressions.ts';
import { localAssignments } from '../../analysis/locals.ts';
import { valueTransfers } from '../../analysis/valueTransfers.ts';
import { defineDetector } from '../../detector.ts';

const hashFunctions = new Set(['keccak256', 'sha3', 'sha256', 'ripemd160']);

export const weakRandomness = defineDetector({
  id: 'weak-randomness',
  category: 'block-values',
  title: 'Randomness from block values',
  impact: 'high',
  confidence: 'medium',
  description:
    'A winner, index or amount is derived from block values (timestamp, number, difficulty/prevrandao, blockhash, coinbase, gas limit) by hashing them or taking them modulo a number. These values are public to every contract in the same block and chosen or known in advance by the block producer. A value stored in state earlier and later taken modulo a number, or handed to an internal function that decides with it, is reported where the block value is stored or read as well as where it decides.',
  scenario:
    'A lottery picks `players[uint(keccak256(abi.encodePacked(block.timestamp, block.difficulty))) % players.length]`. An attacker contract computes the same expression in the same block and only enters when it would win; a block producer can also withhold blocks that do not favour it.',
  recommendation:
    'Use a verifiable random function (Chainlink VRF) or a commit-reveal scheme with penalties for not revealing; never block values.',
  swc: ['SWC-120'],
  owasp: ['SC09:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const reportedStores = new Set<Node>();
    for (const fn of functions) {
      if (!fn.body) continue;
      const facts = analysis.facts(fn);
      const seeds: { node: Node; sources: Set<BlockSource> }[] = [];
      walk(fn.body, (node) => {
        const seed = randomSeed(node, fn, analysis);
        if (!seed) return undefined;
        seeds.push({ node, sources: seed });
        return false; // report the outermost expression only
      });
      // Locals already holding a reported seed: `seed % n` below `seed = keccak256(..)` is the same value.
      const reportedHolders = new Set<string>();
      for (const { node, sources } of seeds) {
        if (mentions(node, reportedHolders)) continue;
        // A hash or blockhash is an identifier until code turns it into a number or compares it.
        if (!isModulo(node) && !usedAsNumber(node, fn, facts, analysis)) continue;
        const { use, holders, passedTo } = decisionUse(node, fn, facts, analysis);
        if (!use) continue;
        for (const name of holders) reportedHolders.add(name);
        const view = fn.mutability === 'view' || fn.mutability === 'pure';
        // Block values stored earlier (a saved challenge) may serve proof-of-work rather than chance.
        const direct = randomSeed(node, fn, analysis, false);
        report({
          node,
          fn,
          message: `${qualifiedName(fn)} derives \`${clip(fn.contract.unit.source.textOf(node))}\` from ${[...sources].join(', ')} and uses it ${use}: block values are known to other contracts in the same block and chosen by the block producer, so the outcome is predictable.`,
          impact: view ? 'medium' : undefined,
          confidence: direct ? undefined : 'low',
        });
        // Passed on: the decision in the callee is reported too, where the outcome is picked.
        if (passedTo && !reportedStores.has(passedTo.node)) {
          reportedStores.add(passedTo.node);
          report({
            node: passedTo.node,
            fn: passedTo.fn,
            message: `${qualifiedName(passedTo.fn)} uses a value ${qualifiedName(fn)} derives from ${[...sources].join(', ')} (\`${clip(fn.contract.unit.source.textOf(node))}\`) ${passedTo.use}: the block producer chose it, so the outcome is predictable.`,
            related: [{ node, unit: fn.contract.unit, message: 'the block value is read here' }],
            confidence: 'low',
          });
        }
        // The value was stored earlier: the store is where the block value enters, report it too
        // when the stored value picks among outcomes (a hash of a saved challenge may be proof of work).
        if (direct || !isModulo(node)) continue;
        for (const store of storesRead(node, fn, analysis)) {
          if (reportedStores.has(store.node)) continue;
          reportedStores.add(store.node);
          report({
            node: store.node,
            fn: store.fn,
            contract: store.contract,
            unit: store.contract.unit,
            message: `${store.fn ? qualifiedName(store.fn) : store.contract.name} stores a block value in \`${clip(store.contract.unit.source.textOf(store.node))}\`, which ${qualifiedName(fn)} later turns into \`${clip(fn.contract.unit.source.textOf(node))}\` and uses ${use}: the block producer chose it, so the outcome is predictable.`,
            impact: view ? 'medium' : undefined,
            confidence: 'low',
          });
        }
      }
    }
  },
});

/** Stores of block values (`start = block.timestamp`) into the state variables a seed reads. */
function storesRead(seed: Node, fn: FunctionIR, analysis: Analysis): BlockValueStore[] {
  const names = new Set<string>();
  walk(seed, (n) => {
    if (n.type === 'Identifier' && !analysis.facts(fn).locals.has(n.name) && findStateVariable(fn.contract, n.name))
      names.add(n.name);
    return undefined;
  });
  return [...blockValueStores(analysis, fn.contract).values()].flat().filter((store) => names.has(store.variable));
}

/**
 * Block values turned into a pseudo-random number: a hash over them, a blockhash, or a block
 * value modulo a number (truncation by a power of two ≥ 256 excepted).
 */
function randomSeed(node: Node, fn: FunctionIR, analysis: Analysis, followState = true): Set<BlockSource> | undefined {
  if (node.type === 'FunctionCall') {
    const callee = unparen(node.expression);
    const name = callee.type === 'Identifier' ? callee.name : undefined;
    if (name === 'blockhash' || (callee.type === 'MemberAccess' && callee.memberName === 'blockhash'))
      return new Set<BlockSource>(['blockhash']);
    if (name && hashFunctions.has(name)) {
      const sources = blockSources(
        { type: 'TupleExpression', components: node.arguments, isArray: false },
        fn,
        analysis,
        { followState },
      );
      return sources.size > 0 ? sources : undefined;
    }
    return undefined;
  }
  if (node.type === 'BinaryOperation' && node.operator === '%') {
    if (isPowerOfTwoAtLeast(constantValue(unparen(node.right), fn), 256n)) return undefined;
    const sources = blockSources(node.left, fn, analysis, { followState });
    return sources.size > 0 ? sources : undefined;
  }
  return undefined;
}

/**
 * How the pseudo-random value decides something: in a condition, as an array index, as the
 * amount or recipient of a payment, stored as a winner, or returned to a caller. Hashes used as
 * mapping keys (identifiers) decide nothing.
 */
function decisionUse(
  seed: Node,
  fn: FunctionIR,
  facts: FunctionFacts,
  analysis: Analysis,
): {
  use: string | undefined;
  holders: Set<string>;
  /** The decision sits in an internal function the value is passed to. */
  passedTo?: { fn: FunctionIR; node: Node; use: string };
} {
  const unit = fn.contract.unit;
  const holders = new Set<string>();
  // Locals that hold the value (or something computed from it), transitively.
  for (let round = 0; round < 4; round++) {
    for (const [name, values] of localAssignments(fn)) {
      if (holders.has(name)) continue;
      if (values.some((v) => contains(v, seed) || mentions(v, holders))) holders.add(name);
    }
  }
  // Hashes used as mapping keys (order ids, commitments) decide nothing by themselves.
  const derives = (node: Node) => reaches(node, seed, holders, fn, analysis);
  const found = (use: string | undefined) => ({ use, holders });
  for (const condition of facts.conditions) if (derives(condition)) return found('in a condition');
  let use: string | undefined;
  walk(fn.body!, (node) => {
    if (use) return false;
    if (node.type === 'IndexAccess' && node.index && derives(node.index)) {
      const baseType = analysis.typeOf(node.base, fn);
      if (baseType.kind === 'array') use = `as an index into \`${unit.source.textOf(node.base)}\``;
    } else if (node.type === 'ReturnStatement' && node.expression && derives(node.expression)) {
      if (!isHashOnly(node.expression, seed)) use = 'as a returned result';
    } else if (node.type === 'BinaryOperation' && node.operator === '%' && node !== seed && derives(node.left)) {
      use = 'modulo a number (picking among a few outcomes)';
    }
    return undefined;
  });
  if (use) return found(use);
  for (const transfer of valueTransfers(fn, analysis)) {
    if (transfer.amount && derives(transfer.amount)) return found('as the amount of a payment');
    if (transfer.recipient && derives(transfer.recipient)) return found('to pick who is paid');
  }
  // Handed to an internal function that decides with it (`_pickWinner(seed)`).
  for (const call of facts.calls) {
    if (call.kind !== 'internal') continue;
    for (const [index, argument] of call.arguments.entries()) {
      if (!derives(argument)) continue;
      for (const target of call.targets) {
        const decision = parameterDecision(analysis, target, target.params[index]?.name);
        if (decision)
          return {
            use: `by passing it to ${qualifiedName(target)}, which uses it ${decision.use}`,
            holders,
            passedTo: { fn: target, node: decision.node, use: decision.use },
          };
      }
    }
  }
  return found(undefined);
}

/** Where an internal function decides with a parameter: a condition, an array index, a modulo, a payment. */
function parameterDecision(
  analysis: Analysis,
  fn: FunctionIR,
  param: string | undefined,
): { node: Node; use: string } | undefined {
  if (!param || !fn.body) return undefined;
  const tainted = (node: Node | null | undefined) => Boolean(node) && analysis.taintOf(node, fn).has(`param:${param}`);
  const condition = analysis.facts(fn).conditions.find(tainted);
  if (condition) return { node: condition, use: 'in a condition' };
  let out: { node: Node; use: string } | undefined;
  walk(fn.body, (node) => {
    if (out) return false;
    if (node.type === 'IndexAccess' && tainted(node.index) && analysis.typeOf(node.base, fn).kind === 'array')
      out = { node, use: 'as an array index' };
    else if (node.type === 'BinaryOperation' && node.operator === '%' && tainted(node.left))
      out = { node, use: 'modulo a number (picking among a few outcomes)' };
    return undefined;
  });
  if (out) return out;
  const transfer = valueTransfers(fn, analysis).find((t) => tainted(t.amount) || tainted(t.recipient));
  return transfer ? { node: transfer.node, use: 'in a payment' } : undefined;
}

/**
 * The hash is converted to an integer, compared, or reduced modulo a number, directly or through
 * the locals that hold it (`bytes32 h = keccak256(..); uint(h) % n`).
 */
function usedAsNumber(seed: Node, fn: FunctionIR, facts: FunctionFacts, analysis: Analysis, depth = 0): boolean {
  let child = seed;
  let parent = facts.parents.get(child);
  while (parent) {
    if (parent.type === 'TupleExpression' || parent.type === 'IndexAccess') {
      if (parent.type === 'IndexAccess')
        return parent.index === child && analysis.typeOf(parent.base, fn).kind === 'array';
    } else if (parent.type === 'FunctionCall') {
      const callee = parent.expression;
      return callee?.type === 'ElementaryTypeName' && /^u?int/.test(callee.name);
    } else if (parent.type === 'BinaryOperation') {
      if (['==', '!=', '<', '>', '<=', '>=', '%', '^', '&'].includes(parent.operator)) return true;
      if (parent.operator === '=' && parent.right === child && depth < 3)
        return holderUsedAsNumber(parent.left, fn, facts, analysis, depth);
      return false;
    } else if (parent.type === 'VariableDeclarationStatement') {
      const variable = (parent.variables ?? [])[0];
      return (
        Boolean(variable) &&
        depth < 3 &&
        holderUsedAsNumber(variable.identifier ?? variable, fn, facts, analysis, depth)
      );
    } else return false;
    child = parent;
    parent = facts.parents.get(child);
  }
  return false;
}

function holderUsedAsNumber(
  target: Node,
  fn: FunctionIR,
  facts: FunctionFacts,
  analysis: Analysis,
  depth: number,
): boolean {
  const name = target.type === 'Identifier' ? target.name : target.name;
  if (!name || !facts.locals.has(name)) return false;
  let numeric = false;
  walk(fn.body!, (node) => {
    if (numeric) return false;
    if (
      node.type === 'Identifier' &&
      node.name === name &&
      node !== target &&
      facts.parents.get(node)?.type !== 'VariableDeclaration'
    ) {
      const parent = facts.parents.get(node);
      const isWrite = parent?.type === 'BinaryOperation' && parent.operator === '=' && parent.left === node;
      if (!isWrite && usedAsNumber(node, fn, facts, analysis, depth + 1)) numeric = true;
    }
    return undefined;
  });
  return numeric;
}

/** A bare hash returned as-is (an id or commitment), not a number derived from it. */
function isHashOnly(expression: Node, seed: Node): boolean {
  return unparen(expression) === seed && seed.type === 'FunctionCall' && !isModulo(seed);
}

function isModulo(node: Node): boolean {
  return node.type === 'BinaryOperation' && node.operator === '%';
}

/** `node` computes with the seed (or a local holding it), looking past mapping keys. */
function reaches(node: Node, seed: Node, holders: Set<string>, fn: FunctionIR, analysis: Analysis): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n === seed || (n.type === 'Identifier' && holders.has(n.name))) {
      found = true;
      return false;
    }
    if (n.type === 'IndexAccess' && analysis.typeOf(n.base, fn).kind === 'mapping') {
      if (reaches(n.base, seed, holders, fn, analysis)) found = true;
      return false;
    }
    return undefined;
  });
  return found;
}

function contains(node: Node, target: Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n === target) found = true;
    return undefined;
  });
  return found;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}
