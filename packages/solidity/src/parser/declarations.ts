import type { Node, Parser } from './core.ts';
import { parseExpression, parseExpressionList } from './expressions.ts';
import { parseBlock } from './statements.ts';
import * as T from './tokens.ts';
import {
  FILE_CONSTANT,
  NAME_OPTIONAL,
  NAME_REQUIRED,
  parseElementaryTypeName,
  parseParameterList,
  parseTypeName,
  parseUserDefinedTypeName,
  parseVariableDeclaration,
  scanTypeName,
} from './types.ts';

export function parseSourceUnit(p: Parser): Node {
  const children: Node[] = [];
  const kind = p.kind;
  while (kind[p.pos] !== T.EOF) {
    const k = kind[p.pos];
    switch (k) {
      case T.PRAGMA:
        children.push(parsePragma(p));
        break;
      case T.IMPORT:
        children.push(parseImport(p));
        break;
      case T.ABSTRACT:
      case T.CONTRACT:
      case T.INTERFACE:
      case T.LIBRARY:
        children.push(parseContract(p));
        break;
      case T.ENUM:
        children.push(parseEnum(p));
        break;
      case T.EVENT:
        children.push(parseEvent(p));
        break;
      case T.STRUCT:
        children.push(parseStruct(p));
        break;
      case T.TYPE:
        children.push(parseTypeDefinition(p));
        break;
      case T.USING:
        children.push(parseUsingFor(p));
        break;
      case T.FUNCTION:
        children.push(isFunctionTypedConstant(p) ? parseFileLevelConstant(p) : parseFunction(p));
        break;
      case T.FALLBACK:
        children.push(parseFunction(p));
        break;
      case T.CONSTRUCTOR:
      case T.RECEIVE:
        children.push(kind[p.pos + 1] === T.LPAREN ? parseFunction(p) : parseFileLevelConstant(p));
        break;
      case T.ERROR:
        children.push(isCustomError(p) ? parseCustomError(p) : parseFileLevelConstant(p));
        break;
      default:
        children.push(parseFileLevelConstant(p));
    }
  }
  const node: Node = { type: 'SourceUnit', children };
  if (p.pos === 0) {
    // No tokens at all: the reference's range is [start, start] of the EOF token, not [start, start - 1].
    p.meta(node, 0, 0);
    node.range = [p.start[0], p.start[0]];
    return node;
  }
  return p.meta(node, 0, p.pos - 1);
}

function isCustomError(p: Parser): boolean {
  return T.IS_IDENT[p.kind[p.pos + 1]] === 1 && p.kind[p.pos + 2] === T.LPAREN;
}

const VERSION_OPERATOR = new Set([T.CARET, T.TILDE, T.GE, T.GT, T.LT, T.LE, T.ASSIGN]);

function parsePragma(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  const vs = p.pos;
  let value = versionText(p);
  if (value === undefined) {
    if (p.kind[p.pos] === T.STAR && p.kind[p.pos + 1] === T.SEMI) p.pos++;
    else parseExpression(p, 0);
    value = p.joinText(vs, p.pos - 1);
  }
  return p.meta({ type: 'PragmaDirective', name, value }, s, p.expect(T.SEMI));
}

/** `^0.5.0 <0.6.0 || 0.7`: constraints joined by one space (the reference joins the version's children). */
function versionText(p: Parser): string | undefined {
  const kind = p.kind;
  let i = p.pos;
  const parts: string[] = [];
  for (;;) {
    const cs = i;
    if (VERSION_OPERATOR.has(kind[i])) i++;
    if (kind[i] !== T.VERSION && kind[i] !== T.DECIMAL) return undefined;
    i++;
    parts.push(p.joinText(cs, i - 1));
    if (kind[i] === T.SEMI) break;
    if (kind[i] === T.OROR) {
      parts.push('||');
      i++;
    }
  }
  p.pos = i;
  return parts.join(' ');
}

