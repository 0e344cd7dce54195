import type { Node, Parser } from './core.ts';
import * as T from './tokens.ts';
import { parseTypeName } from './types.ts';

/**
 * Pratt parser reproducing the grammar's left-recursive `expression` rule. `minPrec` is ANTLR's
 * precedence argument: an operator of level L applies only when L >= minPrec. Postfix operators
 * (levels 21..27) always apply. Note the reference's quirks kept here: assignment parses its right side
 * at level 3, so `a = b = c` is `(a = b) = c`; `**` is right-associative; prefix `-` binds tighter than `**`.
 */
export function parseExpression(p: Parser, minPrec: number): Node {
  const s = p.pos;
  let left = parsePrefix(p);
  const kind = p.kind;
  for (;;) {
    const k = kind[p.pos];
    switch (k) {
      case T.INC:
      case T.DEC: {
        const op = p.pos++;
        left = p.meta({ type: 'UnaryOperation', operator: p.text(op), subExpression: left, isPrefix: false }, s, op);
        continue;
      }
      case T.DOT: {
        p.pos++;
        const id = p.expectIdent();
        left = p.meta({ type: 'MemberAccess', expression: left, memberName: p.text(id) }, s, id);
        continue;
      }
      case T.LBRACK:
        left = parseIndex(p, left, s);
        continue;
      case T.LPAREN:
        left = parseCall(p, left, s);
        continue;
      case T.LBRACE: {
        // `f{value: x}` only when the brace opens a name-value list; otherwise the brace is not ours.
        if (T.IS_IDENT[kind[p.pos + 1]] !== 1 || kind[p.pos + 2] !== T.COLON) return left;
        p.pos++;
        const list = parseNameValueList(p);
        const e = p.expect(T.RBRACE);
        left = p.meta({ type: 'NameValueExpression', expression: left, arguments: list }, s, e);
        continue;
      }
    }
    const prec = T.BINARY_PRECEDENCE[k];
    if (prec === 0 || prec < minPrec) return left;
    const op = p.pos++;
    if (k === T.QUESTION) {
      const trueExpression = parseExpression(p, 0);
      p.expect(T.COLON);
      const falseExpression = parseExpression(p, 3);
      left = p.meta({ type: 'Conditional', condition: left, trueExpression, falseExpression }, s, p.pos - 1);
      continue;
    }
    const right = parseExpression(p, prec === 2 ? 3 : k === T.STARSTAR ? 14 : prec + 1);
    left = p.meta({ type: 'BinaryOperation', operator: p.text(op), left, right }, s, p.pos - 1);
  }
}

function parseIndex(p: Parser, base: Node, s: number): Node {
  p.pos++;
  const kind = p.kind;
  if (kind[p.pos] === T.COLON) {
    p.pos++;
    if (kind[p.pos] === T.RBRACK) return p.meta({ type: 'IndexRangeAccess', base }, s, p.pos++);
    const indexEnd = parseExpression(p, 0);
    return p.meta({ type: 'IndexRangeAccess', base, indexEnd }, s, p.expect(T.RBRACK));
  }
  const index = parseExpression(p, 0);
  if (kind[p.pos] === T.COLON) {
    p.pos++;
    if (kind[p.pos] === T.RBRACK) return p.meta({ type: 'IndexRangeAccess', base, indexStart: index }, s, p.pos++);
    const indexEnd = parseExpression(p, 0);
    return p.meta({ type: 'IndexRangeAccess', base, indexStart: index, indexEnd }, s, p.expect(T.RBRACK));
  }
  return p.meta({ type: 'IndexAccess', base, index }, s, p.expect(T.RBRACK));
}

/** Call arguments `( ... )` (or `({name: value})`) applied to callee, which started at token s. */
export function parseCall(p: Parser, callee: Node, s: number): Node {
  p.pos++;
  let args: Node[] = [];
  const names: string[] = [];
  const identifiers: Node[] = [];
  const k = p.kind[p.pos];
  if (k === T.LBRACE) {
    p.pos++;
    if (p.kind[p.pos] !== T.RBRACE) {
      for (;;) {
        const id = p.expectIdent();
        p.expect(T.COLON);
        args.push(parseExpression(p, 0));
        names.push(p.text(id));
        identifiers.push(p.identifier(id));
        if (!p.accept(T.COMMA) || p.kind[p.pos] === T.RBRACE) break;
      }
    }
    p.expect(T.RBRACE);
  } else if (k !== T.RPAREN) {
    args = parseExpressionList(p);
  }
  const e = p.expect(T.RPAREN);
  return p.meta({ type: 'FunctionCall', expression: callee, arguments: args, names, identifiers }, s, e);
}

export function parseExpressionList(p: Parser): Node[] {
  const out = [parseExpression(p, 0)];
  while (p.accept(T.COMMA)) out.push(parseExpression(p, 0));
  return out;
}

/** `nameValue (',' nameValue)* ','?` — the trailing comma belongs to the list's range. */
function parseNameValueList(p: Parser): Node {
  const s = p.pos;
  const names: string[] = [];
  const identifiers: Node[] = [];
  const args: Node[] = [];
  for (;;) {
    const id = p.expectIdent();
    p.expect(T.COLON);
    names.push(p.text(id));
    identifiers.push(p.identifier(id));
    args.push(parseExpression(p, 0));
    if (!p.accept(T.COMMA) || p.kind[p.pos] === T.RBRACE) break;
  }
  return p.meta({ type: 'NameValueList', names, identifiers, arguments: args }, s, p.pos - 1);
}

