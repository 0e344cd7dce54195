import { safeTransactionArgs } from '@bulwark/chain';
import { sendAndConfirm } from '@bulwark/contracts';
import { getIncidentTimeline, listResponderActions } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import {
  type Address,
  concat,
  encodeFunctionData,
  getAddress,
  type Hex,
  hashTypedData,
  recoverAddress,
  zeroAddress,
} from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CapturedRequest, startHttpReceiver } from '../sinks/testing.ts';
import {
  createSafeProposer,
  hashSafeTransaction,
  type SafeProposalNotice,
  type SafeTransaction,
  safePauseTransaction,
  safeTxTypehash,
} from './safeProposal.ts';
import {
  deploySafe,
  openTestIncident,
  type ResponderTestChain,
  safeArtifacts,
  startResponderChain,
  type TestSafe,
} from './testing.ts';

const safeTxTypes = {
  SafeTx: [
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'data', type: 'bytes' },
    { name: 'operation', type: 'uint8' },
    { name: 'safeTxGas', type: 'uint256' },
    { name: 'baseGas', type: 'uint256' },
    { name: 'gasPrice', type: 'uint256' },
    { name: 'gasToken', type: 'address' },
    { name: 'refundReceiver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;

/** viem's EIP-712 implementation, independent of `hashSafeTransaction`'s hand-laid encoding. */
const viemSafeTxHash = (chainId: number, safe: Address, message: SafeTransaction) =>
  hashTypedData({ domain: { chainId, verifyingContract: safe }, types: safeTxTypes, primaryType: 'SafeTx', message });

describe('hashSafeTransaction', () => {
  test('default: equals viem’s EIP-712 hash of the SafeTx, for the pause and for arbitrary fields', () => {
    const safe = '0x1c511b88cd8a0d5f3d4c3e8b6b1c2d3e4f506172' as Address;
    const pause = safePauseTransaction({ contract: '0x00000000000000000000000000000000000000aa', nonce: 7n });
    expect(hashSafeTransaction({ chainId: 1, safe, transaction: pause })).toBe(viemSafeTxHash(1, safe, pause));
    const other: SafeTransaction = {
      to: '0x00000000000000000000000000000000000000bb',
      value: 123n,
      data: '0xdeadbeef00',
      operation: 1,
      safeTxGas: 50_000n,
      baseGas: 21_000n,
      gasPrice: 3n,
      gasToken: '0x00000000000000000000000000000000000000cc',
      refundReceiver: '0x00000000000000000000000000000000000000dd',
      nonce: 2n ** 200n,
    };
    expect(hashSafeTransaction({ chainId: 8453, safe, transaction: other })).toBe(viemSafeTxHash(8453, safe, other));
    // The chain is part of the domain: the same proposal on another chain is another hash.
    expect(hashSafeTransaction({ chainId: 10, safe, transaction: pause })).not.toBe(viemSafeTxHash(1, safe, pause));
    expect(safeTxTypehash).toBe('0xbb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8');
  });

  test('default: the pause transaction is pause() with every other field zero', () => {
    expect(safePauseTransaction({ contract: '0x00000000000000000000000000000000000000aa', nonce: 3n })).toEqual({
      to: getAddress('0x00000000000000000000000000000000000000aa'),
      value: 0n,
      data: '0x8456cb59',
      operation: 0,
      safeTxGas: 0n,
      baseGas: 0n,
      gasPrice: 0n,
      gasToken: zeroAddress,
      refundReceiver: zeroAddress,
      nonce: 3n,
    });
  });
});

const haveSafe = safeArtifacts() !== undefined;

describeStore('safe proposer', (ctx) => {
  let chain: ResponderTestChain;
  let owners: PrivateKeyAccount[];
  let safe: TestSafe;
  beforeAll(async () => {
    chain = await startResponderChain();
    owners = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()));
    if (haveSafe) safe = await deploySafe(chain, { owners, threshold: 2 });
  });
  afterAll(async () => {
    await chain?.stop();
  });

  const request = (incidentId: string, contract: Address, dryRun = false) => ({
    incidentId,
    chainId: foundry.id,
    contract,
    reason: 'oracle price moved 40% in one block',
    dryRun,
  });

  async function safeSignatures(
    hash: Hex,
    signers: PrivateKeyAccount[],
    extra: { signer: Address; signature: Hex }[] = [],
  ) {
    const all = [
      ...extra,
      ...(await Promise.all(signers.map(async (s) => ({ signer: s.address, signature: await s.sign({ hash }) })))),
    ];
    // Safe wants them ordered by owner address, ascending.
    all.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    return concat(all.map((s) => s.signature));
  }

  test.runIf(haveSafe)(
    'default: records, signs, posts and announces the proposal; its hash is the Safe’s; the owners’ signatures pause the contract',
    async () => {
      const vault = await chain.deployPausable(safe.address);
      const incident = await openTestIncident(ctx.store, vault);
      const receiver = await startHttpReceiver(() => ({ status: 201, body: '' }));
      const notices: SafeProposalNotice[] = [];
      try {
        const proposer = createSafeProposer({
          client: chain.client,
          store: ctx.store,
          chainId: foundry.id,
          allowed: [{ contract: vault, safe: safe.address }],
          proposer: owners[0],
          serviceUrl: `${receiver.url}/tx-service/`,
          serviceApiKey: 'safe-api-key-0123456789',
          notify: (notice) => {
            notices.push(notice);
          },
        });
        const outcome = await proposer.propose(request(incident.id, vault));

        expect(outcome).toMatchObject({
          status: 'proposed',
          posted: true,
          notified: true,
          threshold: 2,
          error: undefined,
        });
        expect(outcome.owners).toEqual(owners.map((o) => o.address));
        const nonce = (await chain.client.readContract({
          address: safe.address,
          abi: safe.abi,
          functionName: 'nonce',
        })) as bigint;
        expect(outcome.transaction).toEqual(safePauseTransaction({ contract: vault, nonce }));
        // The hash: ours, viem's, and the Safe's own getTransactionHash agree.
        const tx = outcome.transaction!;
        const onChain = await chain.client.readContract({
          address: safe.address,
          abi: safe.abi,
          functionName: 'getTransactionHash',
          args: safeTransactionArgs(tx),
        });
        expect(outcome.safeTxHash).toBe(onChain);
        expect(outcome.safeTxHash).toBe(viemSafeTxHash(foundry.id, safe.address, tx));
        expect(await recoverAddress({ hash: outcome.safeTxHash!, signature: outcome.signature! })).toBe(
          owners[0].address,
        );

        // Recorded on the incident: the proposal, then the notice.
        const actions = await listResponderActions(ctx.store, { incidentId: incident.id });
        expect(actions.map((a) => [a.kind, a.status])).toEqual([
          ['safe-proposal', 'proposed'],
          ['notify', 'sent'],
        ]);
        expect(actions[0]).toMatchObject({ dryRun: false, txHash: null, address: vault.toLowerCase() });
        expect(actions[0].data).toMatchObject({
          safe: safe.address,
          safeTxHash: outcome.safeTxHash,
          safeVersion: '1.4.1',
          threshold: 2,
          proposerIsOwner: true,
          transaction: {
            to: getAddress(vault),
            value: '0',
            data: '0x8456cb59',
            operation: 0,
            safeTxGas: '0',
            baseGas: '0',
            gasPrice: '0',
            gasToken: zeroAddress,
            refundReceiver: zeroAddress,
            nonce: String(nonce),
          },
          signatures: [{ signer: owners[0].address, signature: outcome.signature }],
          service: { posted: true },
        });
        expect(actions[1].data).toMatchObject({ proposalId: actions[0].id, safeTxHash: outcome.safeTxHash });

        // What the Transaction Service received.
        expect(receiver.requests).toHaveLength(1);
        const [posted] = receiver.requests as CapturedRequest[];
        expect(posted.method).toBe('POST');
        expect(posted.url).toBe(`/tx-service/api/v1/safes/${safe.address}/multisig-transactions/`);
        expect(posted.headers.authorization).toBe('Bearer safe-api-key-0123456789');
        expect(posted.headers['content-type']).toBe('application/json');
        expect(JSON.parse(posted.body)).toEqual({
          safe: safe.address,
          to: getAddress(vault),
          value: '0',
          data: '0x8456cb59',
          operation: 0,
          safeTxGas: '0',
          baseGas: '0',
          gasPrice: '0',
          gasToken: zeroAddress,
          refundReceiver: zeroAddress,
          nonce: String(nonce),
          contractTransactionHash: outcome.safeTxHash,
          sender: owners[0].address,
          signature: outcome.signature,
          origin: 'Bulwark',
        });

        // What the signers were told.
        expect(notices).toHaveLength(1);
        expect(notices[0]).toMatchObject({
          incidentId: incident.id,
          safe: safe.address,
          safeTxHash: outcome.safeTxHash,
          threshold: 2,
          nonce: String(nonce),
          posted: true,
        });
        expect(notices[0].summary).toContain('2 of 3 owners');
        expect(notices[0].service).not.toContain('safe-api-key');

        // Nothing was sent on chain; a second owner's signature with the proposer's executes it.
        expect(await chain.pendingCount()).toBe(0);
        expect(await chain.paused(vault)).toBe(false);
        const signatures = await safeSignatures(
          outcome.safeTxHash!,
          [owners[2]],
          [{ signer: owners[0].address, signature: outcome.signature! }],
        );
        await sendAndConfirm(chain.deployer, chain.client, {
          to: safe.address,
          data: encodeFunctionData({
            abi: safe.abi,
            functionName: 'execTransaction',
            args: [
              tx.to,
              tx.value,
              tx.data,
              tx.operation,
              tx.safeTxGas,
              tx.baseGas,
              tx.gasPrice,
              tx.gasToken,
              tx.refundReceiver,
              signatures,
            ],
          }),
          mine: true,
        });
        expect(await chain.paused(vault)).toBe(true);
        expect(await chain.client.readContract({ address: safe.address, abi: safe.abi, functionName: 'nonce' })).toBe(
          nonce + 1n,
        );

        // Once paused, a new proposal is not needed.
        const again = await proposer.propose(request(incident.id, vault));
        expect(again).toMatchObject({ status: 'already-paused', posted: false, notified: false });
        expect(receiver.requests).toHaveLength(1);
      } finally {
        await receiver.close();
      }
    },
  );

  test.runIf(haveSafe)(
    'behavior: a dry run records the proposal as planned; nothing is signed, posted or announced',
    async () => {
      const vault = await chain.deployPausable(safe.address);
      const incident = await openTestIncident(ctx.store, vault);
      const receiver = await startHttpReceiver(() => ({ status: 201 }));
      const notices: SafeProposalNotice[] = [];
      try {
        const proposer = createSafeProposer({
          client: chain.client,
          store: ctx.store,
          chainId: foundry.id,
          allowed: [{ contract: vault, safe: safe.address }],
          proposer: owners[1],
          serviceUrl: receiver.url,
          notify: (notice) => {
            notices.push(notice);
          },
        });
        const outcome = await proposer.propose(request(incident.id, vault, true));
        expect(outcome).toMatchObject({
          status: 'planned',
          dryRun: true,
          signature: undefined,
          posted: false,
          notified: false,
        });
        expect(outcome.safeTxHash).toMatch(/^0x[0-9a-f]{64}$/);
        expect(receiver.requests).toHaveLength(0);
        expect(notices).toHaveLength(0);
        const actions = await listResponderActions(ctx.store, { incidentId: incident.id });
        expect(actions.map((a) => [a.kind, a.status, a.dryRun])).toEqual([['safe-proposal', 'planned', true]]);
        expect(actions[0].data).toMatchObject({ safeTxHash: outcome.safeTxHash, transaction: { data: '0x8456cb59' } });
      } finally {
        await receiver.close();
      }
    },
  );

  test.runIf(haveSafe)(
    'error: a Safe that is not the guardian fails with the revert; nothing is proposed',
    async () => {
      const vault = await chain.deployPausable(zeroAddress);
      const incident = await openTestIncident(ctx.store, vault);
      const notices: SafeProposalNotice[] = [];
      const proposer = createSafeProposer({
        client: chain.client,
        store: ctx.store,
        chainId: foundry.id,
        allowed: [{ contract: vault, safe: safe.address }],
        notify: (notice) => {
          notices.push(notice);
        },
      });
      const outcome = await proposer.propose(request(incident.id, vault));
      expect(outcome).toMatchObject({ status: 'failed', error: { name: 'PauseSimulationError' } });
      expect(outcome.error!.message).toContain(`NotGuardianOrAdmin(${safe.address})`);
      expect(notices).toHaveLength(0);
      const actions = await listResponderActions(ctx.store, { incidentId: incident.id });
      expect(actions.map((a) => [a.kind, a.status])).toEqual([['safe-proposal', 'failed']]);
    },
  );

  test('error: a contract not in `allowed` is refused and recorded', async () => {
    const vault = await chain.deployPausable(zeroAddress);
    const incident = await openTestIncident(ctx.store, vault);
    const proposer = createSafeProposer({ client: chain.client, store: ctx.store, chainId: foundry.id, allowed: [] });
    expect(proposer.handles(vault)).toBe(false);
    const outcome = await proposer.propose(request(incident.id, vault));
    expect(outcome).toMatchObject({ status: 'refused', error: { name: 'PauseRefusedError' } });
    const timeline = await getIncidentTimeline(ctx.store, incident.id);
    expect(timeline.at(-1)).toMatchObject({
      kind: 'responder-action',
      data: { kind: 'safe-proposal', status: 'refused' },
    });
  });

  test('error: an address that is not a Safe is named as such', async () => {
    const vault = await chain.deployPausable(zeroAddress);
    const notASafe = await chain.deployPausable(zeroAddress);
    const incident = await openTestIncident(ctx.store, vault);
    const proposer = createSafeProposer({
      client: chain.client,
      store: ctx.store,
      chainId: foundry.id,
      allowed: [{ contract: vault, safe: notASafe }],
    });
    const outcome = await proposer.propose(request(incident.id, vault));
    expect(outcome).toMatchObject({ status: 'failed', error: { name: 'SafeProposalError' } });
    expect(outcome.error!.message).toMatch(/does not answer .* as a Safe does/);
  });

  test.runIf(haveSafe)(
    'error: a failing Transaction Service is retried on 5xx, not on 4xx; the proposal stands and no key leaks',
    async () => {
      const apiKey = 'sk_live_abcdefghijklmnop0123';
      const urlKey = '0123456789abcdef0123456789abcdef';
      for (const [status, expectedRequests, retryable] of [
        [503, 3, true],
        [422, 1, false],
      ] as const) {
        const vault = await chain.deployPausable(safe.address);
        const incident = await openTestIncident(ctx.store, vault);
        const receiver = await startHttpReceiver((req) => ({
          status,
          body: `{"detail":"bad ${req.url} ${req.headers.authorization}"}`,
        }));
        const notices: SafeProposalNotice[] = [];
        try {
          const proposer = createSafeProposer({
            client: chain.client,
            store: ctx.store,
            chainId: foundry.id,
            allowed: [{ contract: vault, safe: safe.address }],
            proposer: owners[0],
            serviceUrl: `${receiver.url}/v3/${urlKey}`,
            serviceApiKey: apiKey,
            serviceTimeoutMs: 2_000,
            notify: (notice) => {
              notices.push(notice);
            },
          });
          const outcome = await proposer.propose(request(incident.id, vault));
          expect(outcome).toMatchObject({ status: 'proposed', posted: false, notified: true });
          expect(outcome.serviceError).toMatchObject({ name: 'SafeProposalError', status, retryable });
          expect(receiver.requests).toHaveLength(expectedRequests);
          expect(notices[0].posted).toBe(false);
          const actions = await listResponderActions(ctx.store, { incidentId: incident.id });
          expect(actions[0].data).toMatchObject({ service: { posted: false } });
          const texts = [
            outcome.serviceError!.message,
            JSON.stringify(outcome.serviceError),
            JSON.stringify(actions),
            JSON.stringify(notices),
          ];
          for (const text of texts) {
            expect(text).not.toContain(apiKey);
            expect(text).not.toContain(urlKey);
          }
        } finally {
          await receiver.close();
        }
      }
    },
  );

  test.runIf(haveSafe)(
    'behavior: a notify callback that throws is recorded as a failed notice; the proposal stands',
    async () => {
      const vault = await chain.deployPausable(safe.address);
      const incident = await openTestIncident(ctx.store, vault);
      const proposer = createSafeProposer({
        client: chain.client,
        store: ctx.store,
        chainId: foundry.id,
        allowed: [{ contract: vault, safe: safe.address }],
        notify: () => {
          throw new Error('slack: 500');
        },
      });
      const outcome = await proposer.propose(request(incident.id, vault));
      expect(outcome).toMatchObject({
        status: 'proposed',
        notified: false,
        notifyError: 'slack: 500',
        signature: undefined,
      });
      const actions = await listResponderActions(ctx.store, { incidentId: incident.id });
      expect(actions.map((a) => [a.kind, a.status])).toEqual([
        ['safe-proposal', 'proposed'],
        ['notify', 'failed'],
      ]);
    },
  );
});

test('error: a service URL without a proposer key, or a bad allowed entry, is refused at creation', () => {
  const base = { client: {} as never, store: {} as never, chainId: 1, allowed: [] };
  expect(() => createSafeProposer({ ...base, serviceUrl: 'https://safe-transaction-mainnet.safe.global' })).toThrow(
    /`serviceUrl` needs `proposer`/,
  );
  expect(() => createSafeProposer({ ...base, allowed: [{ contract: '0x12' as Address, safe: zeroAddress }] })).toThrow(
    /allowed\[0\] needs a `contract` and a `safe` address/,
  );
});
