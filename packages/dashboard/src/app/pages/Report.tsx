import { useState } from 'react';
import { ApiProblem, authHeaders, download } from '../api.ts';

const formats = [
  { format: 'html', label: 'Download HTML', file: 'bulwark-conformance.html' },
  { format: 'pdf', label: 'Download PDF', file: 'bulwark-conformance.pdf' },
  { format: 'json', label: 'Download JSON', file: 'bulwark-conformance.json' },
] as const;

export function ReportPage() {
  const [html, setHtml] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const view = async () => {
    setBusy('view');
    setProblem(null);
    try {
      const response = await fetch('/api/v1/report?format=html', { headers: authHeaders() });
      if (!response.ok) throw new ApiProblem(response.status, 'report', `the server answered ${response.status}`);
      setHtml(await response.text());
    } catch (error) {
      setProblem(`The report could not be loaded: ${(error as Error).message}`);
    } finally {
      setBusy(null);
    }
  };
  const save = async (format: string, file: string) => {
    setBusy(format);
    setProblem(null);
    try {
      await download(`/report?format=${format}`, file);
    } catch (error) {
      setProblem(`The ${format.toUpperCase()} report could not be downloaded: ${(error as Error).message}`);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="report-title">
      <h1 id="report-title">Conformance report</h1>
      <div className="actions">
        <button type="button" onClick={view} disabled={busy !== null}>
          {busy === 'view' ? 'Loading…' : html ? 'Refresh report' : 'View report'}
        </button>
        {formats.map(({ format, label, file }) => (
          <button key={format} type="button" onClick={() => save(format, file)} disabled={busy !== null}>
            {busy === format ? 'Preparing…' : label}
          </button>
        ))}
      </div>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {html !== null && (
        // The report is the server's own HTML, shown sandboxed: no scripts, no access to this page.
        <iframe className="report" title="Conformance report" sandbox="" srcDoc={html} />
      )}
    </section>
  );
}
