import {
  type Analysis,
  allFunctions,
  type CallSite,
  type Contract,
  convertedValue,
  dottedName,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  walk,
} from '@bulwark/solidity';
import type { CallContext } from './callClasses.ts';
import { argumentsFor } from './frames.ts';
import { isGuarded } from './guards.ts';

/**
 * Where a value comes from, by value (an index selects, it does not supply the value):
 * `msg.sender`, `tx.origin`, `signer` (from ecrecover), `param:<name>`, `state:<path>` (e.g.
 * `state:bids[].bidder`), `external-call`, `this`, `literal`, `new`, `unknown`.
 */
export function valueOrigins(
  analysis: Analysis,
  expression: Node | null | undefined,
  fn: FunctionIR,
  depth = 0,
): Set<string> {
  const out = new Set<string>();
  if (!expression || depth > 6) {
    out.add('unknown');
    return out;
  }
  const facts = analysis.facts(fn);
  const add = (set: Set<string>) => {
    for (const item of set) out.add(item);
  };
  switch (expression.type) {
    case 'Identifier': {
      const name = expression.name;
      if (name === 'this') out.add('this');
      else if (name === 'now') out.add('block.timestamp');
      else if (facts.locals.has(name)) {
        if (fn.params.some((p) => p.name === name)) out.add(`param:${name}`);
        else {
          const local = facts.locals.get(name)!;
          if (local.storageLocation === 'storage') {
            const path = statePath(analysis, expression, fn);
            out.add(path ? `state:${path}` : 'unknown');
          } else {
            const values = assignedValues(fn, name);
            if (values.length === 0) out.add(fn.returns.some((r) => r.name === name) ? 'unknown' : 'literal');
            for (const value of values) add(valueOrigins(analysis, value, fn, depth + 1));
          }
        }
      } else {
        const state = findStateVariable(fn.contract, name);
        if (state) out.add(state.constant ? 'literal' : `state:${name}`);
        else out.add('unknown');
      }
      return out;
    }
    case 'MemberAccess':
    case 'IndexAccess': {
      const dotted = dottedName(expression);
      if (dotted === 'msg.sender' || dotted === 'tx.origin' || dotted === 'block.coinbase') {
        out.add(dotted);
        return out;
      }
      const path = statePath(analysis, expression, fn);
      if (path) out.add(`state:${path}`);
      else
        add(
          valueOrigins(
            analysis,
            expression.type === 'IndexAccess' ? expression.base : expression.expression,
            fn,
            depth + 1,
          ),
        );
      return out;
    }
    case 'FunctionCall': {
      const site = facts.calls.find((c) => c.node === expression);
      const converted = convertedValue(expression, { analysis, fn });
      if (converted) {
        add(valueOrigins(analysis, converted, fn, depth + 1));
      } else if (site?.kind === 'struct') {
        for (const argument of expression.arguments ?? []) add(valueOrigins(analysis, argument, fn, depth + 1));
      } else if (site?.kind === 'new') out.add('new');
      else if (site && ['external', 'low-level-call', 'staticcall', 'delegatecall'].includes(site.kind))
        out.add('external-call');
      else if (site?.kind === 'builtin' && site.name === 'ecrecover') out.add('signer');
      else if (site?.kind === 'internal' && site.targets[0]?.body) {
        // What the callee returns, with its parameters replaced by the arguments passed here.
        const target = site.targets[0];
        const returns = findAll(target.body!, 'ReturnStatement').filter((r) => r.expression);
        if (returns.length === 0) out.add('unknown');
        for (const statement of returns) {
          for (const origin of valueOrigins(analysis, statement.expression, target, depth + 1)) {
            if (!origin.startsWith('param:')) out.add(origin);
            else {
              const index = target.params.findIndex((p) => p.name === origin.slice(6));
              add(valueOrigins(analysis, site.arguments[index], fn, depth + 1));
            }
          }
        }
      } else out.add('unknown');
      return out;
    }
    case 'Conditional':
      add(valueOrigins(analysis, expression.trueExpression, fn, depth + 1));
      add(valueOrigins(analysis, expression.falseExpression, fn, depth + 1));
      return out;
    case 'TupleExpression':
      if (expression.components?.length === 1) return valueOrigins(analysis, expression.components[0], fn, depth + 1);
      out.add('unknown');
      return out;
    case 'NumberLiteral':
    case 'HexLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
      out.add('literal');
      return out;
    default:
      out.add('unknown');
      return out;
  }
}
/** Values assigned to a local variable anywhere in the function. */
function assignedValues(fn: FunctionIR, name: string): Node[] {
  const out: Node[] = [];
  if (!fn.body) return out;
  walk(fn.body, (node) => {
    if (node.type === 'VariableDeclarationStatement' && node.initialValue) {
      const variables = node.variables ?? [];
      if (variables.length === 1 && variables[0]?.name === name) out.push(node.initialValue);
    } else if (node.type === 'BinaryOperation' && node.operator === '=' && node.left?.type === 'Identifier') {
      if (node.left.name === name) out.push(node.right);
    }
    return undefined;
  });
  return out;
}
/**
 * `a`, `a[].b`, ... for an expression rooted in a state variable (also through a local storage
 * pointer); undefined otherwise.
 */
