/**
 * Token kinds of the fast Solidity lexer. They mirror the token vocabulary of the ANTLR grammar behind
 * @solidity-parser/parser 0.20.2, so words the reference treats as keywords (`layout`, `at`, `callback`,
 * `days`, reserved words) are keywords here too, and the same words double as identifiers.
 */

export const EOF = 0;
export const IDENT = 1;

// Punctuation and operators.
export const SEMI = 2;
export const STAR = 3;
export const OROR = 4;
export const CARET = 5;
export const TILDE = 6;
export const GE = 7;
export const GT = 8;
export const LT = 9;
export const LE = 10;
export const ASSIGN = 11;
export const LBRACE = 12;
export const COMMA = 13;
export const RBRACE = 14;
export const LPAREN = 15;
export const RPAREN = 16;
export const PIPE = 17;
export const AMP = 18;
export const PLUS = 19;
export const MINUS = 20;
export const SLASH = 21;
export const PERCENT = 22;
export const EQ = 23;
export const NE = 24;
export const LBRACK = 25;
export const RBRACK = 26;
export const DOT = 27;
export const FAT_ARROW = 28; // =>
export const INC = 29;
export const DEC = 30;
export const COLON = 31;
export const BANG = 32;
export const STARSTAR = 33;
export const SHL = 34;
export const SHR = 35;
export const ANDAND = 36;
export const QUESTION = 37;
export const OR_ASSIGN = 38;
export const XOR_ASSIGN = 39;
export const AND_ASSIGN = 40;
export const SHL_ASSIGN = 41;
export const SHR_ASSIGN = 42;
export const ADD_ASSIGN = 43;
export const SUB_ASSIGN = 44;
export const MUL_ASSIGN = 45;
export const DIV_ASSIGN = 46;
export const MOD_ASSIGN = 47;
export const COLON_ASSIGN = 48; // :=
export const EQ_COLON = 49; // =:
export const ARROW = 50; // ->

// Keywords.
export const PRAGMA = 51;
export const AS = 52;
export const IMPORT = 53;
export const FROM = 54;
export const ABSTRACT = 55;
export const CONTRACT = 56;
export const INTERFACE = 57;
export const LIBRARY = 58;
export const IS = 59;
export const LAYOUT = 60;
export const AT = 61;
export const ERROR = 62;
export const USING = 63;
export const FOR = 64;
export const STRUCT = 65;
export const MODIFIER = 66;
export const FUNCTION = 67;
export const RETURNS = 68;
export const EVENT = 69;
export const ENUM = 70;
export const ADDRESS = 71;
export const MAPPING = 72;
export const MEMORY = 73;
export const STORAGE = 74;
export const CALLDATA = 75;
export const IF = 76;
export const ELSE = 77;
export const TRY = 78;
export const CATCH = 79;
export const WHILE = 80;
export const UNCHECKED = 81;
export const ASSEMBLY = 82;
export const DO = 83;
export const RETURN = 84;
export const THROW = 85;
export const EMIT = 86;
export const REVERT = 87;
export const VAR = 88;
export const BOOL = 89;
export const STRING = 90;
export const BYTE = 91;
export const NEW = 92;
export const DELETE = 93;
export const LET = 94;
export const SWITCH = 95;
export const CASE = 96;
export const DEFAULT = 97;
export const CALLBACK = 98;
export const OVERRIDE = 99;
/** int*, uint*, bytes*, fixed*, ufixed*: the sized elementary type names. */
export const ELEM_TYPE = 100;
export const BOOL_LIT = 101;
export const DECIMAL = 102;
export const HEX_NUMBER = 103;
export const UNIT = 104;
export const HEX_LIT = 105;
export const RESERVED = 106;
export const ANONYMOUS = 107;
export const BREAK = 108;
export const CONSTANT = 109;
export const TRANSIENT = 110;
export const IMMUTABLE = 111;
export const CONTINUE = 112;
export const LEAVE = 113;
export const EXTERNAL = 114;
export const INDEXED = 115;
export const INTERNAL = 116;
export const PAYABLE = 117;
export const PRIVATE = 118;
export const PUBLIC = 119;
export const VIRTUAL = 120;
export const PURE = 121;
export const TYPE = 122;
export const VIEW = 123;
export const GLOBAL = 124;
export const CONSTRUCTOR = 125;
export const FALLBACK = 126;
export const RECEIVE = 127;
export const STRING_LIT = 128;
export const VERSION = 129;

export const KIND_COUNT = 130;

