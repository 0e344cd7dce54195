import { type FormEvent, useState } from 'react';
import type { Me } from '../App.tsx';
import { api, roleAllows } from '../api.ts';
import { useLive, useLiveList } from '../live.tsx';
import { linkProps } from '../router.ts';
import { Badge, ConfirmDialog, ErrorNote, Loading, Table, useAction, useApi, when } from '../ui.tsx';

export type Incident = {
  id: string;
  title: string;
  severity: string;
  state: string;
  chainId: number | null;
  address: string | null;
  detectedAt: string;
  containedAt?: string | null;
  resolvedAt?: string | null;
  closedAt?: string | null;
  acknowledgedAt?: string | null;
};

type TimelineEvent = { id: string; at: string; kind?: string; actor?: string; data?: Record<string, unknown> } & Record<
  string,
  unknown
>;

/** A containment action (a pause, or a Safe proposal to pause) and where it stands. */
type ContainmentAction = {
  id: string;
  at: string;
  source: 'monitor' | 'manual';
  kind: string;
  status: string;
  dryRun?: boolean;
  txHash?: string | null;
  actor?: string | null;
};

type IncidentDetail = { incident: Incident; timeline: TimelineEvent[]; actions: ContainmentAction[] };

const incidentRule = { kinds: ['incident'], limit: 200, orderBy: 'detectedAt' } as const;