export function statePath(
  analysis: Analysis,
  node: Node | null | undefined,
  fn: FunctionIR,
  depth = 0,
): string | undefined {
  if (!node || depth > 4) return undefined;
  switch (node.type) {
    case 'Identifier': {
      const facts = analysis.facts(fn);
      const local = facts.locals.get(node.name);
      if (local) {
        if (local.storageLocation !== 'storage') return undefined;
        const declaration = facts.parents.get(local.node);
        const initial = declaration?.type === 'VariableDeclarationStatement' ? declaration.initialValue : undefined;
        return initial ? statePath(analysis, initial, fn, depth + 1) : undefined;
      }
      const state = findStateVariable(fn.contract, node.name);
      return state && !state.constant ? node.name : undefined;
    }
    case 'MemberAccess': {
      const base = statePath(analysis, node.expression, fn, depth);
      return base === undefined ? undefined : `${base}.${node.memberName}`;
    }
    case 'IndexAccess': {
      const base = statePath(analysis, node.base, fn, depth);
      return base === undefined ? undefined : `${base}[]`;
    }
    default:
      return undefined;
  }
}
const userStateCache = new WeakMap<Contract, Set<string>>();
/**
 * State paths anyone can set to an address of their choice: written from msg.sender or from a
 * parameter in a public function that does not restrict its caller (or in what it calls).
 * Constructors excluded.
 */
export function userControlledState(analysis: Analysis, contract: Contract): Set<string> {
  const cached = userStateCache.get(contract);
  if (cached) return cached;
  const out = new Set<string>();
  userStateCache.set(contract, out);
  const open = new Set<FunctionIR>();
  for (const fn of allFunctions(contract)) {
    if (fn.kind === 'constructor' || !analysis.isEntryPoint(fn) || isGuarded(analysis, fn)) continue;
    for (const f of analysis.reachable(fn)) if (f.kind !== 'constructor') open.add(f);
  }
  for (const f of open) {
    for (const write of analysis.facts(f).stateWrites) {
      const node = write.node;
      let target: Node | undefined;
      let value: Node | undefined;
      let pushed = false;
      if (node.type === 'BinaryOperation' && node.operator === '=') {
        target = node.left;
        value = node.right;
      } else if (node.type === 'FunctionCall' && node.expression?.memberName === 'push' && node.arguments?.[0]) {
        target = node.expression.expression;
        value = node.arguments[0];
        pushed = true;
      }
      if (!target || !value) continue;
      const origins = valueOrigins(analysis, value, f);
      if (
        ![...origins].some((o) => o === 'msg.sender' || o === 'tx.origin' || o === 'signer' || o.startsWith('param:'))
      )
        continue;
      for (const base of target.type === 'TupleExpression' ? (target.components ?? []) : [target]) {
        const path = statePath(analysis, base, f);
        if (path) out.add(pushed ? `${path}[]` : path);
      }
    }
  }
  return out;
}
/** Whether a call's receiver is an address the caller (or anyone) chooses. */
export function receiverIsUserControlled(analysis: Analysis, context: CallContext): boolean {
  return expressionIsUserControlled(analysis, context.call.receiver, context, context.chain.length);
}
/** The function at `level` of a context: 0 is the entry point, `chain.length` the call's function. */
export function holderAt(context: CallContext, level: number): FunctionIR {
  return level < context.chain.length ? context.chain[level].fn : context.fn;
}
/** Whether a value in the function at `level` of the context can be chosen by the caller. */
export function expressionIsUserControlled(
  analysis: Analysis,
  expression: Node | undefined,
  context: CallContext,
  level: number,
): boolean {
  if (!expression) return false;
  const holder = holderAt(context, level);
  const origins = valueOrigins(analysis, expression, holder);
  const userState = userControlledState(analysis, context.entry.contract);
  // Behind an owner or role check, the caller and its arguments are the privileged account's choice.
  const open = !isGuarded(analysis, context.entry);
  for (const origin of origins) {
    if (origin === 'signer') return true;
    if (origin === 'msg.sender' || origin === 'tx.origin') {
      if (open) return true;
      continue;
    }
    if (origin.startsWith('state:') && pathIsUserControlled(origin.slice(6), userState)) return true;
    if (origin.startsWith('param:')) {
      const name = origin.slice(6);
      if (level === 0) {
        if (open) return true;
        continue;
      }
      const index = holder.params.findIndex((p) => p.name === name);
      const argument = argumentFor(context.chain[level - 1].site, holder, index);
      if (argument && expressionIsUserControlled(analysis, argument, context, level - 1)) return true;
    }
  }
  return false;
}
/** `a[].b` is user-controlled when it, or a prefix of it, was set by users. */
export function pathIsUserControlled(path: string, userState: Set<string>): boolean {
  let current = path;
  for (;;) {
    if (userState.has(current)) return true;
    const cut = Math.max(
      current.lastIndexOf('.'),
      current.lastIndexOf('[]') === current.length - 2 ? current.length - 2 : -1,
    );
    if (cut <= 0) return false;
    current = current.slice(0, cut);
  }
}
/** The argument passed for parameter `index` of `target` at `site` (bound library calls pass the receiver first). */
export function argumentFor(site: CallSite, target: FunctionIR, index: number): Node | undefined {
  return index < 0 ? undefined : argumentsFor(site, target)[index];
}
