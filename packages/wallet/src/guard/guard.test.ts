import { listLog, listWalletRequests, type StoreClient, velocityUsed, verifyLog } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import { approveRequest, rejectRequest } from '../approvals/approveRequest.ts';
import { approvePolicy, policyLoosens, proposePolicy } from '../approvals/policyChanges.ts';
import { parsePolicy, type WalletPolicy } from '../policy/policy.ts';
import { parseRequest } from '../request/request.ts';
import { authorizedRequest } from './authorizedRequest.ts';
import { WalletRefusedError } from './errors.ts';
import { submitRequest, submitRequestText } from './submitRequest.ts';
import { exchange, withdrawalRequest } from './testing.ts';

const t0 = new Date('2026-01-10T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const stranger = '0x7777777777777777777777777777777777777777';
const newPartner = '0x2222222222222222222222222222222222222222';

const basePolicy: WalletPolicy = parsePolicy({
  version: 1,
  groups: {
    treasury: { members: ['carol', 'dave', 'erin'], threshold: 2 },
    risk: { members: ['frank', 'alice'], threshold: 1 },
    admins: { members: ['heidi', 'ivan', 'judy'], threshold: 2 },
  },
  admin: { group: 'admins' },
  allowlist: [{ chain: 1, address: exchange }],
  rules: [
    {
      id: 'hot-daily',
      match: { source: ['hot'], velocity: { window: '24h', per: 'source', above: '1000', unit: 'native' } },
      action: 'block',
    },
    { id: 'small', match: { amount: { atMost: '100', unit: 'native' }, destination: 'allowlisted' }, action: 'allow' },
    {
      id: 'one-time',
      match: { destination: 'one-time' },
      action: { requireApproval: { allOf: [{ group: 'treasury' }, { group: 'risk' }] } },
    },
    { id: 'default-deny', match: {}, action: 'block' },
  ],
});

/** Proposes `policy` as heidi and has ivan and judy approve it. */
async function install(store: StoreClient, policy: WalletPolicy, now: Date) {
  const { record } = await proposePolicy(store, { policy, proposer: 'heidi', now });
  await approvePolicy(store, { id: record.id, approver: 'ivan', now });
  return approvePolicy(store, { id: record.id, approver: 'judy', now });
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof WalletRefusedError ? error.reason : error),
  );

