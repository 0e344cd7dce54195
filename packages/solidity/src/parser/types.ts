import type { Node, Parser } from './core.ts';
import { parseExpression } from './expressions.ts';
import * as T from './tokens.ts';

/** What may follow a type name; it decides the few spots where the reference reads `payable`/`constant` differently. */
export const TYPE_ONLY = 0;
/** Parameters, event parameters, mapping values: a name may follow. */
export const NAME_OPTIONAL = 1;
/** State and local variables, struct members: a name must follow. */
export const NAME_REQUIRED = 2;
/** A file-level constant: `constant NAME =` follows. */
export const FILE_CONSTANT = 3;
type TypeContext = typeof TYPE_ONLY | typeof NAME_OPTIONAL | typeof NAME_REQUIRED | typeof FILE_CONSTANT;

/**
 * `typeName`. Where a name may follow, the reference reads `address payable` followed by `,` `)` `;` or
 * `=` as type `address` plus a variable called `payable` (ANTLR takes the first alternative that parses,
 * and plain `address` comes first).
 */
export function parseTypeName(p: Parser, context: TypeContext = TYPE_ONLY): Node {
  const s = p.pos;
  const k = p.kind[s];
  let node: Node;
  const named = context === NAME_OPTIONAL || context === NAME_REQUIRED;
  if (k === T.ADDRESS && p.kind[s + 1] === T.PAYABLE && !(named && isNameEnd(p.kind[s + 2]))) {
    p.pos += 2;
    node = p.meta({ type: 'ElementaryTypeName', name: 'address', stateMutability: 'payable' }, s, s + 1);
  } else if (T.IS_ELEMENTARY[k] === 1 && !(k === T.ADDRESS && p.kind[s + 1] === T.DOT)) {
    p.pos++;
    node = p.meta({ type: 'ElementaryTypeName', name: p.text(s), stateMutability: null }, s, s);
  } else if (T.IS_IDENT[k] === 1) {
    // `address` is also an identifier, so `address.X` is a user-defined type name.
    node = parseUserDefinedTypeName(p);
  } else if (k === T.MAPPING) {
    node = parseMapping(p);
  } else if (k === T.FUNCTION) {
    node = parseFunctionTypeName(p, context);
  } else {
    return p.fail();
  }
  while (p.kind[p.pos] === T.LBRACK && !isRangeBracket(p, p.pos)) {
    p.pos++;
    const length = p.kind[p.pos] === T.RBRACK ? null : parseExpression(p, 0);
    const e = p.expect(T.RBRACK);
    node = p.meta({ type: 'ArrayTypeName', baseTypeName: node, length }, s, e);
  }
  return node;
}

/** `[a:b]` is an index range on the expression, never an array type suffix. */
function isRangeBracket(p: Parser, i: number): boolean {
  const kind = p.kind;
  if (kind[i + 1] === T.RBRACK) return false;
  let depth = 0;
  let conditionals = 0; // a `:` that closes `c ? a : b` is not a range
  for (; ; i++) {
    const k = kind[i];
    if (k === T.LBRACK || k === T.LPAREN || k === T.LBRACE) depth++;
    else if (k === T.RBRACK || k === T.RPAREN || k === T.RBRACE) {
      if (--depth === 0) return false;
    } else if (depth === 1 && k === T.QUESTION) conditionals++;
    else if (depth === 1 && k === T.COLON) {
      if (conditionals === 0) return true;
      conditionals--;
    } else if (k === T.EOF) return false;
  }
}

function isNameEnd(k: number): boolean {
  return k === T.COMMA || k === T.RPAREN || k === T.SEMI || k === T.ASSIGN;
}

export function parseElementaryTypeName(p: Parser): Node {
  const s = p.pos;
  if (T.IS_ELEMENTARY[p.kind[s]] !== 1) p.fail();
  p.pos++;
  return p.meta({ type: 'ElementaryTypeName', name: p.text(s), stateMutability: null }, s, s);
}

/** `identifier ('.' identifier)*`; namePath is the dotted text. */
export function parseUserDefinedTypeName(p: Parser): Node {
  const s = p.expectIdent();
  while (p.kind[p.pos] === T.DOT && T.IS_IDENT[p.kind[p.pos + 1]] === 1) p.pos += 2;
  const e = p.pos - 1;
  return p.meta({ type: 'UserDefinedTypeName', namePath: p.joinText(s, e) }, s, e);
}

function parseMapping(p: Parser): Node {
  const s = p.expect(T.MAPPING);
  p.expect(T.LPAREN);
  const k = p.kind[p.pos];
  let keyType: Node;
  if (T.IS_ELEMENTARY[k] === 1 && !(k === T.ADDRESS && p.kind[p.pos + 1] === T.DOT)) {
    keyType = parseElementaryTypeName(p);
  } else if (T.IS_IDENT[k] === 1) keyType = parseUserDefinedTypeName(p);
  else return p.fail();
  const keyName = T.IS_IDENT[p.kind[p.pos]] === 1 ? p.identifier(p.pos++) : null;
  p.expect(T.FAT_ARROW);
  const valueType = parseTypeName(p, NAME_OPTIONAL);
  const valueName = T.IS_IDENT[p.kind[p.pos]] === 1 ? p.identifier(p.pos++) : null;
  const e = p.expect(T.RPAREN);
  return p.meta({ type: 'Mapping', keyType, keyName, valueType, valueName }, s, e);
}

/**
 * Where a variable name must follow, `function() external payable;` names the variable `payable`; before a
 * file-level constant's `constant X =`, `constant` is not the type's mutability.
 */
