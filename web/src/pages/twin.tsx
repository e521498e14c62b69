import { useMemo, useRef, useState } from 'preact/hooks';
import { MAINTAINERS, WRITERS } from '../../../shared/route-table/route';
import { api } from '../api';
import { useConformance, withFindings } from '../findings';
import { markersOf } from '../markers';
import { PAGE_SIZE, usePages } from '../paging';
import { loadSession } from '../session';
import { TimeTravelControls, useTimeTravel } from '../time-travel';
import { findNode, withInstalledTwins } from '../tree';
import type { ThreadState, TimePoint, TwinContext, TwinTab } from '../twin-context';
import type { Thread, Twin } from '../types';
import { ErrorBanner, formatTime, LifecycleBadge, Notice, useAsync } from '../ui';
import { TWIN_TABS } from '../workspace';
import { useLlpSheet } from './llp-sheet';

/** Who may edit the twin itself (PATCH) and who may record change sets: the route table's roles. */
const CAN_EDIT: readonly string[] = WRITERS;
const CAN_CHANGE: readonly string[] = MAINTAINERS;
/** A retired twin takes no change but recycling (not offered here). */
const READ_ONLY = ['retired', 'recycled'];

/** The twin's attributes as people read them: tail number, operator, wind park. */
const attributeText = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);

export const attributeLabel = (name: string) =>
  name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, (_, before: string, after: string) => `${before} ${after.toLowerCase()}`)
    .replace(/^./, (c) => c.toUpperCase());

/** The thread (documents at the replayed time, inspections paged), read once for every panel. */
function useThread(base: string, asOf: string | undefined): ThreadState {
  const pages = usePages(
    async (cursor: string | undefined) => {
      const answer = await api<Thread>('GET', `${base}/thread`, {
        query: { limit: PAGE_SIZE, asOf, inspectionsCursor: cursor },
      });
      return {
        ...answer,
        ...(answer.inspectionsNextCursor ? { nextCursor: answer.inspectionsNextCursor } : {}),
      };
    },
    [base, asOf],
  );
  const inspections = useMemo(() => pages.pages.flatMap((page) => page.inspections), [pages.pages]);
  return {
    ...(pages.first ? { data: pages.first } : {}),
    inspections,
    hasMoreInspections: pages.nextCursor !== undefined,
    loading: pages.loading,
    error: pages.error,
    more: pages.more,
    reload: pages.reload,
  };
}

/** One twin as a workspace: header, one time control for every panel, and the tabs. */
export function TwinPage(props: { id: string; owner?: string }) {
  const base = props.owner
    ? `/v1/shared/twins/${encodeURIComponent(props.owner)}/${encodeURIComponent(props.id)}`
    : `/v1/twins/${encodeURIComponent(props.id)}`;
  const travel = useTimeTravel();
  const [selected, setSelected] = useState<string>();
  const [tab, setTab] = useState(() => new URLSearchParams(location.search).get('tab') ?? 'configuration');
  const time: TimePoint = travel.time;
  // systems of systems: installed twins come embedded (3 levels) and show inside the tree
  const expand = props.owner ? {} : { expand: 'twins' };
  const twin = useAsync(
    () => api<Twin>('GET', base, { query: { ...time, ...expand } }),
    [base, time.asOf, time.knownAt],
  );
  const thread = useThread(base, time.asOf);
  const roles = loadSession()?.roles ?? [];
  const canWrite = !props.owner && roles.some((role) => CAN_EDIT.includes(role));
  // Changes are recorded on the unit as it is now: never while replaying a past asOf or knownAt.
  const replaying = Boolean(time.asOf || time.knownAt);
  const canChange =
    !props.owner &&
    roles.some((role) => CAN_CHANGE.includes(role)) &&
    !replaying &&
    !READ_ONLY.includes(twin.data?.lifecycle ?? '');
  const data = twin.data;
  const configuration = useMemo(() => (data ? withInstalledTwins(data.configuration) : []), [data]);
  const conformance = useConformance({
    base,
    twinId: props.id,
    shared: Boolean(props.owner),
    configuration,
    time,
    version: data?.version,
  });
  const life = useLlpSheet(base, time, data?.version);
  const markers = useMemo(
    () =>
      withFindings(
        markersOf(configuration, thread.data?.documents ?? [], thread.inspections, time),
        conformance.byNode,
      ),
    [configuration, thread.data, thread.inspections, time.asOf, time.knownAt, conformance.byNode],
  );
  const node = data ? findNode(configuration, selected ?? configuration[0]?.path) : undefined;
  const [visited] = useState(() => new Set<string>());
  visited.add(tab);
  const openTab = (id: string) => {
    setTab(id);
    const url = new URL(location.href);
    url.searchParams.set('tab', id);
    history.replaceState(null, '', url);
  };
  const context: TwinContext | undefined = data && {
    base,
    ...(props.owner ? { owner: props.owner } : {}),
    twin: data,
    configuration,
    ...(node ? { node } : {}),
    select: setSelected,
    time,
    roles,
    canWrite,
    canChange,
    canInspect: !replaying && (props.owner ? true : roles.some((role) => role !== 'viewer')),
    thread,
    markers,
    conformance,
    life,
    reload: () => {
      twin.reload();
      thread.reload();
    },
    openTab,
  };
  const tabs = context ? TWIN_TABS.filter((item) => !item.shows || item.shows(context)) : [];
  const current = tabs.find((item) => item.id === tab) ?? tabs[0];

  return (
    <section class="twin-page">
      <ErrorBanner error={twin.error} onRetry={twin.reload} />
      {data && (
        <div class="twin-head">
          <h1>
            {data.serialNumber} <span class="muted">{data.product.name ?? data.product.partNumber}</span>
          </h1>
          <dl>
            <div>
              <dt>Product</dt>
              <dd>
                <code>{data.product.partNumber}</code>
                {data.product.revision ? ` rev ${data.product.revision}` : ''}
              </dd>
            </div>
            <div>
              <dt>Site</dt>
              <dd data-testid="site">{data.site ?? '—'}</dd>
            </div>
            <div>
              <dt>Lifecycle</dt>
              <dd>
                <LifecycleBadge lifecycle={data.lifecycle} />
              </dd>
            </div>
            <div>
              <dt>Version</dt>
              <dd data-testid="version">{data.version}</dd>
            </div>
            {Object.entries(data.attributes ?? {}).map(([name, value]) => (
              <div key={name} data-testid={`attribute-${name}`}>
                <dt>{attributeLabel(name)}</dt>
                <dd>{attributeText(value)}</dd>
              </div>
            ))}
            {props.owner && (
              <div>
                <dt>Owner</dt>
                <dd>{props.owner}</dd>
              </div>
            )}
          </dl>
          {props.owner && <GrantSummary owner={props.owner} twinId={data.id} />}
          {canWrite && <SiteEditor base={base} twin={data} onSaved={twin.reload} />}
        </div>
      )}
      <TimeTravelControls travel={travel} legend="Time travel (every tab)" subject="Configuration" />
      {context && current && (
        <>
          <TabList tabs={tabs} current={current.id} onTab={openTab} />
          {/* a tab once opened stays mounted (hidden): its scroll, forms and loaded pages survive a switch */}
          {tabs
            .filter((item) => item.id === current.id || visited.has(item.id))
            .map((item) => (
              <div
                key={item.id}
                role="tabpanel"
                id={`panel-${item.id}`}
                aria-labelledby={`tab-${item.id}`}
                class="tab-panel"
                hidden={item.id !== current.id}
              >
                {item.render(context)}
              </div>
            ))}
        </>
      )}
    </section>
  );
}

