import type { Confidence, Impact } from '@bulwark/core';
import {
  type Analysis,
  assignedBases,
  assignmentOperators,
  dottedName,
  type FunctionFacts,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type Program,
  type TaintSource,
  walk,
} from '@bulwark/solidity';
import { constantValue, fold, integerRange } from '../../analysis/constants.ts';
import { comparisonOperators, expressionKey, unparen } from '../../analysis/expressions.ts';
import { isGuarded } from '../../analysis/guards.ts';

/** One arithmetic operation that can wrap: `a + b`, `a -= b`, `i++`, ... */
export type ArithmeticOp = {
  node: Node;
  /** `+`, `-` or `*`. */
  operator: '+' | '-' | '*';
  left: Node;
  /** Undefined for `++` and `--` (an implicit 1). */
  right: Node | undefined;
  /** `+=`, `-=`, `*=`, `++`, `--`: the left operand is also written. */
  compound: boolean;
};

export type OverflowVerdict = {
  op: ArithmeticOp;
  /** Why it can wrap, for the message. */
  reason: string;
  impact: Impact;
  confidence: Confidence;
};

const binaryOperators = new Map<string, ArithmeticOp['operator']>([
  ['+', '+'],
  ['-', '-'],
  ['*', '*'],
]);
const compoundOperators = new Map<string, ArithmeticOp['operator']>([
  ['+=', '+'],
  ['-=', '-'],
  ['*=', '*'],
]);

/** Arithmetic operations of a function body; `onlyUnchecked` keeps those inside `unchecked {}`. */
export function arithmeticOps(fn: FunctionIR, onlyUnchecked: boolean): ArithmeticOp[] {
  const out: ArithmeticOp[] = [];
  if (!fn.body) return out;
  const visit = (node: Node, unchecked: boolean): void => {
    walk(node, (current) => {
      if (current.type === 'InlineAssemblyStatement') return false;
      if (current.type === 'UncheckedStatement' && !unchecked) {
        visit(current.block, true);
        return false;
      }
      if (onlyUnchecked && !unchecked) return undefined;
      if (current.type === 'BinaryOperation') {
        const operator = binaryOperators.get(current.operator) ?? compoundOperators.get(current.operator);
        if (operator)
          out.push({
            node: current,
            operator,
            left: current.left,
            right: current.right,
            compound: compoundOperators.has(current.operator),
          });
      } else if (current.type === 'UnaryOperation' && (current.operator === '++' || current.operator === '--')) {
        out.push({
          node: current,
          operator: current.operator === '++' ? '+' : '-',
          left: current.subExpression,
          right: undefined,
          compound: true,
        });
      }
      return undefined;
    });
  };
  visit(fn.body, false);
  return out;
}

type Context = { analysis: Analysis; program: Program; fn: FunctionIR; facts: FunctionFacts };

/**
 * Decides whether an operation can wrap: a provable wrap on constant operands, or an operand that
 * users control with no check that bounds it. `requireUser` drops operations whose operands come
 * only from state or other contracts (for `unchecked` blocks, written on purpose).
 */
