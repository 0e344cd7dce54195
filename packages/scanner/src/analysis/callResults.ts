import {
  type Analysis,
  assignmentOperators,
  type CallSite,
  type FunctionIR,
  findAll,
  type Node,
  unwrapCallee,
} from '@bulwark/solidity';

/** How a call's success flag is dealt with. */
export type ResultHandling =
  | { handled: true }
  | {
      handled: false;
      /** Why the result counts as ignored, for the message. */
      reason: string;
      /** The statement that looks like a check but is not one, if any. */
      site?: Node;
    };
const handled: ResultHandling = { handled: true };
/**
 * Whether the boolean a call returns decides anything. A test only counts as a check when, with the
 * call failed, the function reverts or leaves a trace (returns, writes state, emits, calls out), or
 * when success leaves a trace that failure does not. Writes to locals nobody reads are no trace.
 */
export function resultHandling(analysis: Analysis, fn: FunctionIR, call: CallSite): ResultHandling {
  const facts = analysis.facts(fn);
  switch (call.returnUse) {
    case 'unused':
      return { handled: false, reason: 'its result is discarded' };
    case 'returned':
      return handled;
    case 'checked':
      return testHandling(analysis, fn, call.node, (node) => node === call.node);
    case 'stored': {
      if (call.storedIn.length === 0) {
        const declaration = facts.parents.get(call.node);
        // `(, bytes memory data) = a.call(...)`: the success flag is dropped.
        if (declaration?.type === 'VariableDeclarationStatement' || declaration?.type === 'BinaryOperation')
          return { handled: false, reason: 'its success flag is dropped from the assignment' };
        return handled;
      }
      const name = call.storedIn[0];
      if (!facts.locals.has(name)) return handled; // kept in state for later
      if (fn.returns.some((r) => r.name === name)) return handled; // a named return value
      return localHandling(analysis, fn, name, call.node);
    }
    default: {
      const parent = facts.parents.get(call.node);
      const grand = parent ? facts.parents.get(parent) : undefined;
      if (grand?.type === 'EmitStatement') return { handled: false, reason: 'its result is only logged' };
      return handled;
    }
  }
}
/** Uses of a local holding the result: one real check, return or hand-over is enough. */
function localHandling(analysis: Analysis, fn: FunctionIR, name: string, origin: Node): ResultHandling {
  const facts = analysis.facts(fn);
  const uses = findAll(fn.body!, (n) => n.type === 'Identifier' && n.name === name).filter(
    (n) => (n.range?.[0] ?? 0) > (origin.range?.[1] ?? 0) && !isAssignmentTarget(n, facts.parents),
  );
  if (uses.length === 0) return { handled: false, reason: `its result is stored in \`${name}\` and never read` };
  let firstFailure: ResultHandling | undefined;
  for (const use of uses) {
    const outcome = useHandling(analysis, fn, use, name);
    if (outcome.handled) return outcome;
    firstFailure ??= outcome;
  }
  return firstFailure ?? handled;
}
function useHandling(analysis: Analysis, fn: FunctionIR, use: Node, name: string): ResultHandling {
  const facts = analysis.facts(fn);
  let child = use;
  let parent = facts.parents.get(use);
  while (parent) {
    switch (parent.type) {
      case 'UnaryOperation':
      case 'TupleExpression':
        break;
      case 'BinaryOperation':
        if (
          parent.operator === '&&' ||
          parent.operator === '||' ||
          parent.operator === '==' ||
          parent.operator === '!='
        )
          break;
        return handled;
      case 'IfStatement':
      case 'FunctionCall':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
      case 'Conditional':
        if (parent.type === 'FunctionCall' && !isRequire(parent)) {
          const grand = facts.parents.get(parent);
          return grand?.type === 'EmitStatement' ? { handled: false, reason: `\`${name}\` is only logged` } : handled;
        }
        return testHandling(analysis, fn, use, (node) => node.type === 'Identifier' && node.name === name);
      default:
        return handled;
    }
    child = parent;
    parent = facts.parents.get(child);
  }
  return handled;
}
function isRequire(call: Node): boolean {
  return (
    call.expression?.type === 'Identifier' && (call.expression.name === 'require' || call.expression.name === 'assert')
  );
}
function isAssignmentTarget(node: Node, parents: Map<Node, Node>): boolean {
  let child = node;
  let parent = parents.get(node);
  while (parent?.type === 'TupleExpression') {
    child = parent;
    parent = parents.get(parent);
  }
  return (
    parent?.type === 'VariableDeclaration' ||
    (parent?.type === 'BinaryOperation' && parent.left === child && assignmentOperators.has(parent.operator)) ||
    parent?.type === 'VariableDeclarationStatement'
  );
}
/**
 * A test on the result (the call itself, or a local holding it): in require/assert, if, loop or
 * ternary. `isResult` recognises the tested value inside the condition.
 */
