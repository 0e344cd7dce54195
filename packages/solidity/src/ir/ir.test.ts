import { describe, expect, test } from 'vitest';
import { Analysis } from './analysis.ts';
import { parseSolidity } from './parse.ts';
import { allFunctions, buildProgram, type Program, qualifiedName } from './program.ts';
import { typeToString } from './types.ts';

function load(source: string, solcVersion?: string): { program: Program; analysis: Analysis } {
  const { ast, errors } = parseSolidity(source);
  expect(errors).toEqual([]);
  const program = buildProgram([{ file: 'T.sol', content: source, ast: ast!, solcVersion }]);
  return { program, analysis: new Analysis(program) };
}

function fn(program: Program, contract: string, name: string) {
  const found =
    program.contract(contract)?.functions.find((f) => f.name === name) ??
    program.contract(contract)?.modifiers.find((m) => m.name === name);
  if (!found) throw new Error(`no ${contract}.${name}`);
  return found;
}

describe('program', () => {
  test('default: C3 linearisation of a diamond, most derived first', () => {
    const { program } = load(`pragma solidity ^0.8.0;
contract A {} contract B is A {} contract C is A {} contract D is B, C {}`);
    expect(program.contract('D')!.linearized.map((c) => c.name)).toEqual(['D', 'C', 'B', 'A']);
  });

  test('behavior: inherited state and the most derived override', () => {
    const { program } = load(`pragma solidity ^0.8.0;
contract Base { uint256 internal x; function f() public virtual returns (uint256) { return 1; } }
contract Child is Base { address owner; function f() public override returns (uint256) { return 2; } }`);
    const child = program.contract('Child')!;
    expect(
      allFunctions(child)
        .filter((f) => f.name === 'f')
        .map((f) => f.contract.name),
    ).toEqual(['Child']);
    expect(child.linearized.flatMap((c) => c.stateVariables.map((v) => v.name)).sort()).toEqual(['owner', 'x']);
  });

  test('behavior: pre-0.5 named constructors, fallbacks and default visibility', () => {
    const { program } = load(`pragma solidity ^0.4.24;
contract Token { address owner; function Token() { owner = msg.sender; } function () payable {} function burn() { } }`);
    const token = program.contract('Token')!;
    const kinds = token.functions.map((f) => [f.name, f.kind, f.visibility, f.explicitVisibility]);
    expect(kinds).toEqual([
      ['constructor', 'constructor', 'public', false],
      ['fallback', 'fallback', 'public', false],
      ['burn', 'function', 'public', false],
    ]);
    expect(token.functions[0].legacyConstructor).toBe(true);
  });
});