export function judge(op: ArithmeticOp, context: Context, requireUser: boolean): OverflowVerdict | undefined {
  const { analysis, fn, facts } = context;
  const inferred = varInferredType(op.left, context);
  if (inferred && op.operator === '+') {
    const wider = widerBound(op.left, inferred.max, context);
    if (wider)
      return {
        op,
        reason: `\`var\` made \`${fn.contract.unit.source.textOf(op.left)}\` a uint${inferred.bits}, but it is compared with \`${fn.contract.unit.source.textOf(wider)}\`, which can exceed ${inferred.max}: the counter wraps to 0 and the loop never ends`,
        impact: 'medium',
        confidence: 'high',
      };
  }
  const type = inferred
    ? { kind: 'elementary' as const, name: `uint${inferred.bits}` }
    : analysis.typeOf(op.compound ? op.left : op.node, fn);
  const known = type.kind !== 'unknown' && type.kind !== 'literal';
  const range = integerRange(type);
  if (known && !range) return undefined; // fixed point, strings: nothing to wrap
  const rangeOrDefault = range ?? { min: 0n, max: (1n << 256n) - 1n, bits: 256 };

  const leftValue = operandValue(op.left, op, context);
  const rightValue = op.right ? operandValue(op.right, op, context) : 1n;
  if (leftValue !== undefined && rightValue !== undefined) {
    // Pure literals are folded by the compiler, which rejects the ones that do not fit.
    if (isLiteralOnly(op.left) && (!op.right || isLiteralOnly(op.right))) return undefined;
    if (!range) return undefined;
    const result = fold(op.operator, leftValue, rightValue);
    if (result === undefined || (result >= range.min && result <= range.max)) return undefined;
    const word = result < range.min ? 'underflows' : 'overflows';
    return {
      op,
      reason: `it always ${word}: the operands are the constants ${leftValue} and ${rightValue}, and ${leftValue} ${op.operator} ${rightValue} does not fit in ${typeName(range)}`,
      impact: 'high',
      confidence: 'high',
    };
  }
  if (fitsByBounds(op, leftValue, rightValue, rangeOrDefault, context)) return undefined;
  // Operations with a neutral constant cannot wrap.
  if (op.operator === '+' && (leftValue === 0n || rightValue === 0n)) return undefined;
  if (op.operator === '*' && (isZeroOrOne(leftValue) || isZeroOrOne(rightValue))) return undefined;
  if (op.operator === '-' && rightValue === 0n) return undefined;
  // `x++`, `x += 1` on a wide integer would need ~2^64 transactions.
  if (
    op.operator === '+' &&
    op.compound &&
    rightValue !== undefined &&
    rightValue >= 0n &&
    rightValue < 1n << 32n &&
    rangeOrDefault.bits >= 64
  )
    return undefined;
  if (op.operator === '+' && !op.compound && isSelfIncrement(op, rightValue, rangeOrDefault.bits, context))
    return undefined;

  if (isBoundedByCheck(op, context)) return undefined;
  if (isNarrowAddendToBoundedValue(op, context)) return undefined;
  if (isLengthIndexOrBound(op, rightValue, context)) return undefined;
  if (isEtherAmount(op, leftValue, rightValue, context)) return undefined;
  // The deployer picks constructor arguments once, in the open; modifier arguments are written in code.
  if (fn.kind === 'constructor' || fn.kind === 'modifier') return undefined;

  const operands = [...(op.right ? [op.right] : []), op.left];
  const influence = userInfluence(operands, context);
  if (!influence.user && (requireUser || !influence.any)) return undefined;
  const view = fn.mutability === 'view' || fn.mutability === 'pure';
  const privileged = isGuarded(analysis, fn);
  const what = op.operator === '-' ? 'underflow' : 'overflow';
  let impact: Impact = 'high';
  let confidence: Confidence = 'medium';
  let reason: string;
  if (influence.user) {
    reason = `it can ${what}: ${influence.user} and nothing bounds it before the operation`;
    if (privileged) {
      impact = 'low';
      confidence = 'low';
      reason += ' (only privileged callers reach it)';
    }
  } else {
    reason = `it can ${what}: the operands come from ${influence.any} and nothing bounds them`;
    impact = 'low';
    confidence = 'low';
  }
  // A wrong value in a view result or an event misleads readers but moves nothing.
  const onlyLogged = analysis.ancestors(op.node, facts).some((a) => a.type === 'EmitStatement');
  if (view || onlyLogged) impact = 'low';
  return { op, reason, impact, confidence };
}

/**
 * Interval reasoning on the operands' largest values: `a / 2 + b / 2`, `x % 100 + y % 100`,
 * `uint256(u8) * 1000` cannot exceed a 256-bit word.
 */
function fitsByBounds(
  op: ArithmeticOp,
  leftValue: bigint | undefined,
  rightValue: bigint | undefined,
  range: { min: bigint; max: bigint },
  context: Context,
): boolean {
  if (op.operator === '-' || range.min < 0n) return false;
  const left = leftValue ?? upperBound(op.left, range.max, context);
  const right = rightValue ?? (op.right ? upperBound(op.right, range.max, context) : 1n);
  if (left < 0n || right < 0n) return false;
  const largest = op.operator === '+' ? left + right : left * right;
  return largest <= range.max;
}

