import {
  type Analysis,
  type CallSite,
  dottedName,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  type StateVariable,
  walk,
} from '@bulwark/solidity';
import { mentions } from './expressions.ts';
import { argumentsFor } from './frames.ts';
import { localAssignments } from './locals.ts';

/** A signature check: `ecrecover(hash, v, r, s)` or an ECDSA-style `recover(hash, signature)`. */
export type Recovery = {
  call: CallSite;
  fn: FunctionIR;
  raw: boolean;
  digest: Node | undefined;
  /** `s` of a raw ecrecover. */
  s: Node | undefined;
  /** Signature parts passed in (v, r, s or the signature bytes). */
  signature: Node[];
};
const libraryRecovers = new Set(['recover', 'tryRecover', 'recoverCalldata', 'tryRecoverCalldata']);
export function recoveries(fn: FunctionIR, analysis: Analysis): Recovery[] {
  const out: Recovery[] = [];
  if (!fn.body) return out;
  for (const call of analysis.facts(fn).calls) {
    if (call.kind === 'builtin' && call.name === 'ecrecover' && call.arguments.length === 4) {
      out.push({
        call,
        fn,
        raw: true,
        digest: call.arguments[0],
        s: call.arguments[3],
        signature: call.arguments.slice(1),
      });
    } else if (libraryRecovers.has(call.name) && (call.kind === 'library' || dottedName(call.receiver) === 'ECDSA')) {
      const receiverIsLibrary =
        call.receiver &&
        (dottedName(call.receiver) === 'ECDSA' ||
          analysis.program.contract(call.receiver.name ?? '', fn.contract.unit)?.kind === 'library');
      const args = receiverIsLibrary ? call.arguments : [call.receiver!, ...call.arguments];
      out.push({ call, fn, raw: false, digest: args[0], s: undefined, signature: args.slice(1) });
    }
  }
  return out;
}
/** What a digest is built from, following locals, internal callees and state initialisers. */
export type Derivation = {
  nodes: Node[];
  names: Set<string>;
  state: Set<StateVariable>;
  callees: Set<FunctionIR>;
};
export function derive(expression: Node | undefined, fn: FunctionIR, analysis: Analysis): Derivation {
  const derivation: Derivation = { nodes: [], names: new Set(), state: new Set(), callees: new Set() };
  const visit = (node: Node, scope: FunctionIR, depth: number, seen: Set<string>) => {
    if (depth > 6) return;
    const facts = analysis.facts(scope);
    walk(node, (n) => {
      derivation.nodes.push(n);
      if (n.type === 'Identifier') {
        if (facts.locals.has(n.name)) {
          if (scope === fn) derivation.names.add(n.name);
          const key = `${scope.signature}:${n.name}`;
          if (!seen.has(key)) {
            seen.add(key);
            for (const value of localAssignments(scope).get(n.name) ?? []) visit(value, scope, depth + 1, seen);
            // `assembly { chainId := chainid }` sets locals too.
            const word = new RegExp(`\\b${n.name}\\b`);
            for (const assembly of scope.body ? findAll(scope.body, 'InlineAssemblyStatement') : []) {
              if (word.test(scope.contract.unit.source.textOf(assembly))) derivation.nodes.push(assembly);
            }
          }
          return false;
        }
        const state = findStateVariable(scope.contract, n.name);
        if (state && !derivation.state.has(state)) {
          derivation.state.add(state);
          if (state.initialValue) visit(state.initialValue, scope, depth + 1, seen);
          // Values set in the constructor (a cached domain separator).
          for (const c of scope.contract.linearized) {
            for (const ctor of c.functions.filter((f) => f.kind === 'constructor')) {
              for (const write of analysis.facts(ctor).stateWrites) {
                if (write.variable === state && write.node.type === 'BinaryOperation')
                  visit(write.node.right, ctor, depth + 1, seen);
              }
            }
          }
        }
        return false;
      }
      if (n.type === 'FunctionCall') {
        const call = facts.calls.find((c) => c.node === n);
        for (const target of call && (call.kind === 'internal' || call.kind === 'library') ? call.targets : []) {
          if (derivation.callees.has(target) || !target.body) continue;
          derivation.callees.add(target);
          for (const statement of findAll(target.body, 'ReturnStatement'))
            if (statement.expression) visit(statement.expression, target, depth + 1, new Set());
          for (const variable of target.returns) {
            for (const value of localAssignments(target).get(variable.name) ?? [])
              visit(value, target, depth + 1, new Set());
          }
          for (const assembly of findAll(target.body, 'InlineAssemblyStatement')) derivation.nodes.push(assembly);
        }
      }
      return undefined;
    });
  };
  if (expression) visit(expression, fn, 0, new Set());
  return derivation;
}
/** The digest binds the chain (`block.chainid`, `chainid()`) and this contract (`address(this)`). */
export function bindsDomain(derivation: Derivation, fn: FunctionIR): { chain: boolean; contract: boolean } {
  let chain = false;
  let contract = false;
  for (const node of derivation.nodes) {
    const dotted = dottedName(node);
    if (dotted === 'block.chainid') chain = true;
    if (node.type === 'Identifier' && node.name === 'this') contract = true;
    if (node.type === 'InlineAssemblyStatement') {
      const text = fn.contract.unit.source.textOf(node);
      if (/\bchainid\b/.test(text)) chain = true;
      if (/\baddress\(\)/.test(text)) contract = true;
    }
    if (node.type === 'AssemblyCall' && node.functionName === 'chainid') chain = true;
  }
  return { chain, contract };
}
/**
 * Replay protection reachable from the entry point: the digest includes state that the call
 * updates (a nonce), or the call marks the digest, the signature or a signed value as used
 * (`used[digest] = true`, `claimed[account] = true`).
 */
