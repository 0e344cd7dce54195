/**
 * Randomised differential check against @solidity-parser/parser, for the grammar corners the corpus
 * does not reach. `generate` builds random (mostly valid) contracts and expressions; `mutate` edits one
 * token of a small corpus file, which mostly yields invalid source and checks that we reject what the
 * reference rejects. Run: npx tsx packages/solidity/src/parser/fuzz.ts [generate|mutate] [seed] [count]
 */
import { readFileSync } from 'node:fs';
import { parse } from '@solidity-parser/parser';
import { PACKAGE_DIRS, SOLIDIFI_DIR, solidityFiles } from './corpus.ts';
import { firstDifference } from './diff.ts';
import { parseFast } from './index.ts';
import { lex } from './lexer.ts';

const mode = process.argv[2] ?? 'generate';
let seed = Number(process.argv[3] ?? 1);
const count = Number(process.argv[4] ?? 500);

const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

// Words that are keywords elsewhere but identifiers to the reference, and other ambiguity bait.
const names = ['a', 'x', 'payable', 'from', 'error', 'calldata', 'global', 'at', 'layout', 'revert', 'address'];
const atoms = ['a', 'x', '1', '0x10', '2 ether', '"s"', "hex'00'", 'true', 'msg.sender', 'payable', 'address', 'uint'];
const binary = ['+', '-', '*', '/', '%', '**', '<<', '>>', '&', '|', '^', '<', '>', '<=', '>=', '==', '!=', '&&', '||'];
const assignment = ['=', '+=', '-=', '*=', '|=', '&=', '^=', '<<=', '>>=', '/=', '%='];

function expression(depth: number): string {
  if (depth <= 0) return pick(atoms);
  const e = () => expression(depth - 1);
  return pick([
    () => `${e()} ${pick(binary)} ${e()}`,
    () => `${e()} ${pick(assignment)} ${e()}`,
    () => `${pick(['-', '+', '!', '~', '++', '--', 'delete '])}${e()}`,
    () => `${e()}${pick(['++', '--'])}`,
    () => `${e()} ? ${e()} : ${e()}`,
    () => `(${e()})`,
    () => `${e()}.${pick(['x', 'length', 'value', 'from'])}`,
    () => `${e()}[${pick(['', ':'])}${e()}${pick(['', ':', ':1'])}]`,
    () => `${e()}(${pick(['', e(), `1, ${e()}`, `{a: ${e()}}`])})`,
    () => `${e()}{value: ${e()}}`,
    () => pick([`new A(${e()})`, `new uint[](${e()})`, `[${e()}, 1]`, `(1, , ${e()})`, `type(${e()}).max`]),
    () => `${type(1)}(${e()})`,
  ])();
}

function type(depth: number): string {
  if (depth <= 0) {
    return pick(['uint', 'address', 'address payable', 'bool', 'bytes32', 'string', 'bytes', 'A', 'A.B', 'address.X']);
  }
  const t = () => type(depth - 1);
  return pick([
    () => `${t()}[]`,
    () => `${t()}[2]`,
    () => `mapping(${pick(['uint', 'address', 'A.B'])}${pick(['', ' k'])} => ${t()}${pick(['', ' v', ' payable'])})`,
    () =>
      `function(${pick(['', t(), `${t()}, ${t()} memory`])})${pick(['', ' external', ' internal', ' view', ' payable', ' external payable'])}${pick(['', ` returns (${t()})`])}`,
    () => type(0),
  ])();
}

const location = () => pick(['', ' memory', ' storage', ' calldata']);

function statement(depth: number): string {
  const s = () => (depth > 0 ? statement(depth - 1) : 'f();');
  return pick([
    () => `${type(2)}${location()} ${pick(names)}${pick(['', ' = y'])};`,
    () =>
      `(${pick(['', `${type(1)}${location()} ${pick(names)}`])}, ${pick(['', `${type(1)} ${pick(names)}`])}) = f();`,
    () => `var ${pick(['x', '(a, , b)', '(a)', '(, a)'])} = g();`,
    () => `if (${expression(1)}) ${s()}${pick(['', ` else ${s()}`])}`,
    () => `for (${pick(['', 'uint i = 0', 'i = 0'])}; ${pick(['', 'i < n'])}; ${pick(['', 'i++'])}) ${s()}`,
    () => `while (x) ${s()}`,
    () => `do ${s()} while (x);`,
    () => `{ ${s()} ${s()} }`,
    () => `${expression(3)};`,
    () =>
      pick([
        'return;',
        'return x;',
        'break;',
        'continue;',
        'throw;',
        '_;',
        'emit E(1);',
        'revert E();',
        'revert("x");',
      ]),
    () =>
      `${pick(['revert', 'emit'])} ${pick([`${type(0)}(x)`, expression(2), `new A(${expression(1)})`, 'A.B{value: 1}(2)'])};`,
    () => `(${pick(['', `${type(2)} a`])}, ${type(2)}${location()} ${pick(names)}) = f();`,
    () =>
      `try ${pick(['f()', 'a.b{value: 1}(2)', 'new A()'])} ${pick(['', `returns (${type(1)} r)`])} { } catch ${pick(['', 'Error(string memory s) ', '(bytes memory) '])}{ }`,
    () => `unchecked { ${s()} }`,
    () =>
      `assembly { ${pick(['let a := 1', 'a := add(a, 1)', 'if a { leave }', 'x', '1', 'mstore(0, calldataload(4))', 'a.slot := 1', 'let a, b := f()', 'switch a case 1 { } default { }', 'for { } lt(i, 2) { } { break }', 'function g(p) -> q { q := p }'])} }`,
  ])();
}

