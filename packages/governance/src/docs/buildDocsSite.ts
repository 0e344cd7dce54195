import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  type Audit,
  type AuditFinding,
  type Deployment,
  listAuditFindings,
  listAudits,
  listControlEvidence,
  listDeployments,
  type StoreClient,
} from '@bulwark/store';
import { findingSeverities, localFindingId } from '../audits/addAudit.ts';
import { scopePath } from '../audits/scopePath.ts';
import { networkKey } from '../manifest/syncManifest.ts';
import type { Contact, DocumentRef, LoadedManifest, Manifest, ManifestContract } from '../manifest/types.ts';
import { checkDocs, type DocsReport, documentationItems } from './checkDocs.ts';
import { html, type Raw, raw, safeUrl } from './html.ts';

export type DocsSiteData = {
  manifest: Manifest;
  /** The manifest's folder: document paths are relative to it. */
  dir: string;
  audits: Audit[];
  findings: AuditFinding[];
  /** Deployments as the store has them (verified hashes and statuses). */
  deployments: Deployment[];
  report: DocsReport;
  /**
   * The gate's latest verdict on the manifest's design claims (`pausable`, `admin`), checked
   * against the code and the chain: the site shows the claim as declared and this beside it.
   */
  designChecks: Map<'pausable' | 'admin', { status: string; reason: string; at: Date }>;
  generatedAt: Date;
};

export type BuildDocsSiteParameters = {
  /** The folder to write to; created when missing. */
  outDir: string;
  now?: Date | undefined;
};

/** The page of a contract, relative to the site's root. */
export const contractPage = (name: string): string => `contracts/${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.html`;

/**
 * Writes the documentation site: `index.html` and one page per contract with its documentation,
 * deployments, audits (from the store, when given), known issues and contacts. Pages are
 * self-contained (inline CSS, no script, a CSP that allows nothing else) and every value from the
 * manifest or the store is escaped.
 */
