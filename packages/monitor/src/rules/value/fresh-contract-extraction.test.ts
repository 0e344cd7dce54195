import type { Tx } from '@bulwark/chain';
import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { createEngine } from '../../engine/engine.ts';
import { attacker, ether, frame, block as testBlock, tx, user, victim as vault } from '../testing.ts';
import { freshContractExtractionRule as rule } from './fresh-contract-extraction.ts';

// Through the engine: the rule reads the flows the engine keeps for each contract created live.
const claimer = '0x00000000000000000000000000000000000c1a1e' as Address;
const claimSelector = '0x6e8b9e2b';
const depositSelector = '0xd0e30db0';
const withdrawSelector = '0x2e1a7d4d';

const block = (number: number, transactions: Tx[]) => testBlock(number, 1_700_000_000 + number * 12, transactions);
/** `from` calls the vault through `through` (its own contract): `input` with `value` in, `out` back to `through`. */
const through = (from: Address, contract: Address, input: Hex, value = 0n, out = 0n) =>
  tx(
    from,
    frame(from, contract, {
      input: '0x12345678' as Hex,
      calls: [
        frame(contract, vault, { input, value, calls: out > 0n ? [frame(vault, contract, { value: out })] : [] }),
      ],
    }),
  );
const create = (from: Address, address: Address) =>
  tx(from, frame(from, address, { type: 'CREATE', input: '0x60806040' as Hex }));
const deposit = (from: Address, amount: bigint) =>
  tx(from, frame(from, vault, { input: depositSelector as Hex, value: amount }));
const withdraw = (from: Address, amount: bigint) =>
  tx(from, frame(from, vault, { input: withdrawSelector as Hex, calls: [frame(vault, from, { value: amount })] }));

/** An engine watching a vault that holds 100 ether, with a little learned traffic. */
function engine() {
  const engine = createEngine({
    chainId: 1,
    contracts: [{ address: vault, name: 'Vault', kind: 'vault' }],
    rules: [rule],
    learningDelayBlocks: 3,
  });
  engine.learn(block(1, [deposit(user(1), ether)]));
  engine.setBalance(vault, 'native', 100n * ether);
  return engine;
}
const signalsOf = (result: ReturnType<ReturnType<typeof engine>['process']>) =>
  result.flagged.flatMap((flagged) => flagged.signals);

describe('fresh-contract-extraction', () => {
  test('default: a contract created live that claims small sums again and again is flagged once it nets 1% of the pool, again at 2%', () => {
    const watch = engine();
    watch.process(block(10, [create(attacker, claimer)]));
    // Its bond: 0.1 ether in.
    watch.process(block(11, [through(attacker, claimer, depositSelector, ether / 10n)]));
    // Eight claims of 0.25 ether a block, each small.
    const claims = () => Array.from({ length: 8 }, () => through(attacker, claimer, claimSelector, 0n, ether / 4n));
    const first = signalsOf(watch.process(block(12, claims())));
    expect(first).toMatchObject([
      {
        ruleId: 'fresh-contract-extraction',
        stage: 'impact',
        contract: vault,
        actor: attacker,
        linked: [claimer],
        details: { recipient: claimer, asset: 'native', given: 1e17 },
      },
    ]);
    // Net 1.15 ether after the fifth claim: the first crossing of 1 ether.
    expect(first[0]!.details).toMatchObject({ taken: 1.25e18, net: 1.15e18 });
    // 0.6 at the threshold, a little more at 1.15 times it.
    expect(first[0]!.score).toBeGreaterThanOrEqual(0.6);
    expect(first[0]!.score).toBeLessThan(0.65);
    // The next block takes it past 2 ether: one more signal, stronger.
    const second = signalsOf(watch.process(block(13, claims())));
    expect(second).toHaveLength(1);
    expect(second[0]!.score).toBeGreaterThan(0.6);
  });

  test('behavior: a depositor taking back its own funds, a new contract withdrawing what it put in, and trades are not extraction', () => {
    const watch = engine();
    const whale = user(9);
    // An established account withdrawing 30% of the pool: not a new contract.
    expect(signalsOf(watch.process(block(10, [withdraw(whale, 30n * ether)])))).toEqual([]);
    // A new contract (a vault wrapper) puts in 10 ether and takes out 10.5 with its yield.
    watch.process(block(11, [create(user(2), claimer)]));
    watch.process(block(12, [through(user(2), claimer, depositSelector, 10n * ether)]));
    expect(
      signalsOf(watch.process(block(13, [through(user(2), claimer, withdrawSelector, 0n, 21n * (ether / 2n))]))),
    ).toEqual([]);
    // A new trading contract: 5 ether out, but paying in within the same transaction (a swap).
    const trader = user(3);
    watch.process(block(14, [create(user(4), trader)]));
    expect(
      signalsOf(watch.process(block(15, [through(user(4), trader, claimSelector, 4n * ether, 5n * ether)]))),
    ).toEqual([]);
  });
});
