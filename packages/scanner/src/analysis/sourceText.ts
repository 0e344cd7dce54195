import type { Contract, FunctionIR, Node, SourceUnit } from '@bulwark/solidity';

/** Longest quoted code in a message before it is cut with "...". */
const shortTextLimit = 80;

/** A node's source in its function's file, whitespace collapsed to single spaces (for messages). */
export function sourceText(fn: FunctionIR, node: Node): string {
  return fn.contract.unit.source.textOf(node).replace(/\s+/g, ' ');
}

/** sourceText cut to 80 characters, for messages that quote a whole statement or condition. */
export function shortSourceText(fn: FunctionIR, node: Node): string {
  const text = sourceText(fn, node);
  return text.length > shortTextLimit ? `${text.slice(0, shortTextLimit - 3)}...` : text;
}

/** A synthetic node spanning a function's header (`function f(uint a) public onlyOwner`) without its body or `;`. */
export function functionHeader(fn: FunctionIR): Node {
  const [start, end] = fn.node.range ?? [0, 0];
  const bodyStart = fn.body?.range?.[0];
  let last = bodyStart !== undefined && bodyStart > start ? bodyStart - 1 : end;
  const text = fn.contract.unit.source.content;
  while (last > start && /[\s;]/.test(text[last] ?? '')) last--;
  return { type: 'FunctionHeader', range: [start, last] };
}

/** Files holding the scanned contracts and free functions. */
export function scannedUnits(contracts: Contract[], functions: FunctionIR[]): SourceUnit[] {
  const units = new Set<SourceUnit>();
  for (const c of contracts) units.add(c.unit);
  for (const fn of functions) units.add(fn.contract.unit);
  return [...units];
}
