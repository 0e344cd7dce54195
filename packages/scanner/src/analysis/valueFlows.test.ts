import { findAll, qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';
import {
  acceptsEther,
  constantValue,
  encodedSelector,
  goesToFixedRecipient,
  isLedger,
  ledgerDirection,
  ledgerWrites,
  movesTokens,
  recipientOf,
  sendsEther,
  valueMoves,
} from './valueFlows.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IERC20 { function transfer(address to, uint v) external returns (bool); function transferFrom(address f, address to, uint v) external returns (bool); }
  library SafeERC20 {
    function safeTransfer(IERC20 t, address to, uint v) internal { t.transfer(to, v); }
  }
  library SafeMath { function sub(uint a, uint b) internal pure returns (uint) { return a - b; } function add(uint a, uint b) internal pure returns (uint) { return a + b; } }
  library Sel { bytes4 constant TRANSFER = 0xa9059cbb; }
  contract Vault {
    using SafeERC20 for IERC20;
    using SafeMath for uint;
    bytes4 constant SELECTOR = bytes4(keccak256(bytes("transfer(address,uint256)")));
    IERC20 token;
    address payable treasury;
    mapping(address => uint) balances;
    mapping(address => bool) members;
    mapping(uint => uint) amounts;
    function deposit() external payable { balances[msg.sender] += msg.value; }
    function withdraw(uint v) external { balances[msg.sender] = balances[msg.sender].sub(v); payable(msg.sender).transfer(v); }
    function move(address to, uint v) external { balances[msg.sender] -= v; balances[to] = balances[to].add(v); }
    function sweep() external { token.transfer(treasury, 1); treasury.transfer(address(this).balance); }
    function payTo(address to) external { token.safeTransfer(to, 1); }
    function pull(uint v) external { token.transferFrom(msg.sender, address(this), v); }
    function raw(address to) external {
      address(token).call(abi.encodeWithSelector(IERC20.transfer.selector, to, 1));
      address(token).call(abi.encodeWithSelector(SELECTOR, to, 1));
      address(token).call(abi.encodeWithSelector(0x23b872dd, msg.sender, to, 1));
      address(token).call(abi.encodeWithSignature("transfer(address,uint256)", to, 1));
      address(token).call(abi.encodeCall(IERC20.transfer, (to, 1)));
      address(token).call(abi.encodeWithSelector(Sel.TRANSFER, to, 1));
      address(token).call(abi.encodeWithSignature("approve(address,uint256)", to, 1));
      SafeERC20.safeTransfer(token, to, 1);
      to.call{value: 0}("");
      to.call{value: 1}("");
      this.sweep();
    }
    function set(address a) external { delete balances[a]; balances[a]--; amounts[1] = 2; balances[a] = 3; }
    receive() external payable {}
  }
  contract Forwarder { address payable to; receive() external payable { to.transfer(msg.value); } }`);
const fn = (name: string) => functionNamed(program, 'Vault', name);
const raw = fn('raw');
const rawCalls = analysis
  .facts(raw)
  .calls.filter((c) => c.kind === 'low-level-call' || c.kind === 'library' || c.kind === 'external');

describe('sendsEther, movesTokens, encodedSelector, recipientOf', () => {
  test('token moves by method, written-out library call and encoded selector (member, constant, literal, signature, encodeCall)', () => {
    expect(rawCalls.map((c) => [movesTokens(c, raw, program), sendsEther(c)])).toEqual([
      [true, false], // IERC20.transfer.selector
      [true, false], // a constant bytes4(keccak256("transfer(...)"))
      [true, false], // the transferFrom selector as a literal
      [true, false], // encodeWithSignature("transfer(...)")
      [true, false], // encodeCall(IERC20.transfer, ...)
      [true, false], // a library constant holding the selector
      [false, false], // approve moves nothing
      [true, false], // SafeERC20.safeTransfer written out
      [false, false], // a literal zero value
      [false, true],
      [false, false], // this.sweep(): nothing leaves by the call itself
    ]);
  });

  test('recipientOf: the receiver of ether, the `to` argument of token moves, library form included', () => {
    const recipient = (f: ReturnType<typeof fn>, predicate: (s: string) => boolean) =>
      analysis
        .facts(f)
        .calls.filter(
          (c) => !['internal', 'type-conversion', 'builtin'].includes(c.kind) && predicate(sourceText(f, c.node)),
        )
        .map((c) => sourceText(f, recipientOf(c)!));
    expect(recipient(fn('sweep'), () => true)).toEqual(['treasury', 'treasury']);
    expect(recipient(fn('pull'), () => true)).toEqual(['address(this)']);
    expect(recipient(fn('payTo'), () => true)).toEqual(['to']);
    expect(recipient(raw, (s) => s.startsWith('SafeERC20'))).toEqual(['to']);
  });

  test('encodedSelector and constantValue on their own', () => {
    const payloads = findAll(raw.body!, (n) => n.type === 'FunctionCall' && sourceText(raw, n).startsWith('abi.'));
    expect(payloads.map((p) => encodedSelector(p, raw, program))).toEqual([
      'transfer',
      'transfer',
      'transferFrom',
      'transfer',
      'transfer',
      'transfer',
      'approve',
    ]);
    const [selector] = findAll(raw.body!, (n) => n.type === 'Identifier' && n.name === 'SELECTOR');
    expect(sourceText(raw, constantValue(selector!, raw, program)!.value)).toBe(
      'bytes4(keccak256(bytes("transfer(address,uint256)")))',
    );
    const [treasury] = findAll(fn('sweep').body!, (n) => n.type === 'Identifier' && n.name === 'treasury');
    expect(constantValue(treasury!, fn('sweep'), program)).toBeUndefined();
  });
});

describe('ledgers', () => {
  test('isLedger: address => uint mappings only', () => {
    const vault = program.contract('Vault')!;
    expect(vault.stateVariables.filter(isLedger).map((v) => v.name)).toEqual(['balances']);
  });

  test('ledgerDirection and ledgerWrites: credits, debits (SafeMath and operators), plain sets', () => {
    const directions = (name: string) =>
      [...ledgerWrites(analysis, fn(name))].map(([v, writes]) => [v.name, writes.map((w) => w.direction)]);
    expect(directions('deposit')).toEqual([['balances', ['credit']]]);
    expect(directions('withdraw')).toEqual([['balances', ['debit']]]);
    expect(directions('move')).toEqual([['balances', ['debit', 'credit']]]);
    expect(directions('set')).toEqual([['balances', ['debit', 'debit', 'set']]]); // amounts is no ledger
    const [increment] = findAll(fn('set').body!, (n) => n.type === 'UnaryOperation' && n.operator === '--');
    expect(ledgerDirection(increment!)).toBe('debit');
  });
});

describe('valueMoves, goesToFixedRecipient, acceptsEther', () => {
  test('what each entry moves', () => {
    const kinds = (name: string, holdsEther = true) => valueMoves(analysis, fn(name), holdsEther).map((m) => m.kind);
    expect(kinds('deposit')).toEqual(['deposit']);
    expect(kinds('withdraw')).toEqual(['ether-out']);
    expect(kinds('withdraw', false)).toEqual([]); // a contract that keeps no ether sends none of its own
    expect(kinds('move')).toEqual(['ledger']);
    expect(kinds('sweep')).toEqual(['token-out', 'ether-out']);
    expect(kinds('payTo').every((k) => k === 'token-out')).toBe(true);
  });

  test('a stored recipient is fixed; the caller or a parameter is not', () => {
    const fixed = (name: string) => valueMoves(analysis, fn(name), true).map((m) => goesToFixedRecipient(analysis, m));
    expect(fixed('sweep')).toEqual([true, true]);
    expect(fixed('withdraw')).toEqual([false]);
    expect(fixed('payTo').every((f) => f === false)).toBe(true);
    expect(fixed('deposit')).toEqual([false]); // not a move out
  });

  test('acceptsEther: the first payable entry that sends nothing on', () => {
    expect(qualifiedName(acceptsEther(analysis, program.contract('Vault')!)!)).toBe('Vault.deposit');
    expect(acceptsEther(analysis, program.contract('Forwarder')!)).toBeUndefined();
  });
});
