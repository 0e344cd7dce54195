import { dottedName, findAll, type Node, operandsOf, unwrapCallee, walk } from './ast.ts';
import { buildCfg, type Cfg, type CfgNode, reachableFrom } from './cfg.ts';
import { elementaryTypeName } from './conversions.ts';
import { hasUnresolvedGuardModifier } from './modifiers.ts';
import { admitsCompilerBelow } from './pragma.ts';
import {
  allStateVariables,
  type Contract,
  type FunctionIR,
  findStateVariable,
  findStruct,
  type Program,
  resolveFunctions,
  type StateVariable,
  type Variable,
} from './program.ts';
import { isAddress, normaliseElementary, type SolType, typeFromTypeName, unknownType } from './types.ts';

export type CallKind =
  | 'low-level-call'
  | 'delegatecall'
  | 'staticcall'
  | 'callcode'
  | 'send'
  | 'transfer'
  | 'external'
  | 'library'
  | 'internal'
  | 'new'
  | 'selfdestruct'
  | 'builtin'
  | 'type-conversion'
  | 'event'
  | 'struct';

/** Calls that change state whatever the caller is declared as (plain `external` calls may be to views). */
const stateChangingCalls = new Set<CallKind>([
  'low-level-call',
  'delegatecall',
  'callcode',
  'send',
  'transfer',
  'new',
  'selfdestruct',
]);

/** How the value a call returns is used. */
export type ReturnUse = 'unused' | 'checked' | 'stored' | 'returned' | 'used';

export type CallSite = {
  node: Node;
  kind: CallKind;
  /** Member or function name (`call`, `transfer`, `require`, `balanceOf`, ...). */
  name: string;
  /** The address or contract expression called, for member calls. */
  receiver: Node | undefined;
  /** Ether sent (`{value: x}` or `.value(x)`), or the amount of `send`/`transfer`. */
  value: Node | undefined;
  arguments: Node[];
  /** Resolved callees for internal, library and (when the receiver type is known) external calls. */
  targets: FunctionIR[];
  statement: CfgNode | undefined;
  returnUse: ReturnUse;
  /** Local variables the result is stored in (first tuple component for low-level calls). */
  storedIn: string[];
  inLoop: boolean;
  inUnchecked: boolean;
};

export type StateAccess = { variable: StateVariable; node: Node; statement: CfgNode | undefined };

export type FunctionFacts = {
  fn: FunctionIR;
  cfg: Cfg;
  locals: Map<string, Variable>;
  parents: Map<Node, Node>;
  calls: CallSite[];
  stateWrites: StateAccess[];
  stateReads: StateAccess[];
  /** Expressions used as conditions: require/assert arguments, if/loop conditions, ternaries. */
  conditions: Node[];
};

/** Where a value can come from. */
export type TaintSource =
  | 'msg.sender'
  | 'msg.value'
  | 'msg.data'
  | 'tx.origin'
  | 'block.timestamp'
  | 'block.number'
  | 'block.difficulty'
  | 'block.coinbase'
  | 'block.gaslimit'
  | 'blockhash'
  | 'external-call'
  | 'user-input'
  | `param:${string}`
  | `state:${string}`;

// Null-prototype maps: a Solidity name like `constructor` must not find Object.prototype members.
const magicSources: Record<string, TaintSource> = Object.assign(Object.create(null), {
  'msg.sender': 'msg.sender',
  'msg.value': 'msg.value',
  'msg.data': 'msg.data',
  'msg.sig': 'msg.data',
  'tx.origin': 'tx.origin',
  'block.timestamp': 'block.timestamp',
  now: 'block.timestamp',
  'block.number': 'block.number',
  'block.difficulty': 'block.difficulty',
  'block.prevrandao': 'block.difficulty',
  'block.coinbase': 'block.coinbase',
  'block.gaslimit': 'block.gaslimit',
});

const builtinFunctions = new Set([
  'require',
  'assert',
  'revert',
  'keccak256',
  'sha3',
  'sha256',
  'ripemd160',
  'ecrecover',
  'addmod',
  'mulmod',
  'blockhash',
  'gasleft',
  'type',
  'block.blockhash',
]);

/** What kind of value a type holds, as far as overload resolution needs it; undefined when unknown. */
function typeCategory(type: SolType): string | undefined {
  if (type.kind === 'literal') return type.value === 'number' ? 'integer' : type.value === 'bool' ? 'bool' : undefined;
  if (type.kind === 'elementary') {
    if (isAddress(type)) return 'address';
    if (/^u?int\d*$/.test(type.name)) return 'integer';
    if (/^bytes\d+$/.test(type.name)) return 'fixed-bytes';
    return type.name; // bool, string, bytes
  }
  if (type.kind === 'array' || type.kind === 'mapping' || type.kind === 'function') return type.kind;
  return undefined; // contracts convert to address before 0.5; structs and enums are told by name only
}

const lowLevelKinds: Record<string, CallKind> = Object.assign(Object.create(null), {
  call: 'low-level-call',
  delegatecall: 'delegatecall',
  staticcall: 'staticcall',
  callcode: 'callcode',
});

const conditionOperators = new Set(['&&', '||', '==', '!=', '<', '>', '<=', '>=', '!']);
export const assignmentOperators = new Set(['=', '+=', '-=', '*=', '/=', '%=', '|=', '&=', '^=', '<<=', '>>=']);

/**
 * Facts about a program, computed on demand and cached: per-function CFGs, calls, state
 * accesses, expression types and where values come from.
 */