function prefix(p: Parser, s: number, operandPrec: number): Node {
  p.pos++;
  const subExpression = parseExpression(p, operandPrec);
  return p.meta({ type: 'UnaryOperation', operator: p.text(s), subExpression, isPrefix: true }, s, p.pos - 1);
}

function parsePrefix(p: Parser): Node {
  const s = p.pos;
  const k = p.kind[s];
  switch (k) {
    case T.INC:
    case T.DEC:
      return prefix(p, s, 19);
    case T.PLUS:
    case T.MINUS:
      return prefix(p, s, 18);
    case T.DELETE:
      return prefix(p, s, 17);
    case T.BANG:
      return prefix(p, s, 16);
    case T.TILDE:
      return prefix(p, s, 15);
    case T.NEW: {
      p.pos++;
      const typeName = parseTypeName(p);
      return p.meta({ type: 'NewExpression', typeName }, s, p.pos - 1);
    }
    case T.LPAREN:
      return parseTuple(p);
    case T.LBRACK:
      return parseArrayLiteral(p);
    case T.BOOL_LIT:
      p.pos++;
      return p.meta({ type: 'BooleanLiteral', value: p.text(s) === 'true' }, s, s);
    case T.DECIMAL:
    case T.HEX_NUMBER:
      return parseNumberLiteral(p);
    case T.STRING_LIT:
      return parseStringLiteral(p);
    case T.HEX_LIT:
      return parseHexLiteral(p);
    case T.TYPE:
      p.pos++;
      return p.meta({ type: 'Identifier', name: 'type' }, s, s);
  }
  if (T.IS_IDENT[k] === 1) {
    // The reference prefers `identifier` over `typeName` whenever both parse; a type name is only read
    // when the identifier reading fails: `address payable`, or a `[]` with nothing inside (`A.B[]`).
    if ((k === T.ADDRESS && p.kind[s + 1] === T.PAYABLE) || needsTypeName(p, s)) return parseTypeName(p);
    p.pos++;
    return p.identifier(s);
  }
  if (T.IS_ELEMENTARY[k] === 1 || k === T.MAPPING || k === T.FUNCTION) return parseTypeName(p);
  return p.fail();
}

/** Whether `id (.id)* ([...])*` at i contains an empty `[]`, which only a type name can have. */
function needsTypeName(p: Parser, i: number): boolean {
  const kind = p.kind;
  i++;
  while (kind[i] === T.DOT && T.IS_IDENT[kind[i + 1]] === 1) i += 2;
  while (kind[i] === T.LBRACK) {
    if (kind[i + 1] === T.RBRACK) return true;
    i = p.skipBalanced(i, T.LBRACK, T.RBRACK);
    if (i < 0) return false;
  }
  return false;
}

/** `( a, , b )`: components with null for empty slots (`()` has none); also plain parentheses. */
function parseTuple(p: Parser): Node {
  const s = p.pos++;
  const components: (Node | null)[] = [];
  const kind = p.kind;
  if (kind[p.pos] !== T.RPAREN) {
    for (;;) {
      const k = kind[p.pos];
      components.push(k === T.COMMA || k === T.RPAREN ? null : parseExpression(p, 0));
      if (!p.accept(T.COMMA)) break;
    }
  }
  const e = p.expect(T.RPAREN);
  return p.meta({ type: 'TupleExpression', components, isArray: false }, s, e);
}

function parseArrayLiteral(p: Parser): Node {
  const s = p.pos++;
  const components = p.kind[p.pos] === T.RBRACK ? [] : parseExpressionList(p);
  const e = p.expect(T.RBRACK);
  return p.meta({ type: 'TupleExpression', components, isArray: true }, s, e);
}

export function parseNumberLiteral(p: Parser): Node {
  const s = p.pos++;
  let subdenomination: string | null = null;
  if (p.kind[p.pos] === T.UNIT) subdenomination = p.text(p.pos++);
  return p.meta({ type: 'NumberLiteral', number: p.text(s), subdenomination }, s, p.pos - 1);
}

/** One or more adjacent fragments; quotes stripped and only the escaped quote of the same kind unescaped. */
export function parseStringLiteral(p: Parser): Node {
  const s = p.pos;
  const parts: string[] = [];
  const isUnicode: boolean[] = [];
  while (p.kind[p.pos] === T.STRING_LIT) {
    let text = p.text(p.pos++);
    const unicode = text.charCodeAt(0) === 117; // 'u'
    if (unicode) text = text.slice(7);
    let value = text.substring(1, text.length - 1);
    if (value.includes('\\')) value = text[0] === "'" ? value.replaceAll("\\'", "'") : value.replaceAll('\\"', '"');
    parts.push(value);
    isUnicode.push(unicode);
  }
  return p.meta({ type: 'StringLiteral', value: parts.join(''), parts, isUnicode }, s, p.pos - 1);
}

export function parseHexLiteral(p: Parser): Node {
  const s = p.pos;
  const parts: string[] = [];
  while (p.kind[p.pos] === T.HEX_LIT) {
    const text = p.text(p.pos++);
    parts.push(text.substring(4, text.length - 1));
  }
  return p.meta({ type: 'HexLiteral', value: parts.join(''), parts }, s, p.pos - 1);
}
