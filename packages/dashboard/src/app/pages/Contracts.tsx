import type { Me } from '../App.tsx';
import { linkProps } from '../router.ts';
import { Badge, Loading, Table, useApi, when } from '../ui.tsx';

type FindingCounts = { high: number; medium: number; low: number; informational: number };
type ContractSummary = {
  name: string;
  documentation: { complete: boolean; missing: string[] };
  audits: number;
  deployments: ({ chainId?: number; address?: string; status?: string } & Record<string, unknown>)[];
  findings: FindingCounts;
};
type Finding = {
  detector: string;
  impact: string;
  confidence: string;
  message: string;
  location: { file: string; startLine: number; endLine: number };
  excerpt?: string;
};
type Audit = { id?: string; auditor?: string; date?: string; scope?: string; report?: string } & Record<
  string,
  unknown
>;
type ContractDetail = Omit<ContractSummary, 'audits' | 'findings'> & {
  audits: Audit[];
  findings: Finding[];
};

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
          <p>
            Documentation: <Badge value={data.documentation.complete ? 'complete' : 'missing'} />{' '}
            {!data.documentation.complete && `missing ${data.documentation.missing.join(', ')}`}
          </p>
          <h3>Audits</h3>
          {data.audits.length === 0 ? (
            <p className="muted">No audit recorded.</p>
          ) : (
            <ul>
              {data.audits.map((audit, index) => (
                <li key={String(audit.id ?? index)}>
                  {String(audit.auditor ?? audit.id ?? 'audit')} {audit.date && `(${when(String(audit.date))})`}{' '}
                  {audit.scope && <span className="muted">{String(audit.scope)}</span>}
                </li>
              ))}
            </ul>
          )}
          <h3>Deployments</h3>
          {data.deployments.length === 0 ? (
            <p className="muted">No deployment recorded.</p>
          ) : (
            <ul>
              {data.deployments.map((deployment, index) => (
                <li key={`${deployment.chainId}:${deployment.address ?? index}`}>
                  chain {deployment.chainId ?? '?'} <code>{deployment.address ?? '—'}</code>{' '}
                  {deployment.status && <Badge value={deployment.status} />}
                </li>
              ))}
            </ul>
          )}
          <h3>Findings ({data.findings.length})</h3>
          {data.findings.map((finding) => (
            <article
              key={`${finding.detector}:${finding.location.file}:${finding.location.startLine}`}
              className="card finding"
            >
              <h4>
                <Badge value={finding.impact} /> <code>{finding.detector}</code>{' '}
                <span className="muted">
                  {finding.location.file}:{finding.location.startLine}
                  {finding.location.endLine !== finding.location.startLine && `–${finding.location.endLine}`} ·
                  confidence {finding.confidence}
                </span>
              </h4>
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
                    <Badge value={contract.documentation.complete ? 'complete' : 'missing'} />
                    {!contract.documentation.complete && (
                      <div className="muted">{contract.documentation.missing.join(', ')}</div>
                    )}
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