describe('calls', () => {
  const source = `pragma solidity ^0.8.0;
library SafeMath { function add(uint256 a, uint256 b) internal pure returns (uint256) { return a + b; } }
interface IERC20 { function transfer(address to, uint256 v) external returns (bool); }
contract Parent { function hook() internal virtual {} }
contract Vault is Parent {
  using SafeMath for uint256;
  IERC20 token;
  uint256 total;
  function run(address payable to, uint256 v) external {
    (bool ok, ) = to.call{value: v}("");
    require(ok);
    to.send(v);
    to.transfer(v);
    token.transfer(to, v);
    total = total.add(v);
    super.hook();
    helper();
    require(to.send(1), "failed");
    new Child();
    selfdestruct(to);
  }
  function helper() internal returns (bool) { return address(this).balance > 0; }
}
contract Child {}`;

  test('default: every call kind is classified', () => {
    const { program, analysis } = load(source);
    const calls = analysis.facts(fn(program, 'Vault', 'run')).calls.map((c) => `${c.kind}:${c.name}:${c.returnUse}`);
    expect(calls).toEqual([
      'low-level-call:call:stored',
      'builtin:require:unused',
      'send:send:unused',
      'transfer:transfer:unused',
      'external:transfer:unused',
      'library:add:stored',
      'internal:hook:unused',
      'internal:helper:unused',
      'builtin:require:unused',
      'send:send:checked',
      'new:Child:unused',
      'selfdestruct:selfdestruct:unused',
    ]);
  });

  test('behavior: 0.4-style .call.value()() carries its value', () => {
    const { program, analysis } = load(`pragma solidity ^0.4.24;
contract Old { function pay(address to) public { to.call.value(1 ether)(); if (!to.send(2)) revert(); } }`);
    const [call, , send] = analysis.facts(fn(program, 'Old', 'pay')).calls;
    expect(call.kind).toBe('low-level-call');
    expect(call.value?.type).toBe('NumberLiteral');
    expect(call.returnUse).toBe('unused');
    expect(send.kind).toBe('send');
    expect(send.returnUse).toBe('checked');
  });

  test('behavior: state writes through storage pointers, after-call ordering in the CFG', () => {
    const { program, analysis } = load(`pragma solidity ^0.8.0;
contract S {
  struct Account { uint256 balance; }
  mapping(address => Account) accounts;
  uint256 count;
  function pay(uint256 v) external {
    Account storage a = accounts[msg.sender];
    for (uint256 i = 0; i < 3; i++) { count++; }
    (bool ok, ) = msg.sender.call{value: v}("");
    if (ok) { a.balance -= v; } else { return; }
  }
}`);
    const facts = analysis.facts(fn(program, 'S', 'pay'));
    expect(facts.stateWrites.map((w) => w.variable.name)).toEqual(['count', 'accounts']);
    const call = facts.calls.find((c) => c.kind === 'low-level-call')!;
    const after = analysis.after(call.statement!);
    const writeAfter = facts.stateWrites
      .filter((w) => w.statement && after.has(w.statement))
      .map((w) => w.variable.name);
    expect(writeAfter).toEqual(['accounts']);
    // The loop has a back edge: its head is reachable from its own body.
    const loopHead = facts.cfg.nodes.find((n) => n.kind === 'loop')!;
    expect(analysis.after(loopHead).has(loopHead)).toBe(true);
  });
});

