import { readFileSync } from 'node:fs';
import { ok, type PreflightResult } from './types.ts';

const itemTypes = new Set(['function', 'event', 'error', 'constructor', 'fallback', 'receive']);

/**
 * Reads an ABI file (a JSON array, or an artifact with an `abi` field) and validates every item:
 * a known type, a name where one is needed, and Solidity types that parse. Done at `--check`, so
 * a file that is not an ABI is refused there rather than when the monitor starts.
 */
export function checkAbi(file: string, where: string): PreflightResult {
  const fix = 'Give an ABI JSON array, or a compiler artifact with an `abi` field (Foundry out/, Hardhat artifacts/).';
  const fail = (message: string): PreflightResult => ({ check: 'abi', where, status: 'error', message, fix });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`Cannot read the ABI ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`The ABI ${file} is not JSON: ${(error as Error).message}.`);
  }
  const abi = Array.isArray(parsed) ? parsed : (parsed as { abi?: unknown } | null)?.abi;
  if (!Array.isArray(abi)) return fail(`The ABI ${file} is neither a JSON array nor an object with an \`abi\` array.`);
  for (const [index, item] of abi.entries()) {
    const problem = abiItemProblem(item);
    if (problem) return fail(`The ABI ${file}, item ${index}: ${problem}.`);
  }
  const functions = abi.filter((item: { type?: unknown }) => item.type === 'function').length;
  return ok('abi', where, `${file}: ${abi.length} item(s), ${functions} function(s).`);
}

function abiItemProblem(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'not an object';
  const { type, name, inputs, outputs } = item as {
    type?: unknown;
    name?: unknown;
    inputs?: unknown;
    outputs?: unknown;
  };
  if (typeof type !== 'string' || !itemTypes.has(type)) return `type ${JSON.stringify(type)} is not an ABI item type`;
  if ((type === 'function' || type === 'event' || type === 'error') && (typeof name !== 'string' || name === ''))
    return `a ${type} without a name`;
  for (const [what, list] of [
    ['inputs', inputs],
    ['outputs', outputs],
  ] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((p) => typeof (p as { type?: unknown })?.type !== 'string'))
      return `${what} must be a list of parameters with a \`type\``;
  }
  for (const parameter of [...((inputs ?? []) as Parameter[]), ...((outputs ?? []) as Parameter[])]) {
    const problem = parameterProblem(parameter);
    if (problem) return `${type} ${typeof name === 'string' ? name : ''}: ${problem}`;
  }
  return undefined;
}

type Parameter = { type: string; name?: unknown; components?: unknown };

// Elementary Solidity types (`uint256`, `bytes32`, `address`…) and tuples, with any array suffix.
const sizes = (from: number, to: number, step: number) =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => String(from + i * step));
const elementary = new RegExp(
  `^(?:address|bool|string|bytes|function|tuple|bytes(?:${sizes(1, 32, 1).join('|')})|u?int(?:${sizes(8, 256, 8).join('|')})?|u?fixed(?:\\d+x\\d+)?)((?:\\[\\d*\\])*)$`,
);

function parameterProblem(parameter: Parameter): string | undefined {
  const match = elementary.exec(parameter.type);
  if (!match) return `parameter type '${parameter.type}' is not a Solidity type`;
  if (parameter.type.startsWith('tuple')) {
    if (!Array.isArray(parameter.components))
      return `tuple parameter '${String(parameter.name ?? '')}' has no components`;
    for (const component of parameter.components as Parameter[]) {
      if (typeof component?.type !== 'string') return 'a tuple component without a `type`';
      const problem = parameterProblem(component);
      if (problem) return problem;
    }
  }
  return undefined;
}
