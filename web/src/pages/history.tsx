import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { usePages } from '../paging';
import { findNode } from '../tree';
import type { TimePoint } from '../twin-context';
import type { Baseline, ChangeSet, Component, ConfigurationDiff, Operation, Page, Twin } from '../types';
import { ErrorBanner, formatTime, fromLocalInput, Notice, TimeInput, useAsync } from '../ui';

export const describeComponent = (component: Component | null | undefined) =>
  component
    ? [
        component.partNumber,
        component.serialNumber && `SN ${component.serialNumber}`,
        component.revision && `rev ${component.revision}`,
        component.softwareVersion && `software ${component.softwareVersion}`,
      ]
        .filter(Boolean)
        .join(' ')
    : 'nothing';

export function describeOperation(operation: Operation): string {
  switch (operation.op) {
    case 'install':
    case 'replace':
      return `${operation.op} ${operation.position}: ${describeComponent(operation.component)}`;
    case 'remove':
    case 'remove-position':
      return `${operation.op} ${operation.position}`;
    case 'add-position':
      return `add position ${operation.position}${operation.name ? ` (${operation.name})` : ''}`;
    case 'move':
      return `move ${operation.from} → ${operation.to}`;
    case 'update': {
      const parts = [
        operation.softwareVersion && `software ${operation.softwareVersion}`,
        operation.revision && `revision ${operation.revision}`,
        operation.attributes && `attributes ${Object.keys(operation.attributes).join(', ')}`,
      ].filter(Boolean);
      return `update ${operation.position}: ${parts.join('; ')}`;
    }
    case 'lifecycle':
      return `lifecycle → ${operation.to}`;
    case 'set-twin': {
      const shown = (value: unknown) => (value === null || value === undefined ? '—' : String(value));
      const parts = [
        operation.site && `site ${shown(operation.site.from)} → ${shown(operation.site.to)}`,
        operation.type && `type ${shown(operation.type.from)} → ${shown(operation.type.to)}`,
        operation.attributes && `attributes ${Object.keys(operation.attributes).join(', ')}`,
      ].filter(Boolean);
      return `edit of the twin${parts.length ? `: ${parts.join('; ')}` : ''}`;
    }
    default:
      return operation.op;
  }
}

const actorOf = (actor: ChangeSet['actor']) => (typeof actor === 'string' ? actor : actor.sub);

/** Operations that change what sits at a position: their entries show before → after. */
const AT_POSITION = ['install', 'replace', 'remove', 'update', 'move'];

const justBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();

/**
 * What a position held just before a change set, as the system knew it just before recording it:
 * the twin at effectiveAt − 1 ms, knownAt recordedAt − 1 ms (read only for entries that need it).
 */
function useBefore(base: string, change: ChangeSet) {
  const needs = change.operations.some((operation) => AT_POSITION.includes(operation.op));
  return useAsync(
    () =>
      needs
        ? api<Twin>('GET', base, {
            query: { asOf: justBefore(change.effectiveAt), knownAt: justBefore(change.recordedAt) },
          }).catch(() => undefined)
        : Promise.resolve(undefined),
    [base, change.id],
  );
}

/** One operation as before → after (which serial came off, which went on). */
export function describeChange(operation: Operation, before: Twin | undefined): string {
  const was = (position: string | undefined) =>
    before && position ? (findNode(before.configuration, position)?.component ?? null) : undefined;
  const prior = was(operation.position);
  switch (operation.op) {
    case 'install':
    case 'replace':
      return prior === undefined
        ? describeOperation(operation)
        : `${operation.op} ${operation.position}: ${describeComponent(prior)} → ${describeComponent(operation.component)}`;
    case 'remove':
      return prior === undefined
        ? describeOperation(operation)
        : `remove ${operation.position}: ${describeComponent(prior)} → nothing`;
    case 'update': {
      if (!prior) return describeOperation(operation);
      const parts = [
        operation.softwareVersion &&
          `software ${prior.softwareVersion ?? '—'} → ${operation.softwareVersion}`,
        operation.revision && `revision ${prior.revision ?? '—'} → ${operation.revision}`,
        operation.attributes && `attributes ${Object.keys(operation.attributes).join(', ')}`,
      ].filter(Boolean);
      return `update ${operation.position}${prior.serialNumber ? ` (SN ${prior.serialNumber})` : ''}: ${parts.join('; ')}`;
    }
    case 'move': {
      const moved = was(operation.from);
      return moved
        ? `${describeOperation(operation)}: ${describeComponent(moved)}`
        : describeOperation(operation);
    }
    default:
      return describeOperation(operation);
  }
}

