import { describe, expect, test } from 'vitest';
import { profileOf } from './contractProfile.ts';
import { authorityVariables, criticalPowers, powerLabel, powersOf } from './powers.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  interface IERC20 { function transfer(address to, uint v) external returns (bool); function transferFrom(address f, address t, uint v) external returns (bool); }
  interface IMintable { function mint(address to, uint v) external; }
  library Address { function sendValue(address payable to, uint v) internal { (bool ok, ) = to.call{value: v}(""); require(ok); } }
  contract Treasury {
    using Address for address payable;
    address owner;
    address guardian;
    bool paused;
    uint fee;
    IERC20 token;
    IMintable minted;
    mapping(address => uint) balances;
    mapping(address => uint) deposits;
    modifier onlyOwner() { require(msg.sender == owner); _; }
    modifier onlyGuardian() { require(msg.sender == guardian); _; }
    function deposit() external payable { deposits[msg.sender] += msg.value; }
    function withdraw(uint v) external { require(!paused); balances[msg.sender] -= v; balances[address(0)] += v; }
    function sweep(address payable to) external onlyOwner { to.transfer(address(this).balance); }
    function sweepTokens(address to) external onlyOwner { token.transfer(to, 1); }
    function pullFromOwner(uint v) external onlyOwner { token.transferFrom(msg.sender, address(this), v); }
    function refund(address payable payee) external onlyOwner { uint p = deposits[payee]; deposits[payee] = 0; payee.sendValue(p); }
    function exec(address target, bytes calldata data) external onlyOwner { (bool ok, ) = target.call(data); ok; }
    function mintTo(address to) external onlyOwner { minted.mint(to, 1); }
    function credit(address to, uint v) external onlyOwner { balances[to] += v; }
    function seize(address from, uint v) external onlyOwner { balances[from] -= v; }
    function kill() external onlyOwner { selfdestruct(payable(owner)); }
    function pause(bool p) external onlyGuardian { paused = p; }
    function setOwner(address o) external onlyOwner { owner = o; }
    function setFee(uint f) external onlyOwner { fee = f; }
  }`);
const treasury = program.contract('Treasury')!;
const profile = profileOf(analysis, treasury);
const powers = (name: string) =>
  powersOf(analysis, profile, functionNamed(program, 'Treasury', name)).map((p) =>
    p.variable ? `${p.kind}:${p.variable.name}` : p.kind,
  );

describe('powersOf', () => {
  test('what each privileged entry can do', () => {
    expect(
      Object.fromEntries(
        ['sweep', 'sweepTokens', 'exec', 'mintTo', 'credit', 'seize', 'kill', 'pause', 'setOwner', 'setFee'].map(
          (n) => [n, powers(n)],
        ),
      ),
    ).toEqual({
      sweep: ['funds'],
      sweepTokens: ['funds'],
      exec: ['call'],
      mintTo: ['mint'],
      credit: ['mint:balances'],
      seize: ['burn:balances'],
      kill: ['selfdestruct'],
      pause: ['pause:paused'],
      setOwner: ['admin:owner'],
      setFee: ['config:fee'],
    });
  });

  test('pulling tokens from the caller, or paying a payee the entry it settles, moves nobody else’s funds', () => {
    expect(powers('pullFromOwner')).toEqual([]);
    expect(powers('refund')).toEqual([]);
  });
});

describe('authorityVariables', () => {
  test('every address checked against the caller, in any entry', () => {
    expect([...authorityVariables(analysis, profile)].map((v) => v.name).sort()).toEqual(['guardian', 'owner']);
  });
});

describe('criticalPowers and powerLabel', () => {
  test('settings and hand-over are not critical; every kind has a label', () => {
    expect(criticalPowers.has('config')).toBe(false);
    expect(criticalPowers.has('admin')).toBe(false);
    expect(criticalPowers.has('funds')).toBe(true);
    expect(Object.keys(powerLabel).length).toBe(9);
  });
});
