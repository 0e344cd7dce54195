import { findAll, type Node } from './ast.ts';
import { admitsCompilerBelow } from './pragma.ts';
import { SourceText } from './source.ts';
import { type SolType, typeFromTypeName } from './types.ts';

export type Visibility = 'public' | 'external' | 'internal' | 'private';
export type Mutability = 'pure' | 'view' | 'payable' | 'nonpayable';
export type FunctionKind = 'function' | 'constructor' | 'fallback' | 'receive' | 'modifier';

export type Variable = { name: string; type: SolType; node: Node; storageLocation?: string | null };

export type StateVariable = Variable & {
  contract: Contract;
  visibility: Visibility;
  explicitVisibility: boolean;
  constant: boolean;
  immutable: boolean;
  initialValue: Node | undefined;
  declaration: Node;
};

export type ModifierUse = { name: string; node: Node; arguments: Node[]; definition: FunctionIR | undefined };

export type FunctionIR = {
  name: string;
  kind: FunctionKind;
  node: Node;
  contract: Contract;
  visibility: Visibility;
  /** False when the source relied on the pre-0.5 default (public). */
  explicitVisibility: boolean;
  mutability: Mutability;
  params: Variable[];
  returns: Variable[];
  modifiers: ModifierUse[];
  body: Node | undefined;
  virtual: boolean;
  /** `name(type,type)` from declared parameter types. */
  signature: string;
  /** A pre-0.4.22 constructor written as a function named like the contract. */
  legacyConstructor: boolean;
};

export type ContractKind = 'contract' | 'interface' | 'library' | 'abstract';

export type Contract = {
  name: string;
  kind: ContractKind;
  node: Node;
  unit: SourceUnit;
  baseNames: string[];
  /** Direct bases, resolved (unresolved names are skipped and listed in `unresolvedBases`). */
  bases: Contract[];
  unresolvedBases: string[];
  /** C3 linearisation, most derived first (this contract at index 0). */
  linearized: Contract[];
  stateVariables: StateVariable[];
  functions: FunctionIR[];
  modifiers: FunctionIR[];
  events: Node[];
  structs: Map<string, Node>;
  enums: Map<string, Node>;
  usingFor: { library: string; type: string }[];
};

export type SourceUnit = {
  file: string;
  source: SourceText;
  ast: Node;
  pragmas: string[];
  imports: string[];
  contracts: Contract[];
  /** Free functions and file-level constants (0.7+). */
  freeFunctions: FunctionIR[];
  /** Version that compiled the file; undefined when it ran on the parse tree only. */
  solcVersion: string | undefined;
};

export type Program = {
  units: SourceUnit[];
  contracts: Contract[];
  /** A contract by name, preferring one in `fromUnit`, then one imported, then any. */
  contract(name: string, fromUnit?: SourceUnit): Contract | undefined;
};

export type ProgramInput = { file: string; content: string; ast: Node; solcVersion?: string | undefined };

export function buildProgram(inputs: ProgramInput[]): Program {
  const byName = new Map<string, Contract[]>();
  const units: SourceUnit[] = inputs.map((input) => buildUnit(input, byName));
  const contracts = units.flatMap((unit) => unit.contracts);
  const lookup = (name: string, fromUnit?: SourceUnit): Contract | undefined => {
    const candidates = byName.get(name);
    if (!candidates?.length) return undefined;
    return candidates.find((c) => c.unit === fromUnit) ?? candidates[0];
  };
  for (const contract of contracts) {
    for (const baseName of contract.baseNames) {
      const base = lookup(baseName.split('.').pop()!, contract.unit);
      if (base && base !== contract) contract.bases.push(base);
      else contract.unresolvedBases.push(baseName);
    }
  }
  const linearized = new Map<Contract, Contract[]>();
  for (const contract of contracts) contract.linearized = linearize(contract, new Set(), linearized);
  for (const contract of contracts) {
    for (const fn of [...contract.functions, ...contract.modifiers]) {
      for (const use of fn.modifiers) use.definition = resolveModifier(contract, use.name);
    }
  }
  return { units, contracts, contract: lookup };
}

function buildUnit(input: ProgramInput, byName: Map<string, Contract[]>): SourceUnit {
  const unit: SourceUnit = {
    file: input.file,
    source: new SourceText(input.file, input.content),
    ast: input.ast,
    pragmas: [],
    imports: [],
    contracts: [],
    freeFunctions: [],
    solcVersion: input.solcVersion,
  };
  for (const child of input.ast.children ?? []) {
    if (child.type === 'PragmaDirective' && child.name === 'solidity') unit.pragmas.push(child.value);
    else if (child.type === 'ImportDirective') unit.imports.push(child.path);
    else if (child.type === 'ContractDefinition') {
      const contract = buildContract(child, unit);
      unit.contracts.push(contract);
      const list = byName.get(contract.name) ?? [];
      list.push(contract);
      byName.set(contract.name, list);
    }
  }
  // Free functions have no contract; give them a synthetic file-level one so the analyses apply.
  const freeNodes = (input.ast.children ?? []).filter((c: Node) => c.type === 'FunctionDefinition');
  if (freeNodes.length > 0) {
    const fileLevel = emptyContract('<file>', 'library', input.ast, unit);
    unit.freeFunctions = freeNodes.map((node: Node) => buildFunction(node, fileLevel, unit));
  }
  return unit;
}

