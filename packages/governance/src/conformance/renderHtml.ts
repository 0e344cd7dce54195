import path from 'node:path';
import type { ControlArea } from '@bulwark/core';
import { formatDuration } from '../incidents/duration.ts';
import { impactScale, likelihoodScale, riskRating } from '../risks/riskRating.ts';
import { formatReference } from './controlReference.ts';
import type { ConformanceReport } from './evaluateConformance.ts';
import { type ControlStatus, controlStatuses, type EvidenceLink } from './types.ts';

export function escapeHtml(text: unknown): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const areaTitles: Record<ControlArea, string> = {
  governance: 'Governance and risk management',
  'security-by-design': 'Security-by-design',
  'situational-awareness': 'Situational awareness',
  wallets: 'Secure hosted and self-custody wallets',
  resilience: 'System resilience',
};
const areas = Object.keys(areaTitles) as ControlArea[];

const statusLabels: Record<ControlStatus, string> = {
  met: 'Met',
  partial: 'Partial',
  'not-met': 'Not met',
  'not-applicable': 'Not applicable',
  'no-evidence': 'No evidence',
};

export type RenderHtmlParameters = {
  /** The folder evidence paths are relative to (the report's working folder). */
  cwd?: string | undefined;
  /** The folder the HTML file is written to: file links are made relative to it. */
  outDir?: string | undefined;
};

/**
 * A safe href for an evidence link: in-report anchors, http(s) URLs, and relative file paths
 * (made relative to the output folder). Anything with another scheme (`javascript:`, `data:`)
 * is dropped: hrefs come from stored data.
 */
