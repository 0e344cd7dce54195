import {
  type Address,
  concat,
  encodeAbiParameters,
  type Hex,
  keccak256,
  parseAbi,
  stringToBytes,
  type TypedDataDefinition,
} from 'viem';

/*
 * The Safe transaction and the hash its owners sign (`safeTxHash`), in one place for the monitor's
 * pause proposals and the wallet guard's Safe signer and preview. The hash is laid out by hand (as
 * the contract does) and tested against viem's EIP-712 code and a real Safe's `getTransactionHash`.
 */

/** A Safe transaction, as `execTransaction` and `getTransactionHash` take it. */
export type SafeTransaction = {
  to: Address;
  value: bigint;
  data: Hex;
  /** 0 call, 1 delegatecall. */
  operation: 0 | 1;
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: Address;
  refundReceiver: Address;
  nonce: bigint;
};

/** keccak256 of `EIP712Domain(uint256 chainId,address verifyingContract)`: the domain of Safe ≥ 1.3.0. */
export const safeDomainTypehash = keccak256(stringToBytes('EIP712Domain(uint256 chainId,address verifyingContract)'));

/** keccak256 of `EIP712Domain(address verifyingContract)`: Safe 1.0.0–1.2.0 left the chain id out. */
export const safeLegacyDomainTypehash = keccak256(stringToBytes('EIP712Domain(address verifyingContract)'));

const safeTxFields =
  'address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce';

/** keccak256 of the `SafeTx(...)` type of Safe 1.1.0 and later. */
export const safeTxTypehash = keccak256(stringToBytes(`SafeTx(${safeTxFields})`));

/** Safe 1.0.0 called `baseGas` `dataGas`; same position, same type, another type hash. */
export const safeTxTypehashV100 = keccak256(stringToBytes(`SafeTx(${safeTxFields.replace('baseGas', 'dataGas')})`));

/** The Safe views the proposer and the wallet guard read. */
export const safeAbi = parseAbi([
  'function nonce() view returns (uint256)',
  'function VERSION() view returns (string)',
  'function getThreshold() view returns (uint256)',
  'function getOwners() view returns (address[])',
  'function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)',
]);

/**
 * The SafeTx fields in the order the Safe's `getTransactionHash` takes them; `execTransaction`
 * takes the first nine (no nonce: it uses its own) followed by the signatures.
 */
export function safeTransactionArgs(tx: SafeTransaction) {
  return [
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
    tx.nonce,
  ] as const;
}

export type HashSafeTransactionParameters = {
  chainId: number;
  safe: Address;
  transaction: SafeTransaction;
  /** The Safe's `VERSION()`; default `1.3.0`. Below 1.3.0 the domain has no chain id; 1.0.0 says `dataGas`. */
  version?: string | undefined;
};

/** Whether a Safe of this `VERSION()` puts the chain id in its EIP-712 domain (1.3.0 and later). */
export function safeDomainHasChainId(version = '1.3.0'): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return major > 1 || (major === 1 && minor >= 3);
}

/**
 * The EIP-712 hash owners sign (`safeTxHash`), as the Safe computes it:
 * keccak256(0x1901 ‖ domainSeparator ‖ keccak256(abi.encode(SAFE_TX_TYPEHASH, …, keccak256(data), …))).
 */
export function hashSafeTransaction(parameters: HashSafeTransactionParameters): Hex {
  const { transaction: tx, version } = parameters;
  const domainSeparator = safeDomainHasChainId(version)
    ? keccak256(
        encodeAbiParameters(
          [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
          [safeDomainTypehash, BigInt(parameters.chainId), parameters.safe],
        ),
      )
    : keccak256(
        encodeAbiParameters([{ type: 'bytes32' }, { type: 'address' }], [safeLegacyDomainTypehash, parameters.safe]),
      );
  const [to, value, data, ...rest] = safeTransactionArgs(tx);
  const structHash = keccak256(
    encodeAbiParameters(
      [
        { type: 'bytes32' },
        { type: 'address' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'uint8' },
        { type: 'uint256' },
        { type: 'uint256' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint256' },
      ],
      [version === '1.0.0' ? safeTxTypehashV100 : safeTxTypehash, to, value, keccak256(data), ...rest],
    ),
  );
  return keccak256(concat(['0x1901', domainSeparator, structHash]));
}

/**
 * The same transaction as EIP-712 typed data, what an owner's wallet (`eth_signTypedData_v4`) or a
 * signer's `signTypedData` is given; its hash equals `hashSafeTransaction`.
 */
export function safeTransactionTypedData(parameters: HashSafeTransactionParameters): TypedDataDefinition {
  const { transaction: tx, version } = parameters;
  const gasField = version === '1.0.0' ? 'dataGas' : 'baseGas';
  return {
    domain: safeDomainHasChainId(version)
      ? { chainId: parameters.chainId, verifyingContract: parameters.safe }
      : { verifyingContract: parameters.safe },
    types: {
      SafeTx: [
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'data', type: 'bytes' },
        { name: 'operation', type: 'uint8' },
        { name: 'safeTxGas', type: 'uint256' },
        { name: gasField, type: 'uint256' },
        { name: 'gasPrice', type: 'uint256' },
        { name: 'gasToken', type: 'address' },
        { name: 'refundReceiver', type: 'address' },
        { name: 'nonce', type: 'uint256' },
      ],
    },
    primaryType: 'SafeTx',
    message: {
      to: tx.to,
      value: tx.value,
      data: tx.data,
      operation: tx.operation,
      safeTxGas: tx.safeTxGas,
      [gasField]: tx.baseGas,
      gasPrice: tx.gasPrice,
      gasToken: tx.gasToken,
      refundReceiver: tx.refundReceiver,
      nonce: tx.nonce,
    },
  } as TypedDataDefinition;
}
