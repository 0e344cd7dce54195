import { linkProps } from '../router.ts';
import { Badge, Loading, useApi, when } from '../ui.tsx';

type Evidence = { kind: string; ref: string; summary: string };
type Control = {
  id: string;
  title: string;
  status: string;
  reasons?: string[];
  /** The first items only (the page stays small on a busy system); `evidenceTotal` counts them all. */
  evidence: Evidence[];
  evidenceTotal?: number;
};
type Posture = { generatedAt: string; areas: { id: string; title: string; controls: Control[] }[] };

export function PosturePage() {
  const posture = useApi<Posture>('/posture');
  return (
    <section aria-labelledby="posture-title">
      <h1 id="posture-title">Posture</h1>
      <p className="muted">The advisory's five areas: each control's status and the evidence behind it.</p>
      <Loading loaded={posture} what="Posture">
        {(data) => (
          <>
            <p className="muted">Generated {when(data.generatedAt)}</p>
            <div className="areas">
              {data.areas.map((area) => {
                const met = area.controls.filter((control) => control.status === 'met').length;
                return (
                  <section key={area.id} className="card" aria-labelledby={`area-${area.id}`}>
                    <h2 id={`area-${area.id}`}>{area.title}</h2>
                    <p className="muted">
                      {met} of {area.controls.length} controls met
                    </p>
                    <ul className="controls">
                      {area.controls.map((control) => (
                        <li key={control.id}>
                          <details>
                            <summary>
                              <Badge value={control.status} /> <code>{control.id}</code> {control.title}
                            </summary>
                            {(control.reasons ?? []).length > 0 && (
                              <ul className="reasons">
                                {control.reasons!.map((reason) => (
                                  <li key={reason}>{reason}</li>
                                ))}
                              </ul>
                            )}
                            {control.evidence.length === 0 ? (
                              <p className="muted">No evidence recorded.</p>
                            ) : (
                              <ul>
                                {control.evidence.map((item) => (
                                  <li key={`${item.kind}:${item.ref}`}>
                                    <span className="muted">{item.kind}</span> {item.summary}{' '}
                                    <code className="ref">{item.ref}</code>
                                  </li>
                                ))}
                                {(control.evidenceTotal ?? 0) > control.evidence.length && (
                                  <li className="muted">
                                    and {control.evidenceTotal! - control.evidence.length} more (
                                    <a {...linkProps('/report')}>in the report</a>)
                                  </li>
                                )}
                              </ul>
                            )}
                          </details>
                        </li>
                      ))}
                    </ul>
                  </section>
                );
              })}
            </div>
          </>
        )}
      </Loading>
    </section>
  );
}