describe('data flow and access', () => {
  test('default: sources reach locals, returns and state', () => {
    const { program, analysis } = load(`pragma solidity ^0.8.0;
contract Game {
  address winner;
  uint256 seed;
  function now_() internal view returns (uint256) { return block.timestamp; }
  function play(uint256 guess) external {
    uint256 t = now_();
    uint256 mixed = t + guess;
    winner = msg.sender;
    seed = mixed;
  }
}`);
    const play = fn(program, 'Game', 'play');
    const locals = analysis.localTaint(play);
    expect([...locals.get('t')!]).toEqual(['block.timestamp']);
    expect([...locals.get('mixed')!].sort()).toEqual(['block.timestamp', 'param:guess']);
    const state = analysis.stateTaint(program.contract('Game')!);
    expect([...state.get('winner')!]).toEqual(['msg.sender']);
    expect([...state.get('seed')!].sort()).toEqual(['block.timestamp', 'user-input']);
  });

  test('behavior: sender checks through modifiers, internal functions and unresolved modifiers', () => {
    const { program, analysis } = load(`pragma solidity ^0.8.0;
contract Owned {
  address owner;
  mapping(address => bool) admins;
  modifier onlyOwner() { require(msg.sender == owner); _; }
  function _checkAdmin() internal view { if (!admins[msg.sender]) revert(); }
  function a() external onlyOwner {}
  function b() external { _checkAdmin(); }
  function c() external imported {}
  function d() external {}
}`);
    const checked = ['a', 'b', 'c', 'd'].map((name) => analysis.hasSenderCheck(fn(program, 'Owned', name)));
    expect(checked).toEqual([true, true, true, false]);
  });

  test('behavior: before 0.5 a `constant` function that writes state or sends ether is an entry point', () => {
    const body = (pragma: string, view: string) => `pragma solidity ${pragma};
contract Counter {
  uint256 count;
  function bump() public ${view} returns (uint256) { count += 1; return count; }
  function pay() public ${view} returns (bool) { return msg.sender.send(1); }
  function read() public ${view} returns (uint256) { return count; }
  function plain() public {}
}`;
    const entries = (pragma: string, view: string, solcVersion?: string) => {
      const { program, analysis } = load(body(pragma, view), solcVersion);
      return ['bump', 'pay', 'read', 'plain'].map((name) => analysis.isEntryPoint(fn(program, 'Counter', name)));
    };
    // 0.4 did not enforce `constant`: bump and pay change state although declared read-only.
    expect(entries('^0.4.24', 'constant')).toEqual([true, true, false, true]);
    expect(entries('^0.4.24', 'view', '0.4.26')).toEqual([true, true, false, true]);
    // From 0.5 solc rejects such code, so a view is never an entry point.
    expect(entries('^0.5.0', 'view')).toEqual([false, false, false, true]);
    expect(entries('>=0.4.22 <0.6.0', 'view', '0.5.17')).toEqual([false, false, false, true]);
  });

  test('behavior: a check-and-set flag modifier is a reentrancy guard', () => {
    const { program, analysis } = load(`pragma solidity ^0.8.0;
contract G {
  uint256 private status = 1;
  modifier nonReentrant() { require(status == 1); status = 2; _; status = 1; }
  modifier other() { _; }
  function a() external nonReentrant {}
  function b() external other {}
}`);
    expect(analysis.hasReentrancyGuard(fn(program, 'G', 'a'))).toBe(true);
    expect(analysis.hasReentrancyGuard(fn(program, 'G', 'b'))).toBe(false);
  });

  test('behavior: a modifier body has a placeholder node, and code after it runs after the body', () => {
    const { program, analysis } = load(`pragma solidity ^0.8.0;
contract G {
  uint256 private status = 1;
  modifier nonReentrant() { require(status == 1); status = 2; _; status = 1; }
}`);
    const facts = analysis.facts(fn(program, 'G', 'nonReentrant'));
    const placeholder = facts.cfg.nodes.find((n) => n.kind === 'placeholder');
    expect(placeholder).toBeDefined();
    const after = analysis.after(placeholder!);
    const writesAfter = facts.stateWrites.filter((w) => w.statement && after.has(w.statement));
    expect(writesAfter.map((w) => facts.fn.contract.unit.source.textOf(w.node))).toEqual(['status = 1']);
  });

  test('behavior: types of expressions', () => {
    const { program, analysis } = load(`pragma solidity ^0.8.0;
contract T {
  struct P { address payable who; uint8 n; }
  mapping(address => P[]) ps;
  function f() external view returns (uint8) {
    P storage p = ps[msg.sender][0];
    return p.n;
  }
}`);
    const f = fn(program, 'T', 'f');
    const facts = analysis.facts(f);
    const ret = facts.cfg.nodes.find((n) => n.ast?.type === 'ReturnStatement')!.ast!;
    expect(typeToString(analysis.typeOf(ret.expression, f))).toBe('uint8');
    expect(typeToString(facts.locals.get('p')!.type)).toBe('P');
  });
});

describe('names that are also JavaScript object keys', () => {
  test('behavior: `constructor` and `toString` as Solidity names are plain identifiers', () => {
    const { program, analysis } = load(`pragma solidity ^0.8.0;
contract K {
  uint256 toString;
  function f(uint256 constructor) external returns (uint256) { toString = constructor; return toString; }
}`);
    const f = fn(program, 'K', 'f');
    const facts = analysis.facts(f);
    const ret = facts.cfg.nodes.find((n) => n.ast?.type === 'ReturnStatement')!.ast!;
    expect([...analysis.taintOf(ret.expression, f)].sort()).toEqual(['state:toString', 'user-input']);
  });
});

describe('qualifiedName', () => {
  test('names receive, fallback and constructors (old and new style) by their kind', () => {
    const { program } = load(`pragma solidity ^0.6.0;
      contract A { constructor() public {} receive() external payable {} fallback() external {} function f() public {} }`);
    expect(program.contract('A')!.functions.map(qualifiedName).sort()).toEqual([
      'A.constructor',
      'A.f',
      'A.fallback',
      'A.receive',
    ]);
    const legacy = load('pragma solidity ^0.4.24; contract Old { function Old() public {} function () payable {} }');
    expect(legacy.program.contract('Old')!.functions.map(qualifiedName).sort()).toEqual([
      'Old.constructor',
      'Old.fallback',
    ]);
  });
});