describeStore('wallet guard', (ctx) => {
  test('default: without a policy nothing is allowed; an approved policy allows, holds and blocks', async () => {
    const store = await ctx.open();
    expect((await submitRequest(store, { request: withdrawalRequest(), now: t0 })).decision).toMatchObject({
      outcome: 'block',
      rule: 'builtin:no-policy',
    });
    const installed = await install(store, basePolicy, t0);
    expect(installed).toMatchObject({ quorum: { met: true }, loosens: false });
    // The allowlist entry came with the first policy: it cools down like any new entry.
    expect((await submitRequest(store, { request: withdrawalRequest(), now: at(1) })).decision.rule).toBe(
      'builtin:allowlist-cooldown',
    );
    const later = at(48 * 60 + 1);
    const allowed = await submitRequest(store, { request: withdrawalRequest(), now: later });
    expect(allowed.record.state).toBe('allowed');
    const held = await submitRequest(store, { request: withdrawalRequest({ destination: stranger }), now: later });
    expect(held.record).toMatchObject({ state: 'pending', expiresAt: new Date(later.getTime() + 2 * 3_600_000) });
    const blocked = await submitRequest(store, { request: withdrawalRequest({ amount: '500' }), now: later });
    expect(blocked.decision).toMatchObject({ outcome: 'block', rule: 'default-deny' });
    expect(blocked.decision.notMatched.map((n) => n.rule)).toEqual(['hot-daily', 'small', 'one-time']);
    const logged = await listLog(store, { action: 'wallet.request' });
    expect(logged.map((e) => (e.payload as { state: string }).state)).toEqual([
      'blocked',
      'blocked',
      'allowed',
      'pending',
      'blocked',
    ]);
    expect(await verifyLog(store)).toMatchObject({ ok: true });
  });

  test('error: adversarial approvals are refused, logged, and leave the request unapproved', async () => {
    const store = await ctx.open();
    await install(store, basePolicy, t0);
    const now = at(60);
    const held = await submitRequest(store, { request: withdrawalRequest({ destination: stranger }), now });
    const other = await submitRequest(store, {
      request: withdrawalRequest({ destination: stranger, amount: '51' }),
      now,
    });
    const { id, digest } = { id: held.record.id, digest: held.digest };
    // The initiator is also in the risk group: still not their own approver.
    expect(await refusal(approveRequest(store, { id, approver: 'alice', digest, now }))).toBe('self-approval');
    expect(await refusal(approveRequest(store, { id, approver: 'carol', digest: other.digest, now }))).toBe(
      'digest-mismatch',
    );
    expect(await refusal(approveRequest(store, { id, approver: 'mallory', digest, now }))).toBe('not-an-approver');
    await approveRequest(store, { id, approver: 'carol', digest, now });
    expect(await refusal(approveRequest(store, { id, approver: 'carol', digest, now }))).toBe('already-voted');
    const second = await approveRequest(store, { id, approver: 'dave', digest, now });
    expect(second.quorum).toEqual({ met: false, missing: "1 more of group 'risk' (0/1)" });
    const third = await approveRequest(store, { id, approver: 'frank', digest, now });
    expect(third).toMatchObject({ quorum: { met: true }, record: { state: 'approved' } });
    expect(await refusal(approveRequest(store, { id, approver: 'erin', digest, now }))).toBe('not-pending');
    expect(await authorizedRequest(store, id)).toMatchObject({ id, digest, decision: { rule: 'one-time' } });
    expect(await refusal(authorizedRequest(store, other.record.id))).toBe('not-pending');
    // A stored request edited after approval is not handed to a signer.
    await store.db
      .updateTable('wallet_requests')
      .set({
        request: JSON.stringify({ ...third.record.request, destination: '0x6666666666666666666666666666666666666666' }),
      })
      .where('id', '=', id)
      .execute();
    expect(await refusal(authorizedRequest(store, id))).toBe('tampered');

    // An expired request cannot be approved; it is expired and gives back its velocity reservation.
    const late = at(60 + 121);
    expect(await velocityUsed(store, { key: 'source:hot|1:native', since: t0, at: now })).toBe(101n);
    expect(
      await refusal(approveRequest(store, { id: other.record.id, approver: 'carol', digest: other.digest, now: late })),
    ).toBe('expired');
    expect((await listWalletRequests(store, { state: 'expired' })).map((r) => r.id)).toEqual([other.record.id]);
    expect(await velocityUsed(store, { key: 'source:hot|1:native', since: t0, at: late })).toBe(50n);

    const refused = await listLog(store, { action: 'wallet.approve.refused' });
    expect(refused.map((e) => (e.payload as { reason: string }).reason)).toEqual([
      'self-approval',
      'digest-mismatch',
      'not-an-approver',
      'already-voted',
      'not-pending',
      'expired',
    ]);
    expect(await verifyLog(store)).toMatchObject({ ok: true });
  });

  test('behavior: a rejected request releases its reservation; only its initiator or approvers may reject', async () => {
    const store = await ctx.open();
    await install(store, basePolicy, t0);
    const held = await submitRequest(store, {
      request: withdrawalRequest({ destination: stranger, amount: '900' }),
      now: at(1),
    });
    expect(await refusal(rejectRequest(store, { id: held.record.id, actor: 'mallory', now: at(2) }))).toBe(
      'not-an-approver',
    );
    const rejected = await rejectRequest(store, {
      id: held.record.id,
      actor: 'dave',
      reason: 'unknown counterparty',
      now: at(2),
    });
    expect(rejected.record.state).toBe('rejected');
    expect(await velocityUsed(store, { key: 'source:hot|1:native', since: t0, at: at(3) })).toBe(0n);
  });

  test('error: a policy change without quorum does not apply; the proposer cannot approve their own', async () => {
    const store = await ctx.open();
    await install(store, basePolicy, t0);
    const permissive = parsePolicy({
      ...basePolicy,
      rules: [
        { id: 'everything', match: {}, action: 'allow' },
        { id: 'default-deny', match: {}, action: 'block' },
      ],
    });
    const { record } = await proposePolicy(store, { policy: permissive, proposer: 'heidi', now: at(1) });
    expect(await refusal(approvePolicy(store, { id: record.id, approver: 'heidi', now: at(1) }))).toBe('self-approval');
    expect(await refusal(approvePolicy(store, { id: record.id, approver: 'carol', now: at(1) }))).toBe(
      'not-an-approver',
    );
    const one = await approvePolicy(store, { id: record.id, approver: 'ivan', now: at(1) });
    expect(one).toMatchObject({ quorum: { met: false }, appliesAt: null });
    const request = withdrawalRequest({ destination: stranger, amount: '5' });
    expect((await submitRequest(store, { request, now: at(2) })).decision.rule).toBe('one-time');
    // With the quorum, a loosening change still waits the loosen delay (48 h).
    const two = await approvePolicy(store, { id: record.id, approver: 'judy', now: at(3) });
    expect(two).toMatchObject({ quorum: { met: true }, loosens: true, appliesAt: at(3 + 48 * 60) });
    expect((await submitRequest(store, { request, now: at(4) })).decision.rule).toBe('one-time');
    expect((await submitRequest(store, { request, now: at(4 + 48 * 60) })).decision.rule).toBe('everything');
    expect((await listLog(store, { action: 'wallet.policy.approve.refused' })).length).toBe(2);
    // A proposal edited in the database after it was proposed is not approved.
    const { record: next } = await proposePolicy(store, {
      policy: parsePolicy({ ...basePolicy, settings: { approvalTtl: '1h' } }),
      proposer: 'heidi',
      now: at(5),
    });
    await store.db
      .updateTable('wallet_policies')
      .set({ document: JSON.stringify(permissive) })
      .where('id', '=', next.id)
      .execute();
    expect(await refusal(approvePolicy(store, { id: next.id, approver: 'ivan', now: at(6) }))).toBe('tampered');
  });

  test('error: a new allowlist entry is refused during its cool-down, even if the proposal backdates it', async () => {
    const store = await ctx.open();
    await install(store, basePolicy, t0);
    const start = at(3 * 24 * 60);
    const withPartner = parsePolicy({
      ...basePolicy,
      allowlist: [...basePolicy.allowlist!, { chain: 1, address: newPartner, addedAt: '2020-01-01T00:00:00Z' }],
    });
    const change = await install(store, withPartner, start);
    expect(change).toMatchObject({ loosens: false, appliesAt: start });
    const toPartner = withdrawalRequest({ destination: newPartner });
    const during = await submitRequest(store, { request: toPartner, now: new Date(start.getTime() + 3_600_000) });
    expect(during.decision).toMatchObject({ outcome: 'block', rule: 'builtin:allowlist-cooldown' });
    expect(during.record.state).toBe('blocked');
    // The old entry kept its time: usable throughout.
    expect((await submitRequest(store, { request: withdrawalRequest(), now: start })).record.state).toBe('allowed');
    const after = await submitRequest(store, { request: toPartner, now: new Date(start.getTime() + 48 * 3_600_000) });
    expect(after.record.state).toBe('allowed');
  });

  test('error: delegatecall to an unknown target and malformed or oversized requests are refused and logged', async () => {
    const store = await ctx.open();
    await install(
      store,
      parsePolicy({
        ...basePolicy,
        rules: [{ id: 'calls', match: { kind: ['contract-call'] }, action: 'allow' }, basePolicy.rules.at(-1)],
      }),
      t0,
    );
    const delegate = await submitRequest(store, {
      request: parseRequest({
        kind: 'contract-call',
        initiator: 'alice',
        source: 'hot',
        chain: 1,
        call: { target: stranger, data: '0xdeadbeef', operation: 'delegatecall' },
      }),
      now: at(1),
    });
    expect(delegate).toMatchObject({ record: { state: 'blocked' }, decision: { rule: 'builtin:delegatecall-target' } });
    await expect(
      submitRequestText(store, { text: '{"kind": "withdrawal", "initiator": 1}', actor: 'api', now: at(2) }),
    ).rejects.toThrow(/\/initiator: must be string/);
    await expect(
      submitRequestText(store, { text: `{"x": "${'a'.repeat(70_000)}"}`, actor: 'api', now: at(2) }),
    ).rejects.toThrow(/refused above 65536/);
    const refused = await listLog(store, { action: 'wallet.request.refused' });
    expect(refused.map((e) => (e.payload as { bytes: number }).bytes)).toEqual([38, 70_009]);
    expect(JSON.stringify(refused.map((e) => e.payload))).not.toContain('a'.repeat(64));
  });

  test('behavior: many concurrent withdrawals never overspend one velocity limit', async () => {
    const store = await ctx.open();
    await install(store, basePolicy, t0);
    const now = at(48 * 60 + 1);
    // Limit 1000 per 24 h on `hot`; 60 requests of 30 to the allowlisted exchange race for it.
    const results = await Promise.all(
      Array.from({ length: 60 }, () => submitRequest(store, { request: withdrawalRequest({ amount: '30' }), now })),
    );
    const allowed = results.filter((r) => r.record.state === 'allowed');
    expect(allowed.length).toBe(33);
    expect(results.filter((r) => r.decision.rule === 'hot-daily')).toHaveLength(27);
    expect(await velocityUsed(store, { key: 'source:hot|1:native', since: t0, at: now })).toBe(990n);
  });
});

test('policyLoosens: only added block rules and removed allowlist entries count as tightening', () => {
  const rules = basePolicy.rules;
  const tighter = {
    ...basePolicy,
    allowlist: [],
    rules: [{ id: 'freeze', match: { source: ['cold'] }, action: 'block' as const }, ...rules],
  };
  expect(policyLoosens(basePolicy, tighter)).toBe(false);
  expect(policyLoosens(basePolicy, { ...basePolicy, rules: rules.slice(1) })).toBe(true);
  expect(
    policyLoosens(basePolicy, {
      ...basePolicy,
      groups: { ...basePolicy.groups, treasury: { members: ['carol'], threshold: 1 } },
    }),
  ).toBe(true);
  expect(
    policyLoosens(basePolicy, { ...basePolicy, rules: [{ id: 'x', match: {}, action: 'allow' as const }, ...rules] }),
  ).toBe(true);
});
