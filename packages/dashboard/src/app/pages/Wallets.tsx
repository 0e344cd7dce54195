import { useState } from 'react';
import type { Me } from '../App.tsx';
import { api, roleAllows } from '../api.ts';
import { useLiveList } from '../live.tsx';
import { Amount, Badge, ConfirmDialog, ErrorNote, Loading, Table, useAction, useApi, when } from '../ui.tsx';

type AssetChange = { asset?: string; symbol?: string; token?: string; amount?: string; delta?: string } & Record<
  string,
  unknown
>;

type WalletRequestRecord = {
  id: string;
  digest: string;
  initiator: string;
  state: string;
  chainId?: number;
  source?: string;
  createdAt: string;
  expiresAt?: string | null;
  request?: {
    kind?: string;
    asset?: string;
    amount?: string;
    destination?: string;
    chain?: number;
    source?: string;
    memo?: string;
  } & Record<string, unknown>;
  decision?: { outcome?: string; rule?: string; reason?: string; quorum?: unknown; usd?: string | null };
  approvals?: { approver: string; at?: string }[];
  /** The simulation of the transaction (wallet preview), when the server ran one. */
  preview?: {
    status?: string;
    assetChanges?: { account: string; changes: AssetChange[] }[];
    flags?: { id: string; severity?: string; message?: string }[];
  } | null;
};

type Custody = {
  configured: boolean;
  at: string;
  breaches: number;
  chains: {
    chainId: number;
    name: string;
    assets: {
      symbol: string;
      hotShare: number;
      ceiling: number;
      overCeiling: boolean;
      byTier: { hot?: string; warm?: string; cold?: string };
    }[];
  }[];
};

type WalletPolicy = {
  id: string;
  state: string;
  active: boolean;
  proposedBy: string;
  proposedAt: string;
  approvedAt?: string | null;
  appliesAt?: string | null;
  document: Record<string, unknown>;
};

