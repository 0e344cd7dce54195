import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkDocsAsync,
  type LoadedManifest,
  loadManifest,
  type Manifest,
  type ManifestContract,
  manifestFileNames,
  scopePath,
} from '@bulwark/governance';
import {
  type Audit,
  type Deployment,
  listAudits,
  listContracts,
  listDeployments,
  listScanFindings,
  listScanRuns,
  type ScanFinding,
  type ScanRun,
} from '@bulwark/store';
import { ApiError } from '../errors.ts';
import { contractDetailSchema, contractSummarySchema, listOf } from '../schemas.ts';
import { type ApiRoute, ok, type RouteContext } from './route.ts';
import { sharedReads } from './sharedReads.ts';

/** Impacts counted per contract (the scanner's `optimization` findings are left out of the counts). */
const countedImpacts = ['high', 'medium', 'low', 'informational'] as const;
/** At most this many lines of code are shown with a finding. */
const excerptLines = 30;

type ContractFacts = {
  name: string;
  sources: string[];
  documentation: { complete: boolean; missing: string[]; stale: string[] };
  audits: Audit[];
  deployments: Deployment[];
  findings: ScanFinding[];
};

/** The project manifest at the server's folder, when there is one (an invalid one is an error the caller sees). */
async function projectManifest(cwd: string): Promise<LoadedManifest | undefined> {
  if (!manifestFileNames.some((name) => existsSync(path.resolve(cwd, name)))) return undefined;
  return loadManifest({ cwd });
}

/**
 * Every contract of the registry and the manifest, with its documentation check (the governance
 * `checkDocs`, as `bulwark docs check` runs it), the audits whose scope holds one of its sources,
 * its deployments, and the findings of the newest scan run in its sources.
 */
async function readContractFacts(
  store: RouteContext['store'],
  cwd: string,
): Promise<{ contracts: ContractFacts[]; run: ScanRun | undefined }> {
  const [registered, deployments, audits, runs, loaded] = await Promise.all([
    listContracts(store),
    listDeployments(store),
    listAudits(store),
    listScanRuns(store),
    projectManifest(cwd),
  ]);
  const run = runs[0];
  const findings = run ? await listScanFindings(store, { scanRunId: run.id }) : [];
  const inManifest = new Set(loaded?.manifest.contracts.map((c) => c.name));
  // A contract only in the registry is checked against the documentation synced there.
  const registryOnly: Manifest = {
    project: { name: '' },
    contracts: registered
      .filter((c) => !inManifest.has(c.name))
      .map((c) => ({ sources: [], ...(c.documentation as Partial<ManifestContract>), name: c.name })),
  };
  const docs = [
    ...(loaded ? (await checkDocsAsync(loaded.manifest, { cwd: loaded.dir })).contracts : []),
    ...(await checkDocsAsync(registryOnly, { cwd })).contracts,
  ];
  const manifestContracts = [...(loaded?.manifest.contracts ?? []), ...registryOnly.contracts];
  const contracts = manifestContracts
    .map((contract) => {
      const sources = new Set(contract.sources.map(scopePath));
      const doc = docs.find((d) => d.name === contract.name)!;
      return {
        name: contract.name,
        sources: [...sources],
        documentation: { complete: doc.complete, missing: doc.missing, stale: doc.stale },
        audits: audits.filter((audit) => (audit.scope.files ?? []).some((file) => sources.has(scopePath(file.path)))),
        deployments: deployments.filter((d) => d.contractName === contract.name),
        findings: findings.filter((finding) => sources.has(scopePath(finding.file))),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { contracts, run };
}

/** Concurrent requests share one reading (see sharedReads.ts). */
const sharedContractFacts = sharedReads(readContractFacts);
const contractFacts = (ctx: RouteContext) => sharedContractFacts(ctx.store, ctx.cwd);

/**
 * The finding's lines from the source as it is now in the project folder; none when the file is
 * gone or lies outside the folder (a path recorded in the store is never followed out of it).
 */
function excerptOf(root: string, file: string, startLine: number, endLine: number): string | null {
  const full = path.resolve(root, file);
  if (path.relative(root, full).startsWith('..') || path.isAbsolute(path.relative(root, full))) return null;
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    return null;
  }
  const last = Math.min(endLine, startLine + excerptLines - 1);
  const lines = text.split(/\r?\n/).slice(startLine - 1, last);
  return lines.length > 0 ? lines.join('\n') : null;
}

const findingView = (root: string, finding: ScanFinding) => {
  const recordedEnd = Number(finding.data.endLine);
  const endLine = Number.isInteger(recordedEnd) && recordedEnd >= finding.line ? recordedEnd : finding.line;
  return {
    detector: finding.detector,
    impact: finding.impact,
    confidence: finding.confidence,
    status: finding.status,
    title: typeof finding.data.title === 'string' ? finding.data.title : finding.detector,
    message: typeof finding.data.message === 'string' ? finding.data.message : '',
    fingerprint: finding.fingerprint,
    location: { file: finding.file, startLine: finding.line, endLine },
    excerpt: excerptOf(root, finding.file, finding.line, endLine),
  };
};

const deploymentView = (d: Deployment) => ({
  network: d.network,
  address: d.address,
  status: d.status,
  bytecodeHash: d.bytecodeHash || null,
  deployedAt: d.deployedAt,
});

export const contractRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/contracts',
    operationId: 'listContracts',
    summary: 'Contracts: documentation completeness, audits, deployments and open scanner findings by impact',
    role: 'viewer',
    schema: { response: { 200: listOf(contractSummarySchema) } },
    handler: async (ctx) => {
      const { contracts } = await contractFacts(ctx);
      return ok(
        contracts.map((c) => ({
          name: c.name,
          documentation: c.documentation,
          audits: c.audits.length,
          deployments: c.deployments.map(deploymentView),
          findings: Object.fromEntries(
            countedImpacts.map((impact) => [
              impact,
              c.findings.filter((f) => f.impact === impact && f.status === 'open').length,
            ]),
          ),
        })),
      );
    },
  },
  {
    method: 'GET',
    url: '/api/v1/contracts/:name',
    operationId: 'getContract',
    summary: 'One contract with its audits, deployments and the findings of the newest scan, with code excerpts',
    role: 'viewer',
    schema: {
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$.-]{0,127}$' } },
      },
      response: { 200: contractDetailSchema },
    },
    handler: async (ctx) => {
      const { contracts, run } = await contractFacts(ctx);
      const contract = contracts.find((c) => c.name === ctx.params.name);
      if (!contract) throw new ApiError(404, 'not-found', `There is no contract ${ctx.params.name}.`);
      const root = (await projectManifest(ctx.cwd))?.dir ?? ctx.cwd;
      return ok({
        name: contract.name,
        sources: contract.sources,
        documentation: contract.documentation,
        audits: contract.audits.map((a) => ({
          id: a.id,
          auditor: a.auditor,
          date: a.auditDate,
          commit: a.commit,
          reportPath: a.reportPath,
          reportHash: a.reportHash,
        })),
        deployments: contract.deployments.map(deploymentView),
        scanRun: run ? { id: run.id, startedAt: run.startedAt, commit: run.commit } : null,
        findings: contract.findings.map((finding) => findingView(root, finding)),
      });
    },
  },
];
