import type { Address } from 'viem';

/*
 * Well-known contracts on Ethereum mainnet (the same addresses are deployed on most EVM chains by
 * CREATE2). A spender here is trusted for exact, short-lived grants; an unlimited or long-lived
 * grant to it is still reported. The list is small on purpose: it is the routers wallets see most.
 */

/** Uniswap's Permit2, the same address on every chain it is deployed on. */
export const permit2Address: Address = '0x000000000022D473030F116dDEE9F6B43aC78BA3';

export const knownSpenders: Readonly<Record<string, string>> = lowerKeys({
  '0x000000000022D473030F116dDEE9F6B43aC78BA3': 'Uniswap Permit2',
  '0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD': 'Uniswap Universal Router',
  '0xEf1c6E67703c7BD7107eed8303Fbe6EC2554BF6B': 'Uniswap Universal Router (old)',
  '0x66a9893cC07D91D95644AEDD05D03f95e1dBA8Af': 'Uniswap v4 Universal Router',
  '0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D': 'Uniswap V2 Router 02',
  '0xE592427A0AEce92De3Edee1F18E0157C05861564': 'Uniswap V3 SwapRouter',
  '0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45': 'Uniswap V3 SwapRouter02',
  '0x6000da47483062A0D734Ba3dc7576Ce6A0B645C4': 'UniswapX Exclusive Dutch Order Reactor',
  '0x1111111254EEB25477B68fb85Ed929f73A960582': '1inch Aggregation Router v5',
  '0x111111125421cA6dc452d289314280a0f8842A65': '1inch Aggregation Router v6',
  '0xDef1C0ded9bec7F1a1670819833240f027b25EfF': '0x Exchange Proxy',
  '0xC92E8bdf79f0507f65a392b0ab4667716BFE0110': 'CoW Protocol GPv2VaultRelayer',
  '0xBA12222222228d8Ba445958a75a0704d566BF2C8': 'Balancer Vault',
  '0x1E0049783F008A0085193E00003D00cd54003c71': 'OpenSea Seaport conduit',
  '0x00000000000000ADc04C56Bf30aC9d3c0aAF14dC': 'Seaport 1.5',
  '0x0000000000000068F116a894984e2DB1123eB395': 'Seaport 1.6',
});

/** Tokens whose EIP-712 domain name a phishing page may borrow for another verifying contract. */
export const knownTokens: readonly { chainId: number; address: Address; name: string }[] = [
  { chainId: 1, address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', name: 'USD Coin' },
  { chainId: 1, address: '0x6B175474E89094C44Da98b954EedeAC495271d0F', name: 'Dai Stablecoin' },
  { chainId: 1, address: '0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984', name: 'Uniswap' },
  { chainId: 1, address: '0x7Fc66500c84A76Ad7e9c93437bFc5Ac33E2DDaE9', name: 'Aave Token' },
  { chainId: 8453, address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', name: 'USD Coin' },
];

export const knownSpenderName = (address: string): string | undefined => knownSpenders[address.toLowerCase()];

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
}