export function replayGuard(
  recovery: Recovery,
  entry: FunctionIR,
  derivation: Derivation,
  analysis: Analysis,
): string | undefined {
  const reachable = analysis.reachable(entry);
  for (const f of reachable) {
    for (const write of analysis.facts(f).stateWrites) {
      if (derivation.state.has(write.variable)) return `updates ${write.variable.name}`;
    }
  }
  for (const callee of derivation.callees) {
    if (analysis.writesState(callee).size > 0) return `consumes a nonce in ${callee.name}()`;
  }
  const keyNames = new Set(derivation.names);
  for (const node of [recovery.digest, ...recovery.signature]) {
    if (node?.type === 'Identifier') keyNames.add(node.name);
  }
  // A signed value handed to a helper that checks it against stored state and updates that
  // state: `_useCheckedNonce(signer, nonce)`.
  for (const f of new Set([entry, recovery.fn])) {
    for (const call of analysis.facts(f).calls) {
      if (call.kind !== 'internal' && call.kind !== 'library') continue;
      for (const target of call.targets) {
        if (analysis.writesState(target).size === 0) continue;
        for (const [i, argument] of argumentsFor(call, target).entries()) {
          const parameter = target.params[i]?.name;
          if (!parameter || !mentions(argument, keyNames)) continue;
          if (comparesForEquality(target, parameter, analysis)) return `checks and consumes it in ${target.name}()`;
        }
      }
    }
  }
  const hashNames = new Set(
    [...derivation.names].filter((name) => {
      const type = analysis.facts(recovery.fn).locals.get(name)?.type ?? analysis.facts(entry).locals.get(name)?.type;
      return type?.kind === 'elementary' && type.name === 'bytes32';
    }),
  );
  for (const f of reachable) {
    for (const write of analysis.facts(f).stateWrites) {
      const target = write.node.type === 'BinaryOperation' ? write.node.left : write.node.subExpression;
      if (target?.type !== 'IndexAccess') continue;
      const marksUsed =
        write.node.type === 'UnaryOperation' ||
        (write.node.type === 'BinaryOperation' &&
          write.node.operator === '=' &&
          ['BooleanLiteral', 'NumberLiteral'].includes(write.node.right.type));
      const keys = indexesOf(target);
      const keyed = keys.some((key) => mentions(key, keyNames));
      // Anything recorded per signed message (`filled[orderHash] += amount`) tracks its use.
      const perMessage = keys.some((key) => mentions(key, hashNames));
      const keyedBySignature = keys.some((key) =>
        [recovery.digest, ...recovery.signature].some((part) => part && f === recovery.fn && sameText(key, part, f)),
      );
      if ((marksUsed && keyed) || keyedBySignature || perMessage) return `marks ${write.variable.name} as used`;
    }
  }
  return undefined;
}
function comparesForEquality(fn: FunctionIR, parameter: string, analysis: Analysis): boolean {
  return analysis.facts(fn).conditions.some((condition) => {
    let found = false;
    walk(condition, (node) => {
      if (found) return false;
      if (node.type === 'BinaryOperation' && (node.operator === '==' || node.operator === '!=')) {
        for (const side of [node.left, node.right])
          if (side.type === 'Identifier' && side.name === parameter) found = true;
      }
      return undefined;
    });
    return found;
  });
}
function indexesOf(target: Node): Node[] {
  const out: Node[] = [];
  let current = target;
  while (current?.type === 'IndexAccess' || current?.type === 'MemberAccess') {
    if (current.type === 'IndexAccess' && current.index) out.push(current.index);
    current = current.type === 'IndexAccess' ? current.base : current.expression;
  }
  return out;
}
function sameText(a: Node, b: Node, fn: FunctionIR): boolean {
  const source = fn.contract.unit.source;
  return source.textOf(a).replace(/\s+/g, '') === source.textOf(b).replace(/\s+/g, '');
}
/** Entry points (non-view, public) that run `fn`, itself included. */
export function entryPointsReaching(fn: FunctionIR, analysis: Analysis): FunctionIR[] {
  const out: FunctionIR[] = [];
  for (const contract of analysis.program.contracts) {
    if (contract.kind !== 'contract' && contract.kind !== 'abstract') continue;
    if (!contract.linearized.includes(fn.contract) && fn.contract.kind !== 'library') continue;
    for (const candidate of [...contract.functions]) {
      if (!analysis.isEntryPoint(candidate)) continue;
      if (analysis.reachable(candidate).includes(fn) && !out.includes(candidate)) out.push(candidate);
    }
  }
  return out;
}
/** The entry point authorises something: it writes state or moves value. */
export function actsOnState(entry: FunctionIR, analysis: Analysis): boolean {
  if (analysis.writesState(entry).size > 0) return true;
  return analysis
    .reachable(entry)
    .some((f) =>
      analysis
        .facts(f)
        .calls.some((c) => ['transfer', 'send', 'low-level-call', 'external', 'delegatecall'].includes(c.kind)),
    );
}
