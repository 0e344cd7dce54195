import { type Address, getAddress, type Hex, hexToBytes, isAddress, parseTransaction, size } from 'viem';
import { digestOf } from './parseSignatureRequest.ts';
import type {
  DecodedSignature,
  MarketOrder,
  OrderItem,
  SignatureRequest,
  SiweMessage,
  TokenGrant,
  TypedData,
} from './types.ts';

/** Decodes what a signature request authorises: the grants, orders, delegation, login or raw bytes it carries. */
export function decodeSignatureRequest(request: SignatureRequest): DecodedSignature {
  switch (request.method) {
    case 'eth_signTypedData_v4':
      return decodeTypedData(request.typedData);
    case 'eth_sign':
      return decodeRawBytes(request.data, 'eth-sign');
    case 'personal_sign':
      return decodePersonalSign(request.data);
    case 'eip7702_authorization': {
      const { authorization } = request;
      return base('eip7702-authorization', `Delegate this account's code to ${authorization.address}`, {
        authorization,
        fields: {
          chainId: authorization.chainId.toString(),
          address: authorization.address,
          nonce: authorization.nonce.toString(),
        },
      });
    }
  }
}

function base(kind: string, summary: string, rest: Partial<DecodedSignature> = {}): DecodedSignature {
  return {
    kind,
    summary,
    fields: {},
    grants: [],
    orders: [],
    hiddenOrders: false,
    authorization: undefined,
    login: undefined,
    rawBytes: undefined,
    text: undefined,
    domain: undefined,
    primaryType: undefined,
    digest: undefined,
    ...rest,
  };
}

const address = (value: unknown): Address =>
  typeof value === 'string' && isAddress(value, { strict: false })
    ? getAddress(value)
    : '0x0000000000000000000000000000000000000000';

const big = (value: unknown): bigint => {
  try {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return BigInt(value);
  } catch {}
  return 0n;
};

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const hasFields = (typedData: TypedData, type: string, names: string[]) => {
  const fields = typedData.types[type]?.map((f) => f.name) ?? [];
  return names.every((name) => fields.includes(name));
};

function decodeTypedData(typedData: TypedData): DecodedSignature {
  const { domain, primaryType, message } = typedData;
  const common = { fields: message, domain, primaryType, digest: digestOf(typedData) };
  const token = address(domain.verifyingContract);
  const domainName = typeof domain.name === 'string' ? domain.name : '';

  if (primaryType === 'Permit' && hasFields(typedData, 'Permit', ['owner', 'spender', 'value', 'deadline'])) {
    const grant: TokenGrant = {
      standard: 'eip2612',
      token,
      spender: address(message.spender),
      amount: big(message.value),
      deadline: big(message.deadline),
    };
    return base('eip2612-permit', `Let ${grant.spender} spend ${grant.amount} of token ${token}`, {
      ...common,
      grants: [grant],
    });
  }
  if (primaryType === 'Permit' && hasFields(typedData, 'Permit', ['holder', 'spender', 'allowed'])) {
    const allowed = message.allowed === true || message.allowed === 'true';
    const expiry = big(message.expiry);
    const grant: TokenGrant = {
      standard: 'dai',
      token,
      spender: address(message.spender),
      amount: undefined,
      deadline: expiry === 0n ? undefined : expiry,
    };
    return allowed
      ? base('dai-permit', `Let ${grant.spender} spend all of token ${token} (DAI-style permit)`, {
          ...common,
          grants: [grant],
        })
      : base('dai-permit-revoke', `Withdraw ${grant.spender}'s allowance on token ${token}`, common);
  }
  if (primaryType === 'PermitSingle' || primaryType === 'PermitBatch') {
    const details = primaryType === 'PermitSingle' ? [record(message.details)] : list(message.details).map(record);
    const spender = address(message.spender);
    const grants = permit2Grants('permit2-allowance', details, spender, (d) => big(d.expiration));
    const kind = primaryType === 'PermitSingle' ? 'permit2-single' : 'permit2-batch';
    return base(kind, `Permit2 allowance for ${spender} on ${grants.length} token(s)`, { ...common, grants });
  }
  if (/^Permit(Batch)?(Witness)?TransferFrom$/.test(primaryType)) {
    const permitted = Array.isArray(message.permitted) ? message.permitted.map(record) : [record(message.permitted)];
    const spender = address(message.spender);
    const deadline = big(message.deadline);
    const grants = permit2Grants('permit2-transfer', permitted, spender, () => deadline);
    const witness = primaryType.includes('Witness') ? '-witness' : '';
    const kind = `permit2${primaryType.includes('Batch') ? '-batch' : ''}${witness}-transfer`;
    return base(kind, `Let ${spender} transfer ${grants.length} token(s) from this account once (Permit2)`, {
      ...common,
      grants,
    });
  }
  if (primaryType === 'OrderComponents' || primaryType === 'BulkOrder') {
    const orders = primaryType === 'OrderComponents' ? [message] : flattenTree(message.tree);
    return base(primaryType === 'BulkOrder' ? 'seaport-bulk-order' : 'seaport-order', 'Seaport order', {
      ...common,
      orders: orders.map(seaportOrder),
    });
  }
  if (primaryType === 'Root' && /blur/i.test(domainName)) {
    return base('blur-bulk-root', 'Blur bulk listing: a merkle root of orders that are not shown', {
      ...common,
      hiddenOrders: true,
    });
  }
  if (primaryType === 'Order' && hasFields(typedData, 'Order', ['trader', 'side', 'collection', 'price'])) {
    return base('blur-order', 'Blur order', { ...common, orders: [blurOrder(message)] });
  }
  if (primaryType === 'MakerOrder' && hasFields(typedData, 'MakerOrder', ['isOrderAsk', 'signer', 'price'])) {
    return base('looksrare-order', 'LooksRare order', { ...common, orders: [looksRareV1Order(message)] });
  }
  if (primaryType === 'Maker' && hasFields(typedData, 'Maker', ['quoteType', 'signer', 'price', 'itemIds'])) {
    return base('looksrare-order', 'LooksRare order', { ...common, orders: [looksRareV2Order(message)] });
  }
  if (primaryType === 'Ballot' || (primaryType === 'Vote' && /snapshot/i.test(domainName))) {
    return base('vote', `Cast a vote (${domainName || primaryType})`, common);
  }
  if (primaryType === 'Delegation' && hasFields(typedData, 'Delegation', ['delegatee'])) {
    return base('vote-delegation', `Delegate voting power to ${address(message.delegatee)}`, common);
  }
  return base('typed-data', `Typed data '${primaryType}' of '${domainName || 'an unnamed domain'}'`, common);
}

