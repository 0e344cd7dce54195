import {
  type Analysis,
  allFunctions,
  type Contract,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  qualifiedName,
  walk,
} from '@bulwark/solidity';
import { classifyCall } from '../../analysis/callClasses.ts';
import { constantValue } from '../../analysis/constants.ts';
import { isExternallyCallable } from '../../analysis/entryPoints.ts';
import { unparen } from '../../analysis/expressions.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { statePath } from '../../analysis/valueOrigins.ts';
import { defineDetector } from '../../detector.ts';

const loopTypes = new Set(['ForStatement', 'WhileStatement', 'DoWhileStatement']);
const comparisons = new Set(['<', '<=', '>', '>=', '!=']);

export const unboundedLoop = defineDetector({
  id: 'unbounded-loop',
  category: 'dos',
  title: 'Loop over a list any user can grow',
  impact: 'medium',
  confidence: 'medium',
  description:
    'A loop runs once per element of a storage array (or up to a storage counter, or along a linked list kept in a mapping) that any user can grow, and writes state or calls out on each iteration (a linked-list walk reads storage at every step, which is enough). Past some length the loop needs more gas than a block holds and the function can never complete again (SWC-128). Also reported: a loop in an open function that pushes to a storage array on each iteration (the array grows by many entries per call; medium when a loop elsewhere walks it or a function clears it, low otherwise), and, at low impact, a loop in an open function bounded by a parameter or the length of an array parameter with no cap checked on it. Loops over arrays only an admin can grow, over memory arrays of a fixed size, and in guarded functions are not reported.',
  scenario:
    'distribute() pays every entry of participants[]; join() lets anyone push to it. An attacker joins thousands of times with dust amounts, distribute() exceeds the block gas limit, and the funds are locked.',
  recommendation:
    'Bound the work per transaction (process in batches from a stored cursor), cap the list length, or replace the loop with pull-based accounting.',
  swc: ['SWC-128'],
  owasp: ['SC10:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!fn.body || fn.kind === 'modifier' || fn.mutability === 'view' || fn.mutability === 'pure') continue;
      if (fn.kind === 'constructor') continue;
      for (const loop of findAll(fn.body, (n) => loopTypes.has(n.type))) {
        const condition: Node | undefined = loop.type === 'ForStatement' ? loop.conditionExpression : loop.condition;
        if (!condition) continue;
        const bound = growableBound(analysis, fn, condition) ?? linkedListBound(analysis, fn, loop, condition);
        // Each step of a linked-list walk reads storage to find the next node: costly by itself.
        if (bound && (bound.walksStorage || doesCostlyWork(analysis, fn, loop))) {
          report({
            node: condition,
            fn,
            message: `${qualifiedName(fn)} loops while \`${sourceText(fn, condition)}\`, bounded by ${bound.description}, which any user can grow (${bound.grower}); with ${bound.walksStorage ? 'a storage read per step' : 'state writes or calls in each iteration'}, a long enough list puts the function over the block gas limit.`,
          });
          continue;
        }
        const growth = storageGrowth(analysis, fn, loop);
        if (growth && isOpen(analysis, fn)) {
          const consumer = arrayConsumer(analysis, fn.contract, growth.path);
          report({
            node: condition,
            fn,
            message: `${qualifiedName(fn)} grows the storage array ${growth.path.replace(/\[\]/g, '[…]')} once per iteration of a loop while \`${sourceText(fn, condition)}\`, and anyone can call it again and again: the array has no upper bound${consumer ? `, and ${consumer} has to process every entry, so past some length it needs more gas than a block holds` : ''}.`,
            related: [{ node: growth.node, message: 'grows the array' }],
            ...(consumer ? {} : { impact: 'low' as const }),
          });
          continue;
        }
        const chosen = callerChosenBound(analysis, fn, condition);
        if (chosen && doesCostlyWork(analysis, fn, loop)) {
          report({
            node: condition,
            fn,
            message: `${qualifiedName(fn)} loops while \`${sourceText(fn, condition)}\`, as many times as the caller's ${chosen} asks, with state writes or calls in each iteration and no upper limit; a batch too large for one block can never complete, which hurts whoever relies on it (a keeper, another contract). Cap the batch size.`,
            impact: 'low',
            confidence: 'low',
          });
        }
      }
    }
  },
});

type Bound = { description: string; grower: string; walksStorage?: boolean };

/** A side of the loop condition that is a user-growable storage array length or counter. */
function growableBound(analysis: Analysis, fn: FunctionIR, condition: Node): Bound | undefined {
  for (const comparison of findAll(condition, (n) => n.type === 'BinaryOperation' && comparisons.has(n.operator))) {
    for (const side of [comparison.left, comparison.right]) {
      const found = boundOf(analysis, fn, side, 0);
      if (found) return found;
    }
  }
  return undefined;
}

