import {
  type FunctionIR,
  findStateVariable,
  integerBits,
  isUnsigned,
  type Node,
  type SolType,
} from '@bulwark/solidity';
import { unparen } from './expressions.ts';

/** A number literal equal to zero, in any notation or unit (`0`, `0x0`, `0 ether`). */
export function isLiteralZero(node: Node | null | undefined): boolean {
  return node?.type === 'NumberLiteral' && Number(node.number) === 0;
}

const subdenominations: Record<string, bigint> = Object.assign(Object.create(null), {
  wei: 1n,
  gwei: 10n ** 9n,
  szabo: 10n ** 12n,
  finney: 10n ** 15n,
  ether: 10n ** 18n,
  seconds: 1n,
  minutes: 60n,
  hours: 3600n,
  days: 86400n,
  weeks: 604800n,
  years: 31536000n,
});
/** Value of a number literal (`1e18`, `0x10`, `1_000`, `2 ether`); undefined for fractions. */
export function literalValue(node: Node): bigint | undefined {
  if (node.type !== 'NumberLiteral') return undefined;
  const text = String(node.number).replace(/_/g, '');
  let value: bigint;
  try {
    if (/^0x/i.test(text)) value = BigInt(text);
    else if (/^\d+$/.test(text)) value = BigInt(text);
    else {
      const match = /^(\d+)(?:\.(\d+))?e(\d+)$/i.exec(text);
      if (!match) return undefined;
      const fraction = match[2] ?? '';
      const exponent = Number(match[3]) - fraction.length;
      if (exponent < 0) return undefined;
      value = BigInt(match[1] + fraction) * 10n ** BigInt(exponent);
    }
  } catch {
    return undefined;
  }
  const unit = node.subdenomination ? subdenominations[node.subdenomination] : 1n;
  return unit === undefined ? undefined : value * unit;
}
/** Evaluates an expression built from literals and constant state variables only. */
export function constantValue(node: Node | null | undefined, fn: FunctionIR, depth = 0): bigint | undefined {
  if (!node || depth > 8) return undefined;
  const expression = unparen(node);
  switch (expression.type) {
    case 'NumberLiteral':
      return literalValue(expression);
    case 'Identifier': {
      const state = findStateVariable(fn.contract, expression.name);
      if (state?.constant && state.initialValue) return constantValue(state.initialValue, fn, depth + 1);
      return undefined;
    }
    case 'UnaryOperation':
      if (expression.operator === '-') {
        const inner = constantValue(expression.subExpression, fn, depth + 1);
        return inner === undefined ? undefined : -inner;
      }
      return undefined;
    case 'FunctionCall': {
      // Type conversions such as uint8(3) keep the value when it fits.
      const callee = expression.expression;
      if (callee?.type === 'ElementaryTypeName' && expression.arguments?.length === 1)
        return constantValue(expression.arguments[0], fn, depth + 1);
      return undefined;
    }
    case 'BinaryOperation': {
      const left = constantValue(expression.left, fn, depth + 1);
      const right = left === undefined ? undefined : constantValue(expression.right, fn, depth + 1);
      if (left === undefined || right === undefined) return undefined;
      return fold(expression.operator, left, right);
    }
    default:
      return undefined;
  }
}
export function fold(operator: string, left: bigint, right: bigint): bigint | undefined {
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return right === 0n ? undefined : left / right;
    case '%':
      return right === 0n ? undefined : left % right;
    case '**':
      return right < 0n || right > 1024n ? undefined : left ** right;
    case '<<':
      return right > 1024n ? undefined : left << right;
    case '>>':
      return left >> right;
    case '&':
      return left & right;
    case '|':
      return left | right;
    case '^':
      return left ^ right;
    default:
      return undefined;
  }
}
/** Range of an integer type; undefined when the type is not a known integer type. */
export function integerRange(type: SolType): { min: bigint; max: bigint; bits: number } | undefined {
  const bits = integerBits(type);
  if (bits === undefined) return undefined;
  if (isUnsigned(type)) return { min: 0n, max: (1n << BigInt(bits)) - 1n, bits };
  return { min: -(1n << BigInt(bits - 1)), max: (1n << BigInt(bits - 1)) - 1n, bits };
}

/** True for `2**32`, `0x100000000`, ...: a modulo by a power of two truncates, it does not pick. */
export function isPowerOfTwoAtLeast(value: bigint | undefined, minimum: bigint): boolean {
  return value !== undefined && value >= minimum && (value & (value - 1n)) === 0n;
}
