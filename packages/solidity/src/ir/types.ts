import type { Node } from './ast.ts';

/** A Solidity type as far as the parse tree tells it. */
export type SolType =
  | { kind: 'elementary'; name: string; payable?: boolean }
  | { kind: 'mapping'; key: SolType; value: SolType }
  | { kind: 'array'; base: SolType }
  | { kind: 'user'; name: string }
  | { kind: 'tuple'; items: SolType[] }
  | { kind: 'function' }
  | { kind: 'magic'; name: 'msg' | 'block' | 'tx' | 'abi' | 'this' | 'super' }
  | { kind: 'literal'; value: 'number' | 'string' | 'bool' }
  | { kind: 'unknown' };

export const unknownType: SolType = { kind: 'unknown' };

/** `uint` → `uint256`, `byte` → `bytes1`, `address payable` keeps its flag. */
export function normaliseElementary(name: string): string {
  if (name === 'uint') return 'uint256';
  if (name === 'int') return 'int256';
  if (name === 'byte') return 'bytes1';
  if (name === 'ufixed') return 'ufixed128x18';
  if (name === 'fixed') return 'fixed128x18';
  return name;
}

export function typeFromTypeName(typeName: Node | null | undefined): SolType {
  if (!typeName) return unknownType;
  switch (typeName.type) {
    case 'ElementaryTypeName':
      return {
        kind: 'elementary',
        name: normaliseElementary(typeName.name),
        payable: typeName.stateMutability === 'payable' || typeName.name === 'address payable',
      };
    case 'Mapping':
      return { kind: 'mapping', key: typeFromTypeName(typeName.keyType), value: typeFromTypeName(typeName.valueType) };
    case 'ArrayTypeName':
      return { kind: 'array', base: typeFromTypeName(typeName.baseTypeName) };
    case 'UserDefinedTypeName':
      return { kind: 'user', name: typeName.namePath };
    case 'FunctionTypeName':
      return { kind: 'function' };
    default:
      return unknownType;
  }
}

export function isAddress(type: SolType): boolean {
  return type.kind === 'elementary' && (type.name === 'address' || type.name === 'address payable');
}

export function isInteger(type: SolType): boolean {
  return type.kind === 'elementary' && /^u?int\d*$/.test(type.name);
}

export function isUnsigned(type: SolType): boolean {
  return type.kind === 'elementary' && /^uint\d*$/.test(type.name);
}

export function integerBits(type: SolType): number | undefined {
  if (type.kind !== 'elementary') return undefined;
  const match = /^u?int(\d*)$/.exec(type.name);
  return match ? Number(match[1] || 256) : undefined;
}

export function typeToString(type: SolType): string {
  switch (type.kind) {
    case 'elementary':
      return type.name === 'address' && type.payable ? 'address payable' : type.name;
    case 'mapping':
      return `mapping(${typeToString(type.key)} => ${typeToString(type.value)})`;
    case 'array':
      return `${typeToString(type.base)}[]`;
    case 'user':
      return type.name;
    case 'tuple':
      return `(${type.items.map(typeToString).join(', ')})`;
    case 'magic':
      return type.name;
    case 'literal':
      return `literal ${type.value}`;
    default:
      return type.kind;
  }
}
