import {
  type Analysis,
  type Contract,
  convertedValue,
  type FunctionIR,
  findStateVariable,
  hasUnresolvedGuardModifier,
  type Node,
  type StateVariable,
} from '@bulwark/solidity';
import { authoritiesOf } from './authorities.ts';
import { conditionDependencies, framesOf, referencesSender } from './conditionDependencies.ts';
import { isLiteralZero } from './constants.ts';
import { entryPoints, reachableCalls } from './contracts.ts';
import { isGuarded } from './guards.ts';
import { oneTimeGuard } from './oneTimeGuard.ts';
import { implementationVariables, upgradePower } from './upgrades.ts';
import { acceptsEther, movesTokens, type ValueMove, valueMoves } from './valueFlows.ts';

export type ContractProfile = {
  contract: Contract;
  entries: FunctionIR[];
  /** Entry points behind a caller check or a signature. */
  guarded: Set<FunctionIR>;
  /** Some guarded entry answers to an account rather than to another contract. */
  humanAdmin: boolean;
  /** A payable entry that keeps the ether it receives. */
  etherSink: FunctionIR | undefined;
  /** Value moved by entry points anyone can call. */
  publicMoves: Map<FunctionIR, ValueMove[]>;
  /** State written by guarded entry points and by open ones. */
  adminWritten: Set<StateVariable>;
  openWritten: Set<StateVariable>;
  /** Admin-controlled state that a condition on a public value-moving path depends on. */
  gates: Map<StateVariable, { node: Node; fn: FunctionIR }>;
  /** Conditions on a public value-moving path that ask another contract (a controller). */
  externalGates: { node: Node; fn: FunctionIR }[];
  implementations: Set<StateVariable>;
};
const profileCache = new WeakMap<Analysis, Map<Contract, ContractProfile>>();
const tokenViews = new Set(['balanceOf', 'allowance', 'totalSupply', 'decimals', 'ownerOf', 'getApproved']);
export function profileOf(analysis: Analysis, contract: Contract): ContractProfile {
  let cache = profileCache.get(analysis);
  if (!cache) {
    cache = new Map();
    profileCache.set(analysis, cache);
  }
  const cached = cache.get(contract);
  if (cached) return cached;
  const entries = entryPoints(analysis, contract);
  const guarded = new Set(entries.filter((fn) => isGuarded(analysis, fn)));
  const etherSink = acceptsEther(analysis, contract);
  const publicMoves = new Map<FunctionIR, ValueMove[]>();
  for (const entry of entries) {
    if (guarded.has(entry) || isOneShot(analysis, contract, entry)) continue;
    const moves = valueMoves(analysis, entry, Boolean(etherSink));
    if (moves.length > 0) publicMoves.set(entry, moves);
  }
  const adminWritten = new Set<StateVariable>();
  const openWritten = new Set<StateVariable>();
  for (const entry of entries) {
    for (const v of analysis.writesState(entry)) (guarded.has(entry) ? adminWritten : openWritten).add(v);
  }
  const gates = new Map<StateVariable, { node: Node; fn: FunctionIR }>();
  const externalGates: { node: Node; fn: FunctionIR }[] = [];
  for (const entry of publicMoves.keys()) {
    for (const [variable, at] of conditionDependencies(analysis, entry, contract)) {
      if (!adminWritten.has(variable) || openWritten.has(variable) || variable.constant) continue;
      if (!isMappingOrScalarFlag(variable)) continue;
      if (!gates.has(variable)) gates.set(variable, at);
    }
    for (const frame of framesOf(analysis, entry, contract)) {
      const facts = analysis.facts(frame.fn);
      for (const condition of facts.conditions) {
        if (referencesSender(condition, frame.fn, analysis, frame.senderParams)) continue;
        const asks = facts.calls.some(
          (c) =>
            c.kind === 'external' &&
            !tokenViews.has(c.name) &&
            !movesTokens(c, frame.fn, analysis.program) &&
            within(c.node, condition) &&
            c.receiver !== undefined &&
            [...analysis.taintOf(c.receiver, frame.fn)].some((s) => s.startsWith('state:')),
        );
        if (asks) externalGates.push({ node: condition, fn: frame.fn });
      }
    }
  }
  const humanAdmin = [...guarded].some(
    (entry) =>
      hasUnresolvedGuardModifier(entry) ||
      authoritiesOf(analysis, entry, contract).some((a) => a.kind !== 'contract' && a.kind !== 'self'),
  );
  const profile: ContractProfile = {
    contract,
    entries,
    guarded,
    humanAdmin,
    etherSink,
    publicMoves,
    adminWritten,
    openWritten,
    gates,
    externalGates,
    implementations: implementationVariables(analysis, contract),
  };
  cache.set(contract, profile);
  return profile;
}
/**
 * Value that other people put in: `deposits` when a payable entry keeps ether, open entries credit
 * deposits or pull tokens in with transferFrom; `credited` when that value is booked to whoever
 * paid it (not ether a contract merely accepts); `balances` when open entries move a token ledger.
 * A contract with neither (NoOwner, a destructible helper) risks only its owner's own funds.
 */
