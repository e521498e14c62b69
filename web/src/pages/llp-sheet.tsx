import { useState } from 'preact/hooks';
import { api, nullWhenHidden } from '../api';
import { installedTwins, NESTED } from '../tree';
import type { TimePoint, TwinContext } from '../twin-context';
import { ErrorBanner, formatTime, useAsync } from '../ui';
import {
  type ComponentLife,
  governingLimit,
  LifeStatusBadge,
  lifeFigure,
  quantity,
  useParameterUnits,
} from './usage-life';

export type LlpItem = ComponentLife & { twinId: string; path: string };

/** GET …/llp-status: the life-limited parts of the unit and of the twins installed in it. */
export interface LlpSheet {
  twinId: string;
  asOf: string;
  items: LlpItem[];
}

/** The LLP sheet as the twin page reads it once: null where the view does not show usage. */
export interface LifeSheetState {
  data?: LlpSheet | null;
  error?: unknown;
  reload: () => void;
}

/** Reads the LLP sheet at the page's time, again after every change (`version`). */
export function useLlpSheet(base: string, time: TimePoint, version: number | undefined): LifeSheetState {
  const sheet = useAsync(
    async () =>
      version === undefined
        ? undefined
        : api<LlpSheet>('GET', `${base}/llp-status`, {
            query: { asOf: time.asOf, knownAt: time.knownAt },
          }).catch(nullWhenHidden),
    [base, time.asOf, time.knownAt, version],
  );
  return {
    ...(sheet.data !== undefined ? { data: sheet.data } : {}),
    ...(sheet.error ? { error: sheet.error } : {}),
    reload: sheet.reload,
  };
}

/** The governing limit's remaining orders the sheet (a part without a limit in force last). */
const remainingOf = (item: LlpItem) => governingLimit(item)?.remaining ?? Number.POSITIVE_INFINITY;

/**
 * The LLP sheet of the unit: each life-limited part (also in installed twins), its governing limit,
 * accumulated, remaining and status (coloured and in words), sortable by remaining; each position
 * selects itself in the tree.
 */
