import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, errorMessage, setUnauthorizedHandler } from './api';
import { CALLBACK_PATH, type ConsoleConfig, completeSignIn, loadConfig } from './oidc';
import { AdminPage } from './pages/admin';
import { ComponentPage } from './pages/component';
import { ImpactPage } from './pages/impact';
import { InstalledBasePage, SharedPage } from './pages/shared';
import { SignIn } from './pages/sign-in';
import { TwinPage } from './pages/twin';
import { TwinList } from './pages/twin-list';
import { WorkPackagePage } from './pages/work-package';
import { matchPath, navigate, useLocation } from './router';
import {
  loadSession,
  onSignedOutElsewhere,
  type Session,
  saveSession,
  sessionFromOtherTabs,
} from './session';
import { Link } from './ui';
import './styles.css';

interface RouteDef {
  pattern: string;
  title: string;
  view: (params: Record<string, string>, search: URLSearchParams) => preact.JSX.Element;
}

const ROUTES: RouteDef[] = [
  { pattern: '/', title: 'Twins', view: () => <TwinList /> },
  { pattern: '/twins', title: 'Twins', view: () => <TwinList /> },
  { pattern: '/twins/:id', title: 'Twin', view: (params) => <TwinPage id={params.id!} key={params.id} /> },
  {
    pattern: '/twins/:id/work-package',
    title: 'Work package',
    view: (params, search) => <WorkPackagePage id={params.id!} position={search.get('position') ?? ''} />,
  },
  { pattern: '/shared', title: 'Shared with us', view: () => <SharedPage /> },
  {
    pattern: '/shared/:owner/:id',
    title: 'Shared twin',
    view: (params) => <TwinPage id={params.id!} owner={params.owner!} key={`${params.owner}/${params.id}`} />,
  },
  {
    pattern: '/shared/:owner/:id/work-package',
    title: 'Work package',
    view: (params, search) => (
      <WorkPackagePage id={params.id!} owner={params.owner!} position={search.get('position') ?? ''} />
    ),
  },
  { pattern: '/installed-base', title: 'Installed base', view: () => <InstalledBasePage /> },
  { pattern: '/impact', title: 'Fleet impact', view: () => <ImpactPage /> },
  { pattern: '/admin', title: 'Sharing', view: () => <AdminPage /> },
  {
    pattern: '/components/:pn/:sn',
    title: 'Component',
    view: (params) => <ComponentPage partNumber={params.pn!} serialNumber={params.sn!} />,
  },
];

/** What the tenant works with, asked once after sign-in: the navigation shows only these. */
interface Workspaces {
  own: boolean;
  shared: boolean;
  installedBase: boolean;
}

const NAV: { href: string; label: string; shows: (work: Workspaces, roles: string[]) => boolean }[] = [
  { href: '/twins', label: 'Twins', shows: (work) => work.own || !work.shared },
  { href: '/shared', label: 'Shared with us', shows: (work) => work.shared },
  { href: '/installed-base', label: 'Installed base', shows: (work) => work.installedBase },
  { href: '/impact', label: 'Fleet impact', shows: (work) => work.own || work.installedBase },
  { href: '/admin', label: 'Sharing', shows: (_work, roles) => roles.includes('admin') },
];

const some = (path: string) =>
  api<{ items: unknown[] }>('GET', path, { query: { limit: 1 } }).then(
    (page) => page.items.length > 0,
    () => false,
  );

/** Own twins, twins shared with us, an installed base (paas grants): which of them the tenant has. */
function useWorkspaces(session: Session | undefined) {
  const [work, setWork] = useState<Workspaces>();
  useEffect(() => {
    setWork(undefined);
    if (!session) return;
    let live = true;
    Promise.all([some('/v1/twins'), some('/v1/shared/twins'), some('/v1/installed-base')]).then(
      ([own, shared, installedBase]) => {
        if (!live) return;
        setWork({ own, shared, installedBase });
        // A contractor (nothing of its own, twins shared with it) lands on what it works on.
        if (!own && shared && ['/', '/twins'].includes(location.pathname) && !location.search)
          navigate('/shared', true);
      },
    );
    return () => {
      live = false;
    };
  }, [session?.token]);
  return work;
}

function Callback(props: { config: ConsoleConfig; onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (props.config.signIn !== 'oidc') return;
    completeSignIn(props.config, new URLSearchParams(location.search)).then(
      (session) => {
        props.onSignedIn(session);
        navigate('/', true);
      },
      (caught) => setError(errorMessage(caught)),
    );
  }, [props.config, props.onSignedIn]);
  return (
    <main id="main">
      <h1>Signing in…</h1>
      {error && (
        <p class="banner error" role="alert">
          {error} <a href="/">Start again</a>
        </p>
      )}
    </main>
  );
}

function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession());
  // A new tab asks the open ones for their session before offering to sign in.
  const [asked, setAsked] = useState(session !== undefined);
  useEffect(() => {
    if (!asked)
      sessionFromOtherTabs().then((found) => {
        if (found) setSession(found);
        setAsked(true);
      });
    return onSignedOutElsewhere(() => setSession(undefined));
  }, []);
  const work = useWorkspaces(session);
  const [expired, setExpired] = useState(false);
  const [config, setConfig] = useState<ConsoleConfig>();
  const { path, search } = useLocation();
  useEffect(() => void loadConfig().then(setConfig), []);
  const signedIn = useCallback((next: Session) => {
    saveSession(next);
    setSession(next);
    setExpired(false);
  }, []);

  useEffect(
    () =>
      setUnauthorizedHandler(() => {
        saveSession(undefined);
        setSession(undefined);
        setExpired(true);
      }),
    [],
  );

  if (!config || !asked) return <main id="main" aria-busy="true" />;
  if (path === CALLBACK_PATH) return <Callback config={config} onSignedIn={signedIn} />;
  if (!session) return <SignIn config={config} expired={expired} onSignedIn={signedIn} />;

  let page: preact.JSX.Element = (
    <section>
      <h1>Not found</h1>
      <p>The console has no page at {path}.</p>
    </section>
  );
  let title = 'Not found';
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params) {
      page = route.view(params, search);
      title = route.title;
      break;
    }
  }
  document.title = `${title} · twinthread`;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">twinthread</span>
        <nav aria-label="Main">
          {NAV.filter((item) => work && item.shows(work, session.roles)).map((item) => (
            <Link key={item.href} href={item.href} class={path.startsWith(item.href) ? 'active' : ''}>
              {item.label}
            </Link>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {session.tenant} · {session.roles.join(', ')} · {session.sub}
        </span>
        <button
          type="button"
          onClick={() => {
            saveSession(undefined);
            setSession(undefined);
            navigate('/', true);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
