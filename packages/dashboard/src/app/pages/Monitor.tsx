import { useState } from 'react';
import type { Me } from '../App.tsx';
import { BaselineChart, type Point } from '../chart.tsx';
import { type LiveListRule, linkIncidentAlerts } from '../events.ts';
import { useLive, useLiveList } from '../live.tsx';
import { linkProps } from '../router.ts';
import { Badge, Loading, short, Table, useApi, when } from '../ui.tsx';

type Alert = {
  id: string;
  ruleId: string;
  severity: string;
  chainId: number | null;
  address: string | null;
  blockNumber: string | null;
  txHash: string | null;
  status: string;
  incidentId: string | null;
  payload?: Record<string, unknown>;
  createdAt: string;
};

type ChainStatus = {
  chainId: number;
  state: string;
  head: string | number | null;
  lastBlock: string | number | null;
  lag: number | null;
  endpoints: { url: string; up: boolean }[];
};

type WatchedContract = {
  chainId: number;
  address: string;
  name: string;
  warmingUp: boolean;
  paused: boolean;
  /** `chain`: paused() read now; `responder`: unreadable, so the last pause the monitor verified. */
  pausedFrom?: 'chain' | 'responder';
};
type Baseline = { calls: Point[]; outflow: Point[]; valueLocked: Point[] };
type RuleSetting = { id: string; enabled: boolean; parameters?: Record<string, number> };
type RulesAnswer = { chainId: number; address: string; name: string; rules: RuleSetting[] }[];