/** The tabs as the WAI-ARIA tabs pattern: one tab stop, Left/Right/Home/End move and open. */
function TabList(props: { tabs: TwinTab[]; current: string; onTab: (id: string) => void }) {
  const list = useRef<HTMLDivElement>(null);
  const go = (index: number) => {
    const tab = props.tabs[(index + props.tabs.length) % props.tabs.length];
    if (!tab) return;
    props.onTab(tab.id);
    list.current?.querySelector<HTMLElement>(`#tab-${tab.id}`)?.focus();
  };
  const at = props.tabs.findIndex((tab) => tab.id === props.current);
  return (
    <div
      role="tablist"
      aria-label="Twin"
      class="tabs no-print"
      ref={list}
      onKeyDown={(event) => {
        const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: -1 };
        const to = moves[event.key];
        if (to === undefined) return;
        event.preventDefault();
        go(to);
      }}
    >
      {props.tabs.map((tab) => (
        <button
          type="button"
          role="tab"
          key={tab.id}
          id={`tab-${tab.id}`}
          aria-selected={tab.id === props.current}
          aria-controls={`panel-${tab.id}`}
          tabIndex={tab.id === props.current ? 0 : -1}
          onClick={() => props.onTab(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export interface ReceivedGrant {
  id: string;
  owner: string;
  twins: { ids?: string[]; site?: string; partNumber?: string };
  view: { name: string };
  purpose: string;
  permissions: string[];
  validTo?: string;
}

/** A shared twin: which grant lets us see it, what it lets us do, until when. */
function GrantSummary(props: { owner: string; twinId: string }) {
  const grants = useAsync(
    () => api<{ items: ReceivedGrant[] }>('GET', '/v1/shared/grants', { query: { owner: props.owner } }),
    [props.owner],
  );
  const items = grants.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <ul class="grants" data-testid="grant-summary" aria-label="Shared with us under">
      {items.map((grant) => (
        <li key={grant.id}>
          Shared by {grant.owner} ({grant.purpose}) through the view "{grant.view.name}":{' '}
          {grantScope(grant.twins)}; you may {grant.permissions.join(' and ')};{' '}
          {grant.validTo ? `until ${formatTime(grant.validTo)}` : 'no end date'}.
        </li>
      ))}
    </ul>
  );
}

export const grantScope = (twins: ReceivedGrant['twins']) =>
  [
    twins.site && `twins at site ${twins.site}`,
    twins.partNumber && `twins of product ${twins.partNumber}`,
    twins.ids && `${twins.ids.length} named twin(s)`,
  ]
    .filter(Boolean)
    .join(' and ') || 'all its twins';

/** Site edit, conditional on the version read: a stale edit is a 412 ("someone changed this unit"). */
function SiteEditor(props: { base: string; twin: Twin; onSaved: () => void }) {
  const [site, setSite] = useState(props.twin.site ?? '');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  return (
    <form
      class="row no-print"
      aria-label="Edit site"
      onSubmit={async (event) => {
        event.preventDefault();
        setError(undefined);
        setDone(false);
        try {
          await api('PATCH', props.base, { body: { site }, ifMatch: props.twin.version });
          setDone(true);
          props.onSaved();
        } catch (caught) {
          setError(caught);
        }
      }}
    >
      <label>
        Site
        <input name="site" value={site} onInput={(event) => setSite(event.currentTarget.value)} />
      </label>
      <button type="submit">Save site</button>
      <ErrorBanner error={error} onRetry={error ? props.onSaved : undefined} />
      {done && <Notice>Site saved.</Notice>}
    </form>
  );
}
