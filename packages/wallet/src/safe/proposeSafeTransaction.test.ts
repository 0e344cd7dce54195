import { hashSafeTransaction, safeTransactionArgs } from '@bulwark/chain';
import { deploySafe, type ResponderTestChain, startResponderChain } from '@bulwark/monitor/responder/testing';
import { encodeFunctionData, getAddress, numberToHex, parseAbi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLocalKeySigner } from '../signers/localKey.ts';
import { signAllowed } from '../signers/signer.ts';
import { proposeSafeTransaction, safeSignatures } from './proposeSafeTransaction.ts';

const execAbi = parseAbi([
  'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool)',
]);

let chain: ResponderTestChain;
const ownerKeys = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()];
const owners = ownerKeys.map((key) => privateKeyToAccount(key));
beforeAll(async () => {
  chain = await startResponderChain();
});
afterAll(() => chain?.stop());

describe('proposeSafeTransaction', () => {
  test('default: the local SafeTx hash equals a real Safe 1.4.1’s getTransactionHash; two owners sign through the gate and the Safe executes', async () => {
    const safe = await deploySafe(chain, { owners, threshold: 2 });
    await chain.rpc('anvil_setBalance', [safe.address, numberToHex(parseEther('5'))]);
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const proposal = await proposeSafeTransaction(chain.client, {
      safe: safe.address,
      intent: { to: recipient, value: parseEther('1') },
    });
    expect(proposal).toMatchObject({ chainId: 31337, version: '1.4.1', threshold: 2, safe: getAddress(safe.address) });
    expect(proposal.safeTxHash).toBe(
      hashSafeTransaction({ chainId: 31337, safe: safe.address, transaction: proposal.transaction, version: '1.4.1' }),
    );
    const authorization = { action: 'allow' as const, requestDigest: proposal.safeTxHash };
    const signed = await Promise.all(
      ownerKeys
        .slice(0, 2)
        .map((privateKey) => signAllowed(authorization, createLocalKeySigner({ privateKey }), proposal.payload)),
    );
    const tx = proposal.transaction;
    const hash = await chain.deployer.sendTransaction({
      to: safe.address,
      data: encodeFunctionData({
        abi: execAbi,
        functionName: 'execTransaction',
        args: [
          ...(safeTransactionArgs(tx).slice(0, 9) as unknown as readonly unknown[]),
          safeSignatures(proposal, signed),
        ] as never,
      }),
    } as never);
    await chain.mine();
    expect((await chain.client.getTransactionReceipt({ hash })).status).toBe('success');
    expect(await chain.client.getBalance({ address: recipient })).toBe(parseEther('1'));
  });

  test('behavior: every parameter is in the hash, and a delegatecall or another nonce agrees with the contract too', async () => {
    const safe = await deploySafe(chain, { owners, threshold: 1 });
    const base = { to: owners[0]!.address, value: 3n, data: '0x1234' as const };
    const hashes = new Set<string>();
    for (const intent of [
      base,
      { ...base, operation: 1 as const },
      { ...base, safeTxGas: 1n },
      { ...base, baseGas: 1n },
      { ...base, gasPrice: 1n },
      { ...base, gasToken: owners[1]!.address },
      { ...base, refundReceiver: owners[2]!.address },
      { ...base, nonce: 9n },
    ]) {
      // proposeSafeTransaction throws when its hash differs from getTransactionHash.
      hashes.add((await proposeSafeTransaction(chain.client, { safe: safe.address, intent })).safeTxHash);
    }
    expect(hashes.size).toBe(8);
  });

  test('error: too few signatures, a non-owner, a signature for another hash are refused', async () => {
    const safe = await deploySafe(chain, { owners, threshold: 2 });
    const proposal = await proposeSafeTransaction(chain.client, {
      safe: safe.address,
      intent: { to: owners[0]!.address },
    });
    const allow = { action: 'allow' as const, requestDigest: proposal.safeTxHash };
    const one = await signAllowed(allow, createLocalKeySigner({ privateKey: ownerKeys[0]! }), proposal.payload);
    const stranger = await signAllowed(
      allow,
      createLocalKeySigner({ privateKey: generatePrivateKey() }),
      proposal.payload,
    );
    expect(() => safeSignatures(proposal, [one])).toThrow(/1 of the 2 owner signatures/);
    expect(() => safeSignatures(proposal, [one, stranger])).toThrow(/is not an owner/);
    expect(() => safeSignatures(proposal, [one, one])).toThrow(/signed twice/);
    expect(() => safeSignatures(proposal, [{ ...one, digest: `0x${'00'.repeat(32)}` }])).toThrow(/not for 0x/);
    await expect(
      proposeSafeTransaction(chain.client, { safe: owners[0]!.address, intent: { to: owners[0]!.address } }),
    ).rejects.toMatchObject({
      name: 'SafeTransactionError',
    });
  });
});
