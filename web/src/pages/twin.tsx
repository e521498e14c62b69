import { useMemo, useState } from 'preact/hooks';
import { MAINTAINERS, WRITERS } from '../../../shared/route-table/route';
import { api } from '../api';
import { href } from '../router';
import { loadSession } from '../session';
import { allPaths, ConfigTree, findNode, NESTED, withInstalledTwins } from '../tree';
import type { Twin } from '../types';
import {
  ErrorBanner,
  formatTime,
  fromLocalInput,
  KindBadge,
  LifecycleBadge,
  Link,
  Notice,
  useAsync,
} from '../ui';
import { ChangeActions } from './change';
import { ConformancePanel, ModelEditor } from './conformance';
import { DiffPanel, HistoryTimeline } from './history';
import { ThreadPanel } from './thread';

/** Who may edit the twin itself (PATCH) and who may record change sets: the route table's roles. */
const CAN_EDIT: readonly string[] = WRITERS;
const CAN_CHANGE: readonly string[] = MAINTAINERS;
/** A retired twin takes no change but recycling (not offered here). */
const READ_ONLY = ['retired', 'recycled'];

/** One twin: its configuration tree at a chosen time, its history, comparisons and thread. */
export function TwinPage(props: { id: string; owner?: string }) {
  const base = props.owner
    ? `/v1/shared/twins/${encodeURIComponent(props.owner)}/${encodeURIComponent(props.id)}`
    : `/v1/twins/${encodeURIComponent(props.id)}`;
  const [asOf, setAsOf] = useState('');
  const [knownAtOn, setKnownAtOn] = useState(false);
  const [knownAt, setKnownAt] = useState('');
  const [selected, setSelected] = useState<string>();
  const query = {
    asOf: fromLocalInput(asOf) || undefined,
    knownAt: knownAtOn ? fromLocalInput(knownAt) || undefined : undefined,
  };
  // systems of systems: installed twins come embedded (3 levels) and show inside the tree
  const expand = props.owner ? {} : { expand: 'twins' };
  const twin = useAsync(
    () => api<Twin>('GET', base, { query: { ...query, ...expand } }),
    [base, query.asOf, query.knownAt],
  );
  const roles = loadSession()?.roles ?? [];
  const canWrite = !props.owner && roles.some((role) => CAN_EDIT.includes(role));
  // Changes are recorded on the unit as it is now: never while replaying a past asOf or knownAt.
  const canChange =
    !props.owner &&
    roles.some((role) => CAN_CHANGE.includes(role)) &&
    !query.asOf &&
    !query.knownAt &&
    !READ_ONLY.includes(twin.data?.lifecycle ?? '');
  const data = twin.data;
  const configuration = useMemo(() => (data ? withInstalledTwins(data.configuration) : []), [data]);
  const node = data ? findNode(configuration, selected ?? configuration[0]?.path) : undefined;

  return (
    <section>
      <ErrorBanner error={twin.error} onRetry={twin.reload} />
      {data && (
        <>
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
              {props.owner && (
                <div>
                  <dt>Owner</dt>
                  <dd>{props.owner}</dd>
                </div>
              )}
            </dl>
          </div>
          {canWrite && <SiteEditor base={base} twin={data} onSaved={twin.reload} />}
        </>
      )}
      <fieldset class="time-controls no-print">
        <legend>Time travel</legend>
        <label>
          As of (UTC)
          <input
            type="datetime-local"
            step={1}
            value={asOf}
            onChange={(event) => setAsOf(event.currentTarget.value)}
          />
        </label>
        <label class="inline">
          <input
            type="checkbox"
            role="switch"
            aria-checked={knownAtOn}
            checked={knownAtOn}
            onChange={(event) => setKnownAtOn(event.currentTarget.checked)}
          />
          As the system knew it at…
        </label>
        {knownAtOn && (
          <label>
            Known at (UTC)
            <input
              type="datetime-local"
              step={1}
              value={knownAt}
              onChange={(event) => setKnownAt(event.currentTarget.value)}
            />
          </label>
        )}
        <button
          type="button"
          onClick={() => {
            setAsOf('');
            setKnownAt('');
            setKnownAtOn(false);
          }}
        >
          Now
        </button>
      </fieldset>
      <p role="status" class="muted" data-testid="time-status">
        {query.asOf ? `Configuration as of ${formatTime(query.asOf)}` : 'Configuration now'}
        {query.knownAt ? `, as known at ${formatTime(query.knownAt)}` : ''}
      </p>
      {data && (
        <div class="twin-grid">
          <div>
            <h2>Configuration</h2>
            {data.configuration.length === 0 ? (
              <p>No positions visible.</p>
            ) : (
              <ConfigTree
                nodes={configuration}
                selected={node?.path}
                onSelect={setSelected}
                label={`Configuration of ${data.serialNumber}`}
              />
            )}
          </div>
          <aside class="panel" aria-labelledby="position-heading">
            <h2 id="position-heading">Position {node?.path ?? ''}</h2>
            {node && <PositionDetails twinId={data.id} owner={props.owner} node={node} />}
            {node && canChange && !node.path.includes(NESTED) && (
              <ChangeActions key={node.path} base={base} twin={data} node={node} onChanged={twin.reload} />
            )}
          </aside>
        </div>
      )}
      {data && !props.owner && (
        <ConformancePanel
          twinId={data.id}
          asOf={query.asOf}
          knownAt={query.knownAt}
          version={data.version}
          onSelect={setSelected}
        />
      )}
      {data && canWrite && <ModelEditor productPartNumber={data.product.partNumber} />}
      {data && (
        <ThreadPanel
          base={base}
          paths={allPaths(data.configuration)}
          {...(props.owner ? { owner: props.owner } : {})}
          canWrite={canWrite}
          canInspect={props.owner ? true : roles.some((role) => role !== 'viewer')}
          version={data.version}
          onChanged={twin.reload}
        />
      )}
      {data && <HistoryTimeline base={base} shared={Boolean(props.owner)} key={`${base}:${data.version}`} />}
      {data && !props.owner && <DiffPanel base={base} canWrite={canWrite} />}
    </section>
  );
}