export class Analysis {
  private readonly factsCache = new Map<FunctionIR, FunctionFacts>();
  private readonly taintCache = new Map<FunctionIR, Map<string, Set<TaintSource>>>();
  private readonly stateTaintCache = new Map<Contract, Map<string, Set<TaintSource>>>();
  private readonly senderCheckCache = new Map<FunctionIR, boolean>();
  private readonly writesCache = new Map<FunctionIR, Set<StateVariable>>();
  private readonly calleesCache = new Map<FunctionIR, FunctionIR[]>();

  /**
   * Whether a function restricts who may call it, for the state taint ("anyone can set this"). The
   * scanner gives its one answer (`analysis/guards.ts` `isGuarded`); alone, the IR uses
   * `hasSenderCheck`, a looser test (any condition on the caller).
   */
  private readonly restrictsCaller: (fn: FunctionIR) => boolean;

  constructor(
    readonly program: Program,
    options: { restrictsCaller?: (fn: FunctionIR) => boolean } = {},
  ) {
    this.restrictsCaller = options.restrictsCaller ?? ((fn) => this.hasSenderCheck(fn));
  }

  facts(fn: FunctionIR): FunctionFacts {
    const cached = this.factsCache.get(fn);
    if (cached) return cached;
    const facts: FunctionFacts = {
      fn,
      cfg: buildCfg(fn.body),
      locals: new Map(),
      parents: new Map(),
      calls: [],
      stateWrites: [],
      stateReads: [],
      conditions: [],
    };
    this.factsCache.set(fn, facts);
    for (const variable of [...fn.params, ...fn.returns]) if (variable.name) facts.locals.set(variable.name, variable);
    if (!fn.body) return facts;
    walk(fn.body, (node, parent) => {
      if (parent) facts.parents.set(node, parent);
      if (node.type === 'VariableDeclaration' && node.name && !node.isStateVar) {
        facts.locals.set(node.name, {
          name: node.name,
          type: typeFromTypeName(node.typeName),
          node,
          storageLocation: node.storageLocation,
        });
      }
    });
    // 0.4's `var x = ...` has no type name (or the parser's `var` pseudo-type): take the initialiser's type.
    for (const declaration of findAll(fn.body, 'VariableDeclarationStatement')) {
      const variables = declaration.variables ?? [];
      const untyped = !variables[0]?.typeName || variables[0].typeName.name === 'var';
      if (variables.length === 1 && variables[0] && untyped && declaration.initialValue) {
        const local = facts.locals.get(variables[0].name);
        if (local) local.type = this.typeOf(declaration.initialValue, fn);
      }
    }
    this.markImplicitStoragePointers(fn, facts);
    walk(fn.body, (node) => {
      if (node.type === 'FunctionCall') facts.calls.push(this.classifyCall(node, fn, facts));
      if (node.type === 'IfStatement' || node.type === 'WhileStatement' || node.type === 'DoWhileStatement') {
        if (node.condition) facts.conditions.push(node.condition);
      }
      if (node.type === 'ForStatement' && node.conditionExpression) facts.conditions.push(node.conditionExpression);
      if (node.type === 'Conditional') facts.conditions.push(node.condition);
      if (node.type === 'FunctionCall' && node.expression?.type === 'Identifier') {
        const name = node.expression.name;
        if ((name === 'require' || name === 'assert') && node.arguments[0]) facts.conditions.push(node.arguments[0]);
      }
    });
    this.collectStateAccesses(fn, facts);
    return facts;
  }

  /** The CFG node holding an AST node (nearest enclosing statement). */
  statementOf(node: Node, facts: FunctionFacts): CfgNode | undefined {
    let current: Node | undefined = node;
    while (current) {
      const cfgNode = facts.cfg.nodeOf.get(current);
      if (cfgNode) return cfgNode;
      current = facts.parents.get(current);
    }
    return undefined;
  }

  /** Ancestors of a node inside its function, nearest first. */
  ancestors(node: Node, facts: FunctionFacts): Node[] {
    const out: Node[] = [];
    let current = facts.parents.get(node);
    while (current) {
      out.push(current);
      current = facts.parents.get(current);
    }
    return out;
  }

