import { findAll, type Node } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { circuitBreaker, displayName, isOneShot, isZero, othersValue, profileOf } from './contractProfile.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IERC20 { function transfer(address to, uint v) external returns (bool); function transferFrom(address f, address t, uint v) external returns (bool); }
  interface IController { function paused() external view returns (bool); }
  contract Bank {
    address owner;
    bool paused;
    uint fee;
    mapping(address => uint) balances;
    modifier onlyOwner() { require(msg.sender == owner); _; }
    function deposit() external payable { balances[msg.sender] += msg.value; }
    function withdraw(uint v) external { require(!paused); balances[msg.sender] -= v; payable(msg.sender).transfer(v); }
    function setPaused(bool p) external onlyOwner { paused = p; }
    function setFee(uint f) external onlyOwner { fee = f; }
  }
  contract Controlled {
    IController controller;
    mapping(address => uint) balances;
    function withdraw(uint v) external { require(!controller.paused()); balances[msg.sender] -= v; payable(msg.sender).transfer(v); }
    receive() external payable {}
  }
  contract Killable {
    address owner;
    modifier onlyOwner() { require(msg.sender == owner); _; }
    function kill() external onlyOwner { selfdestruct(payable(owner)); }
    function noop() external { }
  }
  contract Puller {
    IERC20 token;
    mapping(address => uint) credit;
    function pull(uint v) external { token.transferFrom(msg.sender, address(this), v); credit[msg.sender] += v; }
  }
  contract Ledger {
    mapping(address => uint) balances;
    function transfer(address to, uint v) external { balances[msg.sender] -= v; balances[to] += v; }
  }
  contract Safe {
    uint threshold;
    address[] owners;
    function setup(address[] calldata o, uint t) external { require(threshold == 0); threshold = t; owners = o; }
    function initResettable(uint t) external { require(threshold == 0); threshold = t; }
  }
  contract Resettable {
    bool initialized;
    address owner;
    function initialize() external { require(!initialized); initialized = true; owner = msg.sender; }
    function reset() external { require(msg.sender == owner); initialized = false; }
  }`);
const profile = (name: string) => profileOf(analysis, program.contract(name)!);

describe('profileOf', () => {
  test('entries, guarded ones, the human admin, where ether sinks and what open entries move', () => {
    const bank = profile('Bank');
    expect(bank.entries.map((f) => f.name).sort()).toEqual(['deposit', 'setFee', 'setPaused', 'withdraw']);
    expect([...bank.guarded].map((f) => f.name).sort()).toEqual(['setFee', 'setPaused']);
    expect(bank.humanAdmin).toBe(true);
    expect(bank.etherSink?.name).toBe('deposit');
    expect([...bank.publicMoves].map(([f, moves]) => [f.name, moves.map((m) => m.kind)])).toEqual([
      ['deposit', ['deposit']],
      ['withdraw', ['ether-out']], // a debit alone moves no ledger between accounts
    ]);
    expect([...bank.adminWritten].map((v) => v.name).sort()).toEqual(['fee', 'paused']);
    expect([...bank.openWritten].map((v) => v.name)).toEqual(['balances']);
    expect([...bank.gates.keys()].map((v) => v.name)).toEqual(['paused']); // fee decides nothing on the way
    expect(bank.externalGates).toEqual([]);
    expect(profile('Bank')).toBe(bank); // cached
  });
});

describe('circuitBreaker', () => {
  test('a flag an admin sets, a controller asked on the way, a protected selfdestruct; or none', () => {
    const breaker = circuitBreaker(analysis, profile('Bank'));
    expect(breaker?.kind === 'flag' && breaker.variable.name).toBe('paused');
    const controlled = circuitBreaker(analysis, profile('Controlled'));
    expect(controlled && [controlled.kind, sourceText(controlled.fn, controlled.node)]).toEqual([
      'controller',
      '!controller.paused()',
    ]);
    expect(circuitBreaker(analysis, profile('Killable'))?.kind).toBe('selfdestruct');
    expect(circuitBreaker(analysis, profile('Ledger'))).toBeUndefined();
  });
});

describe('othersValue', () => {
  test('deposits of ether or pulled tokens, credited to the payer; a token ledger; or nothing of others', () => {
    expect(othersValue(analysis, profile('Bank'))).toEqual({ deposits: true, credited: true, balances: false });
    expect(othersValue(analysis, profile('Controlled'))).toEqual({ deposits: true, credited: false, balances: false });
    expect(othersValue(analysis, profile('Puller'))).toEqual({ deposits: true, credited: true, balances: false });
    expect(othersValue(analysis, profile('Ledger'))).toEqual({ deposits: false, credited: false, balances: true });
    expect(othersValue(analysis, profile('Killable'))).toEqual({ deposits: false, credited: false, balances: false });
  });
});

describe('isOneShot', () => {
  test('requires a stored value unset and sets it, and nothing clears it again', () => {
    const safe = program.contract('Safe')!;
    expect(isOneShot(analysis, safe, functionNamed(program, 'Safe', 'setup'))).toBe(true);
    const resettable = program.contract('Resettable')!;
    expect(isOneShot(analysis, resettable, functionNamed(program, 'Resettable', 'initialize'))).toBe(false);
    expect(isOneShot(analysis, program.contract('Bank')!, functionNamed(program, 'Bank', 'withdraw'))).toBe(false);
  });
});

describe('isZero and displayName', () => {
  test('zero, false and address(0) literals', () => {
    const { program: p } = analyseSource(`pragma solidity ^0.8.0;
      contract C { function f() external pure returns (bool) { return 0 == 0x0 && false != true && address(0) == address(1); } }`);
    const f = functionNamed(p, 'C', 'f');
    const comparisons = findAll(f.body!, (n) => n.type === 'BinaryOperation' && n.operator !== '&&');
    const operands = comparisons.flatMap((c) => [c.left, c.right] as Node[]);
    expect(operands.map((n) => sourceText(f, n))).toEqual(['0', '0x0', 'false', 'true', 'address(0)', 'address(1)']);
    expect(operands.map(isZero)).toEqual([true, true, true, false, true, false]);
    expect(isZero(undefined)).toBe(false);
  });
  test('receive and fallback by kind, others by name', () => {
    const controlled = program.contract('Controlled')!;
    expect(controlled.functions.map(displayName)).toEqual(['withdraw', 'receive']);
  });
});