/** Permit2 lists its tokens as {token, amount} items, with the deadline per item (allowances) or per message (transfers). */
function permit2Grants(
  standard: 'permit2-allowance' | 'permit2-transfer',
  items: Record<string, unknown>[],
  spender: Address,
  deadline: (item: Record<string, unknown>) => bigint,
): TokenGrant[] {
  return items.map((item) => ({
    standard,
    token: address(item.token),
    spender,
    amount: big(item.amount),
    deadline: deadline(item),
  }));
}

function flattenTree(tree: unknown): Record<string, unknown>[] {
  if (Array.isArray(tree)) return tree.flatMap(flattenTree);
  const order = record(tree);
  return 'offerer' in order ? [order] : [];
}

function seaportItem(value: unknown, pick: 'min' | 'max'): OrderItem {
  const item = record(value);
  const start = big(item.startAmount);
  const end = big(item.endAmount ?? item.startAmount);
  return {
    itemType: Number(big(item.itemType)),
    token: address(item.token),
    identifier: String(item.identifierOrCriteria ?? '0'),
    amount: pick === 'min' ? (start < end ? start : end) : start > end ? start : end,
    ...(item.recipient === undefined ? {} : { recipient: address(item.recipient) }),
  };
}

function seaportOrder(message: Record<string, unknown>): MarketOrder {
  const maker = address(message.offerer);
  // What the offerer gives is counted at its largest, what comes back at its smallest (Dutch auctions move both).
  const gives = list(message.offer).map((item) => seaportItem(item, 'max'));
  const consideration = list(message.consideration).map((item) => seaportItem(item, 'min'));
  const receives = consideration.filter((item) => item.recipient === maker);
  const paysOthers = consideration.filter((item) => item.recipient !== maker);
  // An offer of only currency (ERC-20 or native) for NFTs is a bid, not a give-away.
  const side =
    gives.length > 0 && gives.every((item) => item.itemType <= 1) && consideration.some((c) => c.itemType >= 2)
      ? 'buy'
      : 'sell';
  return { marketplace: 'seaport', maker, side, gives, receives, paysOthers };
}

/** The single NFT of a Blur or LooksRare v1 order. */
const nftItem = (message: Record<string, unknown>): OrderItem => ({
  itemType: 2,
  token: address(message.collection),
  identifier: String(message.tokenId ?? '0'),
  amount: big(message.amount ?? 1),
});

/** A payment in ether (the zero address) or an ERC-20. */
const paymentItem = (currency: Address, amount: bigint): OrderItem => ({
  itemType: currency === zero ? 0 : 1,
  token: currency,
  identifier: '0',
  amount,
});

function blurOrder(message: Record<string, unknown>): MarketOrder {
  const maker = address(message.trader);
  const price = big(message.price);
  const fees = list(message.fees).map(record);
  const feeRate = fees.reduce((sum, fee) => sum + big(fee.rate), 0n);
  const currency = address(message.paymentToken);
  const nft = nftItem(message);
  const payment = (amount: bigint) => paymentItem(currency, amount);
  const sell = big(message.side) === 1n;
  return {
    marketplace: 'blur',
    maker,
    side: sell ? 'sell' : 'buy',
    gives: sell ? [nft] : [payment(price)],
    receives: sell ? [payment((price * (10_000n - min(feeRate, 10_000n))) / 10_000n)] : [nft],
    paysOthers: sell
      ? fees.map((fee) => ({ ...payment((price * big(fee.rate)) / 10_000n), recipient: address(fee.recipient) }))
      : [],
  };
}

