import { describe, expect, test } from 'vitest';
import { parseRequest, requestDigest } from '../request/request.ts';
import { compilePolicy } from './compilePolicy.ts';
import { decideRequest } from './decide.ts';
import { parsePolicy, type WalletPolicy } from './policy.ts';
import { parseUsd } from './prices.ts';

const exchange = '0x28c6c06298d514db089934071355e5743bf21d60';
const fresh = '0x7777777777777777777777777777777777777777';
const multisend = '0x40a2accbd92bca938b02010e17a5b8929b49130d';
const now = Date.parse('2026-01-10T00:00:00Z');

const policy: WalletPolicy = {
  version: 1,
  prices: { table: 'prices.json' },
  roles: { bot: ['payouts'], alice: ['ops'] },
  groups: {
    treasury: { members: ['carol', 'dave', 'erin'], threshold: 2 },
    risk: { members: ['frank'], threshold: 1 },
  },
  admin: { group: 'treasury' },
  allowlist: [
    { chain: 1, address: exchange },
    { chain: 1, address: '0x1111111111111111111111111111111111111111', addedAt: '2026-01-09T00:00:00Z' },
  ],
  callTargets: [{ chain: 1, address: multisend }],
  rules: [
    {
      id: 'daily',
      match: { velocity: { window: '24h', per: 'source', above: '10', unit: 'native' } },
      action: 'block',
    },
    { id: 'bot-small', match: { role: ['payouts'], amount: { atMost: '1000', unit: 'usd' } }, action: 'allow' },
    { id: 'to-exchange', match: { destination: 'allowlisted', chain: [1] }, action: 'allow' },
    {
      id: 'one-time',
      match: { destination: 'one-time', kind: ['withdrawal'] },
      action: { requireApproval: { allOf: [{ group: 'treasury' }, { group: 'risk' }] } },
    },
    { id: 'approve-multisend', match: { call: { target: [multisend], selector: ['0x8d80ff0a'] } }, action: 'allow' },
    { id: 'default-deny', match: {}, action: 'block' },
  ],
};

const request = (overrides: Record<string, unknown> = {}) =>
  parseRequest({
    kind: 'withdrawal',
    initiator: 'alice',
    source: 'hot',
    chain: 1,
    asset: 'native',
    amount: '5',
    destination: fresh,
    ...overrides,
  });

describe('decideRequest', () => {
  const compiled = compilePolicy(parsePolicy(policy));

  test('default: first matching rule decides and earlier rules say why they did not match', () => {
    const decision = decideRequest(compiled, request(), { now });
    expect(decision).toMatchObject({
      outcome: 'require-approval',
      rule: 'one-time',
      quorum: { allOf: [{ group: 'treasury' }, { group: 'risk' }] },
      policyDigest: compiled.digest,
    });
    expect(decision.notMatched).toEqual([
      { rule: 'daily', failed: 'source velocity over 24h above 10 smallest units' },
      { rule: 'bot-small', failed: 'initiator has role payouts' },
      { rule: 'to-exchange', failed: 'destination is allowlisted' },
    ]);
    expect(
      decideRequest(compiled, request({ destination: exchange.toUpperCase().replace('0X', '0x') }), { now }),
    ).toMatchObject({ outcome: 'allow', rule: 'to-exchange' });
  });

  test('behavior: usd amounts come from the price, and an unknown price fails towards the stricter rule', () => {
    const bot = request({ initiator: 'bot' });
    expect(decideRequest(compiled, bot, { now, usd: parseUsd('999.99') })).toMatchObject({
      outcome: 'allow',
      rule: 'bot-small',
      usd: '999.99',
    });
    expect(decideRequest(compiled, bot, { now, usd: parseUsd('1000.01') }).rule).toBe('one-time');
    expect(decideRequest(compiled, bot, { now }).rule).toBe('one-time');
  });

  test('behavior: velocity counts what the window already used', () => {
    expect(decideRequest(compiled, request(), { now, velocityUsed: new Map([['daily', 5n]]) }).rule).toBe('one-time');
    expect(decideRequest(compiled, request(), { now, velocityUsed: new Map([['daily', 6n]]) })).toMatchObject({
      outcome: 'block',
      rule: 'daily',
    });
    const key = compiled.velocityLimits[0]!.keyFor(request());
    expect(key).toBe('source:hot|1:native');
  });

  test('error: a delegatecall to a target not in callTargets is refused whatever the rules say', () => {
    const call = (target: string, operation: string) =>
      request({
        kind: 'contract-call',
        asset: undefined,
        amount: undefined,
        destination: undefined,
        call: { target, data: '0x8d80ff0a00', operation },
      });
    const allowOnlyDelegatecall = compilePolicy(
      parsePolicy({
        ...policy,
        rules: [{ id: 'everything', match: { kind: ['contract-call'] }, action: 'allow' }, policy.rules.at(-1)],
      }),
    );
    expect(decideRequest(allowOnlyDelegatecall, call(fresh, 'delegatecall'), { now })).toMatchObject({
      outcome: 'block',
      rule: 'builtin:delegatecall-target',
    });
    expect(decideRequest(allowOnlyDelegatecall, call(fresh, 'call'), { now }).outcome).toBe('allow');
    expect(decideRequest(compiled, call(multisend, 'delegatecall'), { now })).toMatchObject({
      outcome: 'allow',
      rule: 'approve-multisend',
    });
  });

  test('error: an allowlist entry in its cool-down is refused, and usable after it', () => {
    const cooling = request({ destination: '0x1111111111111111111111111111111111111111' });
    const decision = decideRequest(compiled, cooling, { now });
    expect(decision).toMatchObject({ outcome: 'block', rule: 'builtin:allowlist-cooldown' });
    expect(decision.reason).toMatch(/usable from 2026-01-11T00:00:00.000Z/);
    expect(decideRequest(compiled, cooling, { now: now + 86_400_000 }).rule).toBe('to-exchange');
  });

  test('behavior: the digest binds every field and ignores spelling', () => {
    const a = request();
    expect(requestDigest(a)).toBe(requestDigest(request({ destination: fresh.toUpperCase().replace('0X', '0x') })));
    expect(requestDigest(a)).not.toBe(requestDigest(request({ amount: '6' })));
    expect(requestDigest(a)).toMatch(/^0x[0-9a-f]{64}$/);
  });
});