function parseImport(p: Parser): Node {
  const s = p.pos++;
  const kind = p.kind;
  let pathTok: number;
  let unitAlias: number | null = null;
  let symbolAliases: [string, string | null][] | null = null;
  let symbolAliasesIdentifiers: [Node, Node | null][] | null = null;
  if (kind[p.pos] === T.STRING_LIT) {
    pathTok = p.pos++;
    if (p.accept(T.AS)) unitAlias = p.expectIdent();
  } else if (kind[p.pos] === T.LBRACE) {
    p.pos++;
    symbolAliases = [];
    symbolAliasesIdentifiers = [];
    for (;;) {
      const symbol = p.expectIdent();
      const alias = p.accept(T.AS) ? p.expectIdent() : null;
      symbolAliases.push([p.text(symbol), alias === null ? null : p.text(alias)]);
      symbolAliasesIdentifiers.push([p.identifier(symbol), alias === null ? null : p.identifier(alias)]);
      if (!p.accept(T.COMMA)) break;
    }
    p.expect(T.RBRACE);
    p.expect(T.FROM);
    pathTok = p.expect(T.STRING_LIT);
  } else {
    // `import * as X from` / `import X from` / `import X as Y from`: the last identifier is the alias.
    if (!p.accept(T.STAR)) unitAlias = p.expectIdent();
    if (p.accept(T.AS)) unitAlias = p.expectIdent();
    p.expect(T.FROM);
    pathTok = p.expect(T.STRING_LIT);
  }
  const e = p.expect(T.SEMI);
  const text = p.text(pathTok);
  const path = text.substring(1, text.length - 1);
  const pathLiteral = p.meta(
    { type: 'StringLiteral', value: path, parts: [path], isUnicode: [false] },
    pathTok,
    pathTok,
  );
  return p.meta(
    {
      type: 'ImportDirective',
      path,
      pathLiteral,
      unitAlias: unitAlias === null ? null : p.text(unitAlias),
      unitAliasIdentifier: unitAlias === null ? null : p.identifier(unitAlias),
      symbolAliases,
      symbolAliasesIdentifiers,
    },
    s,
    e,
  );
}

function parseContract(p: Parser): Node {
  const s = p.pos;
  // The reference takes the first token's text as `kind`, so abstract contracts have kind 'abstract'.
  const kindText = p.text(s);
  if (p.kind[s] === T.ABSTRACT) p.pos++;
  const k = p.kind[p.pos];
  if (k !== T.CONTRACT && k !== T.INTERFACE && k !== T.LIBRARY) p.fail();
  p.pos++;
  const name = p.text(p.expectIdent());
  p.currentContract = name;
  const layouts: Node[] = [];
  parseStorageLayout(p, layouts);
  const baseContracts: Node[] = [];
  if (p.accept(T.IS)) {
    do baseContracts.push(parseInheritanceSpecifier(p));
    while (p.accept(T.COMMA));
  }
  parseStorageLayout(p, layouts);
  if (layouts.length > 1) p.fail('Only one custom storage layout is allowed per contract');
  p.expect(T.LBRACE);
  const subNodes: Node[] = [];
  while (p.kind[p.pos] !== T.RBRACE) {
    if (p.kind[p.pos] === T.EOF) p.fail();
    subNodes.push(parseContractPart(p));
  }
  const e = p.pos++;
  const node: Node = { type: 'ContractDefinition', name, baseContracts, subNodes, kind: kindText };
  if (layouts.length === 1) node.storageLayout = layouts[0];
  return p.meta(node, s, e);
}

function parseStorageLayout(p: Parser, out: Node[]): void {
  if (p.kind[p.pos] === T.LAYOUT && p.kind[p.pos + 1] === T.AT) {
    p.pos += 2;
    out.push(parseExpression(p, 0));
  }
}

function parseInheritanceSpecifier(p: Parser): Node {
  const s = p.pos;
  const baseName = parseUserDefinedTypeName(p);
  let args: Node[] = [];
  if (p.accept(T.LPAREN)) {
    if (p.kind[p.pos] !== T.RPAREN) args = parseExpressionList(p);
    p.expect(T.RPAREN);
  }
  return p.meta({ type: 'InheritanceSpecifier', baseName, arguments: args }, s, p.pos - 1);
}

function parseContractPart(p: Parser): Node {
  const kind = p.kind;
  switch (kind[p.pos]) {
    case T.USING:
      return parseUsingFor(p);
    case T.STRUCT:
      return parseStruct(p);
    case T.MODIFIER:
      return parseModifier(p);
    case T.FUNCTION:
      return isFunctionTypedStateVariable(p) ? parseStateVariable(p) : parseFunction(p);
    case T.FALLBACK:
      return parseFunction(p);
    case T.CONSTRUCTOR:
    case T.RECEIVE:
      return kind[p.pos + 1] === T.LPAREN ? parseFunction(p) : parseStateVariable(p);
    case T.EVENT:
      return parseEvent(p);
    case T.ENUM:
      return parseEnum(p);
    case T.ERROR:
      return isCustomError(p) ? parseCustomError(p) : parseStateVariable(p);
    case T.TYPE:
      return parseTypeDefinition(p);
    default:
      return parseStateVariable(p);
  }
}

