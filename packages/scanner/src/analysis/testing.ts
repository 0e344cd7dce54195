import { type Analysis, buildProgram, type FunctionIR, type Program } from '@bulwark/solidity';
import { parseInput } from '../analyze.ts';
import { analysisOf } from './guards.ts';

/** Builds the program and analysis of one test source (throws on a syntax error). */
export function analyseSource(source: string): { program: Program; analysis: Analysis } {
  const input = parseInput('Test.sol', source);
  if (input.errors.length > 0) throw new Error(`analyseSource: does not parse: ${input.errors.join('; ')}`);
  const program = buildProgram([input]);
  return { program, analysis: analysisOf(program) };
}

/** A function (or modifier) by contract and name. */
export function functionNamed(program: Program, contract: string, name: string): FunctionIR {
  const owner = program.contract(contract);
  const found = owner?.functions.find((f) => f.name === name) ?? owner?.modifiers.find((m) => m.name === name);
  if (!found) throw new Error(`functionNamed: no ${contract}.${name}`);
  return found;
}