/** Largest value an unsigned expression can take, or `max` when nothing narrows it. */
function upperBound(node: Node, max: bigint, context: Context, depth = 0): bigint {
  const expression = unparen(node);
  if (depth > 6) return max;
  const constant = constantValue(expression, context.fn);
  if (constant !== undefined) return constant;
  const narrowed = (type: ReturnType<typeof context.analysis.typeOf>): bigint => {
    const range = integerRange(type);
    return range && range.min === 0n && range.max < max ? range.max : max;
  };
  switch (expression.type) {
    case 'BinaryOperation': {
      const right = constantValue(expression.right, context.fn);
      if (expression.operator === '%' && right !== undefined && right > 0n) return right - 1n;
      if (expression.operator === '/' && right !== undefined && right > 0n)
        return upperBound(expression.left, max, context, depth + 1) / right;
      if (expression.operator === '&' && right !== undefined && right >= 0n) return right;
      if (expression.operator === '>>' && right !== undefined)
        return upperBound(expression.left, max, context, depth + 1) >> right;
      if (expression.operator === '+' || expression.operator === '*') {
        const a = upperBound(expression.left, max, context, depth + 1);
        const b = upperBound(expression.right, max, context, depth + 1);
        const bound = expression.operator === '+' ? a + b : a * b;
        return bound < max ? bound : max;
      }
      return max;
    }
    case 'FunctionCall': {
      const callee = expression.expression;
      if (callee?.type === 'ElementaryTypeName' && expression.arguments?.length === 1) {
        const cast = narrowed(context.analysis.typeOf(expression, context.fn));
        const inner = upperBound(expression.arguments[0], max, context, depth + 1);
        return smaller(inner, cast);
      }
      // A call returning a narrow type: `data.uint32At(i)` (a bound library call has no type of its own).
      const site = context.facts.calls.find((c) => c.node === expression);
      const returned =
        site?.targets.length === 1 && site.targets[0]!.returns.length === 1 ? site.targets[0]!.returns[0] : undefined;
      return returned ? narrowed(returned.type) : narrowed(context.analysis.typeOf(expression, context.fn));
    }
    case 'Identifier': {
      // A local set once from a narrower value: `uint256 len = uint256(data.uint32At(i));`.
      const initial = onlyValueOfLocal(expression, context);
      const typed = narrowed(context.analysis.typeOf(expression, context.fn));
      return initial ? smaller(typed, upperBound(initial, max, context, depth + 1)) : typed;
    }
    case 'MemberAccess':
    case 'IndexAccess':
      return narrowed(context.analysis.typeOf(expression, context.fn));
    default:
      return max;
  }
}

/** `var i = 0` in Solidity < 0.5 types `i` as the smallest unsigned type holding the literal. */
function varInferredType(node: Node, context: Context): { bits: number; max: bigint } | undefined {
  const expression = unparen(node);
  if (expression.type !== 'Identifier') return undefined;
  const local = context.facts.locals.get(expression.name);
  const typeName = local?.node.typeName;
  if (!local || (typeName && typeName.name !== 'var')) return undefined;
  const declaration = context.facts.parents.get(local.node);
  if (declaration?.type !== 'VariableDeclarationStatement' || !declaration.initialValue) return undefined;
  const value = constantValue(declaration.initialValue, context.fn);
  if (value === undefined || value < 0n || !isLiteralOnly(declaration.initialValue)) return undefined;
  let bits = 8;
  while (bits < 256 && value >= 1n << BigInt(bits)) bits += 8;
  return { bits, max: (1n << BigInt(bits)) - 1n };
}

/** A condition comparing `node` with a non-constant expression of a wider type (`i < players.length`). */
function widerBound(node: Node, max: bigint, context: Context): Node | undefined {
  const unit = context.fn.contract.unit;
  const key = expressionKey(node, unit);
  for (const condition of context.facts.conditions) {
    let found: Node | undefined;
    walk(condition, (n) => {
      if (found) return false;
      if (n.type !== 'BinaryOperation' || !['<', '<=', '!=', '>', '>='].includes(n.operator)) return undefined;
      for (const [side, other] of [
        [n.left, n.right],
        [n.right, n.left],
      ] as const) {
        if (expressionKey(side, unit) !== key || isLiteralOnly(other)) continue;
        const range = integerRange(context.analysis.typeOf(other, context.fn));
        const otherMax = range?.max ?? (1n << 256n) - 1n;
        if (otherMax > max) found = other;
      }
      return undefined;
    });
    if (found) return found;
  }
  return undefined;
}