const FUNCTION_TYPE_MODIFIER = new Set([T.INTERNAL, T.EXTERNAL, T.PURE, T.VIEW, T.CONSTANT, T.PAYABLE]);
const STATE_VARIABLE_MODIFIER = new Set([T.PUBLIC, T.INTERNAL, T.PRIVATE, T.CONSTANT, T.TRANSIENT, T.IMMUTABLE]);

/**
 * `function (...) ... name;` declares a state variable of function type. The reference prefers that
 * reading whenever it parses, even for `function() external payable;` (a variable named `payable`).
 */
function isFunctionTypedStateVariable(p: Parser): boolean {
  const kind = p.kind;
  if (kind[p.pos + 1] !== T.LPAREN) return false;
  // Function type parameters have no names: `function (uint a) ...` can only be a function definition.
  let i = p.pos + 2;
  if (kind[i] !== T.RPAREN) {
    for (;;) {
      i = scanTypeName(p, i);
      if (i < 0) return false;
      if (T.IS_STORAGE_LOCATION[kind[i]] === 1) i++;
      if (kind[i] === T.RPAREN) break;
      if (kind[i++] !== T.COMMA) return false;
    }
  }
  i++;
  while (FUNCTION_TYPE_MODIFIER.has(kind[i])) i++;
  if (kind[i - 1] === T.PAYABLE && (kind[i] === T.SEMI || kind[i] === T.ASSIGN)) return true;
  if (kind[i] === T.RETURNS) {
    if (kind[i + 1] !== T.LPAREN) return false;
    i = p.skipBalanced(i + 1, T.LPAREN, T.RPAREN);
    if (i < 0) return false;
  }
  while (kind[i] === T.LBRACK) {
    i = p.skipBalanced(i, T.LBRACK, T.RBRACK);
    if (i < 0) return false;
  }
  for (;;) {
    if (STATE_VARIABLE_MODIFIER.has(kind[i])) i++;
    else if (kind[i] === T.OVERRIDE) {
      i++;
      if (kind[i] === T.LPAREN) i = p.skipBalanced(i, T.LPAREN, T.RPAREN);
      if (i < 0) return false;
    } else break;
  }
  return T.IS_IDENT[kind[i]] === 1 && (kind[i + 1] === T.SEMI || kind[i + 1] === T.ASSIGN);
}

/** `function (...) internal constant F = g;` at file level; anything else starting with `function` is a function. */
function isFunctionTypedConstant(p: Parser): boolean {
  if (!isFunctionTypedStateVariable(p)) return false;
  for (let i = p.pos; ; i++) {
    const k = p.kind[i];
    if (k === T.CONSTANT) return true;
    if (k === T.SEMI || k === T.ASSIGN || k === T.EOF) return false;
  }
}

function parseStateVariable(p: Parser): Node {
  const s = p.pos;
  const typeName = parseTypeName(p, NAME_REQUIRED);
  let internal = false;
  let pub = false;
  let priv = false;
  let isDeclaredConst = false;
  let isImmutable = false;
  let isTransient = false;
  let override: Node[] | null = null;
  for (;;) {
    const k = p.kind[p.pos];
    if (k === T.PUBLIC) pub = true;
    else if (k === T.INTERNAL) internal = true;
    else if (k === T.PRIVATE) priv = true;
    else if (k === T.CONSTANT) isDeclaredConst = true;
    else if (k === T.IMMUTABLE) isImmutable = true;
    else if (k === T.TRANSIENT) isTransient = true;
    else if (k === T.OVERRIDE) {
      const list = parseOverride(p);
      if (override === null) override = list;
      continue;
    } else break;
    p.pos++;
  }
  const id = p.expectIdent();
  const expression = p.accept(T.ASSIGN) ? parseExpression(p, 0) : null;
  const e = p.expect(T.SEMI);
  const visibility = internal ? 'internal' : pub ? 'public' : priv ? 'private' : 'default';
  const variable = p.meta(
    {
      type: 'VariableDeclaration',
      typeName,
      name: p.text(id),
      identifier: p.identifier(id),
      expression,
      visibility,
      isStateVar: true,
      isDeclaredConst,
      isIndexed: false,
      isImmutable,
      isTransient,
      override,
      storageLocation: null,
    },
    s,
    e,
  );
  return p.meta({ type: 'StateVariableDeclaration', variables: [variable], initialValue: expression }, s, e);
}

