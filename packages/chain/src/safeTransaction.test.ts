import { type Address, getAddress, type Hex, hashTypedData, zeroAddress } from 'viem';
import { describe, expect, test } from 'vitest';
import {
  hashSafeTransaction,
  type SafeTransaction,
  safeDomainHasChainId,
  safeLegacyDomainTypehash,
  safeTransactionTypedData,
  safeTxTypehash,
  safeTxTypehashV100,
} from './safeTransaction.ts';

const safe = getAddress('0x1111111111111111111111111111111111111111') as Address;
const transfer: SafeTransaction = {
  to: getAddress('0x2222222222222222222222222222222222222222'),
  value: 10n ** 18n,
  data: '0xa9059cbb0000000000000000000000003333333333333333333333333333333333333333000000000000000000000000000000000000000000000000000000000000002a' as Hex,
  operation: 1,
  safeTxGas: 50_000n,
  baseGas: 21_000n,
  gasPrice: 7n,
  gasToken: zeroAddress,
  refundReceiver: getAddress('0x4444444444444444444444444444444444444444'),
  nonce: 12n,
};

describe('hashSafeTransaction', () => {
  test('default: equals viem’s EIP-712 hash of the typed data, for Safe ≥ 1.3 and the 1.0–1.2 domain', () => {
    for (const version of ['1.4.1', '1.3.0', '1.2.0', '1.1.1', '1.0.0']) {
      const typed = safeTransactionTypedData({ chainId: 137, safe, transaction: transfer, version });
      expect(hashSafeTransaction({ chainId: 137, safe, transaction: transfer, version })).toBe(hashTypedData(typed));
    }
  });

  test('behavior: the chain id changes the hash from 1.3.0 on, and not before', () => {
    const at = (chainId: number, version: string) =>
      hashSafeTransaction({ chainId, safe, transaction: transfer, version });
    expect(at(1, '1.4.1')).not.toBe(at(10, '1.4.1'));
    expect(at(1, '1.2.0')).toBe(at(10, '1.2.0'));
    expect(at(1, '1.2.0')).not.toBe(at(1, '1.3.0'));
    expect(at(1, '1.0.0')).not.toBe(at(1, '1.1.1'));
    expect(safeDomainHasChainId('1.3.0')).toBe(true);
    expect(safeDomainHasChainId('2.0.0')).toBe(true);
    expect(safeDomainHasChainId('1.2.0')).toBe(false);
  });

  test('behavior: type hashes are the constants of the Safe contracts', () => {
    // SAFE_TX_TYPEHASH of Safe 1.1.0+ and of 1.0.0 (dataGas), DOMAIN_SEPARATOR_TYPEHASH of 1.0–1.2.
    expect(safeTxTypehash).toBe('0xbb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8');
    expect(safeTxTypehashV100).toBe('0x14d461bc7412367e924637b363c7bf29b8f47e2f84869f4426e5633d8af47b20');
    expect(safeLegacyDomainTypehash).toBe('0x035aff83d86937d35b32e04f0ddc6ff469290eef2f1b692d8a815c89404d4749');
  });
});
