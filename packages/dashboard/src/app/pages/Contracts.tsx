import type { Me } from '../App.tsx';
import { linkProps } from '../router.ts';
import { Badge, Loading, Table, useApi, when } from '../ui.tsx';

type FindingCounts = { high: number; medium: number; low: number; informational: number };
type Documentation = { complete: boolean; missing: string[]; stale?: string[] };
type Deployment = {
  network: string;
  address: string;
  status: string;
  bytecodeHash: string | null;
  deployedAt: string | null;
};
type ContractSummary = {
  name: string;
  documentation: Documentation;
  audits: number;
  deployments: Deployment[];
  findings: FindingCounts;
};
type Finding = {
  detector: string;
  impact: string;
  confidence: string | null;
  status?: string;
  title?: string;
  message: string;
  fingerprint?: string;
  location: { file: string; startLine: number; endLine: number };
  excerpt: string | null;
};
type Audit = { id: string; auditor: string; date: string; commit: string | null; reportPath: string | null };
type ContractDetail = {
  name: string;
  sources?: string[];
  documentation: Documentation;
  audits: Audit[];
  deployments: Deployment[];
  scanRun?: { id: string; startedAt: string; commit: string | null } | null;
  findings: Finding[];
};

function DocumentationState({ documentation }: { documentation: Documentation }) {
  const stale = documentation.stale ?? [];
  return (
    <>
      <Badge value={documentation.complete ? 'complete' : 'missing'} />
      {documentation.missing.length > 0 && <div className="muted">missing: {documentation.missing.join(', ')}</div>}
      {stale.length > 0 && <div className="muted">stale: {stale.join(', ')}</div>}
    </>
  );
}

function Excerpt({ finding }: { finding: Finding }) {
  if (!finding.excerpt) return null;
  const lines = finding.excerpt.split('\n');
  return (
    <pre className="excerpt">
      {lines.map((line, index) => {
        const number = finding.location.startLine + index;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of one excerpt never reorder
          <span key={index} className={number <= finding.location.endLine ? 'hit' : undefined}>
            <span className="line-number">{number}</span> {line}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}

function ContractView({ name }: { name: string }) {
  const contract = useApi<ContractDetail>(`/contracts/${encodeURIComponent(name)}`);
  return (
    <Loading loaded={contract} what={`Contract ${name}`}>
      {(data) => (
        <section aria-labelledby="contract-title">
          <h2 id="contract-title">{data.name}</h2>
          <div>
            Documentation: <DocumentationState documentation={data.documentation} />
          </div>
          <h3>Audits</h3>
          {data.audits.length === 0 ? (
            <p className="muted">No audit recorded.</p>
          ) : (
            <ul>
              {data.audits.map((audit) => (
                <li key={audit.id}>
                  {audit.auditor} ({audit.date}){' '}
                  {audit.commit && (
                    <span className="muted">
                      at commit <code>{audit.commit.slice(0, 12)}</code>
                    </span>
                  )}{' '}
                  {audit.reportPath && <code className="ref">{audit.reportPath}</code>}
                </li>
              ))}
            </ul>
          )}
          <h3>Deployments</h3>
          {data.deployments.length === 0 ? (
            <p className="muted">No deployment recorded.</p>
          ) : (
            <ul>
              {data.deployments.map((deployment) => (
                <li key={`${deployment.network}:${deployment.address}`}>
                  chain {deployment.network} <code>{deployment.address}</code> <Badge value={deployment.status} />{' '}
                  {deployment.deployedAt && <span className="muted">{when(deployment.deployedAt)}</span>}
                </li>
              ))}
            </ul>
          )}
          <h3>Findings ({data.findings.length})</h3>
          {data.scanRun ? (
            <p className="muted">
              From the scan of {when(data.scanRun.startedAt)}
              {data.scanRun.commit && ` at commit ${data.scanRun.commit.slice(0, 12)}`}.
            </p>
          ) : (
            <p className="muted">No scan recorded yet (`bulwark gate` records one).</p>
          )}
          {data.findings.map((finding) => (
            <article
              key={finding.fingerprint ?? `${finding.detector}:${finding.location.file}:${finding.location.startLine}`}
              className="card finding"
            >
              <h4>
                <Badge value={finding.impact} /> <code>{finding.detector}</code>{' '}
                <span className="muted">
                  {finding.location.file}:{finding.location.startLine}
                  {finding.location.endLine !== finding.location.startLine && `–${finding.location.endLine}`} ·
                  confidence {finding.confidence ?? '—'}
                </span>{' '}
                {finding.status === 'accepted' && <Badge value="accepted" />}
              </h4>
              {finding.title && <p className="finding-title">{finding.title}</p>}
              <p>{finding.message}</p>
              <Excerpt finding={finding} />
            </article>
          ))}
        </section>
      )}
    </Loading>
  );
}

export function ContractsPage({ selected }: { me: Me; selected?: string }) {
  const contracts = useApi<ContractSummary[]>('/contracts');
  return (
    <section aria-labelledby="contracts-page-title">
      <h1 id="contracts-page-title">Contracts</h1>
      <Loading loaded={contracts} what="Contracts">
        {(data) =>
          data.length === 0 ? (
            <p className="muted">No contract is registered (`bulwark docs add`).</p>
          ) : (
            <Table
              caption="Registered contracts"
              head={['Contract', 'Documentation', 'Audits', 'Deployments', 'High', 'Medium', 'Low', 'Info']}
            >
              {data.map((contract) => (
                <tr key={contract.name}>
                  <td>
                    <a
                      {...linkProps(`/contracts/${encodeURIComponent(contract.name)}`)}
                      aria-current={contract.name === selected ? 'page' : undefined}
                    >
                      {contract.name}
                    </a>
                  </td>
                  <td>
                    <DocumentationState documentation={contract.documentation} />
                  </td>
                  <td>{contract.audits}</td>
                  <td>{contract.deployments.length}</td>
                  <td>{contract.findings.high}</td>
                  <td>{contract.findings.medium}</td>
                  <td>{contract.findings.low}</td>
                  <td>{contract.findings.informational}</td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loading>
      {selected && <ContractView name={selected} />}
    </section>
  );
}
