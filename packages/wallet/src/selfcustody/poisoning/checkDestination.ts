import { type Address, getAddress } from 'viem';

export type LookalikeOptions = {
  /** Hex characters after 0x that must match; default 4 (what wallets show before the ellipsis). */
  prefix?: number | undefined;
  /** Hex characters at the end that must match; default 4. */
  suffix?: number | undefined;
};

/** Two different addresses that show the same at both ends, as a shortened address does in a wallet. */
export function isLookalike(a: string, b: string, options: LookalikeOptions = {}): boolean {
  const prefix = options.prefix ?? 4;
  const suffix = options.suffix ?? 4;
  const x = a.toLowerCase().slice(2);
  const y = b.toLowerCase().slice(2);
  return x !== y && x.slice(0, prefix) === y.slice(0, prefix) && x.slice(-suffix) === y.slice(-suffix);
}

export type DestinationCheck = {
  destination: Address;
  /** Real counterparties the destination imitates. */
  imitates: Address[];
  message: string;
};

/**
 * Checks a requested destination against the addresses the sender really deals with (an address
 * book, or the counterparties `findPoisoning` read from history): a destination that is not one of
 * them but looks like one at both ends is the address-poisoning pattern. Undefined when it is fine.
 */
export function checkDestination(
  destination: Address,
  counterparties: readonly Address[],
  options: LookalikeOptions = {},
): DestinationCheck | undefined {
  const target = getAddress(destination);
  if (counterparties.some((c) => c.toLowerCase() === target.toLowerCase())) return undefined;
  const imitates = [
    ...new Set(counterparties.filter((c) => isLookalike(target, c, options)).map((c) => getAddress(c))),
  ];
  if (imitates.length === 0) return undefined;
  return {
    destination: target,
    imitates,
    message: `Destination ${target} is not a known counterparty but looks like ${imitates.join(', ')} at both ends: compare every character before sending.`,
  };
}