  private classifyCall(node: Node, fn: FunctionIR, facts: FunctionFacts): CallSite {
    const { callee, options } = unwrapCallee(node.expression);
    const ancestors = this.ancestors(node, facts);
    const site: CallSite = {
      node,
      kind: 'builtin',
      name: '',
      receiver: undefined,
      value: options.value,
      arguments: node.arguments ?? [],
      targets: [],
      statement: undefined,
      returnUse: 'used',
      storedIn: [],
      inLoop: ancestors.some((a) => ['ForStatement', 'WhileStatement', 'DoWhileStatement'].includes(a.type)),
      inUnchecked: ancestors.some((a) => a.type === 'UncheckedStatement'),
    };
    const contract = fn.contract;
    if (callee.type === 'Identifier') {
      site.name = callee.name;
      if (callee.name === 'selfdestruct' || callee.name === 'suicide') site.kind = 'selfdestruct';
      else if (builtinFunctions.has(callee.name)) site.kind = 'builtin';
      else if (elementaryTypeName.test(callee.name))
        site.kind = 'type-conversion'; // `address(x)` parses as a name
      else if (this.program.contract(callee.name, contract.unit)) site.kind = 'type-conversion';
      else if (!facts.locals.has(callee.name) && isTypeName(callee.name, contract, this.program)) site.kind = 'struct';
      else {
        const internal = resolveFunctions(contract, callee.name, site.arguments.length);
        const free = contract.unit.freeFunctions.filter((f) => f.name === callee.name);
        if (internal.length > 0 || free.length > 0) {
          site.kind = 'internal';
          site.targets = internal.length > 0 ? this.overloadFor(internal, site.arguments, fn) : free;
        } else if (contract.linearized.some((c) => c.events.some((e) => e.name === callee.name))) {
          site.kind = 'event';
        } else {
          site.kind = 'internal';
        }
      }
    } else if (callee.type === 'ElementaryTypeName' || callee.type === 'TypeNameExpression') {
      site.kind = 'type-conversion';
      site.name = callee.name ?? callee.typeName?.name ?? '';
    } else if (callee.type === 'NewExpression') {
      site.kind = 'new';
      site.name = callee.typeName?.namePath ?? callee.typeName?.name ?? 'new';
    } else if (callee.type === 'MemberAccess' && isCallOption(node, callee, facts)) {
      // `x.call.value(v)` / `.gas(g)` (pre-0.7) only configures the call that wraps it: not a call itself.
      site.kind = 'builtin';
      site.name = callee.memberName;
      site.receiver = callee.expression;
    } else if (callee.type === 'MemberAccess') {
      site.name = callee.memberName;
      site.receiver = callee.expression;
      const receiverName = dottedName(callee.expression);
      const receiverType = this.typeOf(callee.expression, fn);
      if (
        receiverName === 'abi' ||
        receiverName === 'block' ||
        receiverName === 'msg' ||
        receiverName === 'string' ||
        receiverName === 'bytes' ||
        // `bytes.concat(...)`, `string.concat(...)`: the receiver parses as a type name.
        callee.expression.type === 'ElementaryTypeName'
      ) {
        site.kind = 'builtin';
      } else if (receiverName === 'super') {
        site.kind = 'internal';
        site.targets = resolveFunctions(contract, callee.memberName, site.arguments.length)
          .filter((f) => f.contract !== contract)
          .slice(0, 1);
        // resolveFunctions keeps the most derived override only, which is usually this contract's
        // own: take the next implementation with a body further up the linearisation.
        if (site.targets.length === 0) {
          const next = contract.linearized
            .slice(1)
            .flatMap((c) => c.functions)
            .find((f) => f.name === callee.memberName && f.params.length === site.arguments.length && f.body);
          if (next) site.targets = [next];
        }
      } else if (callee.memberName in lowLevelKinds && (isAddress(receiverType) || receiverType.kind === 'unknown')) {
        site.kind = lowLevelKinds[callee.memberName];
      } else if (
        (callee.memberName === 'send' || callee.memberName === 'transfer') &&
        site.arguments.length === 1 &&
        (isAddress(receiverType) || receiverType.kind === 'unknown')
      ) {
        site.kind = callee.memberName;
        site.value = site.arguments[0];
      } else if (
        receiverType.kind === 'user' &&
        this.isLibrary(receiverType.name, contract) &&
        receiverName === receiverType.name
      ) {
        site.kind = 'library';
        site.targets = this.libraryFunctions(receiverType.name, callee.memberName, contract);
      } else if (receiverName && this.isLibrary(receiverName, contract)) {
        site.kind = 'library';
        site.targets = this.libraryFunctions(receiverName, callee.memberName, contract);
      } else if (this.boundLibraryFunctions(contract, callee.memberName).length > 0) {
        // `using L for T`: `x.add(y)` calls L.add(x, y) internally.
        site.kind = 'library';
        site.targets = this.boundLibraryFunctions(contract, callee.memberName);
      } else if (receiverName === 'this') {
        site.kind = 'external';
        site.targets = resolveFunctions(contract, callee.memberName, site.arguments.length).slice(0, 1);
      } else if (
        receiverType.kind === 'user' &&
        this.program.contract(receiverType.name, contract.unit) &&
        receiverName === receiverType.name
      ) {
        // `Base.f()` names a base implementation: an internal call.
        site.kind = 'internal';
        site.targets = resolveFunctions(this.program.contract(receiverType.name, contract.unit)!, callee.memberName);
      } else if (receiverType.kind === 'elementary' && !isAddress(receiverType)) {
        site.kind = 'builtin'; // bytes.push, array.pop, ...
      } else if (receiverType.kind === 'array' || receiverType.kind === 'mapping') {
        site.kind = 'builtin';
      } else if (receiverType.kind === 'user' && findStruct(contract, receiverType.name, this.program)) {
        site.kind = 'builtin';
      } else {
        site.kind = 'external';
        if (receiverType.kind === 'user') {
          const target = this.program.contract(receiverType.name, contract.unit);
          if (target) site.targets = resolveFunctions(target, callee.memberName, site.arguments.length).slice(0, 1);
        }
      }
    } else if (callee.type === 'IndexAccess' || callee.type === 'FunctionCall') {
      site.kind = 'external';
    }
    site.statement = this.statementOf(node, facts);
    this.classifyReturnUse(site, facts);
    return site;
  }

  /**
   * The overload a call picks among candidates with its argument count: the first whose parameter
   * types the arguments' types fit, or the first candidate when the types cannot tell.
   */
  private overloadFor(candidates: FunctionIR[], args: Node[], fn: FunctionIR): FunctionIR[] {
    if (candidates.length < 2) return candidates;
    const argumentKinds = args.map((a) => typeCategory(this.typeOf(a, fn)));
    const fits = candidates.find((candidate) =>
      candidate.params.every((p, i) => {
        const expected = typeCategory(p.type);
        return !expected || !argumentKinds[i] || expected === argumentKinds[i];
      }),
    );
    return [fits ?? candidates[0]];
  }

