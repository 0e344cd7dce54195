import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse } from '@solidity-parser/parser';
import { describe, expect, test } from 'vitest';
import { PACKAGE_DIRS, SOLIDIFI_DIR, solidityFiles } from './corpus.ts';
import { firstDifference } from './diff.ts';
import { parseFast } from './index.ts';

function reference(source: string): unknown {
  return parse(source, { loc: true, range: true });
}

/** Parses with both parsers and expects identical trees (first differing path in the failure message). */
function expectSame(source: string): void {
  const fast = parseFast(source);
  expect(fast.errors).toEqual([]);
  const ref = reference(source);
  expect(firstDifference(fast.ast, ref)).toBeUndefined();
  expect(fast.ast).toEqual(ref);
}

const inFunction = (body: string) => `contract C { function f() public { ${body} } }`;

const cases: Record<string, string> = {
  'empty source': '',
  'whitespace and comments only': '  // a\n/* b\n c */\n\n  ',
  'pragma versions': `pragma solidity ^0.5.0;
pragma solidity >=0.4.22 <0.6.0;
pragma solidity >= 0.8 ;
pragma solidity ^0.8.0 || ^0.7.0;
pragma solidity 0.8.20;
pragma solidity *;
pragma experimental ABIEncoderV2;
pragma experimental "SMTChecker";
pragma abicoder v2;`,
  imports: `import "a.sol";
import "b.sol" as B;
import * as C from "c.sol";
import D from "d.sol";
import E as F from 'e.sol';
import {G, H as I} from "./g.sol";`,
  'contract kinds and inheritance': `abstract contract A {}
interface I {}
library L {}
contract B is A, I {}
contract C is B(1, "x"), A() {}`,
  'state variables': `contract C {
  uint x;
  uint public constant X = 1;
  address payable public owner;
  address immutable internal a = address(0);
  mapping(address => mapping(uint => bool)) private m;
  mapping(address owner => uint balance) named;
  uint[] arr;
  uint[3][] fixedArr;
  string s = "x";
  bytes32 transient t;
  uint override(A, B) o;
  uint public override p;
  function (uint) external returns (uint) fn;
}`,
  'function variants': `contract C {
  constructor(uint a) public payable Base(a) Other {}
  function () external payable {}
  fallback() external {}
  fallback(bytes calldata d) external returns (bytes memory) {}
  receive() external payable {}
  function f(uint a, bytes calldata, address payable p) internal view virtual override(A, B) returns (uint r, bool) {}
  function g() public pure override returns (uint) {}
  function h() external;
  function C() public {}
  function k() onlyOwner nonReentrant() whenPaused(1, 2) public {}
  function m() payable(x) {}
}`,
  'address payable vs parameter named payable': `contract C {
  function f(address payable, address payable x) returns (address payable) {}
  mapping(address => address payable) m;
  event E(address payable indexed a, address payable);
}`,
  'function typed state variable named payable':
    'interface I { function() external payable; function() public payable; }',
  'old style: constructor by name, constant functions, throw, var, sha3, suicide': `pragma solidity ^0.4.0;
contract Old {
  function Old() { owner = msg.sender; }
  function get() constant returns (uint) { return this.balance; }
  function kill() { if (msg.sender != owner) throw; suicide(owner); }
  function h() { var x = sha3(1); var (a, , b) = f(); x.callcode.value(1)(); msg.sender.call.value(1 ether)(); }
  function t() { uint y = 1 years + 2 szabo + 3 finney + 4 days; }
}`,
  'free functions and file-level declarations': `uint constant X = 10;
function free(uint a) pure returns (uint) { return a; }
error Unauthorized(address who);
type Price is uint128;
using L for uint global;
using {add as +, sub} for Price global;
struct S { uint a; address b; }
enum E { A, B }
event Ev(uint indexed a) anonymous;
contract A {}
function A() {}`,
  'events, structs, enums, modifiers, errors': `contract C {
  event E(uint indexed a, string b);
  event Anon() anonymous;
  struct S { uint a; mapping(uint => uint) m; S2[] list; }
  enum Color { Red, Green }
  enum Empty {}
  modifier onlyOwner { _; }
  modifier m(uint a) virtual override { require(a > 0); _; }
  modifier n() virtual;
  error E2(uint code, string);
  using SafeMath for uint256;
  using L for *;
  using A.B for C.D;
}`,
  statements: inFunction(`
    if (a) b(); else if (c) { d(); } else e();
    while (i < 10) i++;
    do { i--; } while (i > 0);
    for (uint i = 0; i < n; i++) { continue; }
    for (;;) { break; }
    for (i = 0; ; ) {}
    { uint scoped; }
    return;
    emit Transfer(a, b, 1);
    emit E();
    revert Unauthorized(msg.sender);
    revert("msg");
    revert();
    unchecked { i += 1; }
    delete x[1];
    _;`),
  'try and catch': inFunction(`
    try t.f(1) returns (uint v, bool) { a = v; } catch Error(string memory reason) { r = reason; } catch Panic(uint code) {} catch (bytes memory data) {} catch {}
    try new Foo{value: 1}(a) returns (Foo f) {} catch {}
    try this.g{gas: 100}() {} catch {}`),
  'variable declarations': inFunction(`
    uint a = 1;
    uint[] memory b = new uint[](3);
    A.B[] storage c = d;
    string memory s;
    bytes calldata cd = msg.data;
    (uint x, , uint y) = g();
    (, bool ok) = h();
    (uint p,) = h();
    (a, b) = (b, a);
    (a, , b) = f();
    var (q, , w) = f();
    var z = 1;
    mapping(uint => uint) storage m = mm;
    function (uint) internal returns (uint) fp = ff;
    address payable ap = payable(msg.sender);
    Struct memory st = Struct({a: 1, b: 2});`),
  'expressions: precedence and associativity': inFunction(`
    x = a + b * c ** d ** e - f / g % h;
    x = -a ** b;
    x = a << b + c >> d & e ^ f | g;
    x = a < b == c > d != e <= f >= g;
    x = a && b || c && !d;
    x = a ? b : c ? d : e;
    x = a ? b = c : d;
    a = b = c;
    a += b -= c;
    x = ~a + -b - +c;
    x = !a++ + --b;
    x = (a + b) * c;
    x = delete a;`),
  'expressions: calls, members, indexes': inFunction(`
    f{value: 1, gas: 2}(a);
    f{value: 1,}();
    g({a: 1, b: 2});
    g({a: 1, });
    h();
    x.y.z(1)[2].w;
    a.value(1).gas(2)(x);
    b = arr[1:2];
    b = arr[:2];
    b = arr[1:];
    b = arr[:];
    c = abi.decode(data, (uint, address[], A.B[], uint[2], address payable, string));
    d = type(uint256).max;
    e = new Foo(1);
    e2 = new uint[][](n);
    e3 = new A.B{salt: s}();
    e4 = new bytes(32);
    f2 = address(this).balance;
    f3 = payable(x);
    f4 = uint256(uint160(a));
    f5 = string.concat(a, b);
    f6 = bytes.concat(a);
    g2 = [1, 2, 3];
    g3 = [a];
    g4 = ();
    g5 = (a, );
    g6 = (, a);
    h2 = A[](x);
    h3 = msg.sig;
    h4 = address[2];`),
  literals: inFunction(`
    a = 1; a = 0x1F; a = 1e18; a = 1.5e3; a = .5; a = 1_000_000; a = 0xdead_beef; a = 2e-3;
    a = 1 wei + 1 gwei + 1 ether + 1 seconds + 1 minutes + 1 hours + 1 weeks;
    s = "double \\" quote"; s = 'single \\' quote'; s = "a" "b" 'c';
    s = unicode"héllo"; s = unicode'x' "y";
    s = "esc \\n \\x41 \\u1234";
    h = hex"00ff"; h = hex'AB_CD'; h = hex"" hex"01";
    b = true; b = false;`),
  assembly: inFunction(`
    assembly {
      let a := 1
      let b, c := f()
      let d
      d := add(a, 0x40)
      mstore(0, x)
      x.slot := 1
      pop(y.offset)
      if eq(a, b) { revert(0, 0) }
      switch a
      case 0 { b := 1 }
      case "x" { }
      default { leave }
      for { let i := 0 } lt(i, 10) { i := add(i, 1) } { break continue }
      function g(p, q) -> r, s { r := p }
      function h() {}
      { let nested := true }
      return(0, 32)
      a, b := g(1, 2)
      sstore(keccak256(0, 64), hex"00")
      leave
      x
      1
      "str"
    }
    assembly "evmasm" ("memory-safe") { }
    assembly ("memory-safe") { let p := mload(0x40) }`),
  'assembly: old syntax': inFunction('assembly { 1 ether lbl: x =: y (a) := 1 0x20 =: z }'),
  'unicode and line structure': 'contract C {\r\n  // ünïcödé comment\r\n  string s = unicode"😀 ✓";\r\n  uint x;\n}\n',
  'old tuple forms': inFunction(`
    var (a, b, c) = g(); var (d) = 2; var (, e) = 3; var (f,) = 4; var (, , ) = g();
    (a,) = g(); (,) = g(); () = ();
    (uint[][] memory x, uint y) = abi.decode(data, (uint[][], uint));
    uint256 z = ([1, 2, 3 + 4][a /= 9] - 3) ** 4;`),
  'keywords usable as identifiers': `contract C {
  uint from; uint at; uint layout; uint global; uint callback; uint error;
  function receive() public {}
  function g() public { error = 2; from = at + layout; global = callback; revert(); x.revert(); address.x[] memory l; }
}`,
  'function type expression statement': inFunction('function (); mapping(uint => uint);'),
  'ambiguities the reference resolves by first viable alternative': `function() internal constant F = f;
contract C is A {
  using {f, g as +} for function(bytes, uint memory) external payable;
  function() internal constant X = f;
  function() external[] override y = 1;
  function (bytes calldata p) public constant payable;
  uint[N > 1 ? 2 : 3] z;
  function g() {
    (uint calldata, ) = f();
    (A memory b, mapping(address k => A payable) calldata) = f();
    x = uint[a ? b : c:];
    y = uint[2];
    function ();
    (, function(address payable) view payable) = f();
    (address payable, uint q) = f();
    revert bytes32(x);
    revert - x;
    emit !uint(x);
    emit a + b(c);
    revert !f(x);
  }
}`,
  'custom storage layout': 'contract C layout at 0x1234 is A {} contract D is A layout at 2 ** 10 {}',
};

