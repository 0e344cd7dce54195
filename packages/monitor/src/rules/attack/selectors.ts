import { type AbiFunction, decodeFunctionData, type Hex, parseAbiItem, toFunctionSelector } from 'viem';

/*
 * Public interfaces the attack rules recognise in call traces, by selector: flash-loan lenders'
 * entry points with the callbacks they make into the borrower, and batching contracts
 * (multicall, Safe multiSend) through which a contract may legitimately call itself.
 */

/** An amount lent: `asset` is the token (lower-case), or `token0`/`token1` of a pair, or `market:<id>` for dYdX. */
export type LoanAmount = { asset: string; amount: bigint };

type Args = readonly unknown[];

export type FlashLoanFamilyId =
  | 'erc-3156'
  | 'aave'
  | 'aave-simple'
  | 'balancer'
  | 'uniswap-v2'
  | 'uniswap-v3'
  | 'morpho'
  | 'dydx';

export type FlashLoanFamily = {
  id: FlashLoanFamilyId;
  /** The lender's entry point. */
  entry: AbiFunction;
  /** The callbacks the lender makes into the borrower. */
  callbacks: AbiFunction[];
  /** Whether a call to the entry point is a loan (a v2 swap lends only with data). */
  lends?(args: Args): boolean;
  /** The account the lender calls back: an argument of the entry, or its caller. */
  receiver(args: Args, caller: string): string | undefined;
  /** What was borrowed, from the entry's arguments. */
  entryAmounts(args: Args): LoanAmount[];
  /** What was borrowed, from the callback's arguments (empty when it carries only fees). */
  callbackAmounts(args: Args): LoanAmount[];
  /**
   * The callback's name differs between forks (Uniswap v2's `uniswapV2Call`, PancakeSwap's
   * `pancakeCall`, and many more): any call from the lender to the receiver is the callback.
   */
  anyCallback?: boolean;
  /** The callback's name alone is specific enough to mean a loan, without the entry point. */
  callbackAlone: boolean;
};

const fn = (signature: string) => parseAbiItem(signature) as AbiFunction;
const lower = (address: unknown) => String(address).toLowerCase();
const zip = (assets: unknown, amounts: unknown): LoanAmount[] =>
  (assets as readonly string[]).map((asset, i) => ({
    asset: lower(asset),
    amount: (amounts as readonly bigint[])[i] ?? 0n,
  }));
const pair = (amount0: unknown, amount1: unknown): LoanAmount[] =>
  [
    { asset: 'token0', amount: amount0 as bigint },
    { asset: 'token1', amount: amount1 as bigint },
  ].filter((entry) => entry.amount > 0n);

type DydxAction = { actionType: number; amount: { value: bigint }; primaryMarketId: bigint };

