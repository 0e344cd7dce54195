import { unlimitedAmount } from '../../tokens.ts';
import { describeAccount, isFresh } from '../accountInfo.ts';
import { knownSpenderName } from '../knownAddresses.ts';
import type { SignatureContext, SignatureSeverity, TokenGrant } from './types.ts';

/** Deadlines further than this are "far": Uniswap's own Permit2 allowances last 30 days. */
export const farDeadlineDays = 31;

export const isUnlimited = (grant: TokenGrant) => grant.amount === undefined || grant.amount >= unlimitedAmount;

export const isFarDeadline = (grant: TokenGrant, now: bigint) =>
  grant.deadline === undefined || grant.deadline > now + BigInt(farDeadlineDays) * 86_400n;

export type SpenderStanding = {
  trust: 'known' | 'account' | 'fresh' | 'contract' | 'unchecked';
  /** For findings: the name of a known spender or what the chain said. */
  description: string;
};

/** What is known of an address a signature trusts: on the well-known list, or what the chain said (with --rpc). */
export function spenderStanding(context: SignatureContext, spender: string): SpenderStanding {
  const name = knownSpenderName(spender);
  if (name) return { trust: 'known', description: `${name} (well known)` };
  if (context.trusted.has(spender.toLowerCase())) return { trust: 'known', description: 'trusted by you (--trust)' };
  const info = context.addresses?.get(spender.toLowerCase());
  if (!info) return { trust: 'unchecked', description: 'not on the well-known list and not checked on chain' };
  if (info.kind !== 'contract') return { trust: 'account', description: describeAccount(info) };
  return { trust: isFresh(info) ? 'fresh' : 'contract', description: describeAccount(info) };
}

/**
 * How dangerous a set of grants to one spender is. Drainers ask for everything, for ever, for an
 * address they control; a swap asks for the amount it moves, for minutes, for a router everyone knows.
 */
export function grantSeverity(context: SignatureContext, grants: TokenGrant[]): SignatureSeverity {
  const spender = grants[0]?.spender;
  if (!spender) return 'info';
  const { trust } = spenderStanding(context, spender);
  const broad = grants.some((grant) => isUnlimited(grant) || isFarDeadline(grant, context.now));
  const oneShotTransfer = grants.every((grant) => grant.standard === 'permit2-transfer');
  switch (trust) {
    case 'account':
      return 'critical';
    case 'fresh':
      return 'high';
    case 'known':
      return broad ? 'medium' : 'low';
    case 'contract':
      return broad ? 'high' : 'medium';
    case 'unchecked':
      return broad || grants.length > 1 || oneShotTransfer ? 'high' : 'medium';
  }
}

export const formatAmount = (grant: TokenGrant) =>
  grant.amount === undefined
    ? 'all (no limit)'
    : isUnlimited(grant)
      ? `unlimited (${grant.amount})`
      : grant.amount.toString();

export function formatDeadline(deadline: bigint | undefined, now: bigint): string {
  if (deadline === undefined) return 'never expires';
  const days = Number((deadline - now) / 86_400n);
  if (deadline > 10n ** 12n) return `never expires in practice (${deadline})`;
  const date = new Date(Number(deadline) * 1000).toISOString();
  if (deadline < now) return `expired (${date})`;
  return days >= 1 ? `${date} (in ${days} day(s))` : `${date} (within a day)`;
}