function LlpTable(props: { context: TwinContext; sheet: LlpSheet; units: Map<string, string> }) {
  const { context } = props;
  const [ascending, setAscending] = useState(true);
  const at = new Map(installedTwins(context.configuration).map((item) => [item.twinId, item.at]));
  const treePath = (item: LlpItem) =>
    item.twinId === context.twin.id || !at.has(item.twinId)
      ? item.path
      : `${at.get(item.twinId)}${NESTED}${item.path}`;
  const rows = [...props.sheet.items].sort((a, b) =>
    ascending ? remainingOf(a) - remainingOf(b) : remainingOf(b) - remainingOf(a),
  );
  if (rows.length === 0) return <p data-testid="llp-empty">No life-limited part is installed.</p>;
  return (
    <table class="list llp-sheet" data-testid="llp-sheet">
      <caption class="sr-only">Life-limited parts, by remaining life of their governing limit</caption>
      <thead>
        <tr>
          <th scope="col">Position</th>
          <th scope="col">Part number</th>
          <th scope="col">Serial</th>
          <th scope="col">Status</th>
          <th scope="col">Governing limit</th>
          <th scope="col">Accumulated</th>
          <th scope="col" aria-sort={ascending ? 'ascending' : 'descending'}>
            <button
              type="button"
              class="link"
              onClick={() => setAscending(!ascending)}
              aria-label={`Remaining, sorted ${ascending ? 'least first' : 'most first'}: sort ${ascending ? 'most' : 'least'} first`}
            >
              Remaining {ascending ? '▲' : '▼'}
            </button>
          </th>
          <th scope="col">Other limits</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((item) => {
          const limit = governingLimit(item);
          const unit = limit && props.units.get(limit.parameter);
          const path = treePath(item);
          return (
            <tr key={`${item.twinId}:${item.path}`} data-serial={item.serialNumber} data-status={item.status}>
              <td>
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    context.select(path);
                    context.openTab('configuration');
                  }}
                >
                  {path}
                </button>
              </td>
              <td>
                <code>{item.partNumber}</code>
              </td>
              <td>{item.serialNumber}</td>
              <td>
                <LifeStatusBadge status={item.status} />
                {item.scrapped ? ' scrapped' : ''}
              </td>
              <td>{limit ? `${limit.parameter} ${quantity(limit.limit, unit)}` : 'none in force'}</td>
              <td>{limit ? lifeFigure(limit.accumulated, limit.status, 'at least', unit) : '—'}</td>
              <td data-testid="remaining">
                {limit ? lifeFigure(limit.remaining, limit.status, 'at most', unit) : '—'}
              </td>
              <td>
                {item.limits
                  .filter((other) => other !== limit)
                  .map((other) => {
                    const otherUnit = props.units.get(other.parameter);
                    return `${other.parameter}: ${lifeFigure(other.remaining, other.status, 'at most', otherUnit)} left of ${quantity(other.limit, otherUnit)} (${other.status})`;
                  })
                  .join('; ') || '—'}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

interface UsageRecord {
  id: string;
  parameter: string;
  at: string;
  delta: number;
  reading?: number;
  ref?: string;
  recordedAt: string;
  voids?: string;
  voidedAt?: string;
}

interface TwinUsage {
  asOf: string;
  parameters: Record<string, { total: number; recent: UsageRecord[] }>;
}

/** The unit's own usage: its total per parameter up to the page's time and its latest records. */
function TwinUsageTotals(props: { context: TwinContext; units: Map<string, string> }) {
  const { context } = props;
  const { time } = context;
  const read = useAsync(
    () =>
      api<TwinUsage>('GET', `${context.base}/usage`, {
        query: { asOf: time.asOf, knownAt: time.knownAt },
      }).catch(nullWhenHidden),
    [context.base, time.asOf, time.knownAt, context.twin.version],
  );
  if (read.data === null) return null;
  const entries = Object.entries(read.data?.parameters ?? {});
  const recent = entries
    .flatMap(([, usage]) => usage.recent)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.recordedAt.localeCompare(a.recordedAt));
  return (
    <section aria-labelledby="twin-usage-heading">
      <h2 id="twin-usage-heading">Usage of {context.twin.serialNumber}</h2>
      <ErrorBanner error={read.error} onRetry={read.reload} />
      {read.data && entries.length === 0 && <p>No usage recorded on this unit.</p>}
      {entries.length > 0 && (
        <>
          <table class="list" data-testid="twin-usage">
            <caption class="sr-only">Totals of the unit's own records up to the time shown</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([name, usage]) => (
                <tr key={name} data-parameter={name}>
                  <th scope="row">{name}</th>
                  <td>{quantity(usage.total, props.units.get(name))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Recent records</h3>
          <table class="list" data-testid="usage-records">
            <caption class="sr-only">The latest usage records, newest first</caption>
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Parameter</th>
                <th scope="col">Usage</th>
                <th scope="col">Reference</th>
                <th scope="col">Recorded</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((record) => {
                const unit = props.units.get(record.parameter);
                return (
                  <tr key={record.id} class={record.voidedAt ? 'voided' : undefined}>
                    <td>{formatTime(record.at)}</td>
                    <td>{record.parameter}</td>
                    <td>
                      {record.reading === undefined
                        ? `${record.delta >= 0 ? '+' : ''}${quantity(record.delta, unit)}`
                        : `reading ${quantity(record.reading, unit)} (+${quantity(record.delta, unit)})`}
                      {record.voids ? ' (correction)' : ''}
                      {record.voidedAt ? `, voided ${formatTime(record.voidedAt)}` : ''}
                    </td>
                    <td>{record.ref ?? ''}</td>
                    <td>{formatTime(record.recordedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** The Life tab shows once the LLP sheet is read (or failed: its error shows there), never where the view hides usage. */
export const lifeShown = (context: TwinContext) => Boolean(context.life.data || context.life.error);

/** The Life tab: the unit's LLP sheet and its usage, at the page's time. */
export function LifeTab(props: { context: TwinContext }) {
  const { context } = props;
  const units = useParameterUnits(!context.owner);
  const sheet = context.life;
  return (
    <div class="life-tab">
      <section aria-labelledby="llp-heading">
        <h2 id="llp-heading">LLP sheet</h2>
        <ErrorBanner error={sheet.error} onRetry={sheet.reload} />
        {sheet.data && <LlpTable context={context} sheet={sheet.data} units={units} />}
      </section>
      <TwinUsageTotals context={context} units={units} />
    </div>
  );
}
