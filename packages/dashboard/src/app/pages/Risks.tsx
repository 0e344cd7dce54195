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
  return (
    <div className="table-wrap">
      <table className="heatmap">
        <caption>Open risks by likelihood (rows) and impact (columns)</caption>
        <thead>
          <tr>
            <th scope="col">Likelihood \ Impact</th>
            {scale.map((impact) => (
              <th key={impact} scope="col">
                {impact}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...scale].reverse().map((likelihood) => (
            <tr key={likelihood}>
              <th scope="row">{likelihood}</th>
              {scale.map((impact) => {
                const here = count(likelihood, impact);
                const level = likelihood * impact >= 15 ? 'bad' : likelihood * impact >= 6 ? 'warn' : 'good';
                return (
                  <td
                    key={impact}
                    className={`heat ${level}`}
                    title={here.map((risk) => risk.threat).join('\n') || undefined}
                  >
                    {here.length > 0 ? here.length : ''}
                    <span className="sr-only">
                      {here.length} risks with likelihood {likelihood} and impact {impact}
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

export function RisksPage() {
  const risks = useApi<Risk[]>('/risks');
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
          </>
        )}
      </Loading>
    </section>
  );
}