/** Math.min for bigints. */
function smaller(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

function typeName(range: { min: bigint; bits: number }): string {
  return `${range.min < 0n ? 'int' : 'uint'}${range.bits}`;
}

function isZeroOrOne(value: bigint | undefined): boolean {
  return value === 0n || value === 1n;
}

function isLiteralOnly(node: Node): boolean {
  let literal = true;
  walk(node, (n) => {
    if (n.type === 'Identifier' || n.type === 'MemberAccess' || n.type === 'IndexAccess') literal = false;
    return literal ? undefined : false;
  });
  return literal;
}

/** `x = x + 1` on a wide integer. */
function isSelfIncrement(op: ArithmeticOp, rightValue: bigint | undefined, bits: number, context: Context): boolean {
  if (rightValue === undefined || rightValue < 0n || rightValue >= 1n << 32n || bits < 64) return false;
  const parent = context.facts.parents.get(op.node);
  if (parent?.type !== 'BinaryOperation' || parent.operator !== '=' || parent.right !== op.node) return false;
  const unit = context.fn.contract.unit;
  return expressionKey(parent.left, unit) === expressionKey(op.left, unit);
}

// ------------------------------------------------------------------ constants through locals

/** Constant value of an operand: literals, constant state variables, locals only ever set to a constant. */
function operandValue(node: Node, op: ArithmeticOp, context: Context): bigint | undefined {
  const direct = constantValue(node, context.fn);
  if (direct !== undefined) return direct;
  const expression = unparen(node);
  if (expression.type !== 'Identifier') return undefined;
  return localConstant(expression.name, op, context) ?? effectivelyConstant(expression.name, context);
}

/** A state variable with a constant initialiser that no function ever writes (`uint8 decimals = 18;`). */
function effectivelyConstant(name: string, context: Context): bigint | undefined {
  const { fn, analysis } = context;
  if (context.facts.locals.has(name)) return undefined;
  const variable = findStateVariable(fn.contract, name);
  if (!variable?.initialValue || !integerRange(variable.type)) return undefined;
  const value = constantValue(variable.initialValue, fn);
  if (value === undefined) return undefined;
  for (const contract of fn.contract.linearized) {
    for (const other of [...contract.functions, ...contract.modifiers]) {
      if (analysis.facts(other).stateWrites.some((w) => w.variable === variable)) return undefined;
    }
  }
  return value;
}

/**
 * A local declared with a constant (or no) initialiser and written nowhere else except by the
 * operation under test itself, outside loops: its value at the operation is that constant.
 */
function localConstant(name: string, op: ArithmeticOp, context: Context): bigint | undefined {
  const { fn, facts, analysis } = context;
  const local = facts.locals.get(name);
  if (!local || fn.params.includes(local) || fn.returns.includes(local)) return undefined;
  if (!integerRange(local.type)) return undefined;
  const declaration = facts.parents.get(local.node);
  if (declaration?.type !== 'VariableDeclarationStatement' || declaration.variables?.length !== 1) return undefined;
  const initial: bigint | undefined = declaration.initialValue
    ? constantValue(declaration.initialValue, fn)
    : local.storageLocation
      ? undefined
      : 0n;
  if (initial === undefined) return undefined;
  const inLoop = analysis
    .ancestors(op.node, facts)
    .some((a) => ['ForStatement', 'WhileStatement', 'DoWhileStatement'].includes(a.type));
  if (inLoop) return undefined;
  if (isReassigned(name, fn, ownAssignment(op, context))) return undefined;
  // The declaration must run before the operation (same function, earlier in the source).
  if ((declaration.range?.[0] ?? 0) > (op.node.range?.[0] ?? 0)) return undefined;
  return initial;
}

/** The assignment the operation is part of (`v = v - 10`, `v -= 10`, `v--`), if any. */
function ownAssignment(op: ArithmeticOp, context: Context): Node | undefined {
  if (op.compound) return op.node;
  const parent = context.facts.parents.get(op.node);
  if (parent?.type === 'BinaryOperation' && parent.operator === '=' && parent.right === op.node) return parent;
  return undefined;
}

// ------------------------------------------------------------------ guards

const callerChosen = (source: string) =>
  source.startsWith('param:') || source === 'user-input' || source === 'msg.data';

/**
 * `deposits[msg.sender] += msg.value`, `msg.value * 100`: all the ether there is comes to less
 * than 2^90 wei, so msg.value added to an ether tally (one no caller-chosen number feeds) or
 * multiplied by a constant below 2^128 cannot reach 2^256.
 */
function isEtherAmount(
  op: ArithmeticOp,
  leftValue: bigint | undefined,
  rightValue: bigint | undefined,
  context: Context,
): boolean {
  if (!op.right) return false;
  const isValue = (node: Node) => dottedName(unparen(node)) === 'msg.value';
  const [value, other, otherValue] = isValue(op.right)
    ? [op.right, op.left, leftValue]
    : isValue(op.left)
      ? [op.left, op.right, rightValue]
      : [undefined, undefined, undefined];
  if (!value || !other) return false;
  if (op.operator === '*') return otherValue !== undefined && otherValue >= 0n && otherValue < 1n << 128n;
  if (op.operator !== '+') return false;
  return ![...context.analysis.taintOf(other, context.fn)].some(callerChosen);
}

/**
 * `arr[arr.length - 1]` or `i < path.length - 2`: an array's length minus a constant used as an
 * index or a bound. When it wraps, the index (or the loop's first access) is out of bounds and
 * the call reverts, so nothing is corrupted. Writing the length (`length -= 1`) is another matter.
 */
function isLengthIndexOrBound(op: ArithmeticOp, rightValue: bigint | undefined, context: Context): boolean {
  if (op.operator !== '-' || op.compound || rightValue === undefined || rightValue > 255n) return false;
  const left = unparen(op.left);
  if (left.type !== 'MemberAccess' || left.memberName !== 'length') return false;
  let child: Node = op.node;
  for (const parent of context.analysis.ancestors(op.node, context.facts)) {
    if (parent.type === 'IndexAccess') return parent.index === child;
    if (parent.type === 'BinaryOperation' && comparisonOperators.has(parent.operator)) return true;
    if (parent.type !== 'TupleExpression') return false;
    child = parent;
  }
  return false;
}

/**
 * True when a check relates the operands: `require(b <= a)` for `a - b`, `require(a + b >= a)`
 * or `c = a + b; require(c >= a)` for additions, `c / a == b` for products, or, for additions
 * and products, any comparison that bounds an operand (`require(v <= balance)`).
 */
function isBoundedByCheck(op: ArithmeticOp, context: Context): boolean {
  const { fn, facts, analysis } = context;
  // `location + 0x14 + 0x04`: small constants added to a bounded sum are bounded by the same check.
  const inner = unparen(op.left);
  if (
    op.operator === '+' &&
    !op.compound &&
    inner.type === 'BinaryOperation' &&
    inner.operator === '+' &&
    isSmallConstant(op.right, fn) &&
    isSmallConstant(inner.right, fn)
  )
    return isBoundedByCheck(
      { node: inner, operator: '+', left: inner.left, right: inner.right, compound: false },
      context,
    );
  const unit = fn.contract.unit;
  const comparisons: Node[] = [];
  const modifierFacts = fn.modifiers.flatMap((m) => (m.definition ? [analysis.facts(m.definition)] : []));
  for (const f of [facts, ...modifierFacts]) {
    for (const condition of f.conditions) {
      walk(condition, (node) => {
        if (node.type === 'BinaryOperation' && comparisonOperators.has(node.operator)) comparisons.push(node);
      });
    }
  }
  if (comparisons.length === 0) return false;
  const leftKey = expressionKey(op.left, unit);
  const rightKey = op.right ? expressionKey(op.right, unit) : undefined;
  const opKey = expressionKey(op.node, unit);
  const resultKeys = new Set([opKey, ...resultLocals(op, context)]);
  const variableSides = (comparison: Node): string[] =>
    [comparison.left, comparison.right].filter((side) => !isLiteralOnly(side)).map((side) => expressionKey(side, unit));
  for (const comparison of comparisons) {
    // `(z = x - y) <= x` compares the result: count both the assigned name and the value.
    const sides = [comparison.left, comparison.right].flatMap((side) => {
      const inner = unparen(side);
      return inner.type === 'BinaryOperation' && inner.operator === '='
        ? [expressionKey(inner.left, unit), expressionKey(inner.right, unit)]
        : [expressionKey(side, unit)];
    });
    const nonLiteral = variableSides(comparison);
    // The two operands compared with each other.
    if (rightKey && sides.includes(leftKey) && sides.includes(rightKey)) return true;
    // The result compared with an operand (checked after the operation).
    if (sides.some((s) => resultKeys.has(s)) && (sides.includes(leftKey) || (rightKey && sides.includes(rightKey))))
      return true;
    if (op.operator === '*' && mentionsAny(comparison, resultKeys, unit) && comparison.operator === '==') return true;
    if (op.operator === '-') {
      // `x--` guarded by `x > 0`; `a - b` with b bounded by another value (an invariant such as
      // balance <= supply keeps it in range, as OpenZeppelin's ERC20 does).
      if (!rightKey && sides.includes(leftKey)) return true;
      // `if (msb >= 128) ... msb - 127`: the minuend compared with a constant.
      if (rightValueOf(op, context) !== undefined && sides.includes(leftKey) && nonLiteral.length === 1) return true;
      if (rightKey && !isLiteralOnly(op.right!) && nonLiteral.includes(rightKey) && nonLiteral.length === 2)
        return true;
    } else {
      // An addend or factor compared with something other than a literal is bounded by it.
      if (nonLiteral.length === 2 && (nonLiteral.includes(leftKey) || (rightKey && nonLiteral.includes(rightKey))))
        return true;
      if (rightKey && isUpperBoundByLiteral(comparison, rightKey, unit)) return true;
      if (isUpperBoundByLiteral(comparison, leftKey, unit)) return true;
    }
  }
  return false;
}

/**
 * `start + len` where `len` is below 2^64 by its type (a uint32 read widened to uint256) and
 * `start` is bounded by a check (`while (location < script.length)`): the sum cannot reach 2^256.
 */
function isNarrowAddendToBoundedValue(op: ArithmeticOp, context: Context): boolean {
  if (op.operator !== '+' || op.compound || !op.right) return false;
  const word = (1n << 256n) - 1n;
  for (const [narrow, other] of [
    [op.right, op.left],
    [op.left, op.right],
  ] as const) {
    if (upperBound(narrow, word, context) >= 1n << 64n) continue;
    const value = unparen(onlyValueOfLocal(unparen(other), context) ?? other);
    const probe: ArithmeticOp =
      value.type === 'BinaryOperation' && value.operator === '+'
        ? { node: value, operator: '+', left: value.left, right: value.right, compound: false }
        : { node: value, operator: '+', left: value, right: undefined, compound: false };
    if (isBoundedByCheck(probe, context)) return true;
  }
  return false;
}

/** The initial value of a local that is never assigned again (`uint256 start = offset + 4;`). */
function onlyValueOfLocal(node: Node, context: Context): Node | undefined {
  if (node.type !== 'Identifier') return undefined;
  const local = context.facts.locals.get(node.name);
  const declaration = local ? context.facts.parents.get(local.node) : undefined;
  if (declaration?.type !== 'VariableDeclarationStatement' || (declaration.variables ?? []).length !== 1)
    return undefined;
  if (!declaration.initialValue || !context.fn.body) return undefined;
  const written = findAll(
    context.fn.body,
    (n) =>
      (n.type === 'BinaryOperation' &&
        assignmentOperators.has(n.operator) &&
        unparen(n.left).type === 'Identifier' &&
        unparen(n.left).name === node.name) ||
      (n.type === 'UnaryOperation' &&
        (n.operator === '++' || n.operator === '--') &&
        n.subExpression?.type === 'Identifier' &&
        n.subExpression.name === node.name),
  );
  return written.length === 0 ? declaration.initialValue : undefined;
}

function isSmallConstant(node: Node | undefined, fn: FunctionIR): boolean {
  const value = node ? constantValue(node, fn) : undefined;
  return value !== undefined && value >= 0n && value < 1n << 32n;
}

function rightValueOf(op: ArithmeticOp, context: Context): bigint | undefined {
  return op.right ? constantValue(op.right, context.fn) : 1n;
}

/** `v <= 1000`, `v < 2**64`, `1000 >= v`: an upper bound by a constant. */
function isUpperBoundByLiteral(comparison: Node, key: string, unit: FunctionIR['contract']['unit']): boolean {
  const left = expressionKey(comparison.left, unit);
  const right = expressionKey(comparison.right, unit);
  if (left === key && isLiteralOnly(comparison.right)) return ['<', '<=', '=='].includes(comparison.operator);
  if (right === key && isLiteralOnly(comparison.left)) return ['>', '>=', '=='].includes(comparison.operator);
  return false;
}

function mentionsAny(node: Node, keys: Set<string>, unit: FunctionIR['contract']['unit']): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === 'Identifier' && keys.has(n.name)) found = true;
    else if (keys.has(expressionKey(n, unit))) found = true;
    return undefined;
  });
  return found;
}

