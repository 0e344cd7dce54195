import { findAll } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { type BlockSource, blockSources, describeBlockSources } from './blockValues.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  library Time { function timestamp() internal view returns (uint48) { return uint48(block.timestamp); } }
  contract C {
    struct Round { uint start; uint seed; }
    uint seed;
    uint lastUpdate;
    uint fee;
    function _now() internal view returns (uint) { return block.timestamp; }
    function _schedule(uint t) internal view returns (uint) { return t > block.timestamp ? 1 : 2; }
    function store() external { seed = uint(blockhash(block.number - 1)); fee = 3; }
    function f(uint salt) external view returns (bool[12] memory r) {
      uint t = block.timestamp;
      uint moved = salt;
      moved = block.number;
      Round memory round;
      round.start = block.timestamp;
      bytes32 h = keccak256(abi.encode(block.prevrandao, block.coinbase));
      r = [t > 0, moved > 1, _now() > 2, Time.timestamp() > 3, _schedule(salt) > 4, round.start > 5,
           h != 0, seed > 6, lastUpdate == 0, fee > 7, salt > 8, block.gaslimit > 9];
    }
  }`);
const f = functionNamed(program, 'C', 'f');
const [array] = findAll(f.body!, (n) => n.type === 'TupleExpression' && n.isArray);
const sources = (i: number, options = {}) => [...blockSources(array!.components[i], f, analysis, options)].sort();

describe('blockSources', () => {
  test('direct, through locals (every assignment), struct fields, getters returning block values', () => {
    expect(array!.components.map((_: unknown, i: number) => [sourceText(f, array!.components[i]), sources(i)])).toEqual(
      [
        ['t > 0', ['block.timestamp']],
        ['moved > 1', ['block.number']],
        ['_now() > 2', ['block.timestamp']],
        ['Time.timestamp() > 3', ['block.timestamp']],
        ['_schedule(salt) > 4', []], // consults the time, returns something else
        ['round.start > 5', ['block.timestamp']],
        ['h != 0', ['block.coinbase', 'block.difficulty']],
        ['seed > 6', []], // state is followed only on request
        ['lastUpdate == 0', []],
        ['fee > 7', []],
        ['salt > 8', []],
        ['block.gaslimit > 9', ['block.gaslimit']],
      ],
    );
  });

  test('followState: a scalar stored from a block value elsewhere counts', () => {
    expect(sources(7, { followState: true })).toEqual(['block.number', 'blockhash']);
    expect(sources(9, { followState: true })).toEqual([]);
  });

  test('only: restricts the sources reported', () => {
    expect(sources(6, { only: new Set<BlockSource>(['block.coinbase']) })).toEqual(['block.coinbase']);
  });

  test('0.4 `now` and `block.blockhash`; a local named `now` is not the time', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old {
        function f() public view returns (bool) { return now > 1 && uint(block.blockhash(block.number)) > 0; }
        function g(uint now) public pure returns (bool) { return now > 1; }
      }`);
    const ask = (name: string) => {
      const fn = functionNamed(p, 'Old', name);
      const [ret] = findAll(fn.body!, 'ReturnStatement');
      return [...blockSources(ret!.expression, fn, a)].sort();
    };
    expect(ask('f')).toEqual(['block.number', 'block.timestamp', 'blockhash']);
    expect(ask('g')).toEqual([]);
  });

  test('a local assigned from itself in a loop does not recurse forever', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      contract L { function f(uint n) external view returns (uint x) { x = block.number; for (uint i; i < n; i++) x = x + i; return x; } }`);
    const fn = functionNamed(p, 'L', 'f');
    const [ret] = findAll(fn.body!, 'ReturnStatement');
    expect([...blockSources(ret!.expression, fn, a)]).toEqual(['block.number']);
  });
});

describe('describeBlockSources', () => {
  test('lists the sources in order', () => {
    expect(describeBlockSources(new Set<BlockSource>(['block.timestamp', 'block.number']))).toBe(
      'block.timestamp, block.number',
    );
    expect(describeBlockSources(new Set())).toBe('');
  });
});
