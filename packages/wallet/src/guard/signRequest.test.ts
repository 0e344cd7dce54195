import { listLog, type StoreClient, verifyLog } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { decodeFunctionData, erc20Abi, getAddress, parseTransaction, recoverTransactionAddress } from 'viem';
import { expect, test } from 'vitest';
import { approveRequest } from '../approvals/approveRequest.ts';
import { approvePolicy, proposePolicy } from '../approvals/policyChanges.ts';
import { createLocalKeySigner } from '../signers/localKey.ts';
import { WalletRefusedError } from './errors.ts';
import { signRequest } from './signRequest.ts';
import { submitRequest } from './submitRequest.ts';
import { exchange, treasuryPolicy, withdrawalRequest } from './testing.ts';

const t0 = new Date('2026-01-10T00:00:00Z');
const later = new Date(t0.getTime() + 49 * 3_600_000); // past the allowlist cool-down
const stranger = '0x7777777777777777777777777777777777777777';
const token = '0x1111111111111111111111111111111111111111';
const signer = createLocalKeySigner({ privateKey: `0x${'11'.repeat(32)}` });
const fields = { nonce: 7, gas: 60_000n, maxFeePerGas: 30_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n };

const policy = treasuryPolicy(
  [
    { id: 'allowlisted', match: { destination: 'allowlisted' }, action: 'allow' },
    { id: 'held', match: { destination: 'one-time' }, action: { requireApproval: { anyOf: [{ group: 'treasury' }] } } },
    { id: 'default-deny', match: {}, action: 'block' },
  ],
  { allowlist: [{ chain: 1, address: exchange }] },
);

async function install(store: StoreClient) {
  const { record } = await proposePolicy(store, { policy, proposer: 'heidi', now: t0 });
  await approvePolicy(store, { id: record.id, approver: 'ivan', now: t0 });
}

const reason = (promise: Promise<unknown>) =>
  promise.then(
    () => 'signed',
    (error: unknown) => (error instanceof WalletRefusedError ? error.reason : error),
  );

describeStore('signing a wallet request', (ctx) => {
  test('default: an allowed request is signed as exactly the transfer it describes, once, and logged', async () => {
    const store = await ctx.open();
    await install(store);
    const { record } = await submitRequest(store, { request: withdrawalRequest(), now: later });
    const signed = await signRequest(store, {
      id: record.id,
      signer,
      transaction: fields,
      actor: 'payout-service',
      now: later,
    });
    const transaction = parseTransaction(signed.rawTransaction!);
    expect(transaction).toMatchObject({ to: exchange, value: 50n, chainId: 1, nonce: 7 });
    expect(await recoverTransactionAddress({ serializedTransaction: signed.rawTransaction as never })).toBe(
      signer.address,
    );

    // A second signer racing on the same request is refused and its signature discarded.
    expect(
      await reason(signRequest(store, { id: record.id, signer, transaction: fields, actor: 'b', now: later })),
    ).toBe('not-pending');
    const [entry] = await listLog(store, { action: 'wallet.request.signed' });
    expect(entry?.payload).toMatchObject({
      id: record.id,
      payloadDigest: signed.digest,
      signer: { address: signer.address },
    });
    expect(await verifyLog(store)).toMatchObject({ ok: true });
  });

  test('default: an ERC-20 request becomes a transfer call on the token', async () => {
    const store = await ctx.open();
    await install(store);
    const { record } = await submitRequest(store, {
      request: withdrawalRequest({ asset: token, amount: '5' }),
      now: later,
    });
    const signed = await signRequest(store, { id: record.id, signer, transaction: fields, actor: 'svc', now: later });
    const transaction = parseTransaction(signed.rawTransaction!);
    expect(transaction.to).toBe(token);
    expect(transaction.value ?? 0n).toBe(0n);
    expect(decodeFunctionData({ abi: erc20Abi, data: transaction.data! })).toEqual({
      functionName: 'transfer',
      args: [getAddress(exchange), 5n],
    });
  });

  test('error: a held, a blocked and a concurrently signed request are refused; nothing else is signed', async () => {
    const store = await ctx.open();
    await install(store);
    const held = await submitRequest(store, { request: withdrawalRequest({ destination: stranger }), now: later });
    expect(
      await reason(signRequest(store, { id: held.record.id, signer, transaction: fields, actor: 'svc', now: later })),
    ).toBe('not-pending');
    await approveRequest(store, { id: held.record.id, approver: 'carol', digest: held.digest, now: later });
    // Two signers at once on the approved request: exactly one signature survives. The loser is
    // refused before signing (the request is no longer approved) or after (its signature discarded).
    const outcomes = await Promise.all(
      [0, 1].map(() =>
        reason(signRequest(store, { id: held.record.id, signer, transaction: fields, actor: 'svc', now: later })),
      ),
    );
    expect(outcomes.filter((o) => o === 'signed')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'signed')).toEqual([expect.stringMatching(/^(already-signed|not-pending)$/)]);
    expect(await listLog(store, { action: 'wallet.request.signed' })).toHaveLength(1);
    // Every refusal is on record, before signing or after: the held request's and the loser's.
    const refusals = await listLog(store, { action: 'wallet.request.sign.refused' });
    expect(refusals.map((entry) => (entry.payload as { reason: string }).reason).sort()).toEqual(
      ['not-pending', outcomes.find((o) => o !== 'signed')].sort(),
    );

    const blocked = await submitRequest(store, {
      request: withdrawalRequest({
        kind: 'contract-call',
        call: { target: stranger, data: '0x12345678', operation: 'delegatecall' },
      }),
      now: later,
    });
    expect(blocked.record.state).toBe('blocked');
    expect(
      await reason(
        signRequest(store, { id: blocked.record.id, signer, transaction: fields, actor: 'svc', now: later }),
      ),
    ).toBe('not-pending');
  });

  test('error: two requests signed with one account nonce: the second is refused and logged', async () => {
    const store = await ctx.open();
    await install(store);
    const first = await submitRequest(store, { request: withdrawalRequest({ reference: 'a' }), now: later });
    const second = await submitRequest(store, { request: withdrawalRequest({ reference: 'b' }), now: later });
    await signRequest(store, { id: first.record.id, signer, transaction: fields, actor: 'svc', now: later });
    expect(
      await reason(signRequest(store, { id: second.record.id, signer, transaction: fields, actor: 'svc', now: later })),
    ).toBe('nonce-taken');
    // With the next nonce it is signed.
    const next = { ...fields, nonce: fields.nonce + 1 };
    await signRequest(store, { id: second.record.id, signer, transaction: next, actor: 'svc', now: later });
    expect(await listLog(store, { action: 'wallet.request.signed' })).toHaveLength(2);
    const refusals = await listLog(store, { action: 'wallet.request.sign.refused' });
    expect(refusals.map((entry) => entry.payload)).toEqual([expect.objectContaining({ reason: 'nonce-taken' })]);
    expect(await verifyLog(store)).toMatchObject({ ok: true });
  });
});