/** Locals the operation's result is stored in (`uint c = a + b;`, `c = a * b;`). */
function resultLocals(op: ArithmeticOp, context: Context): string[] {
  const parent = context.facts.parents.get(op.node);
  if (op.compound) return [expressionKey(op.left, context.fn.contract.unit)];
  if (parent?.type === 'VariableDeclarationStatement' && parent.initialValue === op.node)
    return (parent.variables ?? []).filter(Boolean).map((v: Node) => v.name);
  if (parent?.type === 'BinaryOperation' && parent.operator === '=' && parent.right === op.node)
    return [expressionKey(parent.left, context.fn.contract.unit)];
  return [];
}

// ------------------------------------------------------------------ influence

const userSources = new Set<TaintSource>(['user-input', 'msg.value', 'msg.data']);

type Influence = { user: string | undefined; any: string | undefined };

/** Whether users steer the operands, and a phrase saying how. */
function userInfluence(operands: Node[], context: Context): Influence {
  const { fn } = context;
  const unit = fn.contract.unit;
  let user: string | undefined;
  let any: string | undefined;
  for (const operand of operands) {
    // What `balances[to]` holds does not depend on who `to` is: follow the stored value only.
    const sources = valueSources(operand, context);
    const text = `\`${unit.source.textOf(operand)}\``;
    for (const source of sources) {
      if (source.startsWith('param:')) {
        const name = source.slice('param:'.length);
        if (parameterReachesUsers(fn, name, context)) {
          user ??= `${text} comes from the caller (parameter ${name})`;
        } else if (!hasKnownCallers(fn, context)) {
          // Nobody in the program calls it: callers elsewhere may pass anything.
          any ??= `${text} (parameter ${name})`;
        }
      } else if (userSources.has(source)) {
        user ??= source === 'user-input' ? `${text} holds a value any caller can set` : `${text} comes from ${source}`;
      } else if (source.startsWith('state:') || source === 'external-call') {
        any ??= `${text} (${source === 'external-call' ? 'another contract' : 'contract state'})`;
      }
    }
  }
  return { user, any };
}