function AssetChanges({ record }: { record: WalletRequestRecord }) {
  const preview = record.preview;
  if (preview)
    return (
      <div className="simulation">
        <p>
          Simulated when submitted: <Badge value={preview.status ?? 'unknown'} />
        </p>
        {(preview.assetChanges ?? []).length === 0 ? (
          <p className="muted">The simulation moves no assets.</p>
        ) : (
          <ul aria-label="Simulated asset changes">
            {(preview.assetChanges ?? []).flatMap(({ account, changes }) =>
              changes.map((change, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: one simulation's changes never reorder
                <li key={`${account}-${index}`}>
                  <code>{account}</code>: {String(change.delta ?? change.amount ?? '?')}{' '}
                  {String(change.symbol ?? change.asset ?? change.token ?? '')}
                </li>
              )),
            )}
          </ul>
        )}
        {(preview.flags ?? []).length > 0 && (
          <ul aria-label="Simulation flags">
            {(preview.flags ?? []).map((flag) => (
              <li key={`${flag.id}-${flag.message ?? ''}`}>
                <Badge value={flag.severity ?? 'info'} /> <code>{flag.id}</code> {flag.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  const request = record.request ?? {};
  return (
    <p>
      {request.kind ?? 'transfer'} of{' '}
      <strong>
        <Amount value={request.amount} asset={request.asset} />
      </strong>{' '}
      from {request.source ?? record.source ?? '?'} to <code>{request.destination ?? '?'}</code>{' '}
      <span className="muted">(as requested; no simulation recorded)</span>
    </p>
  );
}

function PendingRequest({
  record,
  me,
  onDone,
}: {
  record: WalletRequestRecord;
  me: Me;
  onDone: (notice: string) => void;
}) {
  const { busy, problem, run } = useAction();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const act = async (work: () => Promise<string>) => {
    const notice = await run(work);
    if (notice !== undefined) onDone(notice);
  };
  const headingId = `request-${record.id}`;
  const mayDecide = roleAllows(me.role, 'approver');
  return (
    <article className="card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Request <code>{record.id}</code> by {record.initiator}
      </h3>
      <AssetChanges record={record} />
      <dl className="facts">
        <dt>Digest</dt>
        <dd>
          <code className="digest">{record.digest}</code>
        </dd>
        <dt>Policy</dt>
        <dd>
          {record.decision?.rule ?? '—'}: {record.decision?.reason ?? ''}
        </dd>
        {record.decision?.usd && (
          <>
            <dt>Value</dt>
            <dd>{record.decision.usd} USD</dd>
          </>
        )}
        <dt>Expires</dt>
        <dd>{when(record.expiresAt)}</dd>
      </dl>
      <ErrorNote text={problem} />
      {mayDecide && (
        <div className="actions">
          <button
            type="button"
            disabled={busy}
            aria-label={`Approve request ${record.id}`}
            onClick={() =>
              act(async () => {
                const result = await api<{ state: string; quorumMet: boolean; missing: string }>(
                  `/wallet/requests/${encodeURIComponent(record.id)}/approve`,
                  { method: 'POST', body: { digest: record.digest } },
                );
                return result.quorumMet
                  ? `Approved: the request is ${result.state}.`
                  : `Vote recorded; still needed: ${result.missing}.`;
              })
            }
          >
            Approve
          </button>
          <button
            type="button"
            className="danger"
            disabled={busy}
            aria-label={`Reject request ${record.id}…`}
            onClick={() => setRejecting(true)}
          >
            Reject…
          </button>
        </div>
      )}
      <ConfirmDialog
        open={rejecting}
        title={`Reject request ${record.id}?`}
        action="Reject request"
        busy={busy}
        onCancel={() => setRejecting(false)}
        onConfirm={() =>
          act(async () => {
            await api(`/wallet/requests/${encodeURIComponent(record.id)}/reject`, {
              method: 'POST',
              body: { reason: reason.trim() },
            });
            return 'Rejected.';
          }).then(() => setRejecting(false))
        }
      >
        <label>
          Reason (recorded in the audit log)
          <input value={reason} onChange={(event) => setReason(event.target.value)} required />
        </label>
      </ConfirmDialog>
    </article>
  );
}

const walletRequestRule = { kinds: ['wallet-request'], limit: 200, orderBy: 'createdAt' } as const;

/** Policies shown: the most recently proposed. */
const policyLimit = 20;

export function WalletsPage({ me }: { me: Me }) {
  const requests = useLiveList<WalletRequestRecord>('/wallet/requests?limit=200', walletRequestRule);
  const policies = useApi<WalletPolicy[]>(`/wallet/policies?limit=${policyLimit}`);
  const custody = useApi<Custody>('/wallet/custody');
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section aria-labelledby="wallets-title">
      <h1 id="wallets-title">Wallets</h1>
      <h2>Pending approvals</h2>
      <p className="notice" role="status" hidden={notice === null}>
        {notice}
      </p>
      <Loading loaded={requests} what="Wallet requests">
        {(data, reload) => {
          const pending = data.filter((record) => record.state === 'pending');
          const recent = data.filter((record) => record.state !== 'pending').slice(0, 20);
          return (
            <>
              {pending.length === 0 ? (
                <p className="muted">Nothing waits for approval.</p>
              ) : (
                pending.map((record) => (
                  <PendingRequest
                    key={record.id}
                    record={record}
                    me={me}
                    onDone={(text) => {
                      setNotice(`Request ${record.id}: ${text}`);
                      reload();
                    }}
                  />
                ))
              )}
              {recent.length === 0 ? (
                <p className="muted">No decided requests yet.</p>
              ) : (
                <Table caption="Recent requests" head={['Id', 'Initiator', 'Amount', 'State', 'Created']}>
                  {recent.map((record) => (
                    <tr key={record.id}>
                      <td>
                        <code>{record.id}</code>
                      </td>
                      <td>{record.initiator}</td>
                      <td>
                        <Amount value={record.request?.amount} asset={record.request?.asset} />
                      </td>
                      <td>
                        <Badge value={record.state} />
                      </td>
                      <td>{when(record.createdAt)}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </>
          );
        }}
      </Loading>
      <h2>Hot / cold</h2>
      <Loading loaded={custody} what="Custody">
        {(data) =>
          !data.configured ? (
            <p className="muted">No custody file is configured (`bulwark serve --custody FILE`).</p>
          ) : (
            <>
              <p className="muted">
                Balances read {when(data.at)}; {data.breaches} asset{data.breaches === 1 ? '' : 's'} above the hot
                ceiling.
              </p>
              <Table
                caption="Hot share per asset"
                head={['Chain', 'Asset', 'Hot', 'Warm', 'Cold', 'Hot share', 'Ceiling']}
              >
                {data.chains.flatMap((chain) =>
                  chain.assets.map((asset) => (
                    <tr key={`${chain.chainId}:${asset.symbol}`}>
                      <td>{chain.name}</td>
                      <td>{asset.symbol}</td>
                      <td>{asset.byTier.hot ?? '—'}</td>
                      <td>{asset.byTier.warm ?? '—'}</td>
                      <td>{asset.byTier.cold ?? '—'}</td>
                      <td>
                        <meter
                          min={0}
                          max={1}
                          high={asset.ceiling}
                          value={asset.hotShare}
                          aria-label={`Hot share of ${asset.symbol} on ${chain.name}`}
                        />{' '}
                        {(asset.hotShare * 100).toFixed(1)}% {asset.overCeiling && <Badge value="above ceiling" />}
                      </td>
                      <td>{(asset.ceiling * 100).toFixed(0)}%</td>
                    </tr>
                  )),
                )}
              </Table>
            </>
          )
        }
      </Loading>
      <h2>Policies</h2>
      <Loading loaded={policies} what="Policies">
        {(data) =>
          data.length === 0 ? (
            <p className="muted">No wallet policy is recorded (`bulwark wallet policy propose`).</p>
          ) : (
            <>
              {data.length === policyLimit && (
                <p className="muted">The {policyLimit} most recently proposed policies are shown.</p>
              )}
              <ul className="plain">
                {data.map((policy) => (
                  <li key={policy.id} className="card">
                    <details open={policy.active}>
                      <summary>
                        Policy <code>{policy.id}</code> <Badge value={policy.active ? 'active' : policy.state} />{' '}
                        <span className="muted">
                          proposed by {policy.proposedBy} {when(policy.proposedAt)}
                          {policy.appliesAt && `, applies ${when(policy.appliesAt)}`}
                        </span>
                      </summary>
                      <pre>{JSON.stringify(policy.document, null, 2)}</pre>
                    </details>
                  </li>
                ))}
              </ul>
            </>
          )
        }
      </Loading>
    </section>
  );
}