  private classifyReturnUse(site: CallSite, facts: FunctionFacts): void {
    let child: Node = site.node;
    let parent = facts.parents.get(child);
    while (parent) {
      switch (parent.type) {
        case 'ExpressionStatement':
          site.returnUse = site.returnUse === 'used' ? 'unused' : site.returnUse;
          return;
        case 'UnaryOperation':
          if (parent.operator === '!') {
            site.returnUse = 'checked';
            return;
          }
          break;
        case 'BinaryOperation':
          if (assignmentOperators.has(parent.operator) && parent.right === child) {
            site.returnUse = 'stored';
            site.storedIn = assignedNames(parent.left);
            return;
          }
          if (conditionOperators.has(parent.operator)) {
            site.returnUse = 'checked';
            return;
          }
          site.returnUse = 'used';
          return;
        case 'VariableDeclarationStatement':
          site.returnUse = 'stored';
          site.storedIn = (parent.variables ?? [])
            .slice(0, 1)
            .filter(Boolean)
            .map((v: Node) => v.name);
          return;
        case 'IfStatement':
        case 'WhileStatement':
        case 'DoWhileStatement':
        case 'Conditional':
          site.returnUse = parent.condition === child ? 'checked' : 'used';
          return;
        case 'ReturnStatement':
          site.returnUse = 'returned';
          return;
        case 'FunctionCall': {
          const name = parent.expression?.type === 'Identifier' ? parent.expression.name : undefined;
          site.returnUse = name === 'require' || name === 'assert' ? 'checked' : 'used';
          return;
        }
        case 'TupleExpression':
          break;
        case 'MemberAccess':
        case 'IndexAccess':
          site.returnUse = 'used';
          return;
        default:
          site.returnUse = 'used';
          return;
      }
      child = parent;
      parent = facts.parents.get(child);
    }
  }

  private collectStateAccesses(fn: FunctionIR, facts: FunctionFacts): void {
    const contract = fn.contract;
    const writtenNodes = new Set<Node>();
    walk(fn.body!, (node) => {
      let target: Node | undefined;
      if (node.type === 'BinaryOperation' && assignmentOperators.has(node.operator)) target = node.left;
      else if (
        node.type === 'UnaryOperation' &&
        (node.operator === '++' || node.operator === '--' || node.operator === 'delete')
      )
        target = node.subExpression;
      else if (
        node.type === 'FunctionCall' &&
        node.expression?.type === 'MemberAccess' &&
        (node.expression.memberName === 'push' || node.expression.memberName === 'pop')
      )
        target = node.expression.expression;
      if (!target) return;
      for (const base of assignedBases(target)) {
        if (base.type !== 'Identifier' || facts.locals.has(base.name)) {
          // Writes through a local storage pointer reach state too.
          if (base.type === 'Identifier') {
            const local = facts.locals.get(base.name);
            if (local?.storageLocation === 'storage') {
              const pointed = this.storagePointerTarget(local, fn, facts);
              if (pointed) {
                facts.stateWrites.push({ variable: pointed, node, statement: this.statementOf(node, facts) });
                writtenNodes.add(base);
              }
            }
          }
          continue;
        }
        const variable = findStateVariable(contract, base.name);
        if (variable) {
          facts.stateWrites.push({ variable, node, statement: this.statementOf(node, facts) });
          writtenNodes.add(base);
        }
      }
    });
    walk(fn.body!, (node) => {
      if (node.type !== 'Identifier' || writtenNodes.has(node) || facts.locals.has(node.name)) return;
      const parent = facts.parents.get(node);
      if (parent?.type === 'MemberAccess' && parent.memberName === node.name && parent.expression !== node) return;
      const variable = findStateVariable(contract, node.name);
      if (variable) facts.stateReads.push({ variable, node, statement: this.statementOf(node, facts) });
    });
  }

  /**
   * Before 0.5 a local of struct, array, mapping, `bytes` or `string` type declared without a data
   * location is a storage pointer, and so is a `var` initialised from storage of such a type:
   * writes through it are state writes, as with `storage` written out. Their `storageLocation`
   * becomes 'storage' so every question about them gets the 0.5+ answer.
   */
  private markImplicitStoragePointers(fn: FunctionIR, facts: FunctionFacts): void {
    if (!fn.body || !admitsCompilerBelow(fn.contract.unit, [0, 5, 0])) return;
    for (const declaration of findAll(fn.body, 'VariableDeclarationStatement')) {
      for (const variable of declaration.variables ?? []) {
        if (!variable?.name || variable.storageLocation) continue;
        const local = facts.locals.get(variable.name);
        if (!local || local.node !== variable || !this.isReferenceType(local.type, fn.contract)) continue;
        const untyped = !variable.typeName || variable.typeName.name === 'var';
        // `var` copies the initialiser's location: a pointer only when it starts from state.
        if (untyped) {
          const base = assignedBases(declaration.initialValue)[0];
          const fromState =
            base?.type === 'Identifier' &&
            !facts.locals.has(base.name) &&
            findStateVariable(fn.contract, base.name) !== undefined;
          if (!fromState) continue;
        }
        local.storageLocation = 'storage';
      }
    }
  }

  /** Types a variable holds by reference (a data location applies): structs, arrays, mappings, bytes, string. */
  private isReferenceType(type: SolType, contract: Contract): boolean {
    if (type.kind === 'array' || type.kind === 'mapping') return true;
    if (type.kind === 'elementary') return type.name === 'bytes' || type.name === 'string';
    return type.kind === 'user' && findStruct(contract, type.name, this.program) !== undefined;
  }