function HistoryEntry(props: { base: string; change: ChangeSet; time: TimePoint }) {
  const { change, time } = props;
  const before = useBefore(props.base, change);
  const unknown = Boolean(time.knownAt && Date.parse(change.recordedAt) > Date.parse(time.knownAt));
  const later = Boolean(time.asOf && Date.parse(change.effectiveAt) > Date.parse(time.asOf));
  return (
    <li class={unknown || later ? 'later' : ''} data-id={change.id}>
      <div>
        <strong>{change.reason}</strong>
        {change.workOrder && <span class="badge lifecycle">{change.workOrder}</span>}
        {unknown && <span class="badge later-badge">recorded after the known-at time: not known then</span>}
        {later && <span class="badge later-badge">effective after the as-of date</span>}
      </div>
      <div class="meta">
        effective {formatTime(change.effectiveAt)} · recorded {formatTime(change.recordedAt)} · by{' '}
        {actorOf(change.actor)}
      </div>
      <ul>
        {change.operations.slice(0, 12).map((operation, index) => (
          <li key={index}>{describeChange(operation, before.data)}</li>
        ))}
        {change.operations.length > 12 && <li>… {change.operations.length - 12} more</li>}
      </ul>
    </li>
  );
}

/**
 * The history as a timeline ordered by effective time (latest first), record time beside it;
 * at a replayed time, what came later (effective after asOf, recorded after knownAt) is marked.
 */
export function HistoryTimeline(props: { base: string; shared?: boolean; time?: TimePoint }) {
  const history = usePages(
    (cursor) => api<Page<ChangeSet>>('GET', `${props.base}/history`, { query: { limit: 25, cursor } }),
    [props.base],
  );
  const items = history.pages
    .flatMap((page) => page.items)
    .sort(
      (a, b) =>
        Date.parse(b.effectiveAt) - Date.parse(a.effectiveAt) ||
        Date.parse(b.recordedAt) - Date.parse(a.recordedAt),
    );
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {props.shared && history.error instanceof ApiError && [403, 404].includes(history.error.status) ? (
        <p>The history of this unit is not shared with you.</p>
      ) : (
        <ErrorBanner error={history.error} onRetry={history.pages.length ? history.more : history.reload} />
      )}
      <ol class="timeline" aria-label="Change sets, latest effective first">
        {items.map((change) => (
          <HistoryEntry key={change.id} base={props.base} change={change} time={props.time ?? {}} />
        ))}
      </ol>
      {history.nextCursor && (
        <button type="button" onClick={history.more}>
          Older changes
        </button>
      )}
    </section>
  );
}

const DiffList = (props: { title: string; items: ConfigurationDiff['added']; css: string }) =>
  props.items.length === 0 ? null : (
    <>
      <h3>{props.title}</h3>
      <ul class={props.css}>
        {props.items.map((change) => (
          <li key={change.path}>
            <code>{change.path}</code>: {describeComponent(change.from)} → {describeComponent(change.to)}
          </li>
        ))}
      </ul>
    </>
  );