function AlertRow({ alert }: { alert: Alert }) {
  const summary = alert.payload?.summary ?? alert.payload?.message ?? alert.payload?.title;
  return (
    <tr>
      <td>{when(alert.createdAt)}</td>
      <td>
        <Badge value={alert.severity} />
      </td>
      <td>
        <code>{alert.ruleId}</code>
        {typeof summary === 'string' && <div className="muted">{summary}</div>}
      </td>
      <td>
        <code title={alert.address ?? undefined}>{short(alert.address)}</code>
      </td>
      <td>{alert.blockNumber ?? '—'}</td>
      <td>
        <Badge value={alert.status} />
      </td>
      <td>
        {alert.incidentId ? (
          <a
            {...linkProps(`/incidents/${encodeURIComponent(alert.incidentId)}`)}
            title={`Incident ${alert.incidentId}`}
          >
            Incident {alert.incidentId.slice(0, 8)}
          </a>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}

const alertRule: LiveListRule<Alert> = {
  kinds: ['alert', 'alert-retracted'],
  limit: 100,
  orderBy: 'createdAt',
  also: linkIncidentAlerts,
};

function Alerts() {
  const { events } = useLive();
  // Read once; then each live alert is drawn from the event itself and a retraction marks its row.
  const alerts = useLiveList<Alert>('/alerts?limit=100', alertRule);
  const latest = events.find((event) => event.event === 'alert');
  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      <p className="sr-only" role="status" aria-live="polite">
        {latest ? `New alert: ${(latest.data as Alert).ruleId}` : ''}
      </p>
      <Loading loaded={alerts} what="Alerts">
        {(data) =>
          data.length === 0 ? (
            <p className="muted">No alerts.</p>
          ) : (
            <Table
              caption="Alerts, newest first"
              head={['Time', 'Severity', 'Rule', 'Contract', 'Block', 'Status', 'Incident']}
            >
              {data.map((alert) => (
                <AlertRow key={alert.id} alert={alert} />
              ))}
            </Table>
          )
        }
      </Loading>
    </section>
  );
}

function ChainHealth() {
  const { versions } = useLive();
  const status = useApi<ChainStatus[]>('/monitor/status', versions['monitor-health']);
  return (
    <section aria-labelledby="health-title">
      <h2 id="health-title">Chain health</h2>
      <Loading loaded={status} what="Chain health">
        {(data) =>
          data.length === 0 ? (
            <p className="muted">No chain is monitored by this server.</p>
          ) : (
            <Table caption="Chains" head={['Chain', 'State', 'Head', 'Last block', 'Lag', 'Endpoints']}>
              {data.map((chain) => (
                <tr key={chain.chainId}>
                  <td>{chain.chainId}</td>
                  <td>
                    <Badge value={chain.state} />
                  </td>
                  <td>{chain.head ?? '—'}</td>
                  <td>{chain.lastBlock ?? '—'}</td>
                  <td>{chain.lag ?? '—'}</td>
                  <td>
                    <ul className="plain">
                      {chain.endpoints.map((endpoint) => (
                        <li key={endpoint.url}>
                          <Badge value={endpoint.up ? 'up' : 'down'} /> <code>{endpoint.url}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loading>
    </section>
  );
}

function ContractBaseline({ contract }: { contract: WatchedContract }) {
  const { versions } = useLive();
  const baseline = useApi<Baseline>(
    `/monitor/contracts/${contract.chainId}/${contract.address}/baseline`,
    versions.alert,
  );
  return (
    <Loading loaded={baseline} what="The baseline">
      {(data) => (
        <div className="charts">
          <BaselineChart title="Calls" points={data.calls} />
          <BaselineChart title="Outflow" points={data.outflow} inWei />
          <BaselineChart title="Value locked" points={data.valueLocked} inWei />
        </div>
      )}
    </Loading>
  );
}

function Rules() {
  const rules = useApi<RulesAnswer>('/monitor/rules');
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Rule settings</h2>
      <Loading loaded={rules} what="Rule settings">
        {(data) =>
          data.length === 0 ? (
            <p className="muted">No contract is watched.</p>
          ) : (
            data.map((group) => (
              <Table
                key={`${group.chainId}:${group.address}`}
                caption={`${group.name} (chain ${group.chainId})`}
                head={['Rule', 'Enabled', 'Parameters']}
              >
                {group.rules.map((rule) => (
                  <tr key={rule.id}>
                    <td>
                      <code>{rule.id}</code>
                    </td>
                    <td>{rule.enabled ? 'yes' : 'no'}</td>
                    <td>
                      <code className="params">{JSON.stringify(rule.parameters ?? {})}</code>
                    </td>
                  </tr>
                ))}
              </Table>
            ))
          )
        }
      </Loading>
    </section>
  );
}

export function MonitorPage(_: { me: Me }) {
  const contracts = useApi<WatchedContract[]>('/monitor/contracts');
  const [selected, setSelected] = useState<string>('');
  return (
    <section aria-labelledby="monitor-title">
      <h1 id="monitor-title">Monitor</h1>
      <Alerts />
      <section aria-labelledby="contracts-title">
        <h2 id="contracts-title">Watched contracts</h2>
        <Loading loaded={contracts} what="Watched contracts">
          {(data) => {
            if (data.length === 0) return <p className="muted">No contract is watched by this server.</p>;
            const key = (contract: WatchedContract) => `${contract.chainId}:${contract.address}`;
            const chosen = data.find((contract) => key(contract) === selected) ?? data[0]!;
            return (
              <>
                <Table caption="Contracts" head={['Contract', 'Chain', 'Baseline', 'Paused']}>
                  {data.map((contract) => (
                    <tr key={key(contract)}>
                      <td>
                        {contract.name} <code>{contract.address}</code>
                      </td>
                      <td>{contract.chainId}</td>
                      <td>
                        <Badge value={contract.warmingUp ? 'warming-up' : 'ok'} />
                      </td>
                      <td>
                        {contract.paused ? <Badge value="paused" /> : 'no'}
                        {contract.pausedFrom === 'responder' && (
                          <div className="muted">paused() unreadable: the last verified pause</div>
                        )}
                      </td>
                    </tr>
                  ))}
                </Table>
                <label>
                  Baseline of
                  <select value={key(chosen)} onChange={(event) => setSelected(event.target.value)}>
                    {data.map((contract) => (
                      <option key={key(contract)} value={key(contract)}>
                        {contract.name} (chain {contract.chainId})
                      </option>
                    ))}
                  </select>
                </label>
                <ContractBaseline key={key(chosen)} contract={chosen} />
              </>
            );
          }}
        </Loading>
      </section>
      <Rules />
      <ChainHealth />
    </section>
  );
}