function testHandling(
  analysis: Analysis,
  fn: FunctionIR,
  inner: Node,
  isResult: (node: Node) => boolean,
): ResultHandling {
  const facts = analysis.facts(fn);
  let child = inner;
  let parent = facts.parents.get(inner);
  while (
    parent &&
    !['IfStatement', 'FunctionCall', 'WhileStatement', 'DoWhileStatement', 'ForStatement', 'Conditional'].includes(
      parent.type,
    )
  ) {
    child = parent;
    parent = facts.parents.get(child);
  }
  if (!parent) return handled;
  const condition = child;
  const onFailure = evaluate(condition, isResult, false);
  const onSuccess = evaluate(condition, isResult, true);
  if (parent.type === 'FunctionCall') {
    if (!isRequire(parent) || parent.arguments?.[0] !== condition) return handled;
    // require(x): failure must make the condition false.
    if (onFailure === true)
      return { handled: false, reason: 'the require around it passes even when the call fails', site: parent };
    return handled;
  }
  if (parent.type !== 'IfStatement' || parent.condition !== condition) return handled;
  if (onFailure === undefined) return handled;
  const failureBranch: Node | null = onFailure ? parent.trueBody : parent.falseBody;
  const successBranch: Node | null = onSuccess === undefined ? null : onSuccess ? parent.trueBody : parent.falseBody;
  const failureEffect = effectOf(failureBranch, fn, analysis);
  if (failureEffect !== 'none') return handled;
  // The same branch runs either way: the test decides nothing.
  const successEffect = onSuccess === onFailure ? 'none' : effectOf(successBranch, fn, analysis);
  if (successEffect === 'trace') return handled;
  return {
    handled: false,
    reason:
      successEffect === 'revert'
        ? 'the `if` around it does nothing when the call fails (only a revert when it succeeds), so the function returns normally after a failed call'
        : 'the `if` around it does the same whether the call fails or not',
    site: parent,
  };
}
/** Three-valued evaluation of a condition with the tested result set to `value`. */
function evaluate(
  node: Node | null | undefined,
  isResult: (node: Node) => boolean,
  value: boolean,
): boolean | undefined {
  if (!node) return undefined;
  if (isResult(node)) return value;
  switch (node.type) {
    case 'TupleExpression':
      return node.components?.length === 1 ? evaluate(node.components[0], isResult, value) : undefined;
    case 'BooleanLiteral':
      return Boolean(node.value);
    case 'UnaryOperation':
      if (node.operator !== '!') return undefined;
      {
        const inner = evaluate(node.subExpression, isResult, value);
        return inner === undefined ? undefined : !inner;
      }
    case 'BinaryOperation': {
      if (node.operator === '&&' || node.operator === '||') {
        const left = evaluate(node.left, isResult, value);
        const right = evaluate(node.right, isResult, value);
        if (node.operator === '&&') {
          if (left === false || right === false) return false;
          return left === true && right === true ? true : undefined;
        }
        if (left === true || right === true) return true;
        return left === false && right === false ? false : undefined;
      }
      if (node.operator === '==' || node.operator === '!=') {
        const left = constant(node.left, isResult, value);
        const right = constant(node.right, isResult, value);
        if (left === undefined || right === undefined) return undefined;
        return node.operator === '==' ? left === right : left !== right;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
/** A literal's value (numbers as strings), or the tested result's. */
function constant(node: Node, isResult: (node: Node) => boolean, value: boolean): string | undefined {
  if (isResult(node)) return String(value);
  if (node.type === 'NumberLiteral' && !node.subdenomination) return String(BigInt(node.number.replace(/_/g, '')));
  if (node.type === 'BooleanLiteral') return String(Boolean(node.value));
  const evaluated = evaluate(node, isResult, value);
  return evaluated === undefined ? undefined : String(evaluated);
}
type Effect = 'none' | 'revert' | 'trace';
/** What running a branch leaves behind: nothing, a revert, or a trace (state, event, call, return). */
function effectOf(statement: Node | null | undefined, fn: FunctionIR, analysis: Analysis): Effect {
  if (!statement) return 'none';
  switch (statement.type) {
    case 'Block': {
      let result: Effect = 'none';
      for (const inner of statement.statements ?? []) {
        const effect = effectOf(inner, fn, analysis);
        if (effect === 'trace') return 'trace';
        if (effect === 'revert') result = 'revert';
      }
      return result;
    }
    case 'RevertStatement':
    case 'ThrowStatement':
      return 'revert';
    case 'ExpressionStatement': {
      const expression = statement.expression;
      if (expression?.type === 'FunctionCall') {
        const callee = unwrapCallee(expression.expression).callee;
        if (callee.type === 'Identifier' && callee.name === 'revert') return 'revert';
        if (callee.type === 'Identifier' && (callee.name === 'require' || callee.name === 'assert')) {
          const argument = expression.arguments?.[0];
          return argument?.type === 'BooleanLiteral' && !argument.value ? 'revert' : 'trace';
        }
      }
      if (writesOnlyDeadLocal(expression, fn, analysis)) return 'none';
      return 'trace';
    }
    default:
      return 'trace';
  }
}
/** `x += 1`, `x = ...`, `x++` where x is a local variable no statement reads. */
function writesOnlyDeadLocal(expression: Node | undefined, fn: FunctionIR, analysis: Analysis): boolean {
  if (!expression) return false;
  let target: Node | undefined;
  if (expression.type === 'BinaryOperation' && assignmentOperators.has(expression.operator)) target = expression.left;
  else if (expression.type === 'UnaryOperation' && (expression.operator === '++' || expression.operator === '--'))
    target = expression.subExpression;
  if (target?.type !== 'Identifier') return false;
  const facts = analysis.facts(fn);
  const local = facts.locals.get(target.name);
  if (!local || local.storageLocation === 'storage' || fn.returns.some((r) => r.name === target.name)) return false;
  if (expression.type === 'BinaryOperation' && findAll(expression.right, 'FunctionCall').length > 0) return false;
  const name = target.name;
  return findAll(fn.body!, (n) => n.type === 'Identifier' && n.name === name).every((use) => {
    const parent = facts.parents.get(use);
    return (
      parent?.type === 'VariableDeclaration' ||
      (parent?.type === 'BinaryOperation' && parent.left === use && assignmentOperators.has(parent.operator)) ||
      (parent?.type === 'UnaryOperation' &&
        parent.subExpression === use &&
        (parent.operator === '++' || parent.operator === '--'))
    );
  });
}
/**
 * `a.call.value(v)` / `a.call.gas(g)` used as a statement: the call is configured but never made
 * (solc 0.5 compiles it; the function is even inferred as pure).
 */
export function neverInvokedCall(call: CallSite): boolean {
  if (call.kind !== 'builtin' || (call.name !== 'value' && call.name !== 'gas') || call.returnUse !== 'unused')
    return false;
  let receiver = call.receiver;
  while (receiver?.type === 'FunctionCall' && receiver.expression?.type === 'MemberAccess')
    receiver = receiver.expression.expression;
  return receiver?.type === 'MemberAccess' && ['call', 'delegatecall', 'callcode'].includes(receiver.memberName);
}
const erc20Methods: Record<string, string> = {
  transfer: 'transfer(address,uint256)',
  transferFrom: 'transferFrom(address,address,uint256)',
  approve: 'approve(address,uint256)',
};
export type Erc20Call = {
  method: string;
  /** The token type's function declares `returns (bool)`. */
  declaresBool: boolean;
  tokenType: string;
};
/**
 * A call of transfer/transferFrom/approve on a receiver typed as an ERC-20 token: the type declares
 * the ERC-20 signature (returning bool, or beside balanceOf) and is not an ERC-721 (no ownerOf).
 */
export function erc20Call(analysis: Analysis, fn: FunctionIR, call: CallSite): Erc20Call | undefined {
  if (call.kind !== 'external' || !(call.name in erc20Methods)) return undefined;
  const type = analysis.typeOf(call.receiver, fn);
  if (type.kind !== 'user') return undefined;
  const token = analysis.program.contract(type.name, fn.contract.unit);
  if (!token) return undefined;
  const functions = token.linearized.flatMap((c) => c.functions);
  const target = functions.find((f) => f.signature === erc20Methods[call.name]);
  if (!target) return undefined;
  const returned = target.returns[0]?.type;
  const declaresBool = target.returns.length === 1 && returned?.kind === 'elementary' && returned.name === 'bool';
  // ERC-721 shares transferFrom/approve signatures, without a return value and with ownerOf.
  if (functions.some((f) => f.name === 'ownerOf')) return undefined;
  if (!declaresBool && !functions.some((f) => f.name === 'balanceOf')) return undefined;
  return { method: call.name, declaresBool, tokenType: token.name };
}
/**
 * Whether a failure of the call reverts the whole transaction: transfer and high-level calls
 * propagate the revert; send and low-level calls when their result is required or an `if` on it reverts.
 */
export function failureReverts(analysis: Analysis, fn: FunctionIR, call: CallSite): boolean {
  const facts = analysis.facts(fn);
  if (call.kind === 'transfer') return true;
  // `try c.f() ... catch`: a failure runs the catch clause instead of reverting.
  if (call.kind === 'external') return facts.parents.get(call.node)?.type !== 'TryStatement';
  if (call.kind !== 'send' && call.kind !== 'low-level-call') return false;
  const tests: { inner: Node; isResult: (node: Node) => boolean }[] = [];
  if (call.returnUse === 'checked') tests.push({ inner: call.node, isResult: (node) => node === call.node });
  else if (call.returnUse === 'stored' && call.storedIn[0] && facts.locals.has(call.storedIn[0])) {
    const name = call.storedIn[0];
    for (const use of findAll(fn.body!, (n) => n.type === 'Identifier' && n.name === name))
      if ((use.range?.[0] ?? 0) > (call.node.range?.[1] ?? 0))
        tests.push({ inner: use, isResult: (node) => node.type === 'Identifier' && node.name === name });
  }
  return tests.some(({ inner, isResult }) => {
    let child = inner;
    let parent = facts.parents.get(inner);
    while (
      parent &&
      !['IfStatement', 'FunctionCall', 'ExpressionStatement', 'VariableDeclarationStatement'].includes(parent.type)
    ) {
      child = parent;
      parent = facts.parents.get(child);
    }
    if (parent?.type === 'FunctionCall') return isRequire(parent) && evaluate(child, isResult, false) === false;
    if (parent?.type !== 'IfStatement' || parent.condition !== child) return false;
    const onFailure = evaluate(child, isResult, false);
    if (onFailure === undefined) return false;
    return effectOf(onFailure ? parent.trueBody : parent.falseBody, fn, analysis) === 'revert';
  });
}
