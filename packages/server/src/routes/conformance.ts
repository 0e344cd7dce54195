import type { ControlArea } from '@bulwark/core';
import {
  advisorySections,
  defaultChromiumPath,
  evaluateConformance,
  renderConformanceHtml,
  renderPdf,
} from '@bulwark/governance';
import { postureSchema, reportSchema } from '../schemas.ts';
import { type ApiRoute, plain, query, type RouteContext } from './route.ts';
import { sharedReads } from './sharedReads.ts';

const areas = Object.keys(advisorySections) as ControlArea[];

/** Evidence items per control on /posture (an incident each, on a busy system: thousands); /report has all. */
export const postureEvidenceShown = 50;

/**
 * The conformance report as `bulwark report` builds it, from the store and the project at the
 * server's folder, with its JSON: concurrent requests share one evaluation and one conversion
 * (see sharedReads.ts), as the report runs to megabytes with a long history.
 */
const evaluateShared = sharedReads(async (store: RouteContext['store'], cwd: string) => {
  const report = await evaluateConformance(store, { cwd });
  return { report, json: plain(report) };
});

const postureShared = sharedReads(async (store: RouteContext['store'], cwd: string) => {
  const { report } = await evaluateShared(store, cwd);
  return plain({
    generatedAt: report.generatedAt,
    areas: areas.map((area) => ({
      id: area,
      title: advisorySections[area],
      controls: report.controls
        .filter((control) => control.area === area)
        .map((control) => ({
          id: control.id,
          title: control.text,
          status: control.status,
          reasons: control.reasons,
          evidence: control.evidence.slice(0, postureEvidenceShown),
          evidenceTotal: control.evidence.length,
        })),
    })),
  });
});

export const conformanceRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/posture',
    operationId: 'getPosture',
    summary: "The conformance report's controls, grouped by the advisory's five areas, with their evidence",
    role: 'viewer',
    schema: { response: { 200: postureSchema } },
    handler: async (ctx) => ({ status: 200, body: await postureShared(ctx.store, ctx.cwd) }),
  },
  {
    method: 'GET',
    url: '/api/v1/report',
    operationId: 'getReport',
    summary: 'The conformance report: JSON (default), HTML, or PDF printed by Chromium',
    role: 'viewer',
    schema: {
      querystring: query({ format: { type: 'string', enum: ['json', 'html', 'pdf'], default: 'json' } }),
      response: { 200: reportSchema },
    },
    handler: async (ctx) => {
      const { report, json } = await evaluateShared(ctx.store, ctx.cwd);
      if (ctx.query.format === 'json') return { status: 200, body: json };
      const html = renderConformanceHtml(report, { cwd: ctx.cwd, outDir: undefined });
      if (ctx.query.format === 'html') return { status: 200, body: html, type: 'text/html; charset=utf-8' };
      const { pdf } = await renderPdf(html, {
        executablePath: ctx.services.chromium || defaultChromiumPath,
        footer: `Bulwark conformance report${report.project.name ? ` — ${report.project.name}` : ''}, ${report.generatedAt.slice(0, 10)}`,
      });
      return { status: 200, body: Buffer.from(pdf), type: 'application/pdf' };
    },
  },
];
