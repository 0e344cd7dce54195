import type { RuleMetadata } from '@bulwark/core';
import type { Address, Hex } from 'viem';
import type { AccountInfo } from '../accountInfo.ts';

/** How bad signing would be; `risk` of a request is its worst finding (`none` when nothing is above info). */
export const signatureSeverities = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type SignatureSeverity = (typeof signatureSeverities)[number];
export const riskLevels = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type RiskLevel = (typeof riskLevels)[number];

export type TypedData = {
  domain: Record<string, unknown>;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
};

/** What the file asks the wallet to sign, before it is understood. */
export type SignatureRequest =
  | { method: 'eth_signTypedData_v4'; signer: Address | undefined; typedData: TypedData }
  | { method: 'eth_sign'; signer: Address | undefined; data: Hex }
  | { method: 'personal_sign'; signer: Address | undefined; data: Hex }
  | { method: 'eip7702_authorization'; signer: Address | undefined; authorization: Authorization };

export type Authorization = { chainId: bigint; address: Address; nonce: bigint };

/** A right to move tokens that a signature gives a spender (permits of every kind). */
export type TokenGrant = {
  standard: 'eip2612' | 'dai' | 'permit2-allowance' | 'permit2-transfer';
  token: Address;
  spender: Address;
  /** Undefined for DAI's `allowed: true`, which is unlimited by construction. */
  amount: bigint | undefined;
  /** Unix seconds after which the signature (or the allowance) can no longer be used; undefined: never. */
  deadline: bigint | undefined;
};

export type OrderItem = { itemType: number; token: Address; identifier: string; amount: bigint; recipient?: Address };

/** A marketplace order reduced to what the signer gives and what comes back to them. */
export type MarketOrder = {
  marketplace: 'seaport' | 'blur' | 'looksrare';
  maker: Address;
  /** The maker sells (gives assets); a bid gives currency and is not a give-away. */
  side: 'sell' | 'buy';
  gives: OrderItem[];
  /** Consideration paid to the maker (Seaport: items whose recipient is the offerer). */
  receives: OrderItem[];
  /** Consideration paid to anyone else (fees, royalties, or an attacker). */
  paysOthers: OrderItem[];
};

export type SiweMessage = {
  domain: string;
  address: string;
  uri: string | undefined;
  chainId: number | undefined;
  statement: string | undefined;
};

/** What the request authorises, decoded. */
export type DecodedSignature = {
  /** e.g. `eip2612-permit`, `permit2-batch`, `seaport-order`, `eth-sign-hash`, `siwe-login`. */
  kind: string;
  /** Human summary of what signing does. */
  summary: string;
  /** The decoded fields, JSON-ready (bigints as decimal strings). */
  fields: Record<string, unknown>;
  grants: TokenGrant[];
  orders: MarketOrder[];
  /** Orders hidden behind a merkle root (Blur bulk `Root`): nothing of them can be shown. */
  hiddenOrders: boolean;
  authorization: Authorization | undefined;
  login: SiweMessage | undefined;
  /** Raw bytes signed with no structure to show (eth_sign, personal_sign of non-text). */
  rawBytes: Hex | undefined;
  /** Plain text of a personal_sign that is not a login. */
  text: string | undefined;
  /** The EIP-712 domain, when typed data. */
  domain: Record<string, unknown> | undefined;
  primaryType: string | undefined;
  /** The EIP-712 digest that gets signed (typed data only). */
  digest: Hex | undefined;
};

/** What the on-chain look-up said about a spender or delegate; `undefined` entry: not checked. */
export type AddressFacts = Map<string, AccountInfo>;

export type SignatureContext = {
  request: SignatureRequest;
  decoded: DecodedSignature;
  /** The chain the user is on (`--chain-id`); undefined: not checked. */
  chainId: number | undefined;
  /** Unix seconds. */
  now: bigint;
  /** Spenders the user trusts besides the well-known list (`--trust`), lower-case. */
  trusted: ReadonlySet<string>;
  /** On-chain facts by lower-case address; undefined when no RPC was given. */
  addresses: AddressFacts | undefined;
};

export type SignatureFinding = {
  id: string;
  severity: SignatureSeverity;
  message: string;
};

export type SignatureCheck = RuleMetadata & {
  check(context: SignatureContext): SignatureFinding[];
};