describe('parseFast matches @solidity-parser/parser', () => {
  for (const [name, source] of Object.entries(cases)) {
    test(name, () => expectSame(source));
  }
});

describe('invalid source', () => {
  test.each([
    ['missing semicolon', 'contract C {\n  uint x\n}'],
    ['unclosed contract', 'contract C {\n  function f() public {}\n'],
    ['stray token', 'contract C {\n  function f() public { x = ; }\n}'],
    ['unknown character', 'contract C {\n  uint x = 1 @ 2;\n}'],
    ['unterminated string', 'contract C {\n  string s = "abc;\n}'],
    ['unterminated comment', 'contract C {}\n/* never closed'],
    ['bad catch kind', 'contract C { function f() { try g() {} catch Foo(uint) {} } }'],
  ])('%s reports an error with a line', (_name, source) => {
    const result = parseFast(source);
    expect(result.ast).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].line).toBeGreaterThanOrEqual(1);
    expect(() => reference(source)).toThrow();
  });

  test('the error position points at the offending token', () => {
    const result = parseFast('contract C {\n  uint x\n}');
    expect(result.errors[0]).toMatchObject({ line: 3, column: 0 });
  });
});

function compareFiles(files: string[]): void {
  const failures: string[] = [];
  let compared = 0;
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    let ref: unknown;
    try {
      ref = reference(source);
    } catch {
      continue; // the reference rejects it: nothing to compare against
    }
    compared++;
    const fast = parseFast(source);
    const name = relative(process.cwd(), file);
    if (!fast.ast) failures.push(`${name}: ${JSON.stringify(fast.errors[0])}`);
    else {
      const diff = firstDifference(fast.ast, ref);
      if (diff) failures.push(`${name}: ${diff}`);
    }
  }
  expect(compared).toBeGreaterThan(0);
  expect(failures.slice(0, 10)).toEqual([]);
}