export function IncidentsPage() {
  const incidents = useLiveList<Incident>('/incidents?limit=200', incidentRule);
  return (
    <section aria-labelledby="incidents-title">
      <h1 id="incidents-title">Incidents</h1>
      <Loading loaded={incidents} what="Incidents">
        {(data) =>
          data.length === 0 ? (
            <p className="muted">No incidents.</p>
          ) : (
            <Table
              caption="Incidents, most recent first"
              head={['Incident', 'Severity', 'State', 'Contract', 'Detected']}
            >
              {data.map((incident) => (
                <tr key={incident.id}>
                  <td>
                    <a {...linkProps(`/incidents/${encodeURIComponent(incident.id)}`)}>{incident.title}</a>
                  </td>
                  <td>
                    <Badge value={incident.severity} />
                  </td>
                  <td>
                    <Badge value={incident.state} />
                  </td>
                  <td>
                    <code>{incident.address ?? '—'}</code>
                  </td>
                  <td>{when(incident.detectedAt)}</td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loading>
    </section>
  );
}

function describeEvent(event: TimelineEvent): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const notes = typeof data.notes === 'object' && data.notes !== null ? Object.values(data.notes) : [];
  const parts = [
    typeof data.field === 'string' && typeof data.text === 'string' ? `${data.field}: ${data.text}` : data.text,
    data.summary,
    ...notes,
    data.reason,
    data.message,
    data.ruleId,
    data.txHash,
    data.to ?? data.state,
  ];
  return parts.filter((part): part is string => typeof part === 'string' && part !== '').join(' · ');
}

function ActionForm({
  label,
  field,
  action,
  onDone,
  id,
}: {
  label: string;
  field: 'summary' | 'text';
  action: 'resolve' | 'postmortem';
  onDone: () => void;
  id: string;
}) {
  const [text, setText] = useState('');
  const [section, setSection] = useState('lessons');
  const { busy, problem, run } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = action === 'postmortem' ? { text, field: section } : { [field]: text };
    const done = await run(async () => {
      await api(`/incidents/${encodeURIComponent(id)}/${action}`, { method: 'POST', body });
      return true;
    });
    if (!done) return;
    setText('');
    onDone();
  };
  const inputId = `${action}-text`;
  return (
    <form onSubmit={submit} className="stack">
      {action === 'postmortem' && (
        <label>
          Post-mortem section
          <select value={section} onChange={(event) => setSection(event.target.value)}>
            <option value="summary">Summary</option>
            <option value="impact">Impact</option>
            <option value="root-cause">Root cause</option>
            <option value="lessons">Lessons</option>
          </select>
        </label>
      )}
      <label htmlFor={inputId}>{label}</label>
      <textarea id={inputId} value={text} onChange={(event) => setText(event.target.value)} required rows={3} />
      <ErrorNote text={problem} />
      <button type="submit" disabled={busy || text.trim() === ''}>
        {action === 'resolve' ? 'Resolve incident' : 'Save post-mortem'}
      </button>
    </form>
  );
}

export function IncidentPage({ id, me }: { id: string; me: Me }) {
  const { versions } = useLive();
  const detail = useApi<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`, versions.incident);
  const [confirming, setConfirming] = useState(false);
  const { busy, problem, run: runAction } = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>, done: string, reload: () => void) => {
    setNotice(null);
    const ran = await runAction(async () => {
      await work();
      return true;
    });
    if (!ran) return;
    setNotice(done);
    reload();
  };
  return (
    <section aria-labelledby="incident-title">
      <p>
        <a {...linkProps('/incidents')}>← All incidents</a>
      </p>
      <Loading loaded={detail} what="The incident">
        {(data, reload) => {
          const { incident } = data;
          const open = !['resolved', 'closed'].includes(incident.state);
          return (
            <>
              <h1 id="incident-title">{incident.title}</h1>
              <dl className="facts">
                <dt>State</dt>
                <dd>
                  <Badge value={incident.state} />
                </dd>
                <dt>Severity</dt>
                <dd>
                  <Badge value={incident.severity} />
                </dd>
                <dt>Contract</dt>
                <dd>
                  <code>{incident.address ?? '—'}</code> {incident.chainId !== null && `(chain ${incident.chainId})`}
                </dd>
                <dt>Detected</dt>
                <dd>{when(incident.detectedAt)}</dd>
                <dt>Contained</dt>
                <dd>{when(incident.containedAt)}</dd>
                <dt>Resolved</dt>
                <dd>{when(incident.resolvedAt)}</dd>
              </dl>

              <h2>Containment</h2>
              {data.actions.length === 0 ? (
                <p className="muted">No containment action yet.</p>
              ) : (
                <ul className="containment" aria-label="Containment actions">
                  {data.actions.map((action) => (
                    <li key={action.id}>
                      <Badge value={action.status} /> <strong>{action.kind}</strong>{' '}
                      {action.source === 'monitor' ? 'by the monitor' : `by ${action.actor ?? 'an operator'}`}
                      {action.dryRun && ' (dry run: nothing sent)'}{' '}
                      {action.txHash && (
                        <>
                          tx <code>{action.txHash}</code>
                        </>
                      )}{' '}
                      <span className="muted">{when(action.at)}</span>
                    </li>
                  ))}
                </ul>
              )}
              {notice && (
                <p className="notice" role="status">
                  {notice}
                </p>
              )}
              <ErrorNote text={problem} />
              {open && (
                <div className="actions">
                  {roleAllows(me.role, 'operator') && incident.state === 'detected' && (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        run(
                          () => api(`/incidents/${encodeURIComponent(incident.id)}/acknowledge`, { method: 'POST' }),
                          'Acknowledged.',
                          reload,
                        )
                      }
                    >
                      Acknowledge
                    </button>
                  )}
                  {roleAllows(me.role, 'approver') && incident.address && (
                    <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
                      Pause contract…
                    </button>
                  )}
                </div>
              )}
              {incident.address && (
                <ConfirmDialog
                  open={confirming}
                  title="Pause this contract?"
                  action="Pause contract"
                  confirmWord={incident.address}
                  confirmLabel="Type the contract address to confirm"
                  busy={busy}
                  onCancel={() => setConfirming(false)}
                  onConfirm={() =>
                    run(
                      () =>
                        api(`/incidents/${encodeURIComponent(incident.id)}/pause`, {
                          method: 'POST',
                          body: { confirm: incident.address },
                        }),
                      'Pause sent.',
                      reload,
                    ).then(() => setConfirming(false))
                  }
                >
                  <p>
                    This sends a pause transaction to <code>{incident.address}</code>
                    {incident.chainId !== null && ` on chain ${incident.chainId}`}. Users cannot use the contract until
                    it is unpaused, which Bulwark never does: unpausing is a separate, deliberate step by its admins.
                  </p>
                </ConfirmDialog>
              )}

              <h2>Timeline</h2>
              <ol className="timeline">
                {data.timeline.map((event) => (
                  <li key={event.id}>
                    <time dateTime={event.at}>{when(event.at)}</time> <strong>{event.kind ?? 'event'}</strong>
                    {event.actor && <span className="muted"> by {event.actor}</span>} {describeEvent(event)}
                  </li>
                ))}
              </ol>

              {roleAllows(me.role, 'operator') && (
                <div className="two">
                  {open && (
                    <ActionForm
                      id={incident.id}
                      label="Resolution summary"
                      field="summary"
                      action="resolve"
                      onDone={reload}
                    />
                  )}
                  <ActionForm id={incident.id} label="Post-mortem" field="text" action="postmortem" onDone={reload} />
                </div>
              )}
            </>
          );
        }}
      </Loading>
    </section>
  );
}