describe('parsePolicy', () => {
  test('error: every problem is named by its JSON path with a fix', () => {
    const broken = {
      ...policy,
      groups: { treasury: { members: ['carol'], threshold: 2 } },
      rules: [
        { id: 'a', match: { amount: { above: '1.5', unit: 'native' }, destinaton: 'any' }, action: 'allow' },
        { id: 'a', match: {}, action: { requireApproval: { group: 'ops' } } },
      ],
    };
    expect(() => parsePolicy(broken)).toThrow(
      /\/rules\/0\/match: unknown key 'destinaton'. Did you mean 'destination'\?/,
    );
    const semantic = {
      ...broken,
      rules: [
        { id: 'a', match: { amount: { above: '1.5', unit: 'native' } }, action: 'allow' },
        { id: 'a', match: {}, action: { requireApproval: { group: 'ops' } } },
      ],
    };
    let message = '';
    try {
      parsePolicy(semantic);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/\/groups\/treasury\/threshold: 2 is more than the group's 1 members/);
    expect(message).toMatch(/\/rules\/0\/match\/amount\/above: native amounts are integers/);
    expect(message).toMatch(/\/rules\/1\/id: 'a' is already the id of \/rules\/0/);
    expect(message).toMatch(/\/rules\/1\/action\/requireApproval\/group: no group 'ops'/);
    expect(message).toMatch(/\/rules\/1: the last rule must be the explicit deny/);
  });
});

describe('parseRequest', () => {
  test('error: malformed requests are refused with the field and the fix', () => {
    expect(() => request({ amount: '-5' })).toThrow(/\/amount: "-5" has the wrong form \(write an integer string/);
    expect(() => request({ destination: '0x12' })).toThrow(/\/destination: "0x12" has the wrong form/);
    expect(() => request({ amout: '5' })).toThrow(/unknown key 'amout'. Did you mean 'amount'\?/);
    // A chain id the store could not keep (an int8) is refused here, not by the database.
    expect(() => request({ chain: 1e300 })).toThrow(/\/chain/);
    expect(() => request({ kind: 'withdrawal', destination: undefined })).toThrow(
      /must have required property 'destination'/,
    );
  });

  test('error: oversized requests are refused before they are read', () => {
    const big = {
      kind: 'typed-message',
      initiator: 'a',
      source: 'b',
      chain: 1,
      typedData: { domain: {}, types: {}, primaryType: 'X', message: { blob: 'x'.repeat(70_000) } },
    };
    expect(() => parseRequest(big)).toThrow(/larger than 65536 bytes/);
  });
});
