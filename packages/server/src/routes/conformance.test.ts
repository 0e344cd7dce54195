import { openIncident } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer } from '../createServer.ts';
import { apiCaller, createPeopleTokens } from '../testing.ts';
import { postureEvidenceShown } from './conformance.ts';

type PostureControl = { id: string; evidence: unknown[]; evidenceTotal: number };

describeStore('bulwark serve API: /posture on a long history', (ctx) => {
  let server: FastifyInstance;
  let call: ReturnType<typeof apiCaller>;
  const incidents = postureEvidenceShown + 10;

  beforeAll(async () => {
    const tokens = await createPeopleTokens(ctx.store);
    for (let i = 0; i < incidents; i++)
      await openIncident(ctx.store, {
        title: `Drain ${i}`,
        severity: 'critical',
        chainId: 1,
        address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
        // Detected two hours ago: overdue against the response targets, so each is evidence.
        detectedAt: new Date(Date.now() - 2 * 3_600_000),
        actor: 'monitor',
      });
    server = await createServer({ store: ctx.store, dashboard: false, rateLimits: false });
    await server.listen({ host: '127.0.0.1', port: 0 });
    call = apiCaller(server, tokens);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('behavior: a control shows its first evidence items and their total; /report keeps every item', async () => {
    const posture = await call('GET', '/api/v1/posture', { as: 'vera' });
    expect(posture.status).toBe(200);
    const controls: PostureControl[] = posture.json.areas.flatMap(
      (area: { controls: PostureControl[] }) => area.controls,
    );
    const busiest = controls.reduce((a, b) => (b.evidenceTotal > a.evidenceTotal ? b : a));
    expect(busiest.evidenceTotal).toBeGreaterThanOrEqual(incidents);
    expect(busiest.evidence).toHaveLength(postureEvidenceShown);
    for (const control of controls)
      expect(control.evidence.length).toBe(Math.min(control.evidenceTotal, postureEvidenceShown));
    const report = await call('GET', '/api/v1/report', { as: 'vera' });
    const full = report.json.controls.find((control: { id: string }) => control.id === busiest.id);
    expect(full.evidence).toHaveLength(busiest.evidenceTotal);
    expect(full.evidence.slice(0, postureEvidenceShown)).toEqual(busiest.evidence);
  });
});
