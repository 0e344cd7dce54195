import { insertRisk } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { approvePolicy, parsePolicy, proposePolicy } from '@bulwark/wallet';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer } from '../createServer.ts';
import { apiCaller, createPeopleTokens } from '../testing.ts';

const policyDocument = (id: string) =>
  parsePolicy({
    version: 1,
    groups: { admins: { members: ['heidi', 'ivan', 'judy'], threshold: 2 } },
    admin: { group: 'admins' },
    rules: [{ id, match: {}, action: 'block' }],
  });

describeStore('bulwark serve API: every list takes a limit', (ctx) => {
  let server: FastifyInstance;
  let call: ReturnType<typeof apiCaller>;

  beforeAll(async () => {
    const tokens = await createPeopleTokens(ctx.store);
    for (let i = 0; i < 7; i++)
      await insertRisk(ctx.store, {
        threat: `Threat ${i}`,
        asset: 'hot wallet',
        likelihood: 1 + (i % 5),
        impact: 1 + ((i * 2) % 5),
        owner: 'security',
        treatment: 'mitigate',
      });
    // Three policies proposed a minute apart; the second one approved (in force), the others proposed.
    for (let i = 0; i < 3; i++) {
      const now = new Date(Date.now() - (10 - i) * 60_000);
      const { record } = await proposePolicy(ctx.store, {
        policy: policyDocument(`rule-${i}`),
        proposer: 'heidi',
        now,
      });
      if (i === 1) {
        await approvePolicy(ctx.store, { id: record.id, approver: 'ivan', now });
        await approvePolicy(ctx.store, { id: record.id, approver: 'judy', now });
      }
    }
    server = await createServer({ store: ctx.store, dashboard: false });
    await server.listen({ host: '127.0.0.1', port: 0 });
    call = apiCaller(server, tokens);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('default: /risks gives the highest scores first; limit keeps that many of them', async () => {
    const all = await call('GET', '/api/v1/risks', { as: 'vera' });
    expect(all.status).toBe(200);
    expect(all.json).toHaveLength(7);
    const scores = all.json.map((risk: { score: number }) => risk.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const page = await call('GET', '/api/v1/risks?limit=3', { as: 'vera' });
    expect(page.json.map((risk: { id: string }) => risk.id)).toEqual(
      all.json.slice(0, 3).map((risk: { id: string }) => risk.id),
    );
  });

  test('default: /wallet/policies gives the most recently proposed first; limit keeps that many, the one in force still marked', async () => {
    const all = await call('GET', '/api/v1/wallet/policies', { as: 'vera' });
    expect(all.status).toBe(200);
    expect(all.json.map((policy: { document: { rules: { id: string }[] } }) => policy.document.rules[0]!.id)).toEqual([
      'rule-2',
      'rule-1',
      'rule-0',
    ]);
    const page = await call('GET', '/api/v1/wallet/policies?limit=2', { as: 'vera' });
    expect(page.json).toHaveLength(2);
    expect(page.json.map((policy: { active: boolean }) => policy.active)).toEqual([false, true]);
  });

  test('error: a limit out of range or unknown parameters are a 400, as on every list', async () => {
    for (const path of ['/api/v1/risks', '/api/v1/wallet/policies']) {
      for (const query of ['limit=0', 'limit=1001', 'limit=x', 'page=2']) {
        const answer = await call('GET', `${path}?${query}`, { as: 'vera' });
        expect(answer.status, `${path}?${query}`).toBe(400);
        expect(answer.json.error.code).toBe('invalid-request');
      }
    }
  });

  test('behavior: the OpenAPI document lists limit on both, as on the other lists', async () => {
    const document = (await call('GET', '/openapi.json')).json;
    for (const path of ['/api/v1/risks', '/api/v1/wallet/policies', '/api/v1/alerts']) {
      const parameters = document.paths[path].get.parameters as { name: string; schema: { maximum: number } }[];
      expect(parameters.find((parameter) => parameter.name === 'limit')?.schema).toMatchObject({ maximum: 1000 });
    }
  });
});