// The reference parser needs ~0.3 s per file: every package file, but only every fifth SolidiFI file.
// compare.ts checks all of them.
describe('differential corpus', () => {
  test('installed packages', { timeout: 900_000 }, () => {
    compareFiles(PACKAGE_DIRS.flatMap(solidityFiles));
  });

  const solidifi = solidityFiles(SOLIDIFI_DIR);
  test.skipIf(solidifi.length === 0)('SolidiFI (every fifth file)', { timeout: 900_000 }, () => {
    compareFiles(solidifi.filter((_, i) => i % 5 === 0));
  });
});

describe('legacy (pre-0.4) syntax', () => {
  const modifiers = `contract Old {
    address owner;
    modifier onlyOwner { if (msg.sender != owner) throw; _ }
    modifier twice() {
        _
        owner = msg.sender;
    }
    function Old() { owner = msg.sender; }
    function () { throw; }
    function get() constant returns (uint) { var x = 1; return x; }
    function kill() onlyOwner { suicide(owner); }
}`;

  test('default: a placeholder without `;` is refused by the current grammar', () => {
    expect(parseFast(modifiers).errors[0]).toMatchObject({ line: 3 });
  });

  test('behavior: the legacy mode reads it as the placeholder statement `_;` would give', () => {
    const legacy = parseFast(modifiers, { legacy: true });
    expect(legacy.errors).toEqual([]);
    const modern = parseFast(modifiers.replace('throw; _ }', 'throw; _; }').replace('_\n', '_;\n'));
    const bodies = (ast: unknown) =>
      JSON.stringify(
        (
          ast as { children: { subNodes: { type: string; body?: { statements: { expression?: unknown }[] } }[] }[] }
        ).children[0]!.subNodes.filter((n) => n.type === 'ModifierDefinition').map((n) =>
          n.body!.statements.map((s) => s.expression),
        ),
        (key, value) => (key === 'loc' || key === 'range' ? undefined : value),
      );
    expect(bodies(legacy.ast)).toEqual(bodies(modern.ast));
  });

  test('behavior: `_` followed by `;` on the next line, or used in an expression, keeps its meaning', () => {
    expect(parseFast('contract C { modifier m { _\n; } }', { legacy: true }).errors).toEqual([]);
    expect(parseFast('contract C { function f() { _ = 1; } }', { legacy: true }).errors).toEqual([]);
    expect(parseFast('contract C { modifier m { _ x } }', { legacy: true }).errors).toHaveLength(1);
  });

  test('behavior: a placeholder as a branch, before `else` or the end of the modifier', () => {
    const source =
      'contract C { address o;\n modifier m { if (msg.sender == o) _ else throw; }\n modifier n { if (msg.sender == o) _ } }';
    expect(parseFast(source).errors).toHaveLength(1);
    expect(parseFast(source, { legacy: true }).errors).toEqual([]);
  });
});
