import { useState } from 'react';
import { apiText, download } from '../api.ts';
import { ErrorNote, useAction } from '../ui.tsx';

const formats = [
  { format: 'html', label: 'Download HTML', file: 'bulwark-conformance.html' },
  { format: 'pdf', label: 'Download PDF', file: 'bulwark-conformance.pdf' },
  { format: 'json', label: 'Download JSON', file: 'bulwark-conformance.json' },
] as const;

export function ReportPage() {
  const [html, setHtml] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const { busy, problem, run } = useAction();
  const view = async () => {
    setPending('view');
    const text = await run(
      () => apiText('/report?format=html'),
      (error) => `The report could not be loaded: ${(error as Error).message}`,
    );
    if (text !== undefined) setHtml(text);
  };
  const save = async (format: string, file: string) => {
    setPending(format);
    await run(
      () => download(`/report?format=${format}`, file),
      (error) => `The ${format.toUpperCase()} report could not be downloaded: ${(error as Error).message}`,
    );
  };
  const working = (what: string) => busy && pending === what;
  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">Conformance report</h1>
      <div className="actions">
        <button type="button" onClick={view} disabled={busy}>
          {working('view') ? 'Loading…' : html ? 'Refresh report' : 'View report'}
        </button>
        {formats.map(({ format, label, file }) => (
          <button key={format} type="button" onClick={() => save(format, file)} disabled={busy}>
            {working(format) ? 'Preparing…' : label}
          </button>
        ))}
      </div>
      <ErrorNote text={problem} />
      {html !== null && (
        // The report is the server's own HTML, shown sandboxed: no scripts, no access to this page.
        <iframe className="report" title="Conformance report" sandbox="" srcDoc={html} />
      )}
    </section>
  );
}