function boundOf(analysis: Analysis, fn: FunctionIR, side: Node, depth: number): Bound | undefined {
  if (depth > 2 || !side) return undefined;
  if (side.type === 'MemberAccess' && side.memberName === 'length') {
    const path = statePath(analysis, side.expression, fn);
    if (!path) return undefined;
    const grower = arrayGrower(analysis, fn.contract, path);
    return grower
      ? {
          description: `the length of ${path.replace(/\[\]/g, '[…]')}`,
          grower: `${qualifiedName(grower)} appends to it`,
        }
      : undefined;
  }
  if (side.type === 'Identifier') {
    const facts = analysis.facts(fn);
    if (facts.locals.has(side.name)) {
      const index = fn.params.findIndex((p) => p.name === side.name);
      if (index >= 0) return callerBound(analysis, fn, index, depth);
      for (const value of assignedValues(fn, side.name)) {
        const found = boundOf(analysis, fn, value, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    const path = statePath(analysis, side, fn);
    if (!path) return undefined;
    const grower = counterGrower(analysis, fn.contract, path);
    return grower ? { description: `the counter ${path}`, grower: `${qualifiedName(grower)} increases it` } : undefined;
  }
  if (side.type === 'MemberAccess' || side.type === 'IndexAccess') {
    const path = statePath(analysis, side, fn);
    if (!path) return undefined;
    const grower = counterGrower(analysis, fn.contract, path);
    return grower
      ? { description: `the counter ${path.replace(/\[\]/g, '[…]')}`, grower: `${qualifiedName(grower)} increases it` }
      : undefined;
  }
  return undefined;
}

/**
 * `_distribute(uint n)` looping to `n`: an entry point's caller picks `n` and pays for it, but an
 * internal function is bounded by what its callers pass, e.g. `_distribute(holders.length)`.
 */
function callerBound(analysis: Analysis, fn: FunctionIR, index: number, depth: number): Bound | undefined {
  if (fn.visibility !== 'internal' && fn.visibility !== 'private') return undefined;
  for (const caller of allFunctions(fn.contract)) {
    if (!caller.body) continue;
    for (const call of analysis.facts(caller).calls) {
      if (call.kind !== 'internal' || !call.targets.includes(fn)) continue;
      const argument = call.arguments[index];
      const found = argument && boundOf(analysis, caller, argument, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * `while (cur != 0) { ...; cur = next[cur]; }`: a walk along a linked list kept in a mapping, as
 * long as any user can add nodes (write the mapping from an open function).
 */
function linkedListBound(analysis: Analysis, fn: FunctionIR, loop: Node, condition: Node): Bound | undefined {
  // The cursor is tested directly (`cur != 0`) or through the list (`next[cur] != 0 && ...`).
  const locals = analysis.facts(fn).locals;
  const cursors = new Set<string>();
  for (const compared of findAll(
    condition,
    (n) => n.type === 'BinaryOperation' && (n.operator === '!=' || n.operator === '>'),
  )) {
    for (const raw of [compared.left, compared.right]) {
      const side = raw && unparen(raw);
      const cursor = side?.type === 'IndexAccess' && side.index ? unparen(side.index) : side;
      if (cursor?.type === 'Identifier' && locals.has(cursor.name)) cursors.add(cursor.name);
    }
  }
  for (const cursor of cursors) {
    const found = linkedListStep(analysis, fn, loop, cursor);
    if (found) return found;
  }
  return undefined;
}

function linkedListStep(analysis: Analysis, fn: FunctionIR, loop: Node, cursor: string): Bound | undefined {
  const body = loop.body;
  const steps = [
    ...(body ? assignmentsIn(body, cursor) : []),
    ...(loop.type === 'ForStatement' && loop.loopExpression ? assignmentsIn(loop.loopExpression, cursor) : []),
  ];
  for (const step of steps) {
    // `cur = next[cur]`, or a node struct's field `cur = nodes[cur].next`.
    let value = unparen(step);
    while (value.type === 'MemberAccess') value = unparen(value.expression);
    if (value.type !== 'IndexAccess') continue;
    const path = statePath(analysis, value.base, fn);
    if (!path) continue;
    const writer = openFunctions(analysis, fn.contract).find((f) =>
      analysis.facts(f).stateWrites.some((w) => w.variable.name === path.split(/[.[]/)[0]),
    );
    if (writer)
      return {
        description: `the linked list in ${path.replace(/\[\]/g, '[…]')}`,
        grower: `${qualifiedName(writer)} writes it`,
        walksStorage: true,
      };
  }
  return undefined;
}

function assignmentsIn(root: Node, name: string): Node[] {
  return findAll(
    root,
    (n) => n.type === 'BinaryOperation' && n.operator === '=' && n.left?.type === 'Identifier' && n.left.name === name,
  ).map((n) => n.right);
}

function assignedValues(fn: FunctionIR, name: string): Node[] {
  const out: Node[] = [];
  walk(fn.body!, (node) => {
    if (node.type === 'VariableDeclarationStatement' && node.initialValue && node.variables?.length === 1) {
      if (node.variables[0]?.name === name) out.push(node.initialValue);
    } else if (
      node.type === 'BinaryOperation' &&
      node.operator === '=' &&
      node.left?.type === 'Identifier' &&
      node.left.name === name
    ) {
      out.push(node.right);
    }
    return undefined;
  });
  return out;
}

/** Functions any user can run (unrestricted entry points and what they call), constructors excluded. */
function openFunctions(analysis: Analysis, contract: Contract): FunctionIR[] {
  const out = new Set<FunctionIR>();
  for (const fn of allFunctions(contract)) {
    if (fn.kind === 'constructor' || !analysis.isEntryPoint(fn) || isGuarded(analysis, fn)) continue;
    for (const f of analysis.reachable(fn)) if (f.kind !== 'constructor') out.add(f);
  }
  return [...out];
}

/** An open function that pushes to the array at `path` (or extends its length, pre-0.6). */
function arrayGrower(analysis: Analysis, contract: Contract, path: string): FunctionIR | undefined {
  return openFunctions(analysis, contract).find(
    (f) => findAll(f.body!, (n) => growthTarget(analysis, f, n) === path).length > 0,
  );
}

/** An open function that increases the counter at `path`. */
function counterGrower(analysis: Analysis, contract: Contract, path: string): FunctionIR | undefined {
  return openFunctions(analysis, contract).find(
    (f) =>
      findAll(f.body!, (n) => {
        let target: Node | undefined;
        if (n.type === 'UnaryOperation' && n.operator === '++') target = n.subExpression;
        else if (n.type === 'BinaryOperation' && n.operator === '+=') target = n.left;
        else if (
          n.type === 'BinaryOperation' &&
          n.operator === '=' &&
          n.right?.type === 'BinaryOperation' &&
          n.right.operator === '+'
        )
          target = sourceText(f, n.right.left) === sourceText(f, n.left) ? n.left : undefined;
        return target !== undefined && statePath(analysis, target, f) === path;
      }).length > 0,
  );
}

/** State writes or outgoing calls inside the loop, directly or in internal functions it calls. */
function doesCostlyWork(analysis: Analysis, fn: FunctionIR, loop: Node): boolean {
  const inside = (node: Node) =>
    (node.range?.[0] ?? 0) >= (loop.range?.[0] ?? 0) && (node.range?.[1] ?? 0) <= (loop.range?.[1] ?? 0);
  const facts = analysis.facts(fn);
  if (facts.stateWrites.some((w) => inside(w.node))) return true;
  for (const call of facts.calls) {
    if (!inside(call.node)) continue;
    if (classifyCall(analysis, fn, call) !== 'none') return true;
    if (call.kind === 'internal' || call.kind === 'library') {
      for (const target of call.targets) {
        if (analysis.writesState(target).size > 0) return true;
        if (
          analysis
            .reachable(target)
            .some((f) => analysis.facts(f).calls.some((c) => classifyCall(analysis, f, c) !== 'none'))
        )
          return true;
      }
    }
  }
  return false;
}

/** An unrestricted entry point, or a function one reaches. */
function isOpen(analysis: Analysis, fn: FunctionIR): boolean {
  return openFunctions(analysis, fn.contract).includes(fn);
}

/** `list.push(x)`, `list.length++`, `list.length += 1` on a storage array: the path of the array. */
function growthTarget(analysis: Analysis, fn: FunctionIR, n: Node): string | undefined {
  if (n.type === 'FunctionCall' && n.expression?.type === 'MemberAccess' && n.expression.memberName === 'push')
    return statePath(analysis, n.expression.expression, fn);
  if (
    n.type === 'UnaryOperation' &&
    n.operator === '++' &&
    n.subExpression?.type === 'MemberAccess' &&
    n.subExpression.memberName === 'length'
  )
    return statePath(analysis, n.subExpression.expression, fn);
  // `list.length += 1` (before 0.6).
  if (
    n.type === 'BinaryOperation' &&
    n.operator === '+=' &&
    n.left?.type === 'MemberAccess' &&
    n.left.memberName === 'length'
  )
    return statePath(analysis, n.left.expression, fn);
  return undefined;
}

/** A storage array the loop body grows on each iteration. */
function storageGrowth(analysis: Analysis, fn: FunctionIR, loop: Node): { path: string; node: Node } | undefined {
  for (const n of findAll(loop.body ?? loop, (node) => growthTarget(analysis, fn, node) !== undefined)) {
    const path = growthTarget(analysis, fn, n)!;
    const state = findStateVariable(fn.contract, path.split(/[.[]/)[0]);
    if (state) return { path, node: n };
  }
  return undefined;
}

/**
 * A function that walks the array at `path` in a loop, or clears it (`delete list`,
 * `list.length = 0`, `list = new T[](0)`), which costs gas per element too.
 */
function arrayConsumer(analysis: Analysis, contract: Contract, path: string): string | undefined {
  for (const f of allFunctions(contract)) {
    if (!f.body) continue;
    const walks = findAll(f.body, (n) => loopTypes.has(n.type)).some((loop) => {
      const condition: Node | undefined = loop.type === 'ForStatement' ? loop.conditionExpression : loop.condition;
      return (
        condition !== undefined &&
        findAll(
          condition,
          (n) =>
            n.type === 'MemberAccess' && n.memberName === 'length' && statePath(analysis, n.expression, f) === path,
        ).length > 0
      );
    });
    if (walks) return `${qualifiedName(f)}, which loops over it,`;
    const clears =
      findAll(f.body, (n) => {
        if (n.type === 'UnaryOperation' && n.operator === 'delete')
          return statePath(analysis, n.subExpression, f) === path;
        if (n.type !== 'BinaryOperation' || n.operator !== '=') return false;
        if (n.left?.type === 'MemberAccess' && n.left.memberName === 'length')
          return statePath(analysis, n.left.expression, f) === path;
        return n.right?.type === 'FunctionCall' && n.right.expression?.type === 'NewExpression'
          ? statePath(analysis, n.left, f) === path
          : false;
      }).length > 0;
    if (clears) return `${qualifiedName(f)}, which clears it,`;
  }
  return undefined;
}

/**
 * A loop bound the caller of an unrestricted entry point picks: an integer parameter (`i < n`) or
 * the length of an array parameter (`i < ids.length`), with no cap checked on it anywhere in the
 * function (`require(n <= MAX_BATCH)`). Guarded functions are left out: an admin batches on purpose.
 */
function callerChosenBound(analysis: Analysis, fn: FunctionIR, condition: Node): string | undefined {
  if (!isExternallyCallable(fn) || isGuarded(analysis, fn)) return undefined;
  for (const comparison of findAll(condition, (n) => n.type === 'BinaryOperation' && comparisons.has(n.operator))) {
    for (const side of [comparison.left, comparison.right].map(unparen)) {
      const name =
        side.type === 'Identifier'
          ? side.name
          : side.type === 'MemberAccess' && side.memberName === 'length' && side.expression?.type === 'Identifier'
            ? side.expression.name
            : undefined;
      const param = name ? fn.params.find((p) => p.name === name) : undefined;
      if (!param) continue;
      const chosen = side.type === 'Identifier' ? param.type.kind === 'elementary' : param.type.kind === 'array';
      if (!chosen || capped(analysis, fn, side, comparison)) continue;
      return side.type === 'Identifier' ? `parameter ${name}` : `array ${name}`;
    }
  }
  return undefined;
}

/**
 * Another condition in the function compares `side` with a limit (`require(n <= 50)`,
 * `if (ids.length > maxBatch) revert()`): a non-zero constant or a stored setting. Comparing two
 * parameters (`ids.length == amounts.length`) or with zero caps nothing.
 */
function capped(analysis: Analysis, fn: FunctionIR, side: Node, loopComparison: Node): boolean {
  const text = sourceText(fn, side).replace(/\s+/g, '');
  const isSide = (operand: Node) => sourceText(fn, operand).replace(/\s+/g, '') === text;
  const isLimit = (operand: Node) => {
    const value = constantValue(operand, fn);
    return value !== undefined ? value > 0n : statePath(analysis, unparen(operand), fn) !== undefined;
  };
  return analysis
    .facts(fn)
    .conditions.some(
      (condition) =>
        findAll(
          condition,
          (n) =>
            n !== loopComparison &&
            n.type === 'BinaryOperation' &&
            ['<', '<=', '>', '>='].includes(n.operator) &&
            ((isSide(n.left) && isLimit(n.right)) || (isSide(n.right) && isLimit(n.left))),
        ).length > 0,
    );
}
