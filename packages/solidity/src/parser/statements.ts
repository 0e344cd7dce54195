import { parseAssemblyBlock } from './assembly.ts';
import type { Node, Parser } from './core.ts';
import { parseCall, parseExpression } from './expressions.ts';
import * as T from './tokens.ts';
import {
  NAME_REQUIRED,
  parseParameterList,
  parseStorageLocationBeforeName,
  parseTypeName,
  parseVariableDeclaration,
  scanTypeName,
} from './types.ts';

export function parseBlock(p: Parser): Node {
  const s = p.expect(T.LBRACE);
  const statements: Node[] = [];
  while (p.kind[p.pos] !== T.RBRACE) {
    if (p.kind[p.pos] === T.EOF) p.fail();
    statements.push(parseStatement(p));
  }
  return p.meta({ type: 'Block', statements }, s, p.pos++);
}

export function parseStatement(p: Parser): Node {
  const s = p.pos;
  switch (p.kind[s]) {
    case T.LBRACE:
      return parseBlock(p);
    case T.IF: {
      p.pos++;
      p.expect(T.LPAREN);
      const condition = parseExpression(p, 0);
      p.expect(T.RPAREN);
      const trueBody = parseStatement(p);
      const falseBody = p.accept(T.ELSE) ? parseStatement(p) : null;
      return p.meta({ type: 'IfStatement', condition, trueBody, falseBody }, s, p.pos - 1);
    }
    case T.FOR:
      return parseFor(p);
    case T.WHILE: {
      p.pos++;
      p.expect(T.LPAREN);
      const condition = parseExpression(p, 0);
      p.expect(T.RPAREN);
      const body = parseStatement(p);
      return p.meta({ type: 'WhileStatement', condition, body }, s, p.pos - 1);
    }
    case T.DO: {
      p.pos++;
      const body = parseStatement(p);
      p.expect(T.WHILE);
      p.expect(T.LPAREN);
      const condition = parseExpression(p, 0);
      p.expect(T.RPAREN);
      return p.meta({ type: 'DoWhileStatement', condition, body }, s, p.expect(T.SEMI));
    }
    case T.TRY:
      return parseTry(p);
    case T.ASSEMBLY:
      return parseInlineAssembly(p);
    case T.CONTINUE:
      p.pos++;
      return p.meta({ type: 'ContinueStatement' }, s, p.expect(T.SEMI));
    case T.BREAK:
      p.pos++;
      return p.meta({ type: 'BreakStatement' }, s, p.expect(T.SEMI));
    case T.RETURN: {
      p.pos++;
      const expression = p.kind[p.pos] === T.SEMI ? null : parseExpression(p, 0);
      return p.meta({ type: 'ReturnStatement', expression }, s, p.expect(T.SEMI));
    }
    case T.THROW:
      p.pos++;
      return p.meta({ type: 'ThrowStatement' }, s, p.expect(T.SEMI));
    case T.EMIT: {
      p.pos++;
      const eventCall = parseCallExpression(p);
      return p.meta({ type: 'EmitStatement', eventCall }, s, p.expect(T.SEMI));
    }
    case T.UNCHECKED: {
      p.pos++;
      const block = parseBlock(p);
      return p.meta({ type: 'UncheckedStatement', block }, s, p.pos - 1);
    }
    case T.REVERT:
      // `revert Err(...)` is a RevertStatement; `revert(...)` is a call of the identifier `revert`.
      if (isRevertStatement(p.kind[s + 1])) {
        p.pos++;
        const revertCall = parseCallExpression(p);
        return p.meta({ type: 'RevertStatement', revertCall }, s, p.expect(T.SEMI));
      }
      break;
  }
  return parseSimpleStatement(p);
}

/**
 * `revert X(...)` is a RevertStatement; when `revert` can start an expression statement instead
 * (`revert(...)`, `revert;`, `revert - x`), the reference reads the identifier `revert`.
 */
function isRevertStatement(next: number): boolean {
  if (next === T.LPAREN || next === T.LBRACK || next === T.DOT || next === T.LBRACE || next === T.SEMI) return false;
  return T.BINARY_PRECEDENCE[next] === 0 && next !== T.INC && next !== T.DEC;
}

