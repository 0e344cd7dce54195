import type { Node, Parser } from './core.ts';
import { parseHexLiteral, parseNumberLiteral } from './expressions.ts';
import * as T from './tokens.ts';

/**
 * Inline assembly as the reference's grammar reads it. Its choices between overlapping alternatives
 * (first one that parses wins) shape the tree: a lone identifier statement is an `Identifier`, but an
 * identifier used as an argument is an `AssemblyCall` with no arguments; a literal statement is a
 * `DecimalNumber`/`HexNumber`/... unless it carries a unit.
 */
export function parseAssemblyBlock(p: Parser): Node {
  const s = p.expect(T.LBRACE);
  const operations: Node[] = [];
  while (p.kind[p.pos] !== T.RBRACE) {
    if (p.kind[p.pos] === T.EOF) p.fail();
    operations.push(parseItem(p));
  }
  return p.meta({ type: 'AssemblyBlock', operations }, s, p.pos++);
}

function parseItem(p: Parser): Node {
  const s = p.pos;
  const kind = p.kind;
  const k = kind[s];
  switch (k) {
    case T.LBRACE:
      return parseAssemblyBlock(p);
    case T.LET: {
      p.pos++;
      const names = parseIdentifierOrList(p);
      const expression = p.accept(T.COLON_ASSIGN) ? parseAssemblyExpression(p) : null;
      return p.meta({ type: 'AssemblyLocalDefinition', names, expression }, s, p.pos - 1);
    }
    case T.SWITCH:
      return parseSwitch(p);
    case T.FUNCTION:
      return parseFunctionDefinition(p);
    case T.FOR: {
      p.pos++;
      const pre = kind[p.pos] === T.LBRACE ? parseAssemblyBlock(p) : parseAssemblyExpression(p);
      const condition = parseAssemblyExpression(p);
      const post = kind[p.pos] === T.LBRACE ? parseAssemblyBlock(p) : parseAssemblyExpression(p);
      const body = parseAssemblyBlock(p);
      return p.meta({ type: 'AssemblyFor', pre, condition, post, body }, s, p.pos - 1);
    }
    case T.IF: {
      p.pos++;
      const condition = parseAssemblyExpression(p);
      const body = parseAssemblyBlock(p);
      return p.meta({ type: 'AssemblyIf', condition, body }, s, p.pos - 1);
    }
    case T.BREAK:
      p.pos++;
      return p.meta({ type: 'Break' }, s, s);
    case T.CONTINUE:
      p.pos++;
      return p.meta({ type: 'Continue' }, s, s);
    case T.LPAREN:
      return parseAssignment(p);
    case T.DECIMAL:
    case T.HEX_NUMBER:
      if (kind[s + 1] === T.UNIT) return parseNumberLiteral(p);
      return withStackAssignment(p, parseAssemblyExpression(p), s);
    case T.STRING_LIT:
    case T.HEX_LIT:
    case T.BOOL_LIT:
    case T.RETURN:
    case T.BYTE:
      return withStackAssignment(p, parseAssemblyExpression(p), s);
  }
  if (T.IS_IDENT[k] !== 1) return p.fail();
  const k1 = kind[s + 1];
  if (k1 === T.COLON) {
    p.pos += 2;
    return p.meta({ type: 'LabelDefinition', name: p.text(s) }, s, s + 1);
  }
  if (k1 === T.COLON_ASSIGN || k1 === T.COMMA) return parseAssignment(p);
  if (k1 === T.DOT && T.IS_IDENT[kind[s + 2]] === 1 && kind[s + 3] === T.COLON_ASSIGN) return parseAssignment(p);
  if (k1 === T.LPAREN || k1 === T.DOT || k1 === T.EQ_COLON) {
    return withStackAssignment(p, parseAssemblyExpression(p), s);
  }
  p.pos++;
  return p.identifier(s);
}

/** `expr =: name` (pre-0.5 stack assignment); otherwise the expression itself. */
function withStackAssignment(p: Parser, expression: Node, s: number): Node {
  if (p.kind[p.pos] !== T.EQ_COLON) return expression;
  p.pos++;
  const id = p.expectIdent();
  return p.meta({ type: 'AssemblyStackAssignment', name: p.text(id), expression }, s, id);
}

function parseAssignment(p: Parser): Node {
  const s = p.pos;
  const names = parseIdentifierOrList(p);
  p.expect(T.COLON_ASSIGN);
  const expression = parseAssemblyExpression(p);
  return p.meta({ type: 'AssemblyAssignment', names, expression }, s, p.pos - 1);
}