export async function buildDocsSite(
  store: StoreClient | undefined,
  loaded: LoadedManifest,
  parameters: BuildDocsSiteParameters,
): Promise<{ files: string[] }> {
  const now = parameters.now ?? new Date();
  const data: DocsSiteData = {
    manifest: loaded.manifest,
    dir: loaded.dir,
    audits: store ? await listAudits(store) : [],
    findings: store ? await listAuditFindings(store) : [],
    deployments: store ? await listDeployments(store) : [],
    report: checkDocs(loaded.manifest, { cwd: loaded.dir, now }),
    designChecks: store ? await latestDesignChecks(store) : new Map(),
    generatedAt: now,
  };
  const pages = renderDocsSite(data, { outDir: parameters.outDir });
  const files: string[] = [];
  for (const [name, content] of pages) {
    const path = join(parameters.outDir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    files.push(path);
  }
  return { files };
}

/** The site's pages by path relative to `outDir`. */
export function renderDocsSite(data: DocsSiteData, parameters: { outDir: string }): Map<string, string> {
  const pages = new Map<string, string>();
  pages.set('index.html', page(data, 'index.html', data.manifest.project.name, indexBody(data, parameters)));
  for (const contract of data.manifest.contracts) {
    const name = contractPage(contract.name);
    pages.set(
      name,
      page(
        data,
        name,
        `${contract.name} · ${data.manifest.project.name}`,
        contractBody(data, contract, name, parameters),
      ),
    );
  }
  return pages;
}

const style = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
header{background:#0d2538;color:#fff;padding:1rem 2rem}header a{color:#cfe3ff}
main{max-width:70rem;margin:0 auto;padding:1rem 2rem 3rem}
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid #d8dee4;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;background:#fff}
th,td{border:1px solid #d8dee4;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f3f6}code{font-size:.9em;word-break:break-all}
.ok{color:#116329}.bad{color:#a40e26}.warn{color:#7d4e00}.muted{color:#57606a}
.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#eef1f4;font-size:.85em}
footer{color:#57606a;font-size:.85em;margin-top:3rem}
`;

function page(data: DocsSiteData, path: string, title: string, body: Raw): string {
  const root = path.includes('/') ? '../' : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>${raw(style)}</style>
</head>
<body>
<header><a href="${`${root}index.html`}">${data.manifest.project.name}</a> · smart contract documentation</header>
<main>
${body}
<footer>Generated by Bulwark on ${data.generatedAt.toISOString().slice(0, 10)} from the project manifest and the audit register.</footer>
</main>
</body>
</html>
`.value;
}

function indexBody(data: DocsSiteData, parameters: { outDir: string }): Raw {
  const { project } = data.manifest;
  const rows = data.manifest.contracts.map((contract) => {
    const status = data.report.contracts.find((c) => c.name === contract.name);
    const audits = auditsOf(data, contract);
    const deployments = (contract.deployments ?? []).map((d) => `${d.network ?? `chain ${d.chainId}`}: ${d.status}`);
    return html`<tr>
<td><a href="${contractPage(contract.name)}">${contract.name}</a>${contract.description ? html`<br><span class="muted">${contract.description}</span>` : ''}</td>
<td>${deployments.length > 0 ? deployments.join(', ') : html`<span class="muted">none recorded</span>`}</td>
<td>${audits.length > 0 ? audits.map((a) => `${a.auditor} (${a.auditDate})`).join(', ') : html`<span class="bad">not audited</span>`}</td>
<td>${status?.complete ? html`<span class="ok">complete</span>` : html`<span class="warn">${(status?.missing.length ?? 0) + (status?.stale.length ?? 0)} gaps</span>`}</td>
</tr>`;
  });
  return html`<h1>${project.name}</h1>
${project.description ? html`<p>${project.description}</p>` : ''}
<table>
${project.repository ? html`<tr><th>Repository</th><td>${link(project.repository)}</td></tr>` : ''}
${project.website ? html`<tr><th>Website</th><td>${link(project.website)}</td></tr>` : ''}
<tr><th>Security contact</th><td>${project.securityContact ? contactLink(project.securityContact) : html`<span class="bad">none given</span>`}</td></tr>
<tr><th>Disclosure policy</th><td>${project.disclosurePolicy ? documentCell(data, project.disclosurePolicy, 'index.html', parameters) : html`<span class="bad">none given</span>`}</td></tr>
</table>
<h2>Contracts</h2>
<table><tr><th>Contract</th><th>Deployments</th><th>Audits</th><th>Documentation</th></tr>${rows}</table>
<h2>Contacts</h2>
${contactsTable(data.manifest.contacts ?? [])}`;
}

function contractBody(
  data: DocsSiteData,
  contract: ManifestContract,
  pagePath: string,
  parameters: { outDir: string },
): Raw {
  const docs = contract.documentation ?? {};
  const doc = (ref: DocumentRef | undefined) =>
    ref === undefined ? missing() : documentCell(data, ref, pagePath, parameters);
  const status = data.report.contracts.find((c) => c.name === contract.name);
  const label = (id: string) => documentationItems.find((item) => item.id === id)?.label ?? id;
  const pausable =
    contract.pausable === undefined
      ? missing()
      : typeof contract.pausable === 'boolean'
        ? contract.pausable
          ? 'yes'
          : 'no'
        : html`yes${contract.pausable.breaker ? html` — <code>${contract.pausable.breaker}</code>` : ''}${contract.pausable.guardian ? `, guardian ${contract.pausable.guardian}` : ''}${contract.pausable.description ? html`<br>${contract.pausable.description}` : ''}`;
  const admin = contract.admin
    ? html`${contract.admin.kind}${contract.admin.address ? html` <code>${contract.admin.address}</code>` : ''}${contract.admin.threshold ? ` (${contract.admin.threshold} of ${contract.admin.signers?.length ?? '?'})` : ''}${contract.admin.delay !== undefined ? `, delay ${contract.admin.delay} s` : ''}${contract.admin.description ? html`<br>${contract.admin.description}` : ''}`
    : missing();
  const checked = (claim: 'pausable' | 'admin') => {
    const check = data.designChecks.get(claim);
    return check
      ? html`<br><span class="${check.status === 'pass' ? 'ok' : 'warn'}">Gate check ${check.status} on ${check.at.toISOString().slice(0, 10)}: ${check.reason}</span>`
      : html`<br><span class="warn">Not yet checked against the code by <code>bulwark gate</code>.</span>`;
  };
  const upgrade = docs.upgradeability
    ? html`<span class="tag">${docs.upgradeability.kind}</span> ${docs.upgradeability.description ?? ''}${docs.upgradeability.document ? html`<br>${doc(docs.upgradeability.document)}` : ''}`
    : missing();

  const contacts = (docs.contacts ?? [])
    .map((name) => data.manifest.contacts?.find((contact) => contact.name === name))
    .filter((contact): contact is Contact => contact !== undefined);
  return html`<h1>${contract.name}</h1>
${contract.description ? html`<p>${contract.description}</p>` : ''}
${
  status && !status.complete
    ? html`<p class="warn">Documentation gaps: ${[...status.missing.map((id) => `missing ${label(id)}`), ...status.stale.map((s) => `stale ${s}`)].join('; ')}.</p>`
    : html`<p class="ok">Documentation complete.</p>`
}
<table>
<tr><th>Sources</th><td>${contract.sources.map((s) => html`<code>${s}</code><br>`)}</td></tr>
<tr><th>Holds value</th><td>${contract.holdsValue === undefined ? missing() : contract.holdsValue ? 'yes' : 'no'}</td></tr>
<tr><th>Pausable / circuit breaker (declared)</th><td>${pausable}${checked('pausable')}</td></tr>
<tr><th>Admin (declared)</th><td>${admin}${checked('admin')}</td></tr>
<tr><th>Upgradeability</th><td>${upgrade}</td></tr>
</table>
<h2>Technical specification</h2>
<table>
<tr><th>Specification</th><td>${doc(docs.specification)}</td></tr>
<tr><th>Intended behaviour</th><td>${doc(docs.behaviour)}</td></tr>
<tr><th>Access control</th><td>${doc(docs.accessControl)}</td></tr>
</table>
<h2>External dependencies</h2>
${
  docs.externalDependencies === undefined
    ? html`<p>${missing()}</p>`
    : docs.externalDependencies.length === 0
      ? html`<p>None.</p>`
      : html`<table><tr><th>Name</th><th>Kind</th><th>Address</th><th>Description</th><th>If it fails</th></tr>${docs.externalDependencies.map(
          (dep) =>
            html`<tr><td>${dep.name}</td><td>${dep.kind}</td><td><code>${dep.address ?? ''}</code></td><td>${dep.description ?? ''}</td><td>${dep.failureMode ?? ''}</td></tr>`,
        )}</table>`
}
<h2>Deployment status</h2>
${deploymentsTable(data, contract)}
<h2>Procedures</h2>
<table>
<tr><th>Responsible disclosure</th><td>${doc(docs.procedures?.disclosurePolicy ?? data.manifest.project.disclosurePolicy)}</td></tr>
<tr><th>Recourse in case of failure</th><td>${doc(docs.procedures?.recourse)}</td></tr>
<tr><th>Use of open-source code</th><td>${doc(docs.procedures?.openSourceUse)}</td></tr>
</table>
<h2>Known issues</h2>
${
  docs.knownIssues === undefined
    ? html`<p>${missing()}</p>`
    : docs.knownIssues.length === 0
      ? html`<p>None known.</p>`
      : html`<table><tr><th>Id</th><th>Issue</th><th>Kind</th><th>Severity</th><th>Status</th></tr>${docs.knownIssues.map(
          (issue) =>
            html`<tr><td>${issue.id ?? ''}</td><td><strong>${issue.title}</strong>${issue.description ? html`<br>${issue.description}` : ''}</td><td>${issue.kind ?? ''}</td><td>${issue.severity ?? ''}</td><td>${issue.status ?? ''}</td></tr>`,
        )}</table>`
}
<h2>Audits</h2>
${auditsSection(data, contract)}
<h2>History</h2>
<table>
<tr><th>Test reports</th><td>${(docs.history?.testReports ?? []).length > 0 ? docs.history!.testReports!.map((ref) => html`${doc(ref)}<br>`) : missing()}</td></tr>
<tr><th>Changelog</th><td>${docs.history?.changelog ? doc(docs.history.changelog) : html`<span class="muted">none</span>`}</td></tr>
<tr><th>Incidents</th><td>${(docs.history?.incidents ?? []).length > 0 ? docs.history!.incidents!.map((ref) => html`${doc(ref)}<br>`) : html`<span class="muted">none recorded</span>`}</td></tr>
</table>
<h2>Contacts</h2>
${contactsTable(contacts.length > 0 ? contacts : (data.manifest.contacts ?? []))}
${data.manifest.project.securityContact ? html`<p>Report vulnerabilities to ${contactLink(data.manifest.project.securityContact)}.</p>` : ''}`;
}

function missing(): Raw {
  return html`<span class="bad">not documented</span>`;
}

function link(value: string): Raw {
  const url = safeUrl(value);
  return url ? html`<a href="${url}" rel="noopener noreferrer">${value}</a>` : html`${value}`;
}

function contactLink(value: string): Raw {
  if (/^[^@\s]+@[^@\s]+$/.test(value)) return html`<a href="${`mailto:${value}`}">${value}</a>`;
  return link(value);
}

function documentCell(
  data: DocsSiteData,
  ref: DocumentRef,
  pagePath: string,
  parameters: { outDir: string } = { outDir: data.dir },
): Raw {
  const value = typeof ref === 'string' ? (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ? { url: ref } : { path: ref }) : ref;
  const parts: Raw[] = [];
  if (value.text) parts.push(html`${value.text}`);
  if (value.url) parts.push(link(value.url));
  if (value.path) {
    // A relative link from the page to the file, always starting with ./ or ../ so that no
    // path can read as a URL scheme (javascript:…).
    const pageDir = dirname(resolve(parameters.outDir, pagePath));
    const target = relative(pageDir, resolve(data.dir, value.path)).split(sep).map(encodeURIComponent).join('/');
    const href = target.startsWith('../') ? target : `./${target}`;
    parts.push(html`<a href="${href}"><code>${value.path}</code></a>`);
  }
  const meta: string[] = [];
  if (typeof ref !== 'string' && ref.reviewedAt) meta.push(`reviewed ${ref.reviewedAt}`);
  if (typeof ref !== 'string' && ref.nextReview) meta.push(`next review ${ref.nextReview}`);
  return html`${parts.map((part, i) => html`${i > 0 ? ' · ' : ''}${part}`)}${meta.length > 0 ? html` <span class="muted">(${meta.join(', ')})</span>` : ''}`;
}

function contactsTable(contacts: Contact[]): Raw {
  if (contacts.length === 0) return html`<p>${missing()}</p>`;
  return html`<table><tr><th>Name</th><th>Role</th><th>E-mail</th><th>Other</th></tr>${contacts.map(
    (contact) =>
      html`<tr><td>${contact.name}</td><td>${contact.role ?? ''}</td><td>${contact.email ? contactLink(contact.email) : ''}</td><td>${[contact.handle, contact.phone, contact.url, contact.pgpKey ? `PGP ${contact.pgpKey}` : undefined].filter(Boolean).join(' · ')}</td></tr>`,
  )}</table>`;
}

function deploymentsTable(data: DocsSiteData, contract: ManifestContract): Raw {
  const deployments = contract.deployments ?? [];
  if (deployments.length === 0) return html`<p>${missing()}</p>`;
  return html`<table><tr><th>Network</th><th>Address</th><th>Status</th><th>Verified code hash</th><th>Deployed</th></tr>${deployments.map(
    (deployment) => {
      const stored = data.deployments.find(
        (d) =>
          d.contractName === contract.name &&
          d.network === networkKey(deployment.chainId) &&
          d.address === deployment.address?.toLowerCase(),
      );
      const storeStatus = stored && stored.status !== deployment.status ? ` (last check: ${stored.status})` : '';
      return html`<tr><td>${deployment.network ?? ''} <span class="muted">chain ${deployment.chainId}</span></td><td><code>${deployment.address ?? '—'}</code></td><td>${deployment.status}${storeStatus ? html`<span class="${stored?.status === 'mismatch' ? 'bad' : 'muted'}">${storeStatus}</span>` : ''}</td><td><code>${stored?.bytecodeHash || deployment.bytecodeHash || ''}</code></td><td>${deployment.deployedAt ?? ''}</td></tr>`;
    },
  )}</table>`;
}

function auditsOf(data: DocsSiteData, contract: ManifestContract): Audit[] {
  const sources = contract.sources.map(scopePath);
  return data.audits.filter((audit) => {
    const names = (audit.scope as { contractNames?: unknown }).contractNames;
    if (Array.isArray(names) && names.includes(contract.name)) return true;
    return (audit.scope.files ?? []).some((file) => sources.includes(scopePath(file.path)));
  });
}

function auditsSection(data: DocsSiteData, contract: ManifestContract): Raw {
  const audits = auditsOf(data, contract);
  if (audits.length === 0) return html`<p class="bad">No audit recorded.</p>`;
  return html`${audits.map((audit) => {
    const profile = audit.auditorProfile as { competency?: unknown; trackRecord?: unknown };
    const list = (value: unknown) => (Array.isArray(value) ? value.map(String).join('; ') : String(value ?? ''));
    const rank = (severity: string) => {
      const index = (findingSeverities as readonly string[]).indexOf(severity);
      return index === -1 ? findingSeverities.length : index;
    };
    const findings = data.findings
      .filter((finding) => finding.auditId === audit.id)
      .sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
    return html`<h3>${audit.auditor}, ${audit.auditDate} <span class="muted">(${audit.id})</span></h3>
<table>
<tr><th>Competency</th><td>${list(profile.competency)}</td></tr>
<tr><th>Track record</th><td>${list(profile.trackRecord)}</td></tr>
<tr><th>Report</th><td>${audit.reportPath ? html`<code>${audit.reportPath}</code>` : ''} ${audit.reportHash ? html`<span class="muted">sha256 <code>${audit.reportHash}</code></span>` : ''}</td></tr>
<tr><th>Commit</th><td><code>${audit.commit ?? '—'}</code></td></tr>
<tr><th>Scope</th><td>${(audit.scope.files ?? []).map((file) => html`<code>${file.path}</code> <span class="muted">${file.hash.slice(0, 16)}…</span><br>`)}</td></tr>
</table>
${
  findings.length === 0
    ? html`<p class="muted">No findings recorded.</p>`
    : html`<table><tr><th>Id</th><th>Finding</th><th>Severity</th><th>Status</th><th>Resolution</th></tr>${findings.map(
        (finding) =>
          html`<tr><td>${localFindingId(audit.id, finding.id)}</td><td>${finding.title}</td><td>${finding.severity}</td><td class="${finding.status === 'open' ? 'bad' : 'ok'}">${finding.status}</td><td>${finding.resolution ?? ''}</td></tr>`,
      )}</table>`
}`;
  })}`;
}

/** The gate records each check as control evidence (`gate.<check>`); the newest per claim is what the site shows. */
async function latestDesignChecks(store: StoreClient): Promise<DocsSiteData['designChecks']> {
  const checks: DocsSiteData['designChecks'] = new Map();
  for (const evidence of await listControlEvidence(store)) {
    const claim = evidence.kind === 'gate.pausable' ? 'pausable' : evidence.kind === 'gate.admin' ? 'admin' : undefined;
    if (!claim || checks.has(claim)) continue;
    const reason = typeof evidence.data.reason === 'string' ? evidence.data.reason : '';
    checks.set(claim, { status: evidence.status, reason, at: evidence.collectedAt });
  }
  return checks;
}
