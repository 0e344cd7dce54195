import type { FunctionIR, Node } from '@bulwark/solidity';
import { qualifiedName, walk } from '@bulwark/solidity';
import { constantValue } from '../../analysis/constants.ts';
import { expressionKey, unparen } from '../../analysis/expressions.ts';
import { localAssignments } from '../../analysis/locals.ts';
import { defineDetector } from '../../detector.ts';

export const divideBeforeMultiply = defineDetector({
  id: 'divide-before-multiply',
  category: 'arithmetic',
  title: 'Division before multiplication',
  impact: 'medium',
  confidence: 'medium',
  description:
    'Integer division rounds down; multiplying its result afterwards multiplies the rounding error too. `(a / b) * c` can be far smaller than `a * c / b`, and is 0 whenever a < b.',
  scenario:
    'A fee is computed as `amount / 10000 * feeBps`. For any amount below 10000 the fee is 0, so users split payments into small amounts and pay nothing.',
  recommendation:
    'Multiply first and divide last (`a * c / b`), using a full-precision mulDiv where the product could overflow.',
  swc: ['SWC-101'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, report }) {
    for (const fn of functions) {
      if (!fn.body) continue;
      walk(fn.body, (node) => {
        if (node.type === 'InlineAssemblyStatement') return false;
        if (node.type !== 'BinaryOperation' || (node.operator !== '*' && node.operator !== '*=')) return undefined;
        for (const [operand, other] of [
          [node.left, node.right],
          [node.right, node.left],
        ] as const) {
          const division = divisionIn(operand, fn);
          if (!division || floorsToMultiple(division, other, fn) || roundsUp(division, fn)) continue;
          const constantDivisor = constantValue(division.right, fn) !== undefined;
          // `x / 4 * 3` loses less than 3 units: a ratio of constants, not a leak.
          if (constantDivisor && constantValue(other, fn) !== undefined) continue;
          const source = fn.contract.unit.source;
          report({
            node,
            fn,
            // A constant divisor bounds the loss to one unit of the quotient times the multiplier.
            impact: constantDivisor ? 'low' : undefined,
            message: `${qualifiedName(fn)} multiplies the result of \`${source.textOf(division)}\` in \`${source.textOf(node)}\`: the division rounds down first, and the product multiplies the lost remainder.`,
            related:
              division === unparen(operand)
                ? []
                : [{ node: division, message: 'the division whose result is multiplied' }],
          });
          return undefined;
        }
        return undefined;
      });
    }
  },
});

/** The division an operand holds: `(a / b)` itself, or a local only ever assigned one. */
function divisionIn(operand: Node, fn: FunctionIR): Node | undefined {
  const expression = unparen(operand);
  if (isDivision(expression, fn)) return expression;
  if (expression.type !== 'Identifier') return undefined;
  const values = localAssignments(fn).get(expression.name) ?? [];
  if (values.length !== 1) return undefined;
  const value = unparen(values[0]);
  return isDivision(value, fn) ? value : undefined;
}

function isDivision(node: Node, fn: FunctionIR): boolean {
  if (node.type !== 'BinaryOperation' || node.operator !== '/') return false;
  // Constant folding (`1e18 / 100`) is exact or deliberate.
  return constantValue(node.left, fn) === undefined;
}

/** `(x + d - 1) / d`: a ceiling division, rounded on purpose. */
function roundsUp(division: Node, fn: FunctionIR): boolean {
  const dividend = unparen(division.left);
  const divisor = constantValue(division.right, fn);
  if (divisor === undefined || dividend.type !== 'BinaryOperation' || dividend.operator !== '+') return false;
  return constantValue(dividend.right, fn) === divisor - 1n || constantValue(dividend.left, fn) === divisor - 1n;
}

/** `x / unit * unit` rounds down to a multiple of `unit`, on purpose. */
function floorsToMultiple(division: Node, multiplier: Node, fn: FunctionIR): boolean {
  const unit = fn.contract.unit;
  return expressionKey(division.right, unit) === expressionKey(multiplier, unit);
}
