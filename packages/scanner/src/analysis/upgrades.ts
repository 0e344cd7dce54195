import {
  type Analysis,
  allStateVariables,
  type Contract,
  type FunctionIR,
  findAll,
  type Node,
  type Program,
  type StateVariable,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { resolveAuthority } from './authorities.ts';
import { framesOf } from './conditionDependencies.ts';
import { reachableCalls } from './contracts.ts';
import { constantValue } from './valueFlows.ts';

const eip1967Slots = new Set([
  '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc', // implementation
  '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50', // beacon
  '0x7050c9e0f4ca769c69bd3a8ef740bc37934f8e2c036e5a723fd8ee048ed3f8c3', // zos implementation
]);
/** A slot expression naming the EIP-1967 implementation or beacon slot. */
function isImplementationSlot(node: Node, fn: FunctionIR, program: Program, depth = 0): boolean {
  if (depth > 3) return false;
  const text = fn.contract.unit.source.textOf(node).toLowerCase();
  if ([...eip1967Slots].some((slot) => text.includes(slot))) return true;
  if (/eip1967\.proxy\.(implementation|beacon)|org\.zeppelinos\.proxy\.implementation/.test(text)) return true;
  let name: Node | undefined = node;
  if (node.type === 'AssemblyCall' && node.arguments.length === 0)
    name = { type: 'Identifier', name: node.functionName };
  if (node.type === 'AssemblyMemberAccess') return false;
  const constant = name ? constantValue(name, fn, program) : undefined;
  return constant ? isImplementationSlot(constant.value, constant.fn, program, depth + 1) : false;
}
/** State variables used as a delegatecall target in the contract (directly or through a getter). */
export function implementationVariables(analysis: Analysis, contract: Contract): Set<StateVariable> {
  const out = new Set<StateVariable>();
  for (const c of contract.linearized) {
    for (const fn of c.functions) {
      for (const call of analysis.facts(fn).calls) {
        if (call.kind !== 'delegatecall' || !call.receiver) continue;
        const resolved = resolveAuthority(analysis, call.receiver, fn, 0);
        if (resolved?.variable) out.add(resolved.variable);
      }
      for (const op of assemblyCalls(fn, new Set(['delegatecall']))) {
        const target = op.arguments?.[1];
        if (target?.type === 'AssemblyCall' && target.arguments.length === 0) {
          const resolved = resolveAuthority(analysis, { type: 'Identifier', name: target.functionName }, fn, 0);
          if (resolved?.variable) out.add(resolved.variable);
        }
      }
      // IBeacon.implementation(): the address beacon proxies delegate to.
      if (
        fn.name === 'implementation' &&
        fn.params.length === 0 &&
        (fn.visibility === 'external' || fn.visibility === 'public')
      ) {
        for (const r of findAll(fn.body ?? { type: 'Block' }, 'ReturnStatement')) {
          if (!r.expression) continue;
          const resolved = resolveAuthority(analysis, r.expression, fn, 0);
          if (resolved?.variable) out.add(resolved.variable);
        }
      }
    }
  }
  for (const v of allStateVariables(contract)) {
    if (v.visibility === 'public' && v.name === 'implementation' && v.type.kind === 'elementary') out.add(v);
  }
  return out;
}
/** Where `fn` itself replaces the code a proxy runs: EIP-1967 slot stores, or an implementation variable. */
export function upgradeWrites(analysis: Analysis, fn: FunctionIR, implementations: Set<StateVariable>): Node[] {
  const out: Node[] = [];
  const program = analysis.program;
  for (const op of assemblyCalls(fn, new Set(['sstore']))) {
    if (op.arguments?.[0] && isImplementationSlot(op.arguments[0], fn, program)) out.push(op);
  }
  if (fn.body) {
    for (const assignment of findAll(fn.body, (n) => n.type === 'BinaryOperation' && n.operator === '=')) {
      const left = assignment.left;
      if (left?.type !== 'MemberAccess' || left.memberName !== 'value' || left.expression?.type !== 'FunctionCall')
        continue;
      const slot = left.expression.arguments?.[0];
      if (slot && isImplementationSlot(slot, fn, program)) out.push(assignment);
    }
  }
  for (const write of analysis.facts(fn).stateWrites) if (implementations.has(write.variable)) out.push(write.node);
  return out;
}
/** The upgrade an entry point can perform: its own slot write, or a call to a proxy's upgradeTo. */
export function upgradePower(
  analysis: Analysis,
  entry: FunctionIR,
  implementations: Set<StateVariable>,
  scope?: Contract,
): { node: Node; fn: FunctionIR; external: boolean } | undefined {
  for (const frame of framesOf(analysis, entry, scope)) {
    const writes = upgradeWrites(analysis, frame.fn, implementations);
    if (writes.length > 0) return { node: frame.via ?? writes[0], fn: entry, external: false };
  }
  for (const { call, fn } of reachableCalls(analysis, entry)) {
    if (call.kind === 'external' && (call.name === 'upgradeTo' || call.name === 'upgradeToAndCall'))
      return { node: call.node, fn, external: true };
  }
  return undefined;
}