/**
 * Sources of the value an operand holds. Unlike plain taint it follows single-assignment locals
 * to their initialiser, reads through indexes (`balances[to]` holds what was stored, whoever
 * `to` is), and treats fields of storage-pointer parameters as stored state.
 */
function valueSources(node: Node, context: Context, depth = 0): Set<TaintSource> {
  const { analysis, fn, facts } = context;
  const expression = unparen(node);
  if (depth > 6) return analysis.taintOf(expression, fn);
  switch (expression.type) {
    case 'IndexAccess':
      return valueSources(expression.base, context, depth + 1);
    case 'MemberAccess': {
      const dotted = dottedName(expression);
      if (dotted && /^(msg|block|tx)\./.test(dotted)) return analysis.taintOf(expression, fn);
      return valueSources(expression.expression, context, depth + 1);
    }
    case 'Identifier': {
      const local = facts.locals.get(expression.name);
      if (local && fn.params.includes(local) && local.storageLocation === 'storage')
        return new Set<TaintSource>([`state:${expression.name}`]);
      if (local && !fn.params.includes(local) && !fn.returns.includes(local)) {
        const declaration = facts.parents.get(local.node);
        if (
          declaration?.type === 'VariableDeclarationStatement' &&
          declaration.variables?.length === 1 &&
          declaration.initialValue &&
          !isReassigned(expression.name, fn, undefined)
        )
          return valueSources(declaration.initialValue, context, depth + 1);
      }
      return analysis.taintOf(expression, fn);
    }
    case 'BinaryOperation':
      return union(
        valueSources(expression.left, context, depth + 1),
        valueSources(expression.right, context, depth + 1),
      );
    case 'UnaryOperation':
      return valueSources(expression.subExpression, context, depth + 1);
    case 'Conditional':
      return union(
        valueSources(expression.trueExpression, context, depth + 1),
        valueSources(expression.falseExpression, context, depth + 1),
      );
    case 'FunctionCall':
      if (expression.expression?.type === 'ElementaryTypeName' && expression.arguments?.length === 1)
        return valueSources(expression.arguments[0], context, depth + 1);
      return analysis.taintOf(expression, fn);
    default:
      return analysis.taintOf(expression, fn);
  }
}