function emptyContract(name: string, kind: ContractKind, node: Node, unit: SourceUnit): Contract {
  return {
    name,
    kind,
    node,
    unit,
    baseNames: [],
    bases: [],
    unresolvedBases: [],
    linearized: [],
    stateVariables: [],
    functions: [],
    modifiers: [],
    events: [],
    structs: new Map(),
    enums: new Map(),
    usingFor: [],
  };
}

function buildContract(node: Node, unit: SourceUnit): Contract {
  const contract = emptyContract(node.name, node.kind as ContractKind, node, unit);
  contract.baseNames = (node.baseContracts ?? []).map((spec: Node) => spec.baseName.namePath as string);
  for (const sub of node.subNodes ?? []) {
    switch (sub.type) {
      case 'StateVariableDeclaration':
        for (const variable of sub.variables) {
          const explicit = variable.visibility && variable.visibility !== 'default';
          contract.stateVariables.push({
            name: variable.name,
            type: typeFromTypeName(variable.typeName),
            node: variable,
            contract,
            visibility: explicit ? variable.visibility : 'internal',
            explicitVisibility: Boolean(explicit),
            constant: Boolean(variable.isDeclaredConst),
            immutable: Boolean(variable.isImmutable),
            initialValue: variable.expression ?? sub.initialValue ?? undefined,
            declaration: sub,
          });
        }
        break;
      case 'FunctionDefinition':
        contract.functions.push(buildFunction(sub, contract, unit));
        break;
      case 'ModifierDefinition':
        contract.modifiers.push(buildFunction(sub, contract, unit));
        break;
      case 'EventDefinition':
        contract.events.push(sub);
        break;
      case 'StructDefinition':
        contract.structs.set(sub.name, sub);
        break;
      case 'EnumDefinition':
        contract.enums.set(sub.name, sub);
        break;
      case 'UsingForDeclaration':
        contract.usingFor.push({
          library: sub.libraryName ?? '',
          type: sub.typeName ? (sub.typeName.name ?? sub.typeName.namePath ?? '*') : '*',
        });
        break;
    }
  }
  return contract;
}

function pragmaAllowsLegacyConstructor(unit: SourceUnit): boolean {
  // Named constructors were removed in 0.5; keep them wherever an older compiler may build the unit.
  return admitsCompilerBelow(unit, [0, 5, 0]);
}

function buildFunction(node: Node, contract: Contract, unit: SourceUnit): FunctionIR {
  const isModifier = node.type === 'ModifierDefinition';
  const name: string = node.name ?? '';
  const legacyConstructor = !isModifier && name !== '' && name === contract.name && pragmaAllowsLegacyConstructor(unit);
  let kind: FunctionKind = 'function';
  if (isModifier) kind = 'modifier';
  else if (node.isConstructor || legacyConstructor) kind = 'constructor';
  else if (node.isReceiveEther) kind = 'receive';
  else if (node.isFallback || name === '') kind = 'fallback';
  const explicitVisibility = Boolean(node.visibility && node.visibility !== 'default');
  const visibility: Visibility = explicitVisibility
    ? node.visibility
    : isModifier
      ? 'internal'
      : contract.kind === 'interface'
        ? 'external'
        : 'public';
  const mutability: Mutability =
    node.stateMutability === 'constant' ? 'view' : ((node.stateMutability as Mutability | null) ?? 'nonpayable');
  const params = toVariables(node.parameters);
  const returns = toVariables(node.returnParameters);
  return {
    name: kind === 'constructor' ? 'constructor' : kind === 'fallback' && name === '' ? 'fallback' : name,
    kind,
    node,
    contract,
    visibility,
    explicitVisibility,
    mutability,
    params,
    returns,
    modifiers: (node.modifiers ?? []).map((m: Node) => ({
      name: m.name,
      node: m,
      arguments: m.arguments ?? [],
      definition: undefined,
    })),
    body: node.body ?? undefined,
    virtual: Boolean(node.isVirtual),
    signature: `${name}(${params.map((p) => typeSignature(p.node.typeName)).join(',')})`,
    legacyConstructor,
  };
}

function typeSignature(typeName: Node | undefined): string {
  if (!typeName) return '?';
  if (typeName.type === 'ElementaryTypeName') return typeName.name === 'uint' ? 'uint256' : typeName.name;
  if (typeName.type === 'UserDefinedTypeName') return typeName.namePath;
  if (typeName.type === 'ArrayTypeName') return `${typeSignature(typeName.baseTypeName)}[]`;
  return typeName.type;
}