function contractPart(): string {
  return pick([
    () =>
      `${type(2)}${pick(['', ' public', ' private', ' constant', ' immutable', ' public constant', ' override(A, B)'])} ${pick(names)}${pick(['', ' = 1'])};`,
    () =>
      `function ${pick(['g', '', 'receive', 'C'])}(${pick(['', `${type(1)}${location()} ${pick(['', 'p'])}`, `${type(0)}, ${type(1)} q`])}) ${pick(['', 'public', 'external', 'internal'])} ${pick(['', 'pure', 'view', 'payable', 'constant'])} ${pick(['', 'virtual', 'override', 'm', 'm(1)', 'A(1) B'])} ${pick(['', `returns (${type(1)})`])} ${pick([`{ ${statement(2)} }`, ';'])}`,
    () => `modifier m${pick(['', '()', '(uint a)'])} ${pick(['', 'virtual', 'override'])} { ${statement(1)} _; }`,
    () => `event E(${pick(['', `${type(1)} indexed a`, `${type(1)}, ${type(0)} b`])})${pick(['', ' anonymous'])};`,
    () => `struct S { ${type(2)} a; ${type(1)} b; }`,
    () =>
      `${pick(['constructor', 'fallback', 'receive'])}(${pick(['', 'uint a'])}) ${pick(['', 'public', 'external payable'])} { ${statement(2)} }`,
    () => `using ${pick(['L', 'A.L', '{f, g as +}'])} for ${pick(['*', type(1)])}${pick(['', ' global'])};`,
    () => `function g() { ${statement(3)} ${statement(3)} }`,
  ])();
}

function mutated(files: string[]): string | undefined {
  const src = pick(files);
  let tokens: ReturnType<typeof lex>;
  try {
    tokens = lex(src);
  } catch {
    return undefined;
  }
  const i = Math.floor(random() * tokens.count);
  const j = Math.floor(random() * tokens.count);
  const [a, b] = [tokens.start[i], tokens.end[i]];
  const other = src.slice(tokens.start[j], tokens.end[j]);
  return pick([
    () => src.slice(0, a) + src.slice(b),
    () => `${src.slice(0, a)}${other} ${src.slice(a)}`,
    () => src.slice(0, a) + other + src.slice(b),
    () =>
      src.slice(0, a) + pick([...names, ...binary, ...assignment, 'payable', 'memory', '[]', '(', ')']) + src.slice(b),
  ])();
}

const smallFiles =
  mode === 'mutate'
    ? [...solidityFiles(SOLIDIFI_DIR), ...PACKAGE_DIRS.flatMap(solidityFiles)]
        .map((f) => readFileSync(f, 'utf8'))
        .filter((s) => s.length < 6000)
    : [];
const tally = { identical: 0, bothReject: 0, different: 0, rejectedValid: 0, acceptedInvalid: 0 };

for (let n = 0; n < count; n++) {
  const source =
    mode === 'mutate'
      ? mutated(smallFiles)
      : random() < 0.5
        ? `contract C is A { ${contractPart()} }`
        : `contract C { function f() public { x = ${expression(3)}; } }`;
  if (source === undefined) continue;
  let reference: unknown;
  try {
    reference = parse(source, { loc: true, range: true });
  } catch {
    reference = undefined;
  }
  const fast = parseFast(source);
  const excerpt = source.length > 300 ? `${source.slice(0, 300)}…` : source;
  if (reference === undefined) {
    if (fast.ast === undefined) tally.bothReject++;
    else {
      tally.acceptedInvalid++;
      console.log('accepted, reference rejects:', excerpt);
    }
  } else if (fast.ast === undefined) {
    tally.rejectedValid++;
    const { line, column, message } = fast.errors[0];
    console.log(`rejected, reference accepts (${message} at ${line}:${column}):`, source.split('\n')[line - 1]);
  } else {
    const diff = firstDifference(fast.ast, reference);
    if (diff) {
      tally.different++;
      console.log('different:', excerpt, `\n    ${diff}`);
    } else tally.identical++;
  }
}
console.log(tally);