function union<T>(a: Set<T>, b: Set<T>): Set<T> {
  for (const item of b) a.add(item);
  return a;
}

/** True when something other than `except` assigns the local `name` (assignment, ++/--, delete). */
function isReassigned(name: string, fn: FunctionIR, except: Node | undefined): boolean {
  let written = false;
  walk(fn.body!, (node) => {
    if (written) return false;
    if (node === except) return undefined;
    let target: Node | undefined;
    if (node.type === 'BinaryOperation' && assignmentOperators.has(node.operator)) target = node.left;
    else if (node.type === 'UnaryOperation' && ['++', '--', 'delete'].includes(node.operator))
      target = node.subExpression;
    if (target && assignedBases(target).some((b) => b.type === 'Identifier' && b.name === name)) written = true;
    return undefined;
  });
  if (written) return true;
  const word = new RegExp(`\\b${name}\\b`);
  return findAll(fn.body!, 'InlineAssemblyStatement').some((assembly) =>
    word.test(fn.contract.unit.source.textOf(assembly)),
  );
}

type CallerEdge = { caller: FunctionIR; argument: Node | undefined };
const callerIndexes = new WeakMap<Analysis, Map<FunctionIR, CallerEdge[][]>>();

/** For each internal function, per parameter, the arguments callers pass. */
function callerIndex(context: Context): Map<FunctionIR, CallerEdge[][]> {
  const cached = callerIndexes.get(context.analysis);
  if (cached) return cached;
  const index = new Map<FunctionIR, CallerEdge[][]>();
  callerIndexes.set(context.analysis, index);
  for (const contract of context.program.contracts) {
    for (const caller of [...contract.functions, ...contract.modifiers]) {
      if (!caller.body) continue;
      for (const call of context.analysis.facts(caller).calls) {
        if (call.kind !== 'internal' && call.kind !== 'library') continue;
        for (const target of call.targets) {
          // `x.f(y)` through `using L for T` passes x as the first parameter.
          const bound =
            call.kind === 'library' &&
            call.receiver !== undefined &&
            context.program.contract(call.receiver.name ?? '', caller.contract.unit)?.kind !== 'library' &&
            target.params.length === call.arguments.length + 1;
          const args = bound ? [call.receiver, ...call.arguments] : call.arguments;
          const perParam = index.get(target) ?? target.params.map(() => []);
          target.params.forEach((_, i) => {
            perParam[i]?.push({ caller, argument: args[i] });
          });
          index.set(target, perParam);
        }
      }
    }
  }
  return index;
}