function PositionDetails(props: {
  twinId: string;
  owner: string | undefined;
  node: NonNullable<ReturnType<typeof findNode>>;
}) {
  const { node } = props;
  const component = node.component;
  return (
    <>
      {node.name && <p>{node.name}</p>}
      {component ? (
        <dl class="details">
          <dt>Kind</dt>
          <dd>
            <KindBadge kind={component.kind} />
          </dd>
          <dt>Part number</dt>
          <dd>
            <code>{component.partNumber}</code>
          </dd>
          {component.serialNumber && (
            <>
              <dt>Serial number</dt>
              <dd>
                <Link href={href('components', component.partNumber, component.serialNumber)}>
                  {component.serialNumber}
                </Link>
              </dd>
            </>
          )}
          {component.revision && (
            <>
              <dt>Revision</dt>
              <dd>{component.revision}</dd>
            </>
          )}
          {component.softwareVersion && (
            <>
              <dt>Software version</dt>
              <dd>{component.softwareVersion}</dd>
            </>
          )}
          {component.twinId && (
            <>
              <dt>Installed twin</dt>
              <dd>
                <Link href={href('twins', component.twinId)}>open the installed twin</Link>
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p class="empty-position">No component installed.</p>
      )}
      {/* a position of an installed twin has its work package on that twin's page */}
      {!props.owner && !node.path.includes(NESTED) && (
        <p>
          <Link
            href={`${href('twins', props.twinId, 'work-package')}?position=${encodeURIComponent(node.path)}`}
          >
            Work package for {node.path}
          </Link>
        </p>
      )}
    </>
  );
}

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
