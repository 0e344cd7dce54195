import * as T from './tokens.ts';

/**
 * The token stream as parallel arrays (no token objects). `end` is exclusive; `line` is 1-based and
 * `col` 0-based, both of the token's first character, which is what the reference puts in `loc`.
 * The arrays are padded with EOF tokens so the parser can look ahead a few tokens without bounds checks.
 */
export interface Tokens {
  kind: number[];
  start: number[];
  end: number[];
  line: number[];
  col: number[];
  /** Number of real tokens; index `count` is the first EOF. */
  count: number;
}

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

const EOF_PADDING = 8;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}

function isIdentPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** End of `[0-9] ('_'? [0-9])*` starting at i (which must be a digit). */
function scanDigits(src: string, i: number, n: number): number {
  i++;
  for (;;) {
    const c = src.charCodeAt(i);
    if (isDigit(c)) i++;
    else if (c === 95 && i + 1 < n && isDigit(src.charCodeAt(i + 1))) i += 2;
    else return i;
  }
}

/** End of `HexCharacter ('_'? HexCharacter)*` starting at i (which must be a hex digit). */
function scanHexDigits(src: string, i: number, n: number): number {
  i++;
  for (;;) {
    const c = src.charCodeAt(i);
    if (isHexDigit(c)) i++;
    else if (c === 95 && i + 1 < n && isHexDigit(src.charCodeAt(i + 1))) i += 2;
    else return i;
  }
}

/** `fixed` / `ufixed` followed by `<bits>x<digits>`, bits a multiple of 8 up to 256 (as the grammar's Fixed rule). */
function isFixedType(word: string): boolean {
  const rest = word.startsWith('fixed') ? word.slice(5) : word.startsWith('ufixed') ? word.slice(6) : undefined;
  if (rest === undefined) return false;
  const x = rest.indexOf('x');
  if (x <= 0 || x === rest.length - 1) return false;
  const bits = rest.slice(0, x);
  const bytes = rest.slice(x + 1);
  if (!/^[1-9][0-9]*$/.test(bits) || !/^[0-9]+$/.test(bytes)) return false;
  const b = Number(bits);
  return b >= 8 && b <= 256 && b % 8 === 0;
}

