import { listResponderActions } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import type { Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createResponder } from './createResponder.ts';
import { createPauseResponder, type PauseResponder } from './pauseSender.ts';
import { createSafeProposer, type SafeProposer } from './safeProposal.ts';
import {
  deploySafe,
  openTestIncident,
  type ResponderTestChain,
  safeArtifacts,
  startResponderChain,
} from './testing.ts';

const haveSafe = safeArtifacts() !== undefined;

describeStore('responder routing', (ctx) => {
  let chain: ResponderTestChain;
  beforeAll(async () => {
    chain = await startResponderChain();
  });
  afterAll(async () => {
    await chain?.stop();
  });

  test.runIf(haveSafe)(
    'default: a Safe-guarded contract gets a proposal, a key-guarded one a pause, any other a recorded refusal',
    async () => {
      const { account } = await chain.newGuardian();
      const owners = [privateKeyToAccount(generatePrivateKey()), privateKeyToAccount(generatePrivateKey())];
      const safe = await deploySafe(chain, { owners, threshold: 1 });
      const direct = await chain.deployPausable(account.address);
      const multisig = await chain.deployPausable(safe.address);
      const stranger = await chain.deployPausable(account.address);
      const pause = createPauseResponder({
        client: chain.client,
        account,
        store: ctx.store,
        chainId: foundry.id,
        allowed: [direct],
        pollingIntervalMs: 20,
        onStep: (step) => {
          if (step.status === 'sent') void chain.mine();
        },
      });
      const proposer = createSafeProposer({
        client: chain.client,
        store: ctx.store,
        chainId: foundry.id,
        allowed: [{ contract: multisig, safe: safe.address }],
      });
      const responder = createResponder({ pause: [pause], safe: [proposer] });
      const ask = async (contract: Address) => {
        const incident = await openTestIncident(ctx.store, contract);
        return responder.respond({
          incidentId: incident.id,
          chainId: foundry.id,
          contract,
          reason: 'score 0.99',
          dryRun: false,
        });
      };

      expect(await ask(direct)).toMatchObject({ kind: 'pause', status: 'verified' });
      expect(await ask(multisig)).toMatchObject({ kind: 'safe-proposal', status: 'proposed' });
      const refused = await ask(stranger);
      expect(refused).toMatchObject({ kind: 'pause', status: 'refused' });
      expect(await listResponderActions(ctx.store, { incidentId: refused.incidentId })).toMatchObject([
        { status: 'refused' },
      ]);
      expect(await chain.paused(direct)).toBe(true);
      expect(await chain.paused(multisig)).toBe(false);
      expect(await chain.paused(stranger)).toBe(false);
      await expect(
        responder.respond({
          incidentId: refused.incidentId,
          chainId: 5,
          contract: stranger,
          reason: 'x',
          dryRun: false,
        }),
      ).rejects.toThrow(/nothing is configured for chain 5/);
    },
  );
});

test('error: ambiguous or empty routing is refused at creation', () => {
  const contract = '0x00000000000000000000000000000000000000aa' as Address;
  const pause = { chainId: 1, allowed: [contract], handles: () => true } as unknown as PauseResponder;
  const safe = { chainId: 1, allowed: [], handles: (c: Address) => c === contract } as unknown as SafeProposer;
  expect(() => createResponder({})).toThrow(/configure a pause responder or a Safe proposer/);
  expect(() => createResponder({ pause: [pause, pause] })).toThrow(/two pause responders for chain 1/);
  expect(() => createResponder({ pause: [pause], safe: [safe] })).toThrow(
    /allowed both for a direct pause and a Safe proposal/,
  );
});
