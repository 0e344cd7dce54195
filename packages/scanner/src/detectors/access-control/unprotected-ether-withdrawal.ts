import {
  type Analysis,
  type CallSite,
  dottedName,
  findAll,
  type Node,
  qualifiedName,
  type TaintSource,
} from '@bulwark/solidity';
import { describeSources, isCallerControlled, readsStoredEntry } from '../../analysis/callerSources.ts';
import { isLiteralZero } from '../../analysis/constants.ts';
import { isStateChangingEntry } from '../../analysis/entryPoints.ts';
import { type Frame, framesOf, sourcesOf } from '../../analysis/frames.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { oneTimeGuard } from '../../analysis/oneTimeGuard.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { stateIndexes } from '../../analysis/storage.ts';
import { defineDetector } from '../../detector.ts';

export const unprotectedEtherWithdrawal = defineDetector({
  id: 'unprotected-ether-withdrawal',
  category: 'access-control',
  title: 'Anyone can withdraw ether from the contract',
  impact: 'high',
  confidence: 'high',
  description:
    "A public function without access control sends the contract's ether to an address the caller chooses (msg.sender, a parameter, or a state variable anyone can set), and the amount is not tied to the caller's own recorded balance or deposit, nor limited to the ether sent with the call.",
  scenario:
    'An attacker calls the function repeatedly (or with a large amount and their own address) and drains the ether that other users deposited.',
  recommendation:
    "Restrict the function to an authorised role (onlyOwner, AccessControl), or pay out only what the caller is owed: check and decrement the caller's recorded balance before sending.",
  swc: ['SWC-105'],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!isStateChangingEntry(fn)) continue;
      const frames = framesOf(analysis, fn);
      // Access control, or a once-only path (an initialiser paying its deployer's relayer).
      if (isGuarded(analysis, fn) || oneTimeGuard(analysis, frames)) continue;
      for (const frame of frames) {
        for (const call of analysis.facts(frame.fn).calls) {
          const destination = etherDestination(call);
          if (!destination || !call.value || isLiteralZero(call.value)) continue;
          if (readsStoredEntry(analysis, frame.fn, destination)) continue;
          const destinationSources = [...sourcesOf(analysis, frame, destination)].filter(isCallerControlled);
          if (destinationSources.length === 0) continue;
          if (boundedByMsgValue(analysis, frame, call.value, 0)) continue;
          if (comparedWithMsgValue(analysis, frames, frame, call.value)) continue;
          const recipient = new Set(destinationSources);
          if (tiedToCaller(analysis, frames, recipient)) continue;
          const gated = frames.some((f) => analysis.facts(f.fn).conditions.length > 0);
          const at = frame.via ?? call.node;
          // The amount is the caller's own balance, read but never written back.
          const ownBalance = amountFromOwnBalance(analysis, frame, call.value, recipient);
          const code = sourceText(frame.fn, call.node);
          report({
            node: at,
            fn,
            message: ownBalance
              ? `${qualifiedName(fn)} sends the caller's recorded balance in \`${code}\` but never reduces it; the caller can repeat the call until the contract is empty.`
              : `${qualifiedName(fn)} can be called by anyone and sends ether in \`${code}\` to ${describeSources(destinationSources)} without access control or a check against the caller's own balance; an attacker can drain the contract.`,
            related:
              frame.fn !== fn
                ? [
                    {
                      node: call.node,
                      unit: frame.fn.contract.unit,
                      message: `ether sent in ${qualifiedName(frame.fn)}`,
                    },
                  ]
                : [],
            confidence: gated ? 'medium' : 'high',
          });
        }
      }
    }
  },
});

/** Where a value-carrying call sends ether; undefined when the call carries none. */
function etherDestination(call: CallSite): Node | undefined {
  if (call.kind === 'send' || call.kind === 'transfer' || call.kind === 'low-level-call' || call.kind === 'external') {
    return call.value ? call.receiver : undefined;
  }
  return undefined;
}

/** The amount can be no more than msg.value: `msg.value`, `msg.value - fee`, `msg.value / 2`, a local holding one. */
function boundedByMsgValue(analysis: Analysis, frame: Frame, expression: Node, depth: number): boolean {
  if (depth > 4) return false;
  if (dottedName(expression) === 'msg.value') return true;
  if (isLiteralZero(expression)) return true;
  switch (expression.type) {
    case 'TupleExpression':
      return (
        expression.components?.length === 1 && boundedByMsgValue(analysis, frame, expression.components[0], depth + 1)
      );
    case 'BinaryOperation':
      if (['-', '/', '>>'].includes(expression.operator))
        return boundedByMsgValue(analysis, frame, expression.left, depth + 1);
      if (expression.operator === '%') return true;
      return false;
    case 'Conditional':
      return (
        boundedByMsgValue(analysis, frame, expression.trueExpression, depth + 1) &&
        boundedByMsgValue(analysis, frame, expression.falseExpression, depth + 1)
      );
    case 'FunctionCall': {
      // SafeMath: msg.value.sub(x), msg.value.div(x)
      const callee = expression.expression;
      if (callee?.type === 'MemberAccess' && ['sub', 'div', 'mod'].includes(callee.memberName))
        return boundedByMsgValue(analysis, frame, callee.expression, depth + 1);
      return false;
    }
    case 'Identifier': {
      const facts = analysis.facts(frame.fn);
      if (!facts.locals.has(expression.name)) return false;
      const values = assignedValues(frame, expression.name);
      if (values === undefined || values.length === 0) return false;
      return values.every((value) => boundedByMsgValue(analysis, frame, value, depth + 1));
    }
    default:
      return false;
  }
}

