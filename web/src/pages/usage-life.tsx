import { api, nullWhenHidden } from '../api';
import { href } from '../router';
import type { TimePoint } from '../twin-context';
import type { Twin } from '../types';
import { ErrorBanner, formatTime, Link, useAsync } from '../ui';

export type LifeStatus = 'ok' | 'alert' | 'expired' | 'unknown';

export interface LimitStatus {
  parameter: string;
  limit: number;
  accumulated: number;
  remaining: number;
  status: LifeStatus;
}

/** GET /v1/components/{pn}/{sn}/life (and each item of an LLP sheet). */
export interface ComponentLife {
  partNumber: string;
  serialNumber: string;
  llp: boolean;
  status: LifeStatus;
  governing: string | null;
  scrapped: boolean;
  limits: LimitStatus[];
}

interface Stay {
  twinId: string;
  path: string;
  from: string;
  to: string | null;
  accrued: number;
}

interface ParameterUsage {
  tsn: number;
  tso: number;
  tsi: number | null;
  stays: Stay[];
  complete: boolean;
  gaps: { from: string | null; to: string; reason: string }[];
}

/** The shared unit a serial is read through (owner and twin). */
interface SharedUnit {
  owner: string;
  twinId: string;
  serialNumber: string;
}

interface ComponentUsage {
  asOf: string;
  parameters: Record<string, ParameterUsage>;
}

/** The limit of a part that governs (reached first). */
export const governingLimit = (life: ComponentLife) =>
  life.limits.find((limit) => limit.parameter === life.governing) ?? life.limits[0];

/** What each life status says in words beside its colour. */
const LIFE_WORDS: Record<LifeStatus, string> = {
  ok: 'ok',
  alert: 'alert: near its limit',
  expired: 'expired: limit reached',
  unknown: 'unknown: usage incomplete',
};

export const LifeStatusBadge = (props: { status: LifeStatus }) => (
  <span class={`badge life-${props.status}`} data-status={props.status}>
    {LIFE_WORDS[props.status]}
  </span>
);

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A usage quantity with its parameter's unit: `4,208.5 h`. */
export const quantity = (value: number, unit?: string) => `${NUMBER.format(value)}${unit ? ` ${unit}` : ''}`;

/**
 * A life figure as far as it is known: with an incomplete trace the part has used at least what is
 * recorded, so it has at most the rest left (never a silent "0 used").
 */
export const lifeFigure = (
  value: number,
  status: LifeStatus,
  bound: 'at least' | 'at most',
  unit?: string,
) => (status === 'unknown' ? `${bound} ${quantity(value, unit)}` : quantity(value, unit));

/** The units of the tenant's usage parameters (FH → h); none for a shared twin (the owner's own). */
export function useParameterUnits(enabled: boolean): Map<string, string> {
  const units = useAsync(
    () =>
      enabled
        ? api<{ items: { name: string; unit: string }[] }>('GET', '/v1/usage-parameters').catch(() => ({
            items: [],
          }))
        : Promise.resolve({ items: [] }),
    [enabled],
  );
  return new Map((units.data?.items ?? []).map((item) => [item.name, item.unit]));
}

/** Serial numbers of twins by id, for the twins this caller may read (others keep their id); undefined while read. */
export function useTwinSerials(ids: string[]): Map<string, string> | undefined {
  const key = [...new Set(ids)].sort().join(',');
  const serials = useAsync(async () => {
    const unique = key ? key.split(',') : [];
    const twins = await Promise.all(
      unique.map((id) => api<Twin>('GET', href('v1', 'twins', id)).catch(() => undefined)),
    );
    return { key, names: new Map(unique.map((id, index) => [id, twins[index]?.serialNumber ?? id])) };
  }, [key]);
  // the names of these ids only (a render before the next read starts still holds the last ones)
  return serials.data?.key === key ? serials.data.names : undefined;
}