/**
 * The grammar's `functionCall` after emit/revert: `expression '(' arguments ')'`, where the argument list
 * is the last parenthesised group before the `;`. The expression is parsed up to that group only, so
 * `emit !E(x)` calls `!E` as the reference has it.
 */
function parseCallExpression(p: Parser): Node {
  const kind = p.kind;
  const s = p.pos;
  let end = s;
  for (let depth = 0; ; end++) {
    const k = kind[end];
    if (k === T.EOF) p.fail();
    if (k === T.LPAREN || k === T.LBRACK || k === T.LBRACE) depth++;
    else if (k === T.RPAREN || k === T.RBRACK || k === T.RBRACE) depth--;
    else if (k === T.SEMI && depth === 0) break;
  }
  if (kind[end - 1] !== T.RPAREN) p.fail('expected a function call', end);
  let open = end - 1;
  for (let depth = 0; ; open--) {
    const k = kind[open];
    if (k === T.RPAREN) depth++;
    else if (k === T.LPAREN && --depth === 0) break;
    if (open <= s) p.fail('expected a function call', s);
  }
  // Stop the expression at the argument list by hiding that `(` for the duration.
  kind[open] = T.EOF;
  let callee: Node;
  try {
    callee = parseExpression(p, 0);
  } finally {
    kind[open] = T.LPAREN;
  }
  if (p.pos !== open) p.fail();
  return parseCall(p, callee, s);
}

function parseFor(p: Parser): Node {
  const s = p.pos++;
  p.expect(T.LPAREN);
  const initExpression = p.accept(T.SEMI) ? null : parseSimpleStatement(p);
  let conditionExpression: Node | null = null;
  if (!p.accept(T.SEMI)) {
    conditionExpression = parseExpression(p, 0);
    p.expect(T.SEMI);
  }
  const loop = p.kind[p.pos] === T.RPAREN ? null : parseExpression(p, 0);
  p.expect(T.RPAREN);
  const body = parseStatement(p);
  return p.meta(
    {
      type: 'ForStatement',
      initExpression,
      conditionExpression,
      // The reference builds this wrapper by hand, without loc/range.
      loopExpression: { type: 'ExpressionStatement', expression: loop },
      body,
    },
    s,
    p.pos - 1,
  );
}

function parseTry(p: Parser): Node {
  const s = p.pos++;
  const expression = parseExpression(p, 0);
  const returnParameters = p.accept(T.RETURNS) ? parseParameterList(p) : null;
  const body = parseBlock(p);
  const catchClauses: Node[] = [];
  do {
    const c = p.expect(T.CATCH);
    let kind: string | null = null;
    let parameters: Node[] | null = null;
    if (T.IS_IDENT[p.kind[p.pos]] === 1) {
      kind = p.text(p.pos);
      if (kind !== 'Error' && kind !== 'Panic') p.fail('Expected "Error" or "Panic" identifier in catch clause');
      p.pos++;
      parameters = parseParameterList(p);
    } else if (p.kind[p.pos] === T.LPAREN) {
      parameters = parseParameterList(p);
    }
    const block = parseBlock(p);
    catchClauses.push(
      p.meta(
        { type: 'CatchClause', isReasonStringType: kind === 'Error', kind, parameters, body: block },
        c,
        p.pos - 1,
      ),
    );
  } while (p.kind[p.pos] === T.CATCH);
  return p.meta({ type: 'TryStatement', expression, returnParameters, body, catchClauses }, s, p.pos - 1);
}

function parseInlineAssembly(p: Parser): Node {
  const s = p.pos++;
  let language: string | null = null;
  if (p.kind[p.pos] === T.STRING_LIT) {
    const text = p.text(p.pos++);
    language = text.substring(1, text.length - 1);
  }
  const flags: string[] = [];
  if (p.accept(T.LPAREN)) {
    const fs = p.pos;
    while (p.kind[p.pos] === T.STRING_LIT) p.pos++;
    if (p.pos === fs) p.fail();
    const text = p.joinText(fs, p.pos - 1);
    flags.push(text.slice(1, text.length - 1));
    p.expect(T.RPAREN);
  }
  const body = parseAssemblyBlock(p);
  return p.meta({ type: 'InlineAssemblyStatement', language, flags, body }, s, p.pos - 1);
}

