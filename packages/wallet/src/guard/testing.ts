import { parsePolicy, type WalletPolicy } from '../policy/policy.ts';
import { parseRequest, type WalletRequest } from '../request/request.ts';

/** The allowlisted exchange the guard tests pay out to. */
export const exchange = '0x28c6c06298d514db089934071355e5743bf21d60';

/** A 50 wei withdrawal by alice from the hot wallet to the exchange on chain 1; `overrides` change any field. */
export const withdrawalRequest = (overrides: Record<string, unknown> = {}): WalletRequest =>
  parseRequest({
    kind: 'withdrawal',
    initiator: 'alice',
    source: 'hot',
    chain: 1,
    asset: 'native',
    amount: '50',
    destination: exchange,
    ...overrides,
  });

/** A policy with the guard tests' groups (treasury: carol, dave; admins: heidi, ivan; one of each approves) and `rules`. */
export const treasuryPolicy = (rules: unknown[], extra: Record<string, unknown> = {}): WalletPolicy =>
  parsePolicy({
    version: 1,
    groups: {
      treasury: { members: ['carol', 'dave'], threshold: 1 },
      admins: { members: ['heidi', 'ivan'], threshold: 1 },
    },
    admin: { group: 'admins' },
    rules,
    ...extra,
  });