function parseFunctionTypeName(p: Parser, context: TypeContext): Node {
  const s = p.expect(T.FUNCTION);
  const parameterTypes = parseFunctionTypeParameters(p);
  let internal = false;
  let external = false;
  let stateMutability: string | null = null;
  for (;;) {
    const k = p.kind[p.pos];
    if (k === T.INTERNAL) internal = true;
    else if (k === T.EXTERNAL) external = true;
    else if (k === T.PURE || k === T.VIEW || k === T.CONSTANT || k === T.PAYABLE) {
      if (context === NAME_REQUIRED && k === T.PAYABLE && isNameEnd(p.kind[p.pos + 1])) break;
      if (context === FILE_CONSTANT && k === T.CONSTANT && T.IS_IDENT[p.kind[p.pos + 1]] === 1) {
        if (p.kind[p.pos + 2] === T.ASSIGN) break;
      }
      if (stateMutability === null) stateMutability = p.text(p.pos);
    } else break;
    p.pos++;
  }
  let returnTypes: Node[] = [];
  if (p.kind[p.pos] === T.RETURNS) {
    p.pos++;
    returnTypes = parseFunctionTypeParameters(p);
  }
  const visibility = internal ? 'internal' : external ? 'external' : 'default';
  return p.meta({ type: 'FunctionTypeName', parameterTypes, returnTypes, visibility, stateMutability }, s, p.pos - 1);
}

function parseFunctionTypeParameters(p: Parser): Node[] {
  p.expect(T.LPAREN);
  const out: Node[] = [];
  if (p.kind[p.pos] !== T.RPAREN) {
    for (;;) {
      const s = p.pos;
      const typeName = parseTypeName(p);
      const storageLocation = parseStorageLocation(p);
      out.push(
        p.meta(
          {
            type: 'VariableDeclaration',
            typeName,
            name: null,
            identifier: null,
            storageLocation,
            isStateVar: false,
            isIndexed: false,
            expression: null,
          },
          s,
          p.pos - 1,
        ),
      );
      if (!p.accept(T.COMMA)) break;
    }
  }
  p.expect(T.RPAREN);
  return out;
}

export function parseStorageLocation(p: Parser): string | null {
  if (T.IS_STORAGE_LOCATION[p.kind[p.pos]] !== 1) return null;
  return p.text(p.pos++);
}

/** Where a name must follow, `calldata` right before a non-name is the name itself (`(uint calldata, ) = f()`). */
export function parseStorageLocationBeforeName(p: Parser): string | null {
  if (T.IS_IDENT[p.kind[p.pos + 1]] !== 1) return null;
  return parseStorageLocation(p);
}

/** `parameterList`: `(` (typeName storageLocation? identifier?) , ... `)`. */
export function parseParameterList(p: Parser): Node[] {
  p.expect(T.LPAREN);
  const out: Node[] = [];
  if (p.kind[p.pos] !== T.RPAREN) {
    for (;;) {
      const s = p.pos;
      const typeName = parseTypeName(p, NAME_OPTIONAL);
      const storageLocation = parseStorageLocation(p);
      let name: string | null = null;
      let identifier: Node | null = null;
      if (T.IS_IDENT[p.kind[p.pos]] === 1) {
        name = p.text(p.pos);
        identifier = p.identifier(p.pos++);
      }
      out.push(
        p.meta(
          {
            type: 'VariableDeclaration',
            typeName,
            name,
            identifier,
            storageLocation,
            isStateVar: false,
            isIndexed: false,
            expression: null,
          },
          s,
          p.pos - 1,
        ),
      );
      if (!p.accept(T.COMMA)) break;
    }
  }
  p.expect(T.RPAREN);
  return out;
}

/** `variableDeclaration`: typeName storageLocation? identifier (struct members, local variables). */
export function parseVariableDeclaration(p: Parser): Node {
  const s = p.pos;
  const typeName = parseTypeName(p, NAME_REQUIRED);
  const storageLocation = parseStorageLocationBeforeName(p);
  const id = p.expectIdent();
  return p.meta(
    {
      type: 'VariableDeclaration',
      typeName,
      name: p.text(id),
      identifier: p.identifier(id),
      storageLocation,
      isStateVar: false,
      isIndexed: false,
      expression: null,
    },
    s,
    id,
  );
}

/**
 * Index just past the type name starting at token i, or -1 if none starts there. Token-level only: used
 * to tell a declaration from an expression before committing to either.
 */
export function scanTypeName(p: Parser, i: number): number {
  const kind = p.kind;
  const k = kind[i];
  if (k === T.ADDRESS && kind[i + 1] === T.PAYABLE) i += 2;
  else if (T.IS_ELEMENTARY[k] === 1 && !(k === T.ADDRESS && kind[i + 1] === T.DOT)) i++;
  else if (T.IS_IDENT[k] === 1) {
    i++;
    while (kind[i] === T.DOT && T.IS_IDENT[kind[i + 1]] === 1) i += 2;
  } else if (k === T.MAPPING) {
    if (kind[i + 1] !== T.LPAREN) return -1;
    i = p.skipBalanced(i + 1, T.LPAREN, T.RPAREN);
  } else if (k === T.FUNCTION) {
    if (kind[i + 1] !== T.LPAREN) return -1;
    i = p.skipBalanced(i + 1, T.LPAREN, T.RPAREN);
    while (i >= 0) {
      const m = kind[i];
      if (m === T.INTERNAL || m === T.EXTERNAL || m === T.PURE || m === T.VIEW || m === T.CONSTANT || m === T.PAYABLE)
        i++;
      else break;
    }
    if (i >= 0 && kind[i] === T.RETURNS && kind[i + 1] === T.LPAREN) i = p.skipBalanced(i + 1, T.LPAREN, T.RPAREN);
  } else return -1;
  while (i >= 0 && kind[i] === T.LBRACK) i = p.skipBalanced(i, T.LBRACK, T.RBRACK);
  return i;
}