/** The function is called somewhere in the program (so its callers' arguments are known). */
function hasKnownCallers(fn: FunctionIR, context: Context): boolean {
  if (fn.visibility === 'public' || fn.visibility === 'external') return true;
  return (callerIndex(context).get(fn) ?? []).some((edges) => edges.length > 0);
}

/**
 * A parameter users control: one of a public function (constructors excluded: the deployer
 * chooses), or of an internal function some caller passes user-controlled data to unchecked.
 */
function parameterReachesUsers(fn: FunctionIR, name: string, context: Context, depth = 0): boolean {
  if (fn.kind === 'constructor') return false;
  if (fn.visibility === 'public' || fn.visibility === 'external') return fn.contract.kind !== 'library';
  if (depth > 3) return false;
  const position = fn.params.findIndex((p) => p.name === name);
  if (position < 0) return false;
  const edges = callerIndex(context).get(fn)?.[position] ?? [];
  for (const { caller, argument } of edges) {
    if (!argument) continue;
    const callerFacts = context.analysis.facts(caller);
    const argumentKey = expressionKey(argument, caller.contract.unit);
    const checked = callerFacts.conditions.some((condition) => {
      let found = false;
      walk(condition, (node) => {
        if (found) return false;
        if (
          node.type === 'BinaryOperation' &&
          comparisonOperators.has(node.operator) &&
          [node.left, node.right].some((side) => expressionKey(side, caller.contract.unit) === argumentKey)
        )
          found = true;
        return undefined;
      });
      return found;
    });
    if (checked) continue;
    const sources = context.analysis.taintOf(argument, caller);
    for (const source of sources) {
      if (userSources.has(source)) return true;
      if (
        source.startsWith('param:') &&
        parameterReachesUsers(
          caller,
          source.slice('param:'.length),
          { ...context, fn: caller, facts: callerFacts },
          depth + 1,
        )
      )
        return true;
    }
  }
  return false;
}
