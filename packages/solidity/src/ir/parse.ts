import { parse } from '@solidity-parser/parser';
import { parseFast } from '../parser/index.ts';
import type { Node } from './ast.ts';

export type ParseOutcome = {
  ast: Node | undefined;
  errors: { message: string; line?: number; column?: number }[];
  /** Set when the tree was read with the pre-0.4 front end: why the current grammar refused it. */
  legacy?: string | undefined;
};

/**
 * Parses with locations. The hand-written parser gives the same tree as @solidity-parser/parser
 * on valid source, ~150× faster; on a syntax error the reference parser's tolerant mode takes
 * over, so a broken file still yields what could be read. Pre-0.4 syntax that the current grammar
 * refuses (a modifier's `_` without `;`) is read by the fast parser's legacy mode first.
 */
export function parseSolidity(content: string): ParseOutcome {
  const fast = parseFast(content);
  if (fast.ast && fast.errors.length === 0) return { ast: fast.ast, errors: [] };
  // Code older than 0.4 (no solc-js compiles it) is read whole by the legacy front end.
  const legacy = parseFast(content, { legacy: true });
  if (legacy.ast && legacy.errors.length === 0) {
    const first = fast.errors[0];
    return { ast: legacy.ast, errors: [], legacy: first ? `line ${first.line}: ${first.message}` : 'pre-0.4 syntax' };
  }
  try {
    const ast = parse(content, { loc: true, range: true, tolerant: true }) as unknown as Node & {
      errors?: { message: string; line?: number; column?: number }[];
    };
    const errors = (ast.errors ?? []).map((error) => ({
      message: error.message,
      line: error.line,
      column: error.column,
    }));
    return { ast, errors: errors.length > 0 ? errors : fast.errors };
  } catch (error) {
    const parseError = error as { message?: string; errors?: { message: string; line?: number; column?: number }[] };
    const errors = parseError.errors?.length
      ? parseError.errors.map((e) => ({ message: e.message, line: e.line, column: e.column }))
      : // The tolerant parser itself failed (a TypeError inside it): say so, not its internals.
        error instanceof TypeError || error instanceof RangeError
        ? fast.errors.length > 0
          ? fast.errors
          : [{ message: 'the parser could not recover from the syntax errors in this file' }]
        : [{ message: parseError.message ?? String(error) }];
    return { ast: undefined, errors };
  }
}