/** The component's life limits: limit, accumulated, remaining, status; the governing limit marked. */
export function LifeLimits(props: { life: ComponentLife; units: Map<string, string> }) {
  const { life } = props;
  if (life.limits.length === 0)
    return (
      <p data-testid="life-none">
        {life.llp
          ? 'Life-limited, but no life limit is in force.'
          : 'Not life-limited (no life limits recorded).'}
        {life.scrapped ? ' Scrapped: it may never be installed again.' : ''}
      </p>
    );
  return (
    <>
      <p>
        Life: <LifeStatusBadge status={life.status} />
        {life.governing ? ` governed by ${life.governing}, the limit reached first` : ''}
        {life.scrapped ? '; scrapped: it may never be installed again' : ''}
      </p>
      <table class="list" data-testid="life-limits">
        <caption class="sr-only">Life limits of {life.serialNumber}</caption>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Accumulated of limit</th>
            <th scope="col">Remaining</th>
          </tr>
        </thead>
        <tbody>
          {life.limits.map((limit) => {
            const unit = props.units.get(limit.parameter);
            return (
              <tr key={limit.parameter} data-parameter={limit.parameter}>
                <th scope="row">
                  {limit.parameter}
                  {limit.parameter === life.governing ? ' (governing)' : ''}{' '}
                  <LifeStatusBadge status={limit.status} />
                </th>
                <td>
                  {lifeFigure(limit.accumulated, limit.status, 'at least')} of {quantity(limit.limit, unit)}
                </td>
                <td>{lifeFigure(limit.remaining, limit.status, 'at most', unit)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

const gapText = (gap: ParameterUsage['gaps'][number]) =>
  `${gap.from ? `from ${formatTime(gap.from)} ` : 'before '}${gap.from ? 'to ' : ''}${formatTime(gap.to)}: ${gap.reason}`;

/** Per parameter: time since new, since overhaul, since installation; an incomplete trace says so with its gaps. */
function UsageTotals(props: { usage: ComponentUsage; units: Map<string, string> }) {
  const entries = Object.entries(props.usage.parameters);
  if (entries.length === 0) return <p>No usage accrued: no parameter is recorded on the units it sat in.</p>;
  return (
    <>
      <table class="list" data-testid="component-usage">
        <caption class="sr-only">Time since new, since overhaul and since installation</caption>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">TSN</th>
            <th scope="col">TSO</th>
            <th scope="col">TSI</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([name, usage]) => {
            const unit = props.units.get(name);
            const bound = usage.complete ? '' : 'at least ';
            return (
              <tr key={name} data-parameter={name}>
                <th scope="row">
                  {name}{' '}
                  {usage.complete ? (
                    <span class="muted">complete</span>
                  ) : (
                    <span class="badge life-unknown">
                      incomplete: {usage.gaps.length} gap{usage.gaps.length === 1 ? '' : 's'}
                    </span>
                  )}
                </th>
                <td>{`${bound}${quantity(usage.tsn, unit)}`}</td>
                <td>{`${bound}${quantity(usage.tso, unit)}`}</td>
                <td>{usage.tsi === null ? 'off-unit' : quantity(usage.tsi, unit)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {entries.some(([, usage]) => !usage.complete) && (
        <ul class="gaps" aria-label="Gaps in the trace">
          {entries.flatMap(([name, usage]) =>
            usage.gaps.map((gap) => (
              <li key={`${name}:${gap.from}:${gap.to}`}>
                {name} unknown {gapText(gap)}
              </li>
            )),
          )}
        </ul>
      )}
    </>
  );
}

/** Every stay of the serial (unit, position, from, to) with what it accrued there per parameter. */
function Stays(props: {
  usage: ComponentUsage;
  units: Map<string, string>;
  level: 3 | 4;
  shared: SharedUnit | undefined;
}) {
  const names = Object.keys(props.usage.parameters);
  const stays = new Map<string, Stay & { accruedBy: Record<string, number> }>();
  for (const [name, usage] of Object.entries(props.usage.parameters))
    for (const stay of usage.stays) {
      const key = `${stay.twinId}:${stay.path}:${stay.from}`;
      const found = stays.get(key) ?? { ...stay, accruedBy: {} };
      found.accruedBy[name] = stay.accrued;
      stays.set(key, found);
    }
  const rows = [...stays.values()].sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
  const { shared } = props;
  const serials = new Map(useTwinSerials(shared ? [] : rows.map((stay) => stay.twinId)) ?? []);
  if (shared) serials.set(shared.twinId, shared.serialNumber);
  const twinHref = (id: string) => (shared ? href('shared', shared.owner, id) : href('twins', id));
  if (rows.length === 0) return null;
  return (
    <>
      {props.level === 4 ? (
        <h4 class="stays-heading">Stays, oldest first</h4>
      ) : (
        <h3 class="stays-heading">Stays, oldest first</h3>
      )}
      <ol class="stays" data-testid="stays">
        {rows.map((stay) => (
          <li key={`${stay.twinId}:${stay.path}:${stay.from}`}>
            <Link href={twinHref(stay.twinId)}>{serials.get(stay.twinId) ?? stay.twinId}</Link>{' '}
            <code>{stay.path}</code>, {formatTime(stay.from)} → {stay.to ? formatTime(stay.to) : 'installed'}:{' '}
            {names
              .filter((name) => stay.accruedBy[name] !== undefined)
              .map((name) => `${name} ${quantity(stay.accruedBy[name]!, props.units.get(name))}`)
              .join(', ')}
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * Usage and life of one serial at a time (asOf, knownAt): TSN/TSO/TSI per parameter with the gaps
 * of its trace, every stay, and its life limits. Left out where the view does not show usage.
 */
export function ComponentUsageLife(props: {
  partNumber: string;
  serialNumber: string;
  time: TimePoint;
  /** The reads' base: `/v1/components/{pn}/{sn}` (own) or the shared twin's component reads. */
  base?: string;
  /** Heading level: a page section (2) or a pane section (3). */
  level?: 2 | 3;
  /** Re-read after a change of the unit it sits in. */
  version?: number;
  /** A serial on a shared twin: its stays are in that unit only; the owner's parameter units are not ours. */
  shared?: SharedUnit;
  /** A link to the serial's whole trace (the component page at the same time). */
  traceHref?: string;
}) {
  const base = props.base ?? href('v1', 'components', props.partNumber, props.serialNumber);
  const query = { asOf: props.time.asOf, knownAt: props.time.knownAt };
  const read = useAsync(
    () =>
      Promise.all([
        api<ComponentUsage>('GET', `${base}/usage`, { query }).catch(nullWhenHidden),
        api<ComponentLife>('GET', `${base}/life`, { query }).catch(nullWhenHidden),
      ]),
    [base, props.time.asOf, props.time.knownAt, props.version],
  );
  const units = useParameterUnits(props.shared === undefined);
  const [usage, life] = read.data ?? [];
  if (read.data && usage === null && life === null) return null;
  const Heading = props.level === 3 ? 'h3' : 'h2';
  const id = `usage-life-${props.partNumber}-${props.serialNumber}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return (
    <section class="usage-life" aria-labelledby={id} data-testid="usage-life">
      <Heading id={id}>Usage and life</Heading>
      <ErrorBanner error={read.error} onRetry={read.reload} />
      {!read.data && !read.error && <p class="muted">Reading usage and life…</p>}
      {life && <LifeLimits life={life} units={units} />}
      {usage && <UsageTotals usage={usage} units={units} />}
      {usage && <Stays usage={usage} units={units} level={props.level === 3 ? 4 : 3} shared={props.shared} />}
      {props.traceHref && (
        <p class="no-print">
          <Link href={props.traceHref}>Whole trace of SN {props.serialNumber}</Link>
        </p>
      )}
    </section>
  );
}
