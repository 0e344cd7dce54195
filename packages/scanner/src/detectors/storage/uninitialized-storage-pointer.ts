import { admitsCompilerBelow, type Contract, findAll, type Node, type Program, qualifiedName } from '@bulwark/solidity';
import { defineDetector } from '../../detector.ts';

export const uninitializedStoragePointer = defineDetector({
  id: 'uninitialized-storage-pointer',
  category: 'storage',
  title: 'Uninitialised local storage pointer',
  impact: 'high',
  confidence: 'high',
  description:
    'Before Solidity 0.5 a local struct, array or mapping variable is a storage pointer by default. Declared without a value it points at slot 0, so writing its fields overwrites the first state variables (often the owner).',
  scenario:
    'A registration function declares `Record r;` and sets `r.owner = msg.sender`; the write lands in storage slot 0 and replaces the contract owner with the caller (the OpenAddressLottery / CryptoRoulette honeypots).',
  recommendation:
    'Declare the local `memory`, or point it at real storage (`Record storage r = records[id];`). Solidity 0.5 and later reject uninitialised storage pointers.',
  swc: ['SWC-109'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, program, report }) {
    for (const fn of functions) {
      if (!fn.body) continue;
      // From 0.5 the compiler rejects uninitialised storage pointers.
      if (!admitsCompilerBelow(fn.contract.unit, [0, 5, 0])) continue;
      for (const statement of findAll(fn.body, 'VariableDeclarationStatement')) {
        const variables: (Node | null)[] = statement.variables ?? [];
        if (variables.length !== 1 || !variables[0] || statement.initialValue) continue;
        const variable = variables[0];
        if (variable.storageLocation === 'memory' || variable.storageLocation === 'calldata') continue;
        const kind = referenceKind(variable.typeName, fn.contract, program);
        if (!kind) continue;
        // `Record storage r; r = records[id];` re-points it before use: only flag pointers never assigned.
        const reassigned = findAll(
          fn.body,
          (n) =>
            n.type === 'BinaryOperation' &&
            n.operator === '=' &&
            n.left?.type === 'Identifier' &&
            n.left.name === variable.name,
        );
        if (reassigned.length > 0) continue;
        const slotZero = firstStateVariable(fn.contract);
        report({
          node: statement,
          fn,
          message: `${qualifiedName(fn)}: local ${kind} \`${variable.name}\` has no location and no value, so it points at storage slot 0; writes through it overwrite ${slotZero ? `state variable ${slotZero}` : 'the first state variables'}.`,
        });
      }
    }
  },
});

function referenceKind(typeName: Node | null | undefined, contract: Contract, program: Program): string | undefined {
  if (!typeName) return undefined;
  if (typeName.type === 'ArrayTypeName') return 'array';
  if (typeName.type === 'Mapping') return 'mapping';
  if (typeName.type === 'UserDefinedTypeName') {
    const name: string = typeName.namePath.split('.').pop();
    for (const c of [...contract.linearized, ...program.contracts]) if (c.structs.has(name)) return 'struct';
  }
  return undefined;
}

function firstStateVariable(contract: Contract): string | undefined {
  for (const c of [...contract.linearized].reverse()) {
    const first = c.stateVariables.find((v) => !v.constant);
    if (first) return first.name;
  }
  return undefined;
}