export function evidenceHref(href: string | undefined, parameters: RenderHtmlParameters = {}): string | undefined {
  if (!href) return undefined;
  if (href.startsWith('#')) return href;
  if (/^https?:\/\//i.test(href)) return href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) return undefined;
  const file =
    parameters.cwd && parameters.outDir ? path.relative(parameters.outDir, path.resolve(parameters.cwd, href)) : href;
  return encodeURI(file.split(path.sep).join('/'));
}

const badge = (status: ControlStatus) => `<span class="badge s-${status}">${statusLabels[status]}</span>`;

function evidenceItem(link: EvidenceLink, parameters: RenderHtmlParameters): string {
  const href = evidenceHref(link.href, parameters);
  const ref = href
    ? `<a href="${escapeHtml(href)}">${escapeHtml(link.ref)}</a>`
    : `<code>${escapeHtml(link.ref)}</code>`;
  return `<li><span class="kind">${escapeHtml(link.kind)}</span> ${ref}: ${escapeHtml(link.summary)}${link.at ? ` <span class="at">${escapeHtml(link.at.slice(0, 10))}</span>` : ''}</li>`;
}

function heatMapTable(report: ConformanceReport): string {
  const rows: string[] = [];
  for (let impact = 5; impact >= 1; impact--) {
    const cells = [1, 2, 3, 4, 5].map((likelihood) => {
      const count = report.risks.heatMap[impact - 1]?.[likelihood - 1] ?? 0;
      const ids = report.risks.entries
        .filter((r) => r.impact === impact && r.likelihood === likelihood)
        .map((r) => r.id);
      return `<td class="heat r-${riskRating(likelihood * impact)}"${ids.length ? ` title="${escapeHtml(ids.join(', '))}"` : ''}>${count || ''}</td>`;
    });
    rows.push(`<tr><th scope="row">${impact} ${escapeHtml(impactScale[impact - 1])}</th>${cells.join('')}</tr>`);
  }
  rows.push(
    `<tr><th></th>${likelihoodScale.map((w, i) => `<th scope="col">${i + 1} ${escapeHtml(w)}</th>`).join('')}</tr>`,
  );
  return `<table class="heatmap" aria-label="Risk heat map: impact by likelihood"><caption>Impact (rows) by likelihood (columns); each cell counts risks.</caption>${rows.join('')}</table>`;
}

function summaryTable(report: ConformanceReport): string {
  const head = `<tr><th>Area</th>${controlStatuses.map((s) => `<th>${badge(s)}</th>`).join('')}<th>Controls</th></tr>`;
  const rows = areas.map((area) => {
    const counts = report.summary.byArea[area];
    const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
    return `<tr><td><a href="#area-${area}">${escapeHtml(areaTitles[area])}</a></td>${controlStatuses.map((s) => `<td class="num">${counts?.[s] ?? 0}</td>`).join('')}<td class="num">${total}</td></tr>`;
  });
  const all = `<tr class="total"><td>All</td>${controlStatuses.map((s) => `<td class="num">${report.summary.byStatus[s]}</td>`).join('')}<td class="num">${report.summary.total}</td></tr>`;
  return `<table class="summary">${head}${rows.join('')}${all}</table>`;
}

function incidentStatsBlock(report: ConformanceReport): string {
  const i = report.incidents;
  const v = i.byVerdict;
  return `<table class="kv">
<tr><th>Incidents</th><td>${i.total} recorded, ${i.open} open</td></tr>
<tr><th>By state</th><td>${Object.entries(i.byState)
    .map(([s, n]) => `${escapeHtml(s)} ${n}`)
    .join(', ')}</td></tr>
<tr><th>By severity</th><td>${
    Object.entries(i.bySeverity)
      .map(([s, n]) => `${escapeHtml(s)} ${n}`)
      .join(', ') || '—'
  }</td></tr>
<tr><th>Containment</th><td>${v['within-target']} within target, ${v.late} late, ${v.overdue} overdue, ${v.pending} pending, ${v['not-needed']} closed without containment</td></tr>
<tr><th>Median time to detect</th><td>${escapeHtml(formatDuration(i.medianTimeToDetectMs))}</td></tr>
<tr><th>Median time to contain</th><td>${escapeHtml(formatDuration(i.medianTimeToContainMs))}</td></tr>
<tr><th>Median time to resolve</th><td>${escapeHtml(formatDuration(i.medianTimeToResolveMs))}</td></tr>
<tr><th>Targets</th><td>${Object.entries(i.targetsMs)
    .map(([s, ms]) => `${escapeHtml(s)} ${escapeHtml(formatDuration(ms))}`)
    .join(', ')}</td></tr>
</table>`;
}

function logBlock(report: ConformanceReport): string {
  const log = report.log;
  if (log.ok)
    return log.head
      ? `<p>${badge('met')} Intact: ${log.entries} entries chained from genesis to head <code>${log.head.seq}:${escapeHtml(log.head.hash)}</code>.</p>`
      : `<p>${badge('no-evidence')} The log is empty.</p>`;
  return `<p>${badge('not-met')} Broken at entry ${log.seq} (${escapeHtml(log.reason)}): ${escapeHtml(log.message)}</p>`;
}

function accountabilityBlock(report: ConformanceReport): string {
  const head = report.integrity.logHead;
  const signOffs = report.signOffs.length
    ? `<table class="list"><thead><tr><th>Signed off by</th><th>Key</th><th>At (UTC)</th><th>Log head signed</th><th>Signature</th></tr></thead><tbody>${report.signOffs
        .map(
          (s) =>
            `<tr><td>${escapeHtml(s.signer)}</td><td><code>${escapeHtml(s.keyId)}</code></td><td>${escapeHtml(s.signedAt.replace('T', ' ').slice(0, 19))}</td><td><code>${s.statement.logHead.seq}:${escapeHtml(s.statement.logHead.hash.slice(0, 16))}…</code></td><td>${s.valid ? (s.registered ? badge('met') : `${badge('partial')} valid, but the key is not a registered approver under this name`) : `${badge('not-met')} ${escapeHtml(s.reason ?? 'invalid')}`}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p>${badge('no-evidence')} Not signed off${report.period ? ' for this period' : ' (sign-offs are per reporting period: give --from and --to)'}: \`bulwark report sign --from … --to … --key FILE --signer NAME\`.</p>`;
  const audits = report.audits.length
    ? `<table class="list"><thead><tr><th>Audit</th><th>Auditor competency and track record</th><th>Report (sha256)</th></tr></thead><tbody>${report.audits
        .map(
          (a) =>
            `<tr><td>${escapeHtml(a.auditor)}, ${escapeHtml(a.date)}<br><code>${escapeHtml(a.id)}</code></td><td>${escapeHtml(a.competency.join('; ') || 'not recorded')}${a.trackRecord.length ? `<br>Track record: ${escapeHtml(a.trackRecord.join('; '))}` : ''}</td><td>${a.report ? `${escapeHtml(a.report.path)}<br><code>${escapeHtml(a.report.sha256 ?? 'no hash recorded')}</code>` : 'no report file'}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No audit is recorded.</p>';
  return `<h3 id="sign-off">Accountable sign-off</h3>${signOffs}
<table class="kv"><tr><th>Log head</th><td>${head ? `<code>${head.seq}:${escapeHtml(head.hash)}</code>` : 'the log is empty'}</td></tr>
<tr><th>State digest</th><td>${report.integrity.stateDigest ? `<code>${escapeHtml(report.integrity.stateDigest)}</code>` : `none: ${report.integrity.rowProblems.length} governance row(s) do not match the log`}</td></tr></table>
<h3 id="audits">Audits</h3>${audits}`;
}

function areaSection(report: ConformanceReport, area: ControlArea, parameters: RenderHtmlParameters): string {
  const rows = report.controls
    .filter((c) => c.area === area)
    .map((c) => {
      const evidence = c.evidence.slice(0, 12);
      const more = c.evidence.length - evidence.length;
      return `<tr id="control-${escapeHtml(c.id)}" class="control">
<td class="id"><strong>${escapeHtml(c.id)}</strong><br>${badge(c.status)}</td>
<td><p class="text">${escapeHtml(c.text)} <span class="ref">(${escapeHtml(formatReference(c.reference))})</span></p>
${c.exceptions.map((e) => `<p class="exception">Exception ${escapeHtml(e.id)} (${escapeHtml(e.state)}, until ${escapeHtml(e.expiresOn)}${e.approvedBy.length ? `, approved by ${escapeHtml(e.approvedBy.join(', '))}` : ''}): ${escapeHtml(e.reason)}; compensating control: ${escapeHtml(e.compensating)}</p>`).join('')}
<ul class="reasons">${c.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
${evidence.length ? `<ul class="evidence">${evidence.map((e) => evidenceItem(e, parameters)).join('')}${more > 0 ? `<li>… and ${more} more (see the JSON report)</li>` : ''}</ul>` : ''}
${c.risks.length ? `<p class="risks">Treats risks: ${c.risks.map((id) => `<a href="#risk-${escapeHtml(id)}">${escapeHtml(id)}</a>`).join(', ')}</p>` : ''}</td>
</tr>`;
    });
  return `<section class="area" id="area-${area}"><h2>${escapeHtml(areaTitles[area])}</h2>
<table class="controls"><thead><tr><th>Control</th><th>Recommendation, reasons and evidence</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></section>`;
}

function registers(report: ConformanceReport): string {
  const risks = report.risks.entries.length
    ? `<table class="list"><thead><tr><th>ID</th><th>Threat → asset</th><th>L×I</th><th>Score</th><th>Owner</th><th>Treatment</th><th>Review</th><th>Controls</th></tr></thead><tbody>${report.risks.entries
        .map(
          (r) =>
            `<tr id="risk-${escapeHtml(r.id)}"><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.threat)} → ${escapeHtml(r.asset)}</td><td>${r.likelihood}×${r.impact}</td><td class="r-${r.rating}">${r.score} ${escapeHtml(r.rating)}</td><td>${escapeHtml(r.owner)}</td><td>${escapeHtml(r.treatment)}${r.plan ? `: ${escapeHtml(r.plan)}` : ''}</td><td class="rv-${escapeHtml(r.reviewState)}">${escapeHtml(r.reviewDate ?? 'none')}${r.reviewState === 'overdue' ? ' (overdue)' : ''}</td><td>${r.controls.map((id) => `<a href="#control-${escapeHtml(id)}">${escapeHtml(id)}</a>`).join(', ')}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>The register is empty.</p>';
  const incidents = report.incidents.entries.length
    ? `<table class="list"><thead><tr><th>Incident</th><th>Severity</th><th>State</th><th>Detected (UTC)</th><th>To detect</th><th>To contain</th></tr></thead><tbody>${report.incidents.entries
        .map(
          (i) =>
            `<tr id="incident-${escapeHtml(i.id)}"><td>${escapeHtml(i.title)}<br><code>${escapeHtml(i.id)}</code></td><td>${escapeHtml(i.severity)}</td><td>${escapeHtml(i.state)}</td><td>${escapeHtml(i.detectedAt.replace('T', ' ').slice(0, 19))}</td><td>${escapeHtml(formatDuration(i.timeToDetectMs))}</td><td>${escapeHtml(formatDuration(i.timeToContainMs))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No incident is recorded.</p>';
  const notes = `<h2 id="notes">How this report was made</h2><ul class="notes">${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  return `<section class="registers"><h2 id="risks">Risk register</h2>${risks}<h2 id="incidents">Incidents</h2>${incidents}${notes}</section>`;
}

const css = `
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font: 9.5pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1f24; margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 16pt; margin: 0 0 .2rem; }
h2 { font-size: 12.5pt; margin: 1rem 0 .4rem; border-bottom: 1px solid #d0d7de; padding-bottom: .15rem; }
h3 { font-size: 10.5pt; margin: .8rem 0 .3rem; }
.meta { color: #57606a; margin: 0 0 .6rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .15rem .35rem; border-bottom: 1px solid #eaeef2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; }
code { font: 8pt ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
.badge { display: inline-block; padding: 0 .35rem; border-radius: .6rem; font-size: 8pt; font-weight: 600; white-space: nowrap; }
.s-met { background: #dafbe1; color: #116329; }
.s-partial { background: #fff8c5; color: #7d4e00; }
.s-not-met { background: #ffebe9; color: #a40e26; }
.s-not-applicable { background: #eaeef2; color: #424a53; }
.s-no-evidence { background: #f6f8fa; color: #57606a; border: 1px dashed #afb8c1; }
.grid { display: flex; gap: 1rem; align-items: flex-start; }
.grid > div { flex: 1; }
table.heatmap { width: auto; }
table.heatmap td.heat { width: 2.2rem; height: 1.6rem; text-align: center; font-weight: 700; border: 1px solid #fff; }
table.heatmap th { font-weight: 400; font-size: 8pt; color: #57606a; white-space: nowrap; }
table.heatmap caption { caption-side: bottom; font-size: 8pt; color: #57606a; text-align: left; }
.r-low { background: #dafbe1; } .r-medium { background: #fff8c5; } .r-high { background: #ffd8b5; } .r-critical { background: #ffcecb; }
table.kv th { width: 11rem; font-weight: 600; }
section.area { break-before: page; }
section.registers { break-before: page; }
table.controls td.id { width: 6.2rem; white-space: nowrap; }
tr.control { break-inside: avoid; }
p.text { margin: 0 0 .15rem; }
ul { margin: .1rem 0; padding-left: 1rem; }
ul.reasons { color: #24292f; font-size: 8.5pt; }
ul.evidence { color: #57606a; font-size: 8.5pt; }
.kind { font-size: 7.5pt; text-transform: uppercase; letter-spacing: .03em; color: #6e7781; }
.at { color: #8c959f; }
.risks { font-size: 8.5pt; margin: .1rem 0 0; }
.rv-overdue { color: #a40e26; font-weight: 600; }
.notes { color: #57606a; font-size: 8.5pt; }
.ref { color: #57606a; font-size: 8pt; }
.exception { font-size: 8.5pt; margin: .1rem 0; color: #7d4e00; }
a { color: #0a58ca; text-decoration: none; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; } }
`;

/** The report as one self-contained HTML page (inline styles, no scripts, no external resources). */
export function renderConformanceHtml(report: ConformanceReport, parameters: RenderHtmlParameters = {}): string {
  const title = `Conformance report${report.project.name ? `: ${report.project.name}` : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bulwark ${escapeHtml(report.tool.version)}">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Against the CSA Singapore <em>Advisory on the Secure Development and Provisioning of DLT-Enabled Services</em> (control catalogue of Bulwark). Generated ${escapeHtml(report.generatedAt)} by Bulwark ${escapeHtml(report.tool.version)}${report.period ? `, for the period ${escapeHtml(report.period.from)} to ${escapeHtml(report.period.to)}` : ''}${report.project.manifest ? ` from the manifest <code>${escapeHtml(report.project.manifest)}</code>` : ', without a manifest'}. Each status is computed from the evidence in the system; <em>no evidence</em> means nothing recorded says either way.</p>
</header>
<main>
<section class="cover">
<h2>Summary</h2>
${summaryTable(report)}
<div class="grid">
<div><h3 id="heatmap">Risk heat map</h3>${heatMapTable(report)}
<p>${report.risks.total} risks: ${Object.entries(report.risks.byRating)
    .map(([r, n]) => `${escapeHtml(r)} ${n}`)
    .join(
      ', ',
    )}. ${report.risks.overdue.length ? `Overdue reviews: ${report.risks.overdue.map((id) => `<a href="#risk-${escapeHtml(id)}">${escapeHtml(id)}</a>`).join(', ')}.` : 'No review overdue.'}</p></div>
<div><h3>Incident handling</h3>${incidentStatsBlock(report)}</div>
</div>
<h3 id="log">Tamper-evident log</h3>
${logBlock(report)}
${accountabilityBlock(report)}
</section>
${areas.map((area) => areaSection(report, area, parameters)).join('\n')}
${registers(report)}
</main>
</body>
</html>
`;
}
