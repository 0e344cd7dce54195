import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiProblem, api } from './api.ts';
import { ether } from './units.ts';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; problem: ApiProblem }
  | { state: 'ready'; data: T; reload: () => void };

/** A failed API call as a problem to show (a network failure has status 0). */
export const problemOf = (error: unknown): ApiProblem =>
  error instanceof ApiProblem ? error : new ApiProblem(0, 'network', String(error));

/** GETs an API path; `reload` fetches again (after an action, or on a live event). */
export function useApi<T>(path: string | null, refreshKey: unknown = 0): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick and refreshKey only trigger a refetch
  useEffect(() => {
    if (path === null) return;
    let current = true;
    api<T>(path).then(
      (data) => current && setResult({ state: 'ready', data, reload }),
      (error: unknown) => current && setResult({ state: 'error', problem: problemOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [path, tick, refreshKey, reload]);
  return result;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One user action at a time: `busy` while it runs; its failure kept as `problem` (resolves undefined). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const run = useCallback(async <T,>(work: () => Promise<T>, describe = messageOf): Promise<T | undefined> => {
    setBusy(true);
    setProblem(null);
    try {
      return await work();
    } catch (error) {
      setProblem(describe(error));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, run };
}

/** A failure the user should read now (announced by screen readers); nothing when there is none. */
export function ErrorNote({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <p className="problem" role="alert">
      {text}
    </p>
  );
}

export function Problem({ problem, what }: { problem: ApiProblem; what: string }) {
  // A route this server does not have (an older server, or the monitor not running in it) is a
  // missing capability, not a failure.
  if (problem.status === 404 && problem.code === 'not-found' && /^No route/.test(problem.message))
    return <p className="muted">{what}: not available on this server.</p>;
  if (problem.code === 'monitor-not-running') return <p className="muted">{problem.message}</p>;
  return <ErrorNote text={`${what} could not be loaded: ${problem.message}`} />;
}

/** Renders `children(data)` once loaded; a short note while loading or on error. */
export function Loading<T>({
  loaded,
  what,
  children,
}: {
  loaded: Loaded<T>;
  what: string;
  children: (data: T, reload: () => void) => ReactNode;
}) {
  if (loaded.state === 'loading')
    return (
      <p className="muted" aria-live="polite">
        Loading {what.toLowerCase()}…
      </p>
    );
  if (loaded.state === 'error') return <Problem problem={loaded.problem} what={what} />;
  return <>{children(loaded.data, loaded.reload)}</>;
}

const tones: Record<string, string> = {
  met: 'good',
  pass: 'good',
  passed: 'good',
  ok: 'good',
  up: 'good',
  healthy: 'good',
  resolved: 'good',
  closed: 'good',
  approved: 'good',
  verified: 'good',
  mined: 'good',
  sent: 'warn',
  allowed: 'good',
  signed: 'good',
  complete: 'good',
  partial: 'warn',
  pending: 'warn',
  open: 'warn',
  acknowledged: 'warn',
  contained: 'warn',
  'warming-up': 'warn',
  lagging: 'warn',
  medium: 'warn',
  low: 'info',
  informational: 'info',
  info: 'info',
  unknown: 'info',
  'not-applicable': 'info',
  triaged: 'warn',
  'no-evidence': 'bad',
  'above ceiling': 'bad',
  active: 'good',
  gap: 'bad',
  missing: 'bad',
  'not-met': 'bad',
  failed: 'bad',
  down: 'bad',
  blocked: 'bad',
  rejected: 'bad',
  high: 'bad',
  critical: 'bad',
  detected: 'bad',
  paused: 'bad',
};

/** A status word in a coloured badge; the word itself carries the meaning (colour is extra). */
export function Badge({ value }: { value: string | null | undefined }) {
  const word = value ?? 'unknown';
  return <span className={`badge ${tones[word.toLowerCase()] ?? 'info'}`}>{word}</span>;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false });
}

export const short = (hex: string | null | undefined, keep = 10) =>
  !hex ? '—' : hex.length > keep + 6 ? `${hex.slice(0, keep)}…${hex.slice(-4)}` : hex;

/**
 * A confirmation as a modal <dialog>: the browser traps focus and Escape cancels. `confirmWord`
 * (when given) must be typed before the action is enabled.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  action,
  confirmWord,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  action: string;
  confirmWord?: string | undefined;
  confirmLabel?: string | undefined;
  busy?: boolean | undefined;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // One id per dialog: a page holds several (a reject dialog per pending request).
  const titleId = useId();
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open) {
      if (!element.open) element.showModal();
      return;
    }
    // Cleared on close, not on open: a reset queued at opening would wipe the first keys typed.
    setTyped('');
    if (element.open) element.close();
  }, [open]);
  const ready = confirmWord === undefined || typed.trim().toLowerCase() === confirmWord.toLowerCase();
  return (
    <dialog ref={dialog} aria-labelledby={titleId} onCancel={onCancel} className="confirm">
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready && !busy) onConfirm();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
        {confirmWord !== undefined && (
          <label>
            {confirmLabel ?? `Type ${confirmWord} to confirm`}
            <input
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </label>
        )}
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={!ready || busy}>
            {busy ? 'Working…' : action}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** An amount of `asset`: the native coin (wei) as ETH, a token in its smallest unit, labelled so; the exact figure in `data-amount`. */
export function Amount({ value, asset }: { value: string | null | undefined; asset?: string | null | undefined }) {
  if (value === null || value === undefined) return <>—</>;
  const native = asset === undefined || asset === null || asset === '' || asset === 'native';
  return (
    <span data-amount={value} data-asset={asset ?? 'native'}>
      {native ? ether(value) : `${value} (smallest unit of ${asset})`}
    </span>
  );
}

export function Table({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((cell) => (
              <th key={cell} scope="col">
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
