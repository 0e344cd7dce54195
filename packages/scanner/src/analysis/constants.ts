import type { Node } from '@bulwark/solidity';

/** A number literal equal to zero, in any notation or unit (`0`, `0x0`, `0 ether`). */
export function isLiteralZero(node: Node | null | undefined): boolean {
  return node?.type === 'NumberLiteral' && Number(node.number) === 0;
}
