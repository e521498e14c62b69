import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { usePages } from '../paging';
import type { Baseline, ChangeSet, Component, ConfigurationDiff, Operation, Page } from '../types';
import { ErrorBanner, formatTime, fromLocalInput, Notice, useAsync } from '../ui';

export const describeComponent = (component: Component | null | undefined) =>
  component
    ? [
        component.partNumber,
        component.serialNumber && `SN ${component.serialNumber}`,
        component.revision && `rev ${component.revision}`,
        component.softwareVersion && `v${component.softwareVersion}`,
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

/** The history as a timeline: when, who, why, the work order and what changed. */
export function HistoryTimeline(props: { base: string; shared?: boolean }) {
  const history = usePages(
    (cursor) => api<Page<ChangeSet>>('GET', `${props.base}/history`, { query: { limit: 25, cursor } }),
    [props.base],
  );
  const items = history.pages.flatMap((page) => page.items);
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {props.shared && history.error instanceof ApiError && [403, 404].includes(history.error.status) ? (
        <p>The history of this unit is not shared with you.</p>
      ) : (
        <ErrorBanner error={history.error} onRetry={history.pages.length ? history.more : history.reload} />
      )}
      <ol class="timeline" aria-label="Change sets, newest first">
        {items.map((change) => (
          <li key={change.id}>
            <div>
              <strong>{change.reason}</strong>
              {change.workOrder && <span class="badge lifecycle">{change.workOrder}</span>}
            </div>
            <div class="meta">
              effective {formatTime(change.effectiveAt)} · recorded {formatTime(change.recordedAt)} · by{' '}
              {actorOf(change.actor)}
            </div>
            <ul>
              {change.operations.slice(0, 12).map((operation, index) => (
                <li key={index}>{describeOperation(operation)}</li>
              ))}
              {change.operations.length > 12 && <li>… {change.operations.length - 12} more</li>}
            </ul>
          </li>
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
          <label>
            At (UTC, default now)
            <input type="datetime-local" value={at} onInput={(event) => setAt(event.currentTarget.value)} />
          </label>
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
        <label>
          {props.label} time (UTC)
          <input
            type="datetime-local"
            required
            value={props.time}
            onInput={(event) => props.onTime(event.currentTarget.value)}
          />
        </label>
      )}
    </>
  );
}
