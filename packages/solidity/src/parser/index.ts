import type { Node } from './core.ts';
import { Parser } from './core.ts';
import { parseSourceUnit } from './declarations.ts';
import { lex, ParseError } from './lexer.ts';

export type { Node };

export interface FastParseError {
  message: string;
  line: number;
  column: number;
}

export interface FastParseResult {
  /** The SourceUnit, shaped exactly like `parse(source, { loc: true, range: true })` of @solidity-parser/parser. */
  ast: Node | undefined;
  /** Empty on success. On a syntax error: one entry and no tree (callers fall back to the reference parser). */
  errors: FastParseError[];
}

/**
 * Hand-written Solidity parser producing the same tree as @solidity-parser/parser 0.20.2 for valid
 * source, much faster. It does no error recovery: the first syntax error ends the parse. `legacy`
 * also accepts pre-0.4 syntax that the reference rejects, for code older than any solc-js.
 */
export function parseFast(source: string, options: { legacy?: boolean } = {}): FastParseResult {
  let parser: Parser | undefined;
  try {
    parser = new Parser(source, lex(source), options.legacy ?? false);
    return { ast: parseSourceUnit(parser), errors: [] };
  } catch (error) {
    if (error instanceof ParseError) {
      return { ast: undefined, errors: [{ message: error.message, line: error.line, column: error.column }] };
    }
    // Anything else (e.g. stack overflow on absurd nesting) is still reported, at the current token.
    const message = error instanceof Error ? error.message : String(error);
    if (!parser) return { ast: undefined, errors: [{ message, line: 1, column: 0 }] };
    const at = Math.min(parser.pos, parser.kind.length - 1);
    return { ast: undefined, errors: [{ message, line: parser.line[at], column: parser.col[at] }] };
  }
}
