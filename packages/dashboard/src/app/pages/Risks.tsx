import { Badge, Loading, Table, useApi } from '../ui.tsx';

type Risk = {
  id: string;
  threat: string;
  asset?: string;
  likelihood?: number;
  impact?: number;
  score: number;
  owner?: string;
  status: string;
};

const scale = [1, 2, 3, 4, 5];

/** Likelihood × impact on a 5×5 grid; the cell's count is written, colour only reinforces it. */
function HeatMap({ risks }: { risks: Risk[] }) {
  const placed = risks.filter((risk) => risk.likelihood !== undefined && risk.impact !== undefined);
  const count = (likelihood: number, impact: number) =>
    placed.filter((risk) => risk.likelihood === likelihood && risk.impact === impact);
  // The same orientation as the conformance report's heat map: impact up the rows, likelihood across.
  return (
    <div className="table-wrap">
      <table className="heatmap">
        <caption>Open risks by impact (rows) and likelihood (columns)</caption>
        <thead>
          <tr>
            <th scope="col">Impact \ Likelihood</th>
            {scale.map((likelihood) => (
              <th key={likelihood} scope="col">
                {likelihood}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...scale].reverse().map((impact) => (
            <tr key={impact}>
              <th scope="row">{impact}</th>
              {scale.map((likelihood) => {
                const here = count(likelihood, impact);
                const level = likelihood * impact >= 15 ? 'bad' : likelihood * impact >= 6 ? 'warn' : 'good';
                return (
                  <td
                    key={likelihood}
                    className={`heat ${level}`}
                    title={here.map((risk) => risk.threat).join('\n') || undefined}
                  >
                    {here.length > 0 ? here.length : ''}
                    <span className="sr-only">
                      {here.length} risks with impact {impact} and likelihood {likelihood}
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The API's largest page: a register longer than this shows its highest-scored risks. */
const riskLimit = 1000;

export function RisksPage() {
  const risks = useApi<Risk[]>(`/risks?limit=${riskLimit}`);
  return (
    <section aria-labelledby="risks-title">
      <h1 id="risks-title">Risks</h1>
      <Loading loaded={risks} what="Risks">
        {(data) => (
          <>
            <HeatMap risks={data.filter((risk) => risk.status === 'open')} />
            <Table caption="Risk register" head={['Id', 'Threat', 'Asset', 'L', 'I', 'Score', 'Owner', 'Status']}>
              {data.map((risk) => (
                <tr key={risk.id}>
                  <td>
                    <code>{risk.id}</code>
                  </td>
                  <td>{risk.threat}</td>
                  <td>{risk.asset ?? '—'}</td>
                  <td>{risk.likelihood ?? '—'}</td>
                  <td>{risk.impact ?? '—'}</td>
                  <td>{risk.score}</td>
                  <td>{risk.owner ?? '—'}</td>
                  <td>
                    <Badge value={risk.status} />
                  </td>
                </tr>
              ))}
            </Table>
            {data.length === 0 && <p className="muted">No risks recorded (`bulwark risk add`).</p>}
            {data.length === riskLimit && (
              <p className="muted">
                The {riskLimit} highest-scored risks are shown and counted in the heat map (`bulwark risk list` has them
                all).
              </p>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}