export function othersValue(
  analysis: Analysis,
  profile: ContractProfile,
): { deposits: boolean; credited: boolean; balances: boolean } {
  const kinds = new Set([...profile.publicMoves.values()].flatMap((moves) => moves.map((m) => m.kind)));
  // Tokens pulled in from another contract; a token's own `transferFrom` (or `super.transferFrom`) moves its ledger.
  const pulls = profile.entries.some(
    (entry) =>
      !profile.guarded.has(entry) &&
      reachableCalls(analysis, entry).some(
        ({ call }) => call.kind !== 'internal' && (call.name === 'transferFrom' || call.name === 'safeTransferFrom'),
      ),
  );
  const credited = kinds.has('deposit') || pulls;
  return { deposits: Boolean(profile.etherSink) || credited, credited, balances: kinds.has('ledger') };
}
/** Scalars (bool, enum, integers) and mappings can gate; an address variable is an authority, not a switch. */
function isMappingOrScalarFlag(variable: StateVariable): boolean {
  const type = variable.type;
  if (type.kind === 'mapping') return true;
  if (type.kind === 'elementary')
    return type.name === 'bool' || /^u?int\d*$/.test(type.name) || /^bytes\d+$/.test(type.name);
  return false;
}
function within(node: Node, container: Node): boolean {
  const [s, e] = node.range ?? [0, -1];
  const [cs, ce] = container.range ?? [0, -1];
  return s >= cs && e <= ce;
}
export type CircuitBreaker =
  | { kind: 'flag'; variable: StateVariable; node: Node; fn: FunctionIR }
  | { kind: 'controller'; node: Node; fn: FunctionIR }
  | { kind: 'selfdestruct'; node: Node; fn: FunctionIR }
  | { kind: 'upgrade'; node: Node; fn: FunctionIR };
/** How the contract can be stopped: a switch an admin sets, a controller, a protected selfdestruct or upgrade. */
export function circuitBreaker(analysis: Analysis, profile: ContractProfile): CircuitBreaker | undefined {
  for (const [variable, at] of profile.gates) return { kind: 'flag', variable, ...at };
  if (profile.externalGates.length > 0) return { kind: 'controller', ...profile.externalGates[0] };
  for (const entry of profile.guarded) {
    for (const { call, fn } of reachableCalls(analysis, entry)) {
      if (call.kind === 'selfdestruct') return { kind: 'selfdestruct', node: call.node, fn };
    }
    const upgrade = upgradePower(analysis, entry, profile.implementations, profile.contract);
    if (upgrade && !upgrade.external) return { kind: 'upgrade', node: upgrade.node, fn: entry };
  }
  return undefined;
}
/**
 * An initialiser anyone may call once: it requires a stored value to be unset and sets it, and
 * nothing ever clears it again (Safe's `setup`, `initialize` without a modifier).
 */
export function isOneShot(analysis: Analysis, contract: Contract, entry: FunctionIR): boolean {
  // One answer to "does a stored flag let this run once": oneTimeGuard's, which reads 0.4's
  // `if (initialized) throw;` as well as `require(!initialized)`.
  const key = oneTimeGuard(analysis, framesOf(analysis, entry, contract));
  if (!key) return false;
  const variable = key.startsWith('state:') ? findStateVariable(contract, key.slice(6)) : undefined;
  return !variable || !clearedAnywhere(analysis, contract, variable);
}
export function isZero(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === 'NumberLiteral') return isLiteralZero(node);
  if (node.type === 'BooleanLiteral') return node.value === false;
  const converted = convertedValue(node);
  return converted ? isZero(converted) : false;
}
function clearedAnywhere(analysis: Analysis, contract: Contract, variable: StateVariable): boolean {
  for (const c of contract.linearized) {
    for (const fn of [...c.functions, ...c.modifiers]) {
      for (const write of analysis.facts(fn).stateWrites) {
        if (write.variable !== variable) continue;
        const node = write.node;
        // A counter (`count++`, `total += x`) changes again on every call: no once-only flag.
        if (node.type === 'UnaryOperation' && ['delete', '--', '++'].includes(node.operator)) return true;
        if (node.type === 'BinaryOperation' && (['-=', '+='].includes(node.operator) || isZero(node.right)))
          return true;
        if (
          node.type === 'BinaryOperation' &&
          node.operator === '=' &&
          node.right.type !== 'BooleanLiteral' &&
          variable.type.kind === 'elementary' &&
          variable.type.name === 'bool'
        )
          return true;
      }
    }
  }
  return false;
}
/** `receive`, `fallback` or the function's name. */
export function displayName(fn: FunctionIR): string {
  if (fn.kind === 'receive') return 'receive';
  if (fn.kind === 'fallback') return 'fallback';
  return fn.name;
}