export function lex(src: string): Tokens {
  const n = src.length;
  const kind: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const lines: number[] = [];
  const cols: number[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;

  while (i < n) {
    const c = src.charCodeAt(i);
    // Whitespace: the grammar's WS is [ \t\r\n\f]; only \n starts a new line (as ANTLR counts lines).
    if (c === 10) {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12) {
      i++;
      continue;
    }
    if (c === 47) {
      const c2 = src.charCodeAt(i + 1);
      if (c2 === 47) {
        i = lineCommentEnd(src, i + 2, n);
        continue;
      }
      if (c2 === 42) {
        const close = src.indexOf('*/', i + 2);
        if (close < 0) throw new ParseError('unterminated comment', line, i - lineStart);
        for (let j = src.indexOf('\n', i + 2); j >= 0 && j < close; j = src.indexOf('\n', j + 1)) {
          line++;
          lineStart = j + 1;
        }
        i = close + 2;
        continue;
      }
    }

    let k: number;
    if (isIdentStart(c)) k = scanWord(src, i, n);
    else if ((c >= 48 && c <= 57) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) k = scanNumber(src, i, n);
    else if (c === 34 || c === 39) k = scanString(src, i, n);
    else k = scanPunctuation(src, i, c);
    if (k < 0) throw new ParseError(lexError, line, i - lineStart);

    kind.push(k);
    start.push(i);
    end.push(scanEnd);
    lines.push(line);
    cols.push(i - lineStart);
    // A string may span lines through a backslash-escaped newline; keep the line count right.
    if (k === T.STRING_LIT) {
      for (let j = src.indexOf('\n', i); j >= 0 && j < scanEnd; j = src.indexOf('\n', j + 1)) {
        line++;
        lineStart = j + 1;
      }
    }
    i = scanEnd;
  }

  const count = kind.length;
  for (let p = 0; p < EOF_PADDING; p++) {
    kind.push(T.EOF);
    start.push(n);
    end.push(n);
    lines.push(line);
    cols.push(n - lineStart);
  }
  return { kind, start, end, line: lines, col: cols, count };
}

// The scanners below return the token kind (or -1 with `lexError` set) and leave the token's end in
// `scanEnd`: small separate functions keep V8's optimised code small and quick to compile.
let scanEnd = 0;
let lexError = '';

/** A line comment runs to the end of the line; a \r before the \n is whitespace anyway. */
function lineCommentEnd(src: string, i: number, n: number): number {
  const nl = src.indexOf('\n', i);
  return nl < 0 ? n : nl;
}

function scanWord(src: string, start: number, n: number): number {
  let i = start + 1;
  while (i < n && isIdentPart(src.charCodeAt(i))) i++;
  scanEnd = i;
  const q = src.charCodeAt(i);
  if (q === 34 || q === 39) {
    const len = i - start;
    if (len === 3 && src.startsWith('hex', start)) {
      // hex"..." — HexDigits are optional; anything else inside is not a hex literal.
      let j = i + 1;
      if (isHexDigit(src.charCodeAt(j))) j = scanHexDigits(src, j, n);
      if (src.charCodeAt(j) !== q) {
        lexError = 'invalid hex literal';
        return -1;
      }
      scanEnd = j + 1;
      return T.HEX_LIT;
    }
    if (len === 7 && src.startsWith('unicode', start)) return scanString(src, i, n);
  }
  const word = src.slice(start, i);
  return T.KEYWORDS.get(word) ?? (isFixedType(word) ? T.ELEM_TYPE : T.IDENT);
}

/** Single-character tokens that never start a longer one. */
const SINGLE = new Uint8Array(128);
SINGLE[59] = T.SEMI;
SINGLE[123] = T.LBRACE;
SINGLE[125] = T.RBRACE;
SINGLE[40] = T.LPAREN;
SINGLE[41] = T.RPAREN;
SINGLE[91] = T.LBRACK;
SINGLE[93] = T.RBRACK;
SINGLE[44] = T.COMMA;
SINGLE[46] = T.DOT;
SINGLE[63] = T.QUESTION;
SINGLE[126] = T.TILDE;

function scanPunctuation(src: string, i: number, c: number): number {
  const single = c < 128 ? SINGLE[c] : 0;
  if (single !== 0) {
    scanEnd = i + 1;
    return single;
  }
  const c2 = src.charCodeAt(i + 1);
  scanEnd = i + 2;
  switch (c) {
    case 42: // * ** *=
      if (c2 === 42) return T.STARSTAR;
      if (c2 === 61) return T.MUL_ASSIGN;
      break;
    case 124: // | || |=
      if (c2 === 124) return T.OROR;
      if (c2 === 61) return T.OR_ASSIGN;
      break;
    case 38: // & && &=
      if (c2 === 38) return T.ANDAND;
      if (c2 === 61) return T.AND_ASSIGN;
      break;
    case 94: // ^ ^=
      if (c2 === 61) return T.XOR_ASSIGN;
      break;
    case 62: // > >= >> >>=
      if (c2 === 61) return T.GE;
      if (c2 === 62) {
        if (src.charCodeAt(i + 2) !== 61) return T.SHR;
        scanEnd = i + 3;
        return T.SHR_ASSIGN;
      }
      break;
    case 60: // < <= << <<=
      if (c2 === 61) return T.LE;
      if (c2 === 60) {
        if (src.charCodeAt(i + 2) !== 61) return T.SHL;
        scanEnd = i + 3;
        return T.SHL_ASSIGN;
      }
      break;
    case 61: // = == => =:
      if (c2 === 61) return T.EQ;
      if (c2 === 62) return T.FAT_ARROW;
      if (c2 === 58) return T.EQ_COLON;
      break;
    case 33: // ! !=
      if (c2 === 61) return T.NE;
      break;
    case 43: // + ++ +=
      if (c2 === 43) return T.INC;
      if (c2 === 61) return T.ADD_ASSIGN;
      break;
    case 45: // - -- -= ->
      if (c2 === 45) return T.DEC;
      if (c2 === 61) return T.SUB_ASSIGN;
      if (c2 === 62) return T.ARROW;
      break;
    case 47: // / /=   (comments are skipped before we get here)
      if (c2 === 61) return T.DIV_ASSIGN;
      break;
    case 37: // % %=
      if (c2 === 61) return T.MOD_ASSIGN;
      break;
    case 58: // : :=
      if (c2 === 61) return T.COLON_ASSIGN;
      break;
    default:
      lexError = `token recognition error at: '${src[i]}'`;
      return -1;
  }
  scanEnd = i + 1;
  return ONE_CHAR_OPERATOR[c];
}

/** The one-character reading of operators that may also start a longer token. */
const ONE_CHAR_OPERATOR = new Uint8Array(128);
ONE_CHAR_OPERATOR[42] = T.STAR;
ONE_CHAR_OPERATOR[124] = T.PIPE;
ONE_CHAR_OPERATOR[38] = T.AMP;
ONE_CHAR_OPERATOR[94] = T.CARET;
ONE_CHAR_OPERATOR[62] = T.GT;
ONE_CHAR_OPERATOR[60] = T.LT;
ONE_CHAR_OPERATOR[61] = T.ASSIGN;
ONE_CHAR_OPERATOR[33] = T.BANG;
ONE_CHAR_OPERATOR[43] = T.PLUS;
ONE_CHAR_OPERATOR[45] = T.MINUS;
ONE_CHAR_OPERATOR[47] = T.SLASH;
ONE_CHAR_OPERATOR[37] = T.PERCENT;
ONE_CHAR_OPERATOR[58] = T.COLON;

/** A quoted string starting at the quote at i: `~[quote \r \n \\] | '\\' .`. */
function scanString(src: string, i: number, n: number): number {
  const quote = src.charCodeAt(i);
  let j = i + 1;
  for (;;) {
    if (j >= n) break;
    const c = src.charCodeAt(j);
    if (c === quote) {
      scanEnd = j + 1;
      return T.STRING_LIT;
    }
    if (c === 92) {
      if (j + 1 >= n) break;
      j += 2;
      continue;
    }
    if (c === 10 || c === 13) break;
    j++;
  }
  lexError = 'unterminated string literal';
  return -1;
}

/**
 * A number the way ANTLR's longest match picks among DecimalNumber, HexNumber and VersionLiteral
 * (ties go to the earlier rule, DecimalNumber).
 */
function scanNumber(src: string, i: number, n: number): number {
  const c = src.charCodeAt(i);
  // HexNumber: '0' [xX] HexDigits
  if (c === 48) {
    const x = src.charCodeAt(i + 1);
    if ((x === 120 || x === 88) && isHexDigit(src.charCodeAt(i + 2))) {
      scanEnd = scanHexDigits(src, i + 2, n);
      return T.HEX_NUMBER;
    }
  }
  // DecimalNumber: ( DecimalDigits | DecimalDigits? '.' DecimalDigits ) ( [eE] '-'? DecimalDigits )?
  let d = i;
  if (isDigit(c)) d = scanDigits(src, i, n);
  if (src.charCodeAt(d) === 46 && isDigit(src.charCodeAt(d + 1))) d = scanDigits(src, d + 1, n);
  const e = src.charCodeAt(d);
  if (e === 101 || e === 69) {
    let j = d + 1;
    if (src.charCodeAt(j) === 45) j++;
    if (isDigit(src.charCodeAt(j))) d = scanDigits(src, j, n);
  }
  // VersionLiteral: [0-9]+ '.' [0-9]+ ('.' [0-9]+)?
  if (isDigit(c)) {
    let j = i;
    while (isDigit(src.charCodeAt(j))) j++;
    if (src.charCodeAt(j) === 46 && isDigit(src.charCodeAt(j + 1))) {
      j++;
      while (isDigit(src.charCodeAt(j))) j++;
      if (src.charCodeAt(j) === 46 && isDigit(src.charCodeAt(j + 1))) {
        j++;
        while (isDigit(src.charCodeAt(j))) j++;
      }
      if (j > d) {
        scanEnd = j;
        return T.VERSION;
      }
    }
  }
  scanEnd = d;
  return T.DECIMAL;
}