export const flashLoanFamilies: readonly FlashLoanFamily[] = [
  {
    id: 'erc-3156',
    entry: fn('function flashLoan(address receiver, address token, uint256 amount, bytes data)'),
    callbacks: [fn('function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes data)')],
    receiver: (args) => lower(args[0]),
    entryAmounts: (args) => [{ asset: lower(args[1]), amount: args[2] as bigint }],
    callbackAmounts: (args) => [{ asset: lower(args[1]), amount: args[2] as bigint }],
    callbackAlone: true,
  },
  {
    // Aave v2 LendingPool and v3 Pool share the signature.
    id: 'aave',
    entry: fn(
      'function flashLoan(address receiverAddress, address[] assets, uint256[] amounts, uint256[] interestRateModes, address onBehalfOf, bytes params, uint16 referralCode)',
    ),
    callbacks: [
      fn(
        'function executeOperation(address[] assets, uint256[] amounts, uint256[] premiums, address initiator, bytes params)',
      ),
    ],
    receiver: (args) => lower(args[0]),
    entryAmounts: (args) => zip(args[1], args[2]),
    callbackAmounts: (args) => zip(args[0], args[1]),
    callbackAlone: true,
  },
  {
    id: 'aave-simple',
    entry: fn(
      'function flashLoanSimple(address receiverAddress, address asset, uint256 amount, bytes params, uint16 referralCode)',
    ),
    callbacks: [
      fn('function executeOperation(address asset, uint256 amount, uint256 premium, address initiator, bytes params)'),
    ],
    receiver: (args) => lower(args[0]),
    entryAmounts: (args) => [{ asset: lower(args[1]), amount: args[2] as bigint }],
    callbackAmounts: (args) => [{ asset: lower(args[0]), amount: args[1] as bigint }],
    callbackAlone: true,
  },
  {
    id: 'balancer',
    entry: fn('function flashLoan(address recipient, address[] tokens, uint256[] amounts, bytes userData)'),
    callbacks: [
      fn('function receiveFlashLoan(address[] tokens, uint256[] amounts, uint256[] feeAmounts, bytes userData)'),
    ],
    receiver: (args) => lower(args[0]),
    entryAmounts: (args) => zip(args[1], args[2]),
    callbackAmounts: (args) => zip(args[0], args[1]),
    callbackAlone: true,
  },
  {
    // Uniswap v2 and its forks (SushiSwap, PancakeSwap v2, …): a swap with data is a flash swap.
    id: 'uniswap-v2',
    entry: fn('function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)'),
    callbacks: [
      fn('function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes data)'),
      fn('function pancakeCall(address sender, uint256 amount0, uint256 amount1, bytes data)'),
    ],
    lends: (args) => (args[3] as Hex).length > 2,
    receiver: (args) => lower(args[2]),
    entryAmounts: (args) => pair(args[0], args[1]),
    callbackAmounts: (args) => pair(args[1], args[2]),
    anyCallback: true,
    callbackAlone: true,
  },
  {
    // Uniswap v3 and PancakeSwap v3 pools: the callback goes to the caller of `flash`.
    id: 'uniswap-v3',
    entry: fn('function flash(address recipient, uint256 amount0, uint256 amount1, bytes data)'),
    callbacks: [
      fn('function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes data)'),
      fn('function pancakeV3FlashCallback(uint256 fee0, uint256 fee1, bytes data)'),
    ],
    receiver: (_args, caller) => caller,
    entryAmounts: (args) => pair(args[1], args[2]),
    callbackAmounts: () => [],
    callbackAlone: true,
  },
  {
    id: 'morpho',
    entry: fn('function flashLoan(address token, uint256 assets, bytes data)'),
    callbacks: [fn('function onMorphoFlashLoan(uint256 assets, bytes data)')],
    receiver: (_args, caller) => caller,
    entryAmounts: (args) => [{ asset: lower(args[0]), amount: args[1] as bigint }],
    callbackAmounts: () => [],
    callbackAlone: true,
  },
  {
    // dYdX SoloMargin: `operate` with Withdraw, Call and Deposit actions; `callFunction` is too
    // generic a name to mean a loan without the `operate` around it.
    id: 'dydx',
    entry: fn(
      'function operate((address owner, uint256 number)[] accounts, (uint8 actionType, uint256 accountId, (bool sign, uint8 denomination, uint8 ref, uint256 value) amount, uint256 primaryMarketId, uint256 secondaryMarketId, address otherAddress, uint256 otherAccountId, bytes data)[] actions)',
    ),
    callbacks: [fn('function callFunction(address sender, (address owner, uint256 number) accountInfo, bytes data)')],
    receiver: () => undefined,
    entryAmounts: (args) =>
      (args[1] as readonly DydxAction[])
        .filter((action) => action.actionType === 1)
        .map((action) => ({ asset: `market:${action.primaryMarketId}`, amount: action.amount.value })),
    callbackAmounts: () => [],
    callbackAlone: false,
  },
];

export type InterfaceMatch = { family: FlashLoanFamily; item: AbiFunction };

function bySelector(role: 'entry' | 'callbacks'): ReadonlyMap<Hex, InterfaceMatch[]> {
  const map = new Map<Hex, InterfaceMatch[]>();
  for (const family of flashLoanFamilies) {
    const items = role === 'entry' ? [family.entry] : family.callbacks;
    for (const item of items) {
      const selector = toFunctionSelector(item);
      map.set(selector, [...(map.get(selector) ?? []), { family, item }]);
    }
  }
  return map;
}

/** Lenders' entry points by selector. */
export const flashLoanEntries = bySelector('entry');
/** Borrowers' callbacks by selector (Aave's two `executeOperation` overloads have different selectors). */
export const flashLoanCallbacks = bySelector('callbacks');

/** Decodes a call's arguments for one interface; undefined when the data does not fit it. */
export function decodeArgs(item: AbiFunction, input: Hex): Args | undefined {
  try {
    return decodeFunctionData({ abi: [item], data: input }).args ?? [];
  } catch {
    return undefined;
  }
}

/**
 * Batching entry points a contract may route its own calls through (Multicall2/3, Uniswap's
 * `multicall`, Safe's `multiSend`): a contract re-entered through one of them called itself.
 */
export const batchSelectors: ReadonlySet<Hex> = new Set(
  [
    'function aggregate((address target, bytes callData)[] calls)',
    'function tryAggregate(bool requireSuccess, (address target, bytes callData)[] calls)',
    'function blockAndAggregate((address target, bytes callData)[] calls)',
    'function tryBlockAndAggregate(bool requireSuccess, (address target, bytes callData)[] calls)',
    'function aggregate3((address target, bool allowFailure, bytes callData)[] calls)',
    'function aggregate3Value((address target, bool allowFailure, uint256 value, bytes callData)[] calls)',
    'function multicall(bytes[] data)',
    'function multicall(uint256 deadline, bytes[] data)',
    'function multicall(bytes32 previousBlockhash, bytes[] data)',
    'function multiSend(bytes transactions)',
  ].map((signature) => toFunctionSelector(fn(signature))),
);

/** Callbacks a lender or a pool makes by design while its own frame is open: re-entry through them is expected. */
export const designedCallbackSelectors: ReadonlySet<Hex> = new Set([
  ...flashLoanCallbacks.keys(),
  toFunctionSelector('uniswapV3SwapCallback(int256,int256,bytes)'),
  toFunctionSelector('pancakeV3SwapCallback(int256,int256,bytes)'),
  toFunctionSelector('uniswapV3MintCallback(uint256,uint256,bytes)'),
]);
