import { parse } from '@solidity-parser/parser';
import type { Node } from './ast.ts';

export type ParseOutcome = { ast: Node | undefined; errors: { message: string; line?: number; column?: number }[] };

/** Parses with locations; tolerant, so a file with a syntax error still yields what could be read. */
export function parseSolidity(content: string): ParseOutcome {
  try {
    const ast = parse(content, { loc: true, range: true, tolerant: true }) as unknown as Node & {
      errors?: { message: string; line?: number; column?: number }[];
    };
    const errors = (ast.errors ?? []).map((error) => ({
      message: error.message,
      line: error.line,
      column: error.column,
    }));
    return { ast, errors };
  } catch (error) {
    const parseError = error as { message?: string; errors?: { message: string; line?: number; column?: number }[] };
    const errors = parseError.errors?.length
      ? parseError.errors.map((e) => ({ message: e.message, line: e.line, column: e.column }))
      : [{ message: parseError.message ?? String(error) }];
    return { ast: undefined, errors };
  }
}