/** `simpleStatement`: a variable declaration when one parses (the grammar's first alternative), else an expression. */
export function parseSimpleStatement(p: Parser): Node {
  const s = p.pos;
  // Before 0.4 a modifier's placeholder needed no `;` (`{ if (…) throw; _ }`): a `_` that ends
  // its block, its branch (`if (ok) _ else throw;`) or its line is a statement by itself.
  const next = p.kind[s + 1];
  if (
    p.legacy &&
    p.text(s) === '_' &&
    next !== T.SEMI &&
    (next === T.RBRACE || next === T.ELSE || p.line[s + 1]! > p.line[s]!)
  ) {
    p.pos++;
    return p.meta({ type: 'ExpressionStatement', expression: p.identifier(s) }, s, s);
  }
  if (isDeclaration(p)) return parseVariableDeclarationStatement(p);
  const expression = parseExpression(p, 0);
  return p.meta({ type: 'ExpressionStatement', expression }, s, p.expect(T.SEMI));
}

function isDeclaration(p: Parser): boolean {
  const kind = p.kind;
  const i = p.pos;
  const k = kind[i];
  if (k === T.VAR) return true;
  if (k === T.LPAREN) {
    let j = i + 1;
    while (kind[j] === T.COMMA) j++;
    if (kind[j] === T.RPAREN) return true;
    return isTypedName(p, j);
  }
  return isTypedName(p, i);
}

/** A type name followed by a storage location or a name. */
function isTypedName(p: Parser, i: number): boolean {
  const j = scanTypeName(p, i);
  if (j < 0) return false;
  const k = p.kind[j];
  if (T.IS_STORAGE_LOCATION[k] === 1 || T.IS_IDENT[k] === 1) return true;
  // `function() external payable)` / `address payable,`: the trailing `payable` is the variable's name.
  return p.kind[j - 1] === T.PAYABLE && (k === T.COMMA || k === T.RPAREN || k === T.SEMI || k === T.ASSIGN);
}

function parseVariableDeclarationStatement(p: Parser): Node {
  const s = p.pos;
  let variables: (Node | null)[];
  if (p.kind[s] === T.VAR && p.kind[s + 1] === T.LPAREN) {
    p.pos += 2;
    variables = parseSlots(p, parseVarName);
    p.expect(T.RPAREN);
  } else if (p.kind[s] === T.LPAREN) {
    p.pos++;
    variables = parseSlots(p, parseTupleVariable);
    p.expect(T.RPAREN);
  } else {
    variables = [parseVariableDeclaration(p)];
  }
  const initialValue = p.accept(T.ASSIGN) ? parseExpression(p, 0) : null;
  return p.meta({ type: 'VariableDeclarationStatement', variables, initialValue }, s, p.expect(T.SEMI));
}

/** Comma-separated slots up to `)`, null for each empty one (the reference's `_mapCommasToNulls`). */
function parseSlots(p: Parser, item: (p: Parser) => Node): (Node | null)[] {
  const out: (Node | null)[] = [];
  if (p.kind[p.pos] === T.RPAREN) return out;
  for (;;) {
    const k = p.kind[p.pos];
    out.push(k === T.COMMA || k === T.RPAREN ? null : item(p));
    if (!p.accept(T.COMMA)) return out;
  }
}

function parseVarName(p: Parser): Node {
  const id = p.expectIdent();
  return p.meta(
    {
      type: 'VariableDeclaration',
      name: p.text(id),
      identifier: p.identifier(id),
      isStateVar: false,
      isIndexed: false,
      typeName: null,
      storageLocation: null,
      expression: null,
    },
    id,
    id,
  );
}

function parseTupleVariable(p: Parser): Node {
  const s = p.pos;
  const typeName = parseTypeName(p, NAME_REQUIRED);
  const storageLocation = parseStorageLocationBeforeName(p);
  const id = p.expectIdent();
  return p.meta(
    {
      type: 'VariableDeclaration',
      name: p.text(id),
      identifier: p.identifier(id),
      typeName,
      storageLocation,
      isStateVar: false,
      isIndexed: false,
      expression: null,
    },
    s,
    id,
  );
}