/** `x`, `x.slot`, `a, b` or `(a, b)`. */
function parseIdentifierOrList(p: Parser): Node[] {
  const kind = p.kind;
  if (p.accept(T.LPAREN)) {
    const names = parseIdentifierList(p);
    p.expect(T.RPAREN);
    return names;
  }
  const s = p.expectIdent();
  if (kind[p.pos] === T.DOT) return [parseMember(p, s)];
  if (kind[p.pos] === T.COMMA) {
    p.pos = s;
    return parseIdentifierList(p);
  }
  return [p.identifier(s)];
}

function parseIdentifierList(p: Parser): Node[] {
  const names = [p.identifier(p.expectIdent())];
  while (p.accept(T.COMMA)) names.push(p.identifier(p.expectIdent()));
  return names;
}

/** `a.b` with the cursor on the dot; s is the index of `a`. */
function parseMember(p: Parser, s: number): Node {
  p.expect(T.DOT);
  const m = p.expectIdent();
  return p.meta({ type: 'AssemblyMemberAccess', expression: p.identifier(s), memberName: p.identifier(m) }, s, m);
}

export function parseAssemblyExpression(p: Parser): Node {
  const s = p.pos;
  const k = p.kind[s];
  if (k === T.STRING_LIT || k === T.DECIMAL || k === T.HEX_NUMBER || k === T.HEX_LIT || k === T.BOOL_LIT) {
    return parseLiteral(p);
  }
  if (T.IS_IDENT[k] === 1 && p.kind[s + 1] === T.DOT) {
    p.pos++;
    return parseMember(p, s);
  }
  if (T.IS_IDENT[k] !== 1 && k !== T.RETURN && k !== T.BYTE) return p.fail();
  p.pos++;
  const args: Node[] = [];
  if (p.accept(T.LPAREN)) {
    if (p.kind[p.pos] !== T.RPAREN && p.kind[p.pos] !== T.COMMA) args.push(parseAssemblyExpression(p));
    while (p.accept(T.COMMA)) args.push(parseAssemblyExpression(p));
    p.expect(T.RPAREN);
  }
  return p.meta({ type: 'AssemblyCall', functionName: p.text(s), arguments: args }, s, p.pos - 1);
}

function parseLiteral(p: Parser): Node {
  const s = p.pos;
  switch (p.kind[s]) {
    case T.STRING_LIT: {
      while (p.kind[p.pos] === T.STRING_LIT) p.pos++;
      const text = p.joinText(s, p.pos - 1);
      const value = text.substring(1, text.length - 1);
      return p.meta({ type: 'StringLiteral', value, parts: [value], isUnicode: [false] }, s, p.pos - 1);
    }
    case T.DECIMAL:
      p.pos++;
      return p.meta({ type: 'DecimalNumber', value: p.text(s) }, s, s);
    case T.HEX_NUMBER:
      p.pos++;
      return p.meta({ type: 'HexNumber', value: p.text(s) }, s, s);
    case T.HEX_LIT:
      return parseHexLiteral(p);
    case T.BOOL_LIT:
      p.pos++;
      return p.meta({ type: 'BooleanLiteral', value: p.text(s) === 'true' }, s, s);
  }
  return p.fail();
}

function parseSwitch(p: Parser): Node {
  const s = p.pos++;
  const expression = parseAssemblyExpression(p);
  const cases: Node[] = [];
  for (;;) {
    const c = p.pos;
    let value: Node | null = null;
    if (p.kind[c] === T.CASE) {
      p.pos++;
      value = parseLiteral(p);
    } else if (p.kind[c] === T.DEFAULT) {
      p.pos++;
    } else break;
    const block = parseAssemblyBlock(p);
    cases.push(p.meta({ type: 'AssemblyCase', block, value, default: value === null }, c, p.pos - 1));
  }
  return p.meta({ type: 'AssemblySwitch', expression, cases }, s, p.pos - 1);
}

function parseFunctionDefinition(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  p.expect(T.LPAREN);
  const args = p.kind[p.pos] === T.RPAREN ? [] : parseIdentifierList(p);
  p.expect(T.RPAREN);
  const returnArguments = p.accept(T.ARROW) ? parseIdentifierList(p) : [];
  const body = parseAssemblyBlock(p);
  return p.meta({ type: 'AssemblyFunctionDefinition', name, arguments: args, returnArguments, body }, s, p.pos - 1);
}