  /** The state variable a local `storage` pointer is initialised from, if any. */
  private storagePointerTarget(local: Variable, fn: FunctionIR, facts: FunctionFacts): StateVariable | undefined {
    const declaration = facts.parents.get(local.node);
    const initial = declaration?.type === 'VariableDeclarationStatement' ? declaration.initialValue : undefined;
    if (!initial) return undefined;
    const base = assignedBases(initial)[0];
    return base?.type === 'Identifier' ? findStateVariable(fn.contract, base.name) : undefined;
  }

  private isLibrary(name: string, contract: Contract): boolean {
    return this.program.contract(name, contract.unit)?.kind === 'library';
  }

  private libraryFunctions(library: string, member: string, contract: Contract): FunctionIR[] {
    const lib = this.program.contract(library, contract.unit);
    return lib ? lib.functions.filter((f) => f.name === member) : [];
  }

  private boundLibraryFunctions(contract: Contract, member: string): FunctionIR[] {
    const out: FunctionIR[] = [];
    for (const c of contract.linearized) {
      for (const use of c.usingFor) {
        out.push(...this.libraryFunctions(use.library, member, contract));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- types

  typeOf(expression: Node | null | undefined, fn: FunctionIR): SolType {
    if (!expression) return unknownType;
    const contract = fn.contract;
    switch (expression.type) {
      case 'Identifier': {
        const name = expression.name;
        if (name === 'msg' || name === 'block' || name === 'tx' || name === 'abi' || name === 'super')
          return { kind: 'magic', name };
        if (name === 'this') return { kind: 'user', name: contract.name };
        if (name === 'now') return { kind: 'elementary', name: 'uint256' };
        const local =
          this.factsCache.get(fn)?.locals.get(name) ?? [...fn.params, ...fn.returns].find((p) => p.name === name);
        if (local) return local.type;
        const state = findStateVariable(contract, name);
        if (state) return state.type;
        if (this.program.contract(name, contract.unit)) return { kind: 'user', name };
        return unknownType;
      }
      case 'MemberAccess': {
        const dotted = dottedName(expression);
        if (dotted === 'msg.sender' || dotted === 'tx.origin' || dotted === 'block.coinbase')
          return { kind: 'elementary', name: 'address', payable: true };
        if (dotted && dotted in magicSources) return { kind: 'elementary', name: 'uint256' };
        if (expression.memberName === 'balance' || expression.memberName === 'length')
          return { kind: 'elementary', name: 'uint256' };
        const base = this.typeOf(expression.expression, fn);
        if (base.kind === 'user') {
          const struct = findStruct(contract, base.name, this.program);
          const member = struct?.members?.find((m: Node) => m.name === expression.memberName);
          if (member) return typeFromTypeName(member.typeName);
          const target = this.program.contract(base.name, contract.unit);
          const state = target ? findStateVariable(target, expression.memberName) : undefined;
          if (state) return state.type;
        }
        return unknownType;
      }
      case 'IndexAccess': {
        const base = this.typeOf(expression.base, fn);
        if (base.kind === 'mapping') return base.value;
        if (base.kind === 'array') return base.base;
        if (base.kind === 'elementary' && base.name.startsWith('bytes')) return { kind: 'elementary', name: 'bytes1' };
        return unknownType;
      }
      case 'FunctionCall': {
        const { callee } = unwrapCallee(expression.expression);
        if (callee.type === 'ElementaryTypeName') {
          return {
            kind: 'elementary',
            name: normaliseElementary(callee.name),
            payable: callee.stateMutability === 'payable' || callee.name === 'payable',
          };
        }
        if (callee.type === 'Identifier') {
          if (callee.name === 'payable') return { kind: 'elementary', name: 'address', payable: true };
          if (
            callee.name === 'keccak256' ||
            callee.name === 'sha3' ||
            callee.name === 'sha256' ||
            callee.name === 'blockhash'
          )
            return { kind: 'elementary', name: 'bytes32' };
          if (callee.name === 'ecrecover') return { kind: 'elementary', name: 'address' };
          if (this.program.contract(callee.name, contract.unit)) return { kind: 'user', name: callee.name };
          const target = resolveFunctions(contract, callee.name, expression.arguments.length)[0];
          if (target?.returns.length === 1) return target.returns[0].type;
        }
        if (callee.type === 'MemberAccess') {
          if (lowLevelKinds[callee.memberName] && isAddress(this.typeOf(callee.expression, fn)))
            return {
              kind: 'tuple',
              items: [
                { kind: 'elementary', name: 'bool' },
                { kind: 'elementary', name: 'bytes' },
              ],
            };
          if (callee.memberName === 'send') return { kind: 'elementary', name: 'bool' };
          const receiverType = this.typeOf(callee.expression, fn);
          const receiverContract =
            receiverType.kind === 'user' ? this.program.contract(receiverType.name, contract.unit) : undefined;
          const target = receiverContract ? resolveFunctions(receiverContract, callee.memberName)[0] : undefined;
          if (target?.returns.length === 1) return target.returns[0].type;
        }
        return unknownType;
      }
      case 'BinaryOperation': {
        if (conditionOperators.has(expression.operator)) return { kind: 'elementary', name: 'bool' };
        const left = this.typeOf(expression.left, fn);
        return left.kind === 'literal' || left.kind === 'unknown' ? this.typeOf(expression.right, fn) : left;
      }
      case 'UnaryOperation':
        return expression.operator === '!'
          ? { kind: 'elementary', name: 'bool' }
          : this.typeOf(expression.subExpression, fn);
      case 'TupleExpression':
        return expression.components?.length === 1 ? this.typeOf(expression.components[0], fn) : unknownType;
      case 'NumberLiteral':
        return { kind: 'literal', value: 'number' };
      case 'StringLiteral':
      case 'HexLiteral':
        return { kind: 'literal', value: 'string' };
      case 'BooleanLiteral':
        return { kind: 'literal', value: 'bool' };
      case 'Conditional':
        return this.typeOf(expression.trueExpression, fn);
      default:
        return unknownType;
    }
  }

  // ---------------------------------------------------------------- data flow

  /** Where the value of `expression` can come from (flow-insensitive within the function). */
  taintOf(expression: Node | null | undefined, fn: FunctionIR, depth = 0): Set<TaintSource> {
    const out = new Set<TaintSource>();
    if (!expression) return out;
    // localTaint is cached before it is computed, so a function's own locals never recurse.
    const locals = this.localTaint(fn);
    const facts = this.facts(fn);
    const visit = (node: Node): void => {
      switch (node.type) {
        case 'Identifier': {
          const magic = magicSources[node.name];
          if (magic && !facts.locals.has(node.name)) {
            out.add(magic);
            return;
          }
          if (facts.locals.has(node.name)) {
            if (fn.params.some((p) => p.name === node.name)) out.add(`param:${node.name}`);
            for (const source of locals.get(node.name) ?? []) out.add(source);
            return;
          }
          const state = findStateVariable(fn.contract, node.name);
          if (state && !state.constant) {
            out.add(`state:${node.name}`);
            for (const source of this.stateTaint(fn.contract).get(node.name) ?? []) out.add(source);
          }
          return;
        }
        case 'MemberAccess': {
          const dotted = dottedName(node);
          if (dotted && magicSources[dotted]) {
            out.add(magicSources[dotted]);
            return;
          }
          visit(node.expression);
          return;
        }
        case 'FunctionCall': {
          const site = facts.calls.find((c) => c.node === node);
          if (site?.kind === 'builtin' && (site.name === 'blockhash' || site.name === 'block.blockhash'))
            out.add('blockhash');
          if (site && ['external', 'low-level-call', 'staticcall', 'delegatecall', 'send'].includes(site.kind)) {
            out.add('external-call');
            return;
          }
          if (site?.kind === 'internal' || site?.kind === 'library') {
            for (const target of site.targets)
              for (const source of this.returnTaint(target, depth + 1)) out.add(source);
          }
          for (const argument of node.arguments ?? []) visit(argument);
          if (node.expression?.type === 'MemberAccess' && site?.kind !== 'external') visit(node.expression.expression);
          return;
        }
        case 'NumberLiteral':
        case 'StringLiteral':
        case 'BooleanLiteral':
        case 'HexLiteral':
          return;
        default:
          for (const operand of operandsOf(node)) visit(operand);
          for (const component of node.components ?? []) if (component) visit(component);
      }
    };
    visit(expression);
    return out;
  }

  /** Sources reaching each local variable of `fn`. */
  localTaint(fn: FunctionIR): Map<string, Set<TaintSource>> {
    const cached = this.taintCache.get(fn);
    if (cached) return cached;
    const taint = new Map<string, Set<TaintSource>>();
    this.taintCache.set(fn, taint);
    if (!fn.body) return taint;
    const assignments: [string[], Node][] = [];
    walk(fn.body, (node) => {
      if (node.type === 'VariableDeclarationStatement' && node.initialValue) {
        assignments.push([(node.variables ?? []).filter(Boolean).map((v: Node) => v.name), node.initialValue]);
      } else if (node.type === 'BinaryOperation' && assignmentOperators.has(node.operator)) {
        assignments.push([assignedNames(node.left), node.right]);
      }
    });
    for (let round = 0; round < 6; round++) {
      let changed = false;
      for (const [names, value] of assignments) {
        const sources = this.taintOf(value, fn);
        for (const name of names) {
          const set = taint.get(name) ?? new Set();
          const before = set.size;
          for (const source of sources) set.add(source);
          taint.set(name, set);
          if (set.size !== before) changed = true;
        }
      }
      if (!changed) break;
    }
    return taint;
  }

  /** Global sources reaching a function's return values (parameters excluded). */
  private returnTaint(fn: FunctionIR, depth: number): Set<TaintSource> {
    const out = new Set<TaintSource>();
    if (depth > 3 || !fn.body) return out;
    for (const statement of findAll(fn.body, 'ReturnStatement')) {
      for (const source of this.taintOf(statement.expression, fn, depth))
        if (!source.startsWith('param:')) out.add(source);
    }
    for (const variable of fn.returns) {
      for (const source of this.localTaint(fn).get(variable.name) ?? [])
        if (!source.startsWith('param:')) out.add(source);
    }
    return out;
  }

  /**
   * Sources reaching each state variable across the contract's functions. A parameter of a
   * function anyone may call becomes `user-input`; other parameters are dropped.
   */
  stateTaint(contract: Contract): Map<string, Set<TaintSource>> {
    const cached = this.stateTaintCache.get(contract);
    if (cached) return cached;
    const taint = new Map<string, Set<TaintSource>>();
    this.stateTaintCache.set(contract, taint);
    for (const variable of allStateVariables(contract)) {
      if (variable.initialValue) {
        const sources = new Set<TaintSource>();
        walk(variable.initialValue, (node) => {
          const dotted = dottedName(node);
          if (dotted && magicSources[dotted]) sources.add(magicSources[dotted]);
        });
        taint.set(variable.name, sources);
      }
    }
    for (const c of contract.linearized) {
      for (const fn of [...c.functions, ...c.modifiers]) {
        if (!fn.body) continue;
        // Constructor parameters come from the deployer, not from any user.
        const open =
          fn.kind !== 'constructor' &&
          (fn.visibility === 'public' || fn.visibility === 'external') &&
          !this.restrictsCaller(fn);
        for (const write of this.facts(fn).stateWrites) {
          const node = write.node;
          const value = node.type === 'BinaryOperation' ? node.right : undefined;
          if (!value) continue;
          const set = taint.get(write.variable.name) ?? new Set();
          for (const source of this.taintOf(value, fn)) {
            if (source.startsWith('param:')) {
              if (open) set.add('user-input');
            } else if (!source.startsWith('state:')) set.add(source);
          }
          taint.set(write.variable.name, set);
        }
      }
    }
    return taint;
  }

  // ---------------------------------------------------------------- summaries

  /**
   * Internal and library callees of a function, including its modifiers and the functions it
   * passes as internal function pointers (`applyTo(set, v)` may call `set`).
   */
  callees(fn: FunctionIR): FunctionIR[] {
    const cached = this.calleesCache.get(fn);
    if (cached) return cached;
    const out = new Set<FunctionIR>();
    const facts = this.facts(fn);
    for (const call of facts.calls) {
      if (call.kind === 'internal' || call.kind === 'library') for (const target of call.targets) out.add(target);
    }
    for (const use of fn.modifiers) if (use.definition) out.add(use.definition);
    if (fn.body)
      for (const pointer of findAll(fn.body, 'Identifier')) {
        const parent = facts.parents.get(pointer);
        const called = parent?.type === 'FunctionCall' && parent.expression === pointer;
        if (called || parent?.type === 'MemberAccess' || facts.locals.has(pointer.name)) continue;
        if (findStateVariable(fn.contract, pointer.name)) continue;
        for (const target of resolveFunctions(fn.contract, pointer.name)) if (target.body) out.add(target);
      }
    const callees = [...out];
    this.calleesCache.set(fn, callees);
    return callees;
  }

  /** Functions reachable through internal calls and modifiers, `fn` included. */
  reachable(fn: FunctionIR): FunctionIR[] {
    const seen = new Set<FunctionIR>([fn]);
    const queue = [fn];
    while (queue.length > 0) {
      for (const callee of this.callees(queue.pop()!)) {
        if (!seen.has(callee)) {
          seen.add(callee);
          queue.push(callee);
        }
      }
    }
    return [...seen];
  }

  /** State variables written by `fn` or anything it calls internally. */
  writesState(fn: FunctionIR): Set<StateVariable> {
    const cached = this.writesCache.get(fn);
    if (cached) return cached;
    const out = new Set<StateVariable>();
    for (const f of this.reachable(fn)) for (const write of this.facts(f).stateWrites) out.add(write.variable);
    this.writesCache.set(fn, out);
    return out;
  }

  /**
   * True when the function or its modifiers (or an internal function they call) decide on
   * msg.sender in a condition, or when a modifier cannot be resolved (assume it guards).
   */
  hasSenderCheck(fn: FunctionIR): boolean {
    const cached = this.senderCheckCache.get(fn);
    if (cached !== undefined) return cached;
    this.senderCheckCache.set(fn, false);
    let result = hasUnresolvedGuardModifier(fn);
    if (!result) {
      for (const f of this.reachable(fn)) {
        if (
          this.facts(f).conditions.some((condition) => referencesSender(condition, f, this)) ||
          this.passesSenderToCheck(f, 0)
        ) {
          result = true;
          break;
        }
      }
    }
    this.senderCheckCache.set(fn, result);
    return result;
  }

  /**
   * msg.sender handed to an internal or library function that decides on that parameter
   * (OpenZeppelin's `_checkRole(role, _msgSender())`, `_checkOwner(account)`).
   */
  private passesSenderToCheck(fn: FunctionIR, depth: number, senderParams?: Set<string>): boolean {
    if (depth > 3) return false;
    const facts = this.facts(fn);
    const fromSender = (expression: Node): boolean =>
      referencesSender(expression, fn, this) ||
      (senderParams !== undefined &&
        findAll(expression, 'Identifier').some(
          (id) =>
            senderParams.has(id.name) ||
            [...(this.localTaint(fn).get(id.name) ?? [])].some(
              (s) => s.startsWith('param:') && senderParams.has(s.slice(6)),
            ),
        ));
    if (senderParams && facts.conditions.some(fromSender)) return true;
    for (const call of facts.calls) {
      if ((call.kind !== 'internal' && call.kind !== 'library') || call.targets.length === 0) continue;
      const { callee } = unwrapCallee(call.node.expression);
      // `x.f(y)` through `using L for T` binds x to the first parameter.
      const bound =
        call.kind === 'library' &&
        callee.type === 'MemberAccess' &&
        !this.isLibrary(dottedName(callee.expression) ?? '', fn.contract);
      const args = bound ? [callee.expression, ...call.arguments] : call.arguments;
      const indexes = args.map((arg: Node, i: number) => (fromSender(arg) ? i : -1)).filter((i: number) => i >= 0);
      if (indexes.length === 0) continue;
      for (const target of call.targets) {
        const names = new Set(
          indexes.map((i: number) => target.params[i]?.name).filter((n): n is string => Boolean(n)),
        );
        if (names.size > 0 && target !== fn && this.passesSenderToCheck(target, depth + 1, names)) return true;
      }
    }
    return false;
  }

  /** A nonReentrant-style guard: a modifier or callee that checks and sets the same state flag. */
  hasReentrancyGuard(fn: FunctionIR): boolean {
    for (const use of fn.modifiers) {
      const definition = use.definition;
      if (!definition) {
        if (/reentran|nonreentrant|lock|mutex/i.test(use.name)) return true;
        continue;
      }
      for (const f of this.reachable(definition)) {
        const facts = this.facts(f);
        const written = new Set(facts.stateWrites.map((w) => w.variable));
        const checked = facts.conditions.some((condition) =>
          findAll(condition, 'Identifier').some((id) => [...written].some((v) => v.name === id.name)),
        );
        if (checked && written.size > 0) return true;
      }
    }
    return false;
  }

  /**
   * Public or external, and able to change state: not a view. Before 0.5 solc did not enforce
   * `constant`/`view`/`pure`, so there such a function counts when it writes state or moves ether.
   */
  isEntryPoint(fn: FunctionIR): boolean {
    if (fn.kind === 'modifier' || fn.kind === 'constructor') return false;
    if (fn.visibility !== 'public' && fn.visibility !== 'external') return false;
    if (fn.mutability !== 'view' && fn.mutability !== 'pure') return true;
    return admitsCompilerBelow(fn.contract.unit, [0, 5, 0]) && this.changesState(fn);
  }

  /** `fn` or an internal callee writes state, moves ether, makes a raw call, or creates or destroys a contract. */
  private changesState(fn: FunctionIR): boolean {
    if (this.writesState(fn).size > 0) return true;
    return this.reachable(fn).some((f) => this.facts(f).calls.some((call) => stateChangingCalls.has(call.kind)));
  }

  /** CFG nodes that run after `node` on some path (loops included). */
  after(node: CfgNode): Set<CfgNode> {
    return reachableFrom(node);
  }
}

function referencesSender(condition: Node, fn: FunctionIR, analysis: Analysis): boolean {
  let found = false;
  walk(condition, (node) => {
    if (found) return false;
    const dotted = dottedName(node);
    if (dotted === 'msg.sender' || dotted === 'tx.origin') found = true;
    else if (
      node.type === 'FunctionCall' &&
      node.expression?.type === 'Identifier' &&
      /^_?msgSender$/.test(node.expression.name)
    )
      found = true;
    else if (node.type === 'Identifier') {
      const sources = analysis.localTaint(fn).get(node.name);
      if (sources?.has('msg.sender')) found = true;
      else if (initialisedFromSender(node.name, fn, analysis)) found = true;
    }
    return undefined;
  });
  return found;
}

/** `address sender = _msgSender();`: local taint stops at internal calls, so look at the initialiser. */
function initialisedFromSender(name: string, fn: FunctionIR, analysis: Analysis): boolean {
  const facts = analysis.facts(fn);
  const local = facts.locals.get(name);
  if (!local || fn.params.includes(local)) return false;
  const declaration = facts.parents.get(local.node);
  const initial = declaration?.type === 'VariableDeclarationStatement' ? declaration.initialValue : undefined;
  if (!initial || (declaration?.variables ?? []).length !== 1) return false;
  const dotted = dottedName(initial);
  return (
    dotted === 'msg.sender' ||
    (initial.type === 'FunctionCall' &&
      initial.expression?.type === 'Identifier' &&
      /^_?msgSender$/.test(initial.expression.name) &&
      initial.arguments.length === 0)
  );
}

/**
 * `.value(v)` / `.gas(g)` applied to a call being configured: the wrapper is invoked at once
 * (`f.value(v)(args)`), or it configures a low-level call (`a.call.value(v)`, possibly never invoked).
 */
function isCallOption(node: Node, callee: Node, facts: FunctionFacts): boolean {
  if (callee.memberName !== 'value' && callee.memberName !== 'gas') return false;
  if ((node.arguments ?? []).length !== 1) return false;
  const parent = facts.parents.get(node);
  if (parent?.type === 'FunctionCall' && parent.expression === node) return true;
  let receiver: Node = callee.expression;
  while (
    receiver.type === 'FunctionCall' &&
    receiver.expression?.type === 'MemberAccess' &&
    (receiver.expression.memberName === 'value' || receiver.expression.memberName === 'gas')
  )
    receiver = receiver.expression.expression;
  return receiver.type === 'MemberAccess' && receiver.memberName in lowLevelKinds;
}

function isTypeName(name: string, contract: Contract, program: Program): boolean {
  return Boolean(findStruct(contract, name, program)) || contract.linearized.some((c) => c.enums.has(name));
}

/** The variables an assignment target names: `a`, `a[i]`, `a.b`, `(a, b)`. */
function assignedNames(target: Node): string[] {
  return assignedBases(target)
    .filter((n) => n.type === 'Identifier')
    .map((n) => n.name);
}

/** The root expressions of an assignment target (`a` in `a[i].b`). */
export function assignedBases(target: Node | null | undefined): Node[] {
  if (!target) return [];
  if (target.type === 'TupleExpression') return (target.components ?? []).flatMap((c: Node | null) => assignedBases(c));
  if (target.type === 'IndexAccess') return assignedBases(target.base);
  if (target.type === 'MemberAccess') return assignedBases(target.expression);
  return [target];
}
