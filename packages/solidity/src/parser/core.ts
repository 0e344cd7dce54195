import type { Node } from '../ir/ast.ts';
import { ParseError, type Tokens } from './lexer.ts';
import * as T from './tokens.ts';

export type { Node };

/**
 * Cursor over the token arrays plus the bookkeeping every rule needs. Rules live in the sibling files
 * as functions taking the parser; node meta (`loc`, `range`) is computed from token indices exactly as
 * the reference's `_addMeta`: start of the first token, and for the end the *start* position of the
 * last token in `loc` but its last character in `range`.
 */
export class Parser {
  readonly kind: number[];
  readonly start: number[];
  readonly end: number[];
  readonly line: number[];
  readonly col: number[];
  pos = 0;
  /** The reference remembers the last contract name for good: a later free function with that name is a "constructor". */
  currentContract: string | undefined = undefined;

  constructor(
    readonly src: string,
    tokens: Tokens,
    /** Accept pre-0.4 syntax the reference rejects (a modifier's `_` without `;`). */
    readonly legacy = false,
  ) {
    this.kind = tokens.kind;
    this.start = tokens.start;
    this.end = tokens.end;
    this.line = tokens.line;
    this.col = tokens.col;
  }

  text(i: number): string {
    return this.src.slice(this.start[i], this.end[i]);
  }

  /** Consumes a token of the given kind and returns its index. */
  expect(kind: number): number {
    if (this.kind[this.pos] !== kind) this.fail();
    return this.pos++;
  }

  /** Consumes an `identifier` (any token the grammar allows as one) and returns its index. */
  expectIdent(): number {
    if (T.IS_IDENT[this.kind[this.pos]] !== 1) this.fail();
    return this.pos++;
  }

  accept(kind: number): boolean {
    if (this.kind[this.pos] !== kind) return false;
    this.pos++;
    return true;
  }

  fail(message?: string, at: number = this.pos): never {
    const found = this.kind[at] === T.EOF ? '<EOF>' : `'${this.text(at)}'`;
    throw new ParseError(message ?? `unexpected input ${found}`, this.line[at], this.col[at]);
  }

  /** Adds `loc` and `range` for the tokens s..e (inclusive), after the node's own fields, like the reference. */
  meta<N extends Node>(node: N, s: number, e: number): N {
    node.loc = {
      start: { line: this.line[s], column: this.col[s] },
      end: { line: this.line[e], column: this.col[e] },
    };
    node.range = [this.start[s], this.end[e] - 1];
    return node;
  }

  identifier(i: number): Node {
    return this.meta({ type: 'Identifier', name: this.text(i) }, i, i);
  }

  /** Concatenated token texts of s..e, which is what ANTLR's getText() gives for a rule (no whitespace). */
  joinText(s: number, e: number): string {
    if (s === e) return this.text(s);
    let out = '';
    for (let i = s; i <= e; i++) out += this.text(i);
    return out;
  }

  /** Index just past a balanced bracket group opening at i (kinds open/close), or -1 if it never closes. */
  skipBalanced(i: number, open: number, close: number): number {
    let depth = 0;
    for (;;) {
      const k = this.kind[i];
      if (k === T.EOF) return -1;
      if (k === open) depth++;
      else if (k === close && --depth === 0) return i + 1;
      i++;
    }
  }
}