/** `override` or `override(A, B)`: the listed names ([] when none). */
function parseOverride(p: Parser): Node[] {
  p.expect(T.OVERRIDE);
  const out: Node[] = [];
  if (p.accept(T.LPAREN)) {
    do out.push(parseUserDefinedTypeName(p));
    while (p.accept(T.COMMA));
    p.expect(T.RPAREN);
  }
  return out;
}

function parseFileLevelConstant(p: Parser): Node {
  const s = p.pos;
  const typeName = parseTypeName(p, FILE_CONSTANT);
  p.expect(T.CONSTANT);
  const id = p.expectIdent();
  p.expect(T.ASSIGN);
  const initialValue = parseExpression(p, 0);
  const e = p.expect(T.SEMI);
  return p.meta(
    {
      type: 'FileLevelConstant',
      typeName,
      name: p.text(id),
      initialValue,
      isDeclaredConst: true,
      isImmutable: false,
    },
    s,
    e,
  );
}

function parseCustomError(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  const parameters = parseParameterList(p);
  return p.meta({ type: 'CustomErrorDefinition', name, parameters }, s, p.expect(T.SEMI));
}

function parseTypeDefinition(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  p.expect(T.IS);
  const definition = parseElementaryTypeName(p);
  return p.meta({ type: 'TypeDefinition', name, definition }, s, p.expect(T.SEMI));
}

function parseUsingFor(p: Parser): Node {
  const s = p.pos++;
  let libraryName: string | null = null;
  const functions: string[] = [];
  const operators: (string | null)[] = [];
  if (p.accept(T.LBRACE)) {
    do {
      functions.push(parseUserDefinedTypeName(p).namePath);
      if (p.accept(T.AS)) {
        if (T.IS_USER_OPERATOR[p.kind[p.pos]] !== 1) p.fail();
        operators.push(p.text(p.pos++));
      } else operators.push(null);
    } while (p.accept(T.COMMA));
    p.expect(T.RBRACE);
  } else {
    libraryName = parseUserDefinedTypeName(p).namePath;
  }
  p.expect(T.FOR);
  const typeName = p.accept(T.STAR) ? null : parseTypeName(p);
  const isGlobal = p.accept(T.GLOBAL);
  const e = p.expect(T.SEMI);
  return p.meta({ type: 'UsingForDeclaration', isGlobal, typeName, libraryName, functions, operators }, s, e);
}

function parseStruct(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  p.expect(T.LBRACE);
  const members: Node[] = [];
  while (p.kind[p.pos] !== T.RBRACE) {
    members.push(parseVariableDeclaration(p));
    p.expect(T.SEMI);
  }
  return p.meta({ type: 'StructDefinition', name, members }, s, p.pos++);
}

function parseEnum(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  p.expect(T.LBRACE);
  const members: Node[] = [];
  if (T.IS_IDENT[p.kind[p.pos]] === 1) members.push(enumValue(p));
  while (p.accept(T.COMMA)) members.push(enumValue(p));
  return p.meta({ type: 'EnumDefinition', name, members }, s, p.expect(T.RBRACE));
}

function enumValue(p: Parser): Node {
  const id = p.expectIdent();
  return p.meta({ type: 'EnumValue', name: p.text(id) }, id, id);
}

function parseEvent(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  p.expect(T.LPAREN);
  const parameters: Node[] = [];
  if (p.kind[p.pos] !== T.RPAREN) {
    do {
      const ps = p.pos;
      const typeName = parseTypeName(p, NAME_OPTIONAL);
      const isIndexed = p.accept(T.INDEXED);
      let paramName: string | null = null;
      let identifier: Node | null = null;
      if (T.IS_IDENT[p.kind[p.pos]] === 1) {
        paramName = p.text(p.pos);
        identifier = p.identifier(p.pos++);
      }
      parameters.push(
        p.meta(
          {
            type: 'VariableDeclaration',
            typeName,
            name: paramName,
            identifier,
            isStateVar: false,
            isIndexed,
            storageLocation: null,
            expression: null,
          },
          ps,
          p.pos - 1,
        ),
      );
    } while (p.accept(T.COMMA));
  }
  p.expect(T.RPAREN);
  const isAnonymous = p.accept(T.ANONYMOUS);
  return p.meta({ type: 'EventDefinition', name, parameters, isAnonymous }, s, p.expect(T.SEMI));
}