export const KEYWORDS = new Map<string, number>([
  ['pragma', PRAGMA],
  ['as', AS],
  ['import', IMPORT],
  ['from', FROM],
  ['abstract', ABSTRACT],
  ['contract', CONTRACT],
  ['interface', INTERFACE],
  ['library', LIBRARY],
  ['is', IS],
  ['layout', LAYOUT],
  ['at', AT],
  ['error', ERROR],
  ['using', USING],
  ['for', FOR],
  ['struct', STRUCT],
  ['modifier', MODIFIER],
  ['function', FUNCTION],
  ['returns', RETURNS],
  ['event', EVENT],
  ['enum', ENUM],
  ['address', ADDRESS],
  ['mapping', MAPPING],
  ['memory', MEMORY],
  ['storage', STORAGE],
  ['calldata', CALLDATA],
  ['if', IF],
  ['else', ELSE],
  ['try', TRY],
  ['catch', CATCH],
  ['while', WHILE],
  ['unchecked', UNCHECKED],
  ['assembly', ASSEMBLY],
  ['do', DO],
  ['return', RETURN],
  ['throw', THROW],
  ['emit', EMIT],
  ['revert', REVERT],
  ['var', VAR],
  ['bool', BOOL],
  ['string', STRING],
  ['byte', BYTE],
  ['new', NEW],
  ['delete', DELETE],
  ['let', LET],
  ['switch', SWITCH],
  ['case', CASE],
  ['default', DEFAULT],
  ['callback', CALLBACK],
  ['override', OVERRIDE],
  ['true', BOOL_LIT],
  ['false', BOOL_LIT],
  ['anonymous', ANONYMOUS],
  ['break', BREAK],
  ['constant', CONSTANT],
  ['transient', TRANSIENT],
  ['immutable', IMMUTABLE],
  ['continue', CONTINUE],
  ['leave', LEAVE],
  ['external', EXTERNAL],
  ['indexed', INDEXED],
  ['internal', INTERNAL],
  ['payable', PAYABLE],
  ['private', PRIVATE],
  ['public', PUBLIC],
  ['virtual', VIRTUAL],
  ['pure', PURE],
  ['type', TYPE],
  ['view', VIEW],
  ['global', GLOBAL],
  ['constructor', CONSTRUCTOR],
  ['fallback', FALLBACK],
  ['receive', RECEIVE],
]);

for (const unit of [
  'wei',
  'gwei',
  'szabo',
  'finney',
  'ether',
  'seconds',
  'minutes',
  'hours',
  'days',
  'weeks',
  'years',
]) {
  KEYWORDS.set(unit, UNIT);
}
for (const word of [
  'after',
  'alias',
  'apply',
  'auto',
  'copyof',
  'define',
  'final',
  'implements',
  'in',
  'inline',
  'macro',
  'match',
  'mutable',
  'null',
  'of',
  'partial',
  'promise',
  'reference',
  'relocatable',
  'sealed',
  'sizeof',
  'static',
  'supports',
  'typedef',
  'typeof',
]) {
  KEYWORDS.set(word, RESERVED);
}
KEYWORDS.set('int', ELEM_TYPE);
KEYWORDS.set('uint', ELEM_TYPE);
KEYWORDS.set('bytes', ELEM_TYPE);
KEYWORDS.set('fixed', ELEM_TYPE);
KEYWORDS.set('ufixed', ELEM_TYPE);
for (let bits = 8; bits <= 256; bits += 8) {
  KEYWORDS.set(`int${bits}`, ELEM_TYPE);
  KEYWORDS.set(`uint${bits}`, ELEM_TYPE);
}
for (let size = 1; size <= 32; size++) KEYWORDS.set(`bytes${size}`, ELEM_TYPE);

function table(kinds: number[]): Uint8Array {
  const t = new Uint8Array(KIND_COUNT);
  for (const k of kinds) t[k] = 1;
  return t;
}

/** Tokens the grammar's `identifier` rule accepts. */
export const IS_IDENT = table([
  IDENT,
  FROM,
  LAYOUT,
  AT,
  ERROR,
  ADDRESS,
  CALLDATA,
  REVERT,
  CALLBACK,
  LEAVE,
  PAYABLE,
  GLOBAL,
  CONSTRUCTOR,
  RECEIVE,
]);

/** Tokens of the grammar's `elementaryTypeName` rule. */
export const IS_ELEMENTARY = table([ADDRESS, VAR, BOOL, STRING, BYTE, ELEM_TYPE]);

export const IS_STORAGE_LOCATION = table([MEMORY, STORAGE, CALLDATA]);

/** Binary operators: precedence as in the grammar's left-recursive `expression` rule (higher binds tighter). */
export const BINARY_PRECEDENCE = new Int8Array(KIND_COUNT);
for (const [kinds, prec] of [
  [[STARSTAR], 14],
  [[STAR, SLASH, PERCENT], 13],
  [[PLUS, MINUS], 12],
  [[SHL, SHR], 11],
  [[AMP], 10],
  [[CARET], 9],
  [[PIPE], 8],
  [[LT, GT, LE, GE], 7],
  [[EQ, NE], 6],
  [[ANDAND], 5],
  [[OROR], 4],
  [[QUESTION], 3],
  [
    [
      ASSIGN,
      OR_ASSIGN,
      XOR_ASSIGN,
      AND_ASSIGN,
      SHL_ASSIGN,
      SHR_ASSIGN,
      ADD_ASSIGN,
      SUB_ASSIGN,
      MUL_ASSIGN,
      DIV_ASSIGN,
      MOD_ASSIGN,
    ],
    2,
  ],
] as [number[], number][]) {
  for (const k of kinds) BINARY_PRECEDENCE[k] = prec;
}

/** Operators the grammar's `userDefinableOperators` rule accepts in `using {f as +} for T`. */
export const IS_USER_OPERATOR = table([
  STAR,
  CARET,
  TILDE,
  GE,
  GT,
  LT,
  ASSIGN,
  PIPE,
  AMP,
  PLUS,
  MINUS,
  SLASH,
  PERCENT,
  EQ,
  NE,
]);