/** Every value assigned to a local (declaration and plain `=`); undefined when it is also updated otherwise. */
function assignedValues(frame: Frame, name: string): Node[] | undefined {
  const out: Node[] = [];
  let other = false;
  if (!frame.fn.body) return undefined;
  for (const node of findAll(
    frame.fn.body,
    (n) => n.type === 'VariableDeclarationStatement' || n.type === 'BinaryOperation' || n.type === 'UnaryOperation',
  )) {
    if (node.type === 'VariableDeclarationStatement') {
      const variables = node.variables ?? [];
      if (variables.length === 1 && variables[0]?.name === name && node.initialValue) out.push(node.initialValue);
    } else if (node.type === 'BinaryOperation' && node.left?.type === 'Identifier' && node.left.name === name) {
      if (node.operator === '=') out.push(node.right);
      else if (['+=', '*=', '|=', '<<='].includes(node.operator)) other = true;
    } else if (node.type === 'UnaryOperation' && node.operator === '++' && node.subExpression?.name === name) {
      other = true;
    }
  }
  return other ? undefined : out;
}

/** `require(msg.value >= amount)` / `msg.value == price * n`: the amount sent out was paid in. */
function comparedWithMsgValue(analysis: Analysis, frames: Frame[], frame: Frame, amount: Node): boolean {
  const amountSources = [...sourcesOf(analysis, frame, amount)].filter((s) => s !== 'msg.value');
  const amountText = sourceText(frame.fn, amount);
  for (const f of frames) {
    for (const condition of analysis.facts(f.fn).conditions) {
      for (const comparison of findAll(
        condition,
        (n) => n.type === 'BinaryOperation' && ['>=', '>', '==', '<=', '<'].includes(n.operator),
      )) {
        const left = findAll(comparison.left, (n) => dottedName(n) === 'msg.value').length > 0;
        const right = findAll(comparison.right, (n) => dottedName(n) === 'msg.value').length > 0;
        if (left === right) continue;
        // msg.value must be the larger side.
        const valueSide = left ? comparison.left : comparison.right;
        const otherSide = left ? comparison.right : comparison.left;
        const valueIsLarger =
          (left && ['>=', '>', '=='].includes(comparison.operator)) ||
          (right && ['<=', '<', '=='].includes(comparison.operator));
        if (!valueIsLarger || dottedName(valueSide) !== 'msg.value') continue;
        if (f === frame && sourceText(f.fn, otherSide) === amountText) return true;
        const otherSources = sourcesOf(analysis, f, otherSide);
        if (amountSources.length > 0 && amountSources.every((s) => otherSources.has(s))) return true;
      }
    }
  }
  return false;
}

/**
 * The payout is accounted against the recipient: some state keyed by the recipient (or by
 * msg.sender) is updated on the way (`balances[msg.sender] -= x`, `claimed[to] = true`), or the
 * caller pays with an external call that names them (`token.transferFrom(msg.sender, ...)`).
 * Reading the caller's balance without reducing it is no tie: the payout repeats (SWC-105).
 */
function tiedToCaller(analysis: Analysis, frames: Frame[], recipient: Set<TaintSource>): boolean {
  const keyedByRecipient = (f: Frame, index: Node) => keyedBy(analysis, f, index, recipient);
  for (const f of frames) {
    const facts = analysis.facts(f.fn);
    for (const write of facts.stateWrites) {
      const target =
        write.node.type === 'BinaryOperation'
          ? write.node.left
          : write.node.type === 'UnaryOperation'
            ? write.node.subExpression
            : write.node;
      if (stateIndexes(f.fn, target, analysis).some((index) => keyedByRecipient(f, index))) return true;
    }
    for (const call of facts.calls) {
      // `TransferHelper.safeTransferFrom(token, msg.sender, ...)`: a library pull pays too.
      const pays = call.kind === 'external' || (call.kind === 'library' && pullNames.has(call.name));
      if (!pays || call.value) continue;
      if (call.arguments.some((arg) => sourcesOf(analysis, f, arg).has('msg.sender'))) return true;
    }
  }
  return false;
}

const pullNames = new Set(['transferFrom', 'safeTransferFrom']);

/** An index naming the caller or the recipient. */
function keyedBy(analysis: Analysis, frame: Frame, index: Node, recipient: Set<TaintSource>): boolean {
  for (const s of sourcesOf(analysis, frame, index)) {
    if (s === 'msg.sender' || s === 'tx.origin' || (recipient.has(s) && s !== 'user-input')) return true;
  }
  return false;
}

/**
 * The amount is the recipient's recorded balance: read from state keyed by them
 * (`balances[msg.sender]`, through a local), or compared with it (`require(amount <= balances[msg.sender])`).
 */
function amountFromOwnBalance(analysis: Analysis, frame: Frame, amount: Node, recipient: Set<TaintSource>): boolean {
  const keyed = (node: Node) =>
    stateIndexes(frame.fn, node, analysis).some((index) => keyedBy(analysis, frame, index, recipient));
  const expressions = [amount];
  if (amount.type === 'Identifier') expressions.push(...(assignedValues(frame, amount.name) ?? []));
  if (expressions.some(keyed)) return true;
  const amountText = sourceText(frame.fn, amount);
  return analysis
    .facts(frame.fn)
    .conditions.some((condition) =>
      findAll(condition, (n) => n.type === 'BinaryOperation' && ['<', '<=', '>', '>='].includes(n.operator)).some(
        (comparison) =>
          (keyed(comparison.left) && sourceText(frame.fn, comparison.right) === amountText) ||
          (keyed(comparison.right) && sourceText(frame.fn, comparison.left) === amountText),
      ),
    );
}