/** The difference between two points: a time or a baseline each; and saving a baseline. */
export function DiffPanel(props: { base: string; canWrite: boolean }) {
  const baselines = useAsync(
    () => api<Page<Baseline>>('GET', `${props.base}/baselines`, { query: { limit: 100 } }),
    [props.base],
  );
  const [from, setFrom] = useState('time');
  const [fromTime, setFromTime] = useState('');
  const [to, setTo] = useState('now');
  const [toTime, setToTime] = useState('');
  const [diff, setDiff] = useState<ConfigurationDiff>();
  const [error, setError] = useState<unknown>();
  const [name, setName] = useState('');
  const [at, setAt] = useState('');
  const [saved, setSaved] = useState<string>();

  const point = (choice: string, time: string) =>
    choice === 'time' ? fromLocalInput(time) : choice === 'now' ? undefined : `baseline:${choice}`;

  async function compare(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      setDiff(
        await api<ConfigurationDiff>('GET', `${props.base}/diff`, {
          query: { from: point(from, fromTime), to: point(to, toTime) },
        }),
      );
    } catch (caught) {
      setError(caught);
    }
  }

  async function save(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      const baseline = await api<Baseline>('POST', `${props.base}/baselines`, {
        body: { name, ...(at ? { at: fromLocalInput(at) } : {}) },
      });
      setSaved(`Baseline "${baseline.name}" saved.`);
      setName('');
      baselines.reload();
    } catch (caught) {
      setError(caught);
    }
  }

  const options = (withNow: boolean) => (
    <>
      {withNow && <option value="now">now</option>}
      <option value="time">a time…</option>
      {baselines.data?.items.map((baseline) => (
        <option key={baseline.id} value={baseline.id}>
          baseline {baseline.name}
        </option>
      ))}
    </>
  );

  const empty =
    diff &&
    [
      diff.added,
      diff.removed,
      diff.replaced,
      diff.versionChanged,
      diff.positionsAdded,
      diff.positionsRemoved,
    ].every((list) => list.length === 0);

  return (
    <section aria-labelledby="diff-heading">
      <h2 id="diff-heading">Compare</h2>
      <form class="row" onSubmit={compare} aria-label="Compare two dates or baselines">
        <DiffPointPicker
          label="From"
          options={options(false)}
          point={from}
          onPoint={setFrom}
          time={fromTime}
          onTime={setFromTime}
        />
        <DiffPointPicker
          label="To"
          options={options(true)}
          point={to}
          onPoint={setTo}
          time={toTime}
          onTime={setToTime}
        />
        <button type="submit" class="primary">
          Compare
        </button>
      </form>
      <ErrorBanner error={error} />
      {diff && (
        <div class="panel" data-testid="diff">
          {empty && <p>No differences.</p>}
          <DiffList title="Added" items={diff.added} css="diff-added" />
          <DiffList title="Removed" items={diff.removed} css="diff-removed" />
          <DiffList title="Replaced" items={diff.replaced} css="" />
          <DiffList title="Version changed" items={diff.versionChanged} css="" />
          {diff.positionsAdded.length > 0 && <p>Positions added: {diff.positionsAdded.join(', ')}</p>}
          {diff.positionsRemoved.length > 0 && <p>Positions removed: {diff.positionsRemoved.join(', ')}</p>}
        </div>
      )}
      {props.canWrite && (
        <form class="row no-print" onSubmit={save} aria-label="Save a baseline">
          <label>
            Baseline name
            <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <TimeInput label="At (UTC, default now)" value={at} onValue={setAt} />
          <button type="submit">Save baseline</button>
        </form>
      )}
      {saved && <Notice>{saved}</Notice>}
    </section>
  );
}

/** One side of a comparison: now, a time (then asked for), or a baseline. */
function DiffPointPicker(props: {
  label: string;
  options: preact.ComponentChildren;
  point: string;
  onPoint: (value: string) => void;
  time: string;
  onTime: (value: string) => void;
}) {
  return (
    <>
      <label>
        {props.label}
        <select
          aria-label={props.label}
          value={props.point}
          onChange={(event) => props.onPoint(event.currentTarget.value)}
        >
          {props.options}
        </select>
      </label>
      {props.point === 'time' && (
        <TimeInput label={`${props.label} time (UTC)`} required value={props.time} onValue={props.onTime} />
      )}
    </>
  );
}