function looksRareV1Order(message: Record<string, unknown>): MarketOrder {
  const ask = message.isOrderAsk === true || message.isOrderAsk === 'true';
  const price = big(message.price);
  // minPercentageToAsk (basis points) is what the seller is guaranteed after fees.
  const minimum = (price * min(big(message.minPercentageToAsk), 10_000n)) / 10_000n;
  const currency = address(message.currency);
  const nft = nftItem(message);
  const payment = (amount: bigint) => paymentItem(currency, amount);
  return {
    marketplace: 'looksrare',
    maker: address(message.signer),
    side: ask ? 'sell' : 'buy',
    gives: ask ? [nft] : [payment(price)],
    receives: ask ? [payment(minimum)] : [nft],
    paysOthers: ask ? [payment(price - minimum)] : [],
  };
}

function looksRareV2Order(message: Record<string, unknown>): MarketOrder {
  const ask = big(message.quoteType) === 1n;
  const currency = address(message.currency);
  const amounts = list(message.amounts).map(big);
  const nfts = list(message.itemIds).map(
    (id, i): OrderItem => ({
      itemType: 2,
      token: address(message.collection),
      identifier: String(id),
      amount: amounts[i] ?? 1n,
    }),
  );
  const payment = paymentItem(currency, big(message.price));
  return {
    marketplace: 'looksrare',
    maker: address(message.signer),
    side: ask ? 'sell' : 'buy',
    gives: ask ? nfts : [payment],
    receives: ask ? [payment] : nfts,
    paysOthers: [],
  };
}

const zero: Address = '0x0000000000000000000000000000000000000000';
const min = (a: bigint, b: bigint) => (a < b ? a : b);

function decodePersonalSign(data: Hex): DecodedSignature {
  const text = readableText(data);
  if (text === undefined) return decodeRawBytes(data, 'personal-sign');
  const login = parseSiwe(text);
  if (login) {
    return base('siwe-login', `Sign in to ${login.domain} (EIP-4361)`, {
      login,
      text,
      fields: { ...login, message: text },
    });
  }
  return base('text-message', 'Sign a readable message', { text, fields: { message: text } });
}

/** Bytes with no structure shown to the signer: a hash, a serialized transaction, an authorization, or unknown. */
function decodeRawBytes(data: Hex, method: 'eth-sign' | 'personal-sign'): DecodedSignature {
  const length = size(data);
  const bytes = hexToBytes(data);
  const fields: Record<string, unknown> = { data, bytes: length };
  if (length === 32)
    return base(`${method}-hash`, 'Sign a 32-byte hash without seeing what it is the hash of', {
      rawBytes: data,
      fields,
    });
  if (bytes[0] === 0x05) {
    return base(`${method}-authorization`, 'Sign an EIP-7702 authorization (0x05 || rlp)', { rawBytes: data, fields });
  }
  try {
    const transaction = parseTransaction(data);
    return base(
      `${method}-transaction`,
      `Sign a serialized transaction to ${transaction.to ? getAddress(transaction.to) : '(deployment)'}`,
      {
        rawBytes: data,
        fields: {
          ...fields,
          to: transaction.to ? getAddress(transaction.to) : undefined,
          value: transaction.value?.toString(),
          chainId: transaction.chainId,
          data: transaction.data,
        },
      },
    );
  } catch {}
  return base(`${method}-bytes`, `Sign ${length} bytes of unknown meaning`, { rawBytes: data, fields });
}

function readableText(data: Hex): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(hexToBytes(data));
    // Control characters other than line breaks and tabs mean binary data that happens to be valid UTF-8.
    if (text.length === 0 || [...text].some(isControlCharacter)) return undefined;
    return text;
  } catch {
    return undefined;
  }
}

const isControlCharacter = (char: string) => {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== '\n' && char !== '\r' && char !== '\t') || code === 0x7f;
};

const siweHeader =
  /^(?:(?<scheme>[a-z][a-z0-9+.-]*):\/\/)?(?<domain>[^\s]+) wants you to sign in with your Ethereum account:$/;

/** Parses an EIP-4361 (Sign-In with Ethereum) message; undefined when the text is not one. */
export function parseSiwe(text: string): SiweMessage | undefined {
  const lines = text.split('\n');
  const header = siweHeader.exec(lines[0]?.trim() ?? '');
  const account = lines[1]?.trim() ?? '';
  if (!header?.groups || !/^0x[0-9a-fA-F]{40}$/.test(account)) return undefined;
  const field = (name: string) =>
    lines
      .find((line) => line.startsWith(`${name}: `))
      ?.slice(name.length + 2)
      .trim();
  const statementLine = lines[3]?.trim();
  const chain = field('Chain ID');
  return {
    domain: header.groups.domain as string,
    address: account,
    uri: field('URI'),
    chainId: chain === undefined ? undefined : Number(chain),
    statement: statementLine && !/^[A-Z][A-Za-z ]+: /.test(statementLine) ? statementLine : undefined,
  };
}