function toVariables(list: Node[] | null | undefined): Variable[] {
  return (list ?? [])
    .filter((p): p is Node => Boolean(p))
    .map((p) => ({
      name: p.name ?? '',
      type: typeFromTypeName(p.typeName),
      node: p,
      storageLocation: p.storageLocation,
    }));
}

/**
 * C3 linearisation (Solidity lists bases from most base-like to most derived). Each contract's
 * result is kept in `done`: without it a diamond-shaped hierarchy is linearised exponentially often.
 */
function linearize(contract: Contract, visiting: Set<Contract>, done: Map<Contract, Contract[]>): Contract[] {
  const known = done.get(contract);
  if (known) return known;
  if (visiting.has(contract)) return [contract];
  visiting.add(contract);
  const parents = [...contract.bases].reverse();
  const sequences = parents.map((base) => linearize(base, visiting, done)).concat([parents]);
  visiting.delete(contract);
  const result: Contract[] = [contract];
  const lists = sequences.map((seq) => [...seq]).filter((seq) => seq.length > 0);
  while (lists.length > 0) {
    let head: Contract | undefined;
    for (const list of lists) {
      const candidate = list[0];
      if (!lists.some((other) => other.indexOf(candidate) > 0)) {
        head = candidate;
        break;
      }
    }
    // Inconsistent hierarchy (solc would reject it): fall back to first-come order.
    head ??= lists[0][0];
    if (!result.includes(head)) result.push(head);
    for (const list of lists) if (list[0] === head) list.shift();
    for (let i = lists.length - 1; i >= 0; i--) if (lists[i].length === 0) lists.splice(i, 1);
  }
  // A result computed inside a cycle is partial: keep only those computed outside any.
  if (visiting.size === 0 || !result.some((c) => visiting.has(c))) done.set(contract, result);
  return result;
}

/** State variables visible in the contract, base contracts first. */
export function allStateVariables(contract: Contract): StateVariable[] {
  return [...contract.linearized].reverse().flatMap((c) => c.stateVariables);
}

/** The callable functions of a contract: the most derived implementation of each signature. */
export function allFunctions(contract: Contract): FunctionIR[] {
  const seen = new Map<string, FunctionIR>();
  for (const c of contract.linearized) {
    for (const fn of c.functions) {
      // Base constructors run too, but they are not entry points of this contract.
      if (fn.kind === 'constructor' && c !== contract) continue;
      const key = fn.kind === 'function' ? fn.signature : fn.kind;
      if (!seen.has(key)) seen.set(key, fn);
    }
  }
  return [...seen.values()];
}

/** Functions named `name` visible from `contract`, most derived first. */
export function resolveFunctions(contract: Contract, name: string, argumentCount?: number): FunctionIR[] {
  const out: FunctionIR[] = [];
  for (const c of contract.linearized) {
    for (const fn of c.functions) {
      if (fn.name !== name || fn.kind !== 'function') continue;
      if (argumentCount !== undefined && fn.params.length !== argumentCount) continue;
      if (!out.some((other) => other.signature === fn.signature)) out.push(fn);
    }
  }
  return out;
}

export function resolveModifier(contract: Contract, name: string): FunctionIR | undefined {
  for (const c of contract.linearized) {
    const found = c.modifiers.find((m) => m.name === name);
    if (found) return found;
  }
  return undefined;
}

export function findStateVariable(contract: Contract, name: string): StateVariable | undefined {
  for (const c of contract.linearized) {
    const found = c.stateVariables.find((v) => v.name === name);
    if (found) return found;
  }
  return undefined;
}

export function findStruct(contract: Contract, name: string, program: Program): Node | undefined {
  const short = name.split('.').pop()!;
  for (const c of contract.linearized) {
    const found = c.structs.get(short);
    if (found) return found;
  }
  for (const c of program.contracts) {
    const found = c.structs.get(short);
    if (found) return found;
  }
  return structsOfUnit(contract.unit.ast).get(short);
}

const unitStructs = new WeakMap<Node, Map<string, Node>>();

/**
 * Every struct declared anywhere in a unit, the first of each name: asked for each member access
 * and type name, so searching the whole tree each time took a tenth of a scan.
 */
function structsOfUnit(ast: Node): Map<string, Node> {
  let structs = unitStructs.get(ast);
  if (!structs) {
    structs = new Map();
    for (const struct of findAll(ast, 'StructDefinition'))
      if (!structs.has(struct.name)) structs.set(struct.name, struct);
    unitStructs.set(ast, structs);
  }
  return structs;
}

/** Human name: `Contract.function`, with `receive`, `fallback` and `constructor` named by their kind. */
export function qualifiedName(fn: FunctionIR): string {
  if (fn.kind === 'receive' || fn.kind === 'fallback' || fn.kind === 'constructor')
    return `${fn.contract.name}.${fn.kind}`;
  return `${fn.contract.name}.${fn.name}`;
}
