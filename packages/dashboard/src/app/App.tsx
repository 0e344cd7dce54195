import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiProblem, api, type Role, session, setUnauthorizedHandler } from './api.ts';
import { LiveProvider, useLive } from './live.tsx';
import { ContractsPage } from './pages/Contracts.tsx';
import { IncidentPage, IncidentsPage } from './pages/Incidents.tsx';
import { MonitorPage } from './pages/Monitor.tsx';
import { PosturePage } from './pages/Posture.tsx';
import { ReportPage } from './pages/Report.tsx';
import { RisksPage } from './pages/Risks.tsx';
import { WalletsPage } from './pages/Wallets.tsx';
import { linkProps, navigate, usePath } from './router.ts';
import { ErrorNote, useAction } from './ui.tsx';

export type Me = { name: string; role: Role };

const pages = [
  { path: '/posture', title: 'Posture' },
  { path: '/contracts', title: 'Contracts' },
  { path: '/monitor', title: 'Monitor' },
  { path: '/incidents', title: 'Incidents' },
  { path: '/wallets', title: 'Wallets' },
  { path: '/risks', title: 'Risks' },
  { path: '/report', title: 'Report' },
];

function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const { busy, problem, run } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const me = await run(
      () => api<Me>('/me', { token: token.trim() }),
      (error) =>
        error instanceof ApiProblem && error.status === 401
          ? 'That token is unknown or revoked. Create one with `bulwark init` or POST /api/v1/tokens.'
          : `Could not sign in: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (!me) return;
    session.save(token.trim());
    onSignedIn(me);
  };
  return (
    <main className="signin">
      <h1>Bulwark</h1>
      <form onSubmit={submit}>
        <label>
          API token
          <input
            type="password"
            name="token"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            autoComplete="current-password"
            required
            aria-describedby="token-help"
          />
        </label>
        <p id="token-help" className="muted">
          The token from <code>bulwark init</code> or one an admin created for you. It is kept only in this tab.
        </p>
        <ErrorNote text={problem} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function LiveStatus() {
  const { state } = useLive();
  const text = {
    connecting: 'Connecting…',
    live: 'Live',
    retrying: 'Reconnecting…',
    unavailable: 'No live updates',
  }[state];
  return (
    <span className={`live-state ${state}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}

function Page({ path, me }: { path: string; me: Me }) {
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident) return <IncidentPage id={decodeURIComponent(incident[1]!)} me={me} />;
  const contract = /^\/contracts\/([^/]+)$/.exec(path);
  if (contract) return <ContractsPage me={me} selected={decodeURIComponent(contract[1]!)} />;
  switch (path) {
    case '/posture':
      return <PosturePage />;
    case '/contracts':
      return <ContractsPage me={me} />;
    case '/monitor':
      return <MonitorPage me={me} />;
    case '/incidents':
      return <IncidentsPage />;
    case '/wallets':
      return <WalletsPage me={me} />;
    case '/risks':
      return <RisksPage />;
    case '/report':
      return <ReportPage />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at <code>{path}</code>. <a {...linkProps('/posture')}>Go to Posture</a>.
          </p>
        </section>
      );
  }
}

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    if (path === '/') navigate('/posture');
  }, [path]);
  // After a client-side navigation, move focus to the page so keyboard and screen-reader users start there.
  useEffect(() => {
    main.current?.focus();
    const title = pages.find((page) => path.startsWith(page.path))?.title;
    document.title = title ? `${title} · Bulwark` : 'Bulwark';
  }, [path]);
  return (
    <LiveProvider>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Bulwark</span>
        <nav aria-label="Pages">
          <ul>
            {pages.map((page) => (
              <li key={page.path}>
                <a {...linkProps(page.path)} aria-current={path.startsWith(page.path) ? 'page' : undefined}>
                  {page.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <LiveStatus />
          <span>
            {me.name} <span className="muted">({me.role})</span>
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page path={path === '/' ? '/posture' : path} me={me} />
      </main>
    </LiveProvider>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null | 'checking'>(session.token() ? 'checking' : null);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      session.clear();
      setMe(null);
    });
    if (me !== 'checking') return;
    api<Me>('/me').then(setMe, () => {
      session.clear();
      setMe(null);
    });
  }, [me]);
  if (me === 'checking')
    return (
      <p className="muted" aria-live="polite">
        Checking your session…
      </p>
    );
  if (me === null) return <SignIn onSignedIn={setMe} />;
  return (
    <Shell
      me={me}
      onSignOut={() => {
        session.clear();
        setMe(null);
      }}
    />
  );
}