function parseModifier(p: Parser): Node {
  const s = p.pos++;
  const name = p.text(p.expectIdent());
  const parameters = p.kind[p.pos] === T.LPAREN ? parseParameterList(p) : null;
  let isVirtual = false;
  let override: Node[] | null = null;
  for (;;) {
    if (p.accept(T.VIRTUAL)) isVirtual = true;
    else if (p.kind[p.pos] === T.OVERRIDE) {
      const list = parseOverride(p);
      if (override === null) override = list;
    } else break;
  }
  const body = p.accept(T.SEMI) ? null : parseBlock(p);
  return p.meta({ type: 'ModifierDefinition', name, parameters, body, isVirtual, override }, s, p.pos - 1);
}

function parseFunction(p: Parser): Node {
  const s = p.pos;
  const descriptor = p.kind[s];
  let nameTok = -1;
  p.pos++;
  if (descriptor === T.FUNCTION && T.IS_IDENT[p.kind[p.pos]] === 1) nameTok = p.pos++;
  const params = parseParameterList(p);

  const modifiers: Node[] = [];
  let external = false;
  let internal = false;
  let pub = false;
  let priv = false;
  let isVirtual = false;
  let stateMutability: string | null = null;
  let override: Node[] | null = null;
  for (;;) {
    const k = p.kind[p.pos];
    if (k === T.EXTERNAL) external = true;
    else if (k === T.PUBLIC) pub = true;
    else if (k === T.INTERNAL) internal = true;
    else if (k === T.PRIVATE) priv = true;
    else if (k === T.VIRTUAL) isVirtual = true;
    else if (k === T.PURE || k === T.VIEW || k === T.CONSTANT || (k === T.PAYABLE && p.kind[p.pos + 1] !== T.LPAREN)) {
      if (stateMutability === null) stateMutability = p.text(p.pos);
    } else if (k === T.OVERRIDE) {
      const list = parseOverride(p);
      if (override === null) override = list;
      continue;
    } else if (T.IS_IDENT[k] === 1) {
      modifiers.push(parseModifierInvocation(p));
      continue;
    } else break;
    p.pos++;
  }
  const returns = p.accept(T.RETURNS) ? parseParameterList(p) : null;
  const body = p.accept(T.SEMI) ? null : parseBlock(p);

  let name: string | null = null;
  let parameters: Node[] = params;
  let returnParameters: Node[] | null = null;
  let isConstructor = false;
  let isFallback = false;
  let isReceiveEther = false;
  if (descriptor === T.CONSTRUCTOR) {
    isConstructor = true;
  } else if (descriptor === T.FALLBACK) {
    returnParameters = returns;
    isFallback = true;
  } else if (descriptor === T.RECEIVE) {
    parameters = [];
    isReceiveEther = true;
  } else {
    name = nameTok < 0 ? '' : p.text(nameTok);
    returnParameters = returns;
    isConstructor = name === p.currentContract;
    isFallback = name === '';
  }
  const visibility = external ? 'external' : internal ? 'internal' : pub ? 'public' : priv ? 'private' : 'default';
  return p.meta(
    {
      type: 'FunctionDefinition',
      name,
      parameters,
      returnParameters,
      body,
      visibility,
      modifiers,
      override,
      isConstructor,
      isReceiveEther,
      isFallback,
      isVirtual,
      stateMutability,
    },
    s,
    p.pos - 1,
  );
}

function parseModifierInvocation(p: Parser): Node {
  const s = p.expectIdent();
  let args: Node[] | null = null;
  if (p.accept(T.LPAREN)) {
    args = p.kind[p.pos] === T.RPAREN ? [] : parseExpressionList(p);
    p.expect(T.RPAREN);
  }
  return p.meta({ type: 'ModifierInvocation', name: p.text(s), arguments: args }, s, p.pos - 1);
}
