import type {
  ComponentLife,
  LifeStatus,
  ParameterUsage,
  PartMaster,
  UsageRecordInput,
} from '../schemas/usage';
import { BadRequest, type FieldError } from './errors';

/**
 * Usage and life, pure: running totals per year (with month and day sums inside), the life clock of
 * a serial over its stays, and the status of its life limits. The store feeds it items; nothing here
 * does I/O.
 */

/**
 * The running totals of one twin and parameter, three levels deep so that every item stays small
 * however densely the unit logs (at most 13, 31 and 24 sums): a year item (`total`, `mMM` per month),
 * a month item (`dDD` per day) and a day item (`hHH` per hour), moved in the transactions that write
 * the records. Year items written before the month and day items carry `dMMDD` day sums instead:
 * a month with such a field has records the month and day items do not hold.
 */
export type Totals = Record<string, number | string>;
export type YearBucket = { year: string } & Totals;
export type PeriodKind = 'year' | 'month' | 'day';

/** The periods (`yyyy`, `yyyy-mm`, `yyyy-mm-dd`) and the field in each a record at `at` adds its usage to. */
function periodsOf(at: string): { kind: PeriodKind; period: string; field: string }[] {
  return [
    { kind: 'year', period: at.slice(0, 4), field: `m${at.slice(5, 7)}` },
    { kind: 'month', period: at.slice(0, 7), field: `d${at.slice(8, 10)}` },
    { kind: 'day', period: at.slice(0, 10), field: `h${at.slice(11, 13)}` },
  ];
}

/** The totals items (`kind|period`) records at these instants move: what one transaction writes beside them. */
export const totalsTouched = (instants: readonly string[]) =>
  new Set(
    instants.flatMap((at) =>
      periodsOf(new Date(at).toISOString()).map(({ kind, period }) => `${kind}|${period}`),
    ),
  );

/** A totals item and the sums its fields move by (DynamoDB ADD). */
export interface TotalsMove {
  kind: PeriodKind;
  period: string;
  fields: Record<string, number>;
}

/** The sum each totals field of a twin and parameter moves by, for a set of deltas. */
export function totalsMoves(entries: readonly { at: string; delta: number }[]): TotalsMove[] {
  const moves = new Map<string, TotalsMove>();
  for (const { at, delta } of entries) {
    for (const { kind, period, field } of periodsOf(at)) {
      const key = `${kind}|${period}`;
      const move = moves.get(key) ?? { kind, period, fields: {} };
      for (const name of kind === 'year' ? ['total', field] : [field])
        move.fields[name] = (move.fields[name] ?? 0) + delta;
      moves.set(key, move);
    }
  }
  return [...moves.values()];
}

/** The first instant of the UTC month of `at`. */
export const monthStartOf = (at: string) => `${at.slice(0, 7)}-01T00:00:00.000Z`;
/** The start of the UTC hour of `at`. */
export const hourStartOf = (at: string) => `${at.slice(0, 13)}:00:00.000Z`;

const num = (value: unknown) => (typeof value === 'number' ? value : 0);

const PERIOD_FIELD = /^[mdh]\d\d$/;

/** The sum of a totals item's fields of the same level before `field` (the months before a month...). */
const sumBefore = (item: Totals | undefined, field: string) => {
  let sum = 0;
  for (const [name, value] of Object.entries(item ?? {}))
    if (name[0] === field[0] && name < field && PERIOD_FIELD.test(name)) sum += num(value);
  return sum;
};

/** Has the month `mMM` records written before month and day items (a `dMMDD` field of the year item)? */
const heldByYearAlone = (year: YearBucket | undefined, month: string) =>
  Object.keys(year ?? {}).some((name) => name.length === 5 && name.startsWith(`d${month.slice(1)}`));

/**
 * Usage strictly before `t` from the totals alone, and the instant from which the records up to `t`
 * must be added one by one: the start of `t`'s hour, or of its month when that month has records
 * written before month and day items (read one by one until the totals are rebuilt).
 */
export function usageBefore(
  years: readonly YearBucket[],
  within: { month?: Totals; day?: Totals },
  t: string,
): { sum: number; recordsFrom: string } {
  const [{ period: year, field: month }, { field: day }, { field: hour }] = periodsOf(t) as [
    ReturnType<typeof periodsOf>[number],
    ReturnType<typeof periodsOf>[number],
    ReturnType<typeof periodsOf>[number],
  ];
  let sum = 0;
  let thisYear: YearBucket | undefined;
  for (const bucket of years) {
    if (bucket.year < year) sum += num(bucket.total);
    else if (bucket.year === year) thisYear = bucket;
  }
  sum += sumBefore(thisYear, month);
  if (heldByYearAlone(thisYear, month)) return { sum, recordsFrom: monthStartOf(t) };
  sum += sumBefore(within.month, day) + sumBefore(within.day, hour);
  return { sum, recordsFrom: hourStartOf(t) };
}

/**
 * The items one transaction of these records writes (POST /v1/twins/{id}/usage, no voids): the records,
 * a year, month and day item per parameter and period they touch, the meters they move, the twin's
 * check and the event. What a bulk import splits its batches by.
 */
export function usageWrites(records: readonly { parameter: string; at: string; reading?: number }[]): number {
  const parameters = new Set(records.map((record) => record.parameter));
  let totals = 0;
  for (const parameter of parameters)
    totals += totalsTouched(records.filter((r) => r.parameter === parameter).map((r) => r.at)).size;
  const meters = new Set(records.filter((r) => r.reading !== undefined).map((r) => r.parameter));
  return records.length + totals + meters.size + 2;
}

/** Do these records fit one transaction (DynamoDB's limit of 100 items, MAX_TRANSACTION_ITEMS of the store)? */
export const fitsOneTransaction = (records: readonly { parameter: string; at: string; reading?: number }[]) =>
  usageWrites(records) <= 100;

/** The last reading of a meter (twin and parameter). */
export interface Meter {
  reading: number;
  at: string;
}

/**
 * Checks the records of one request and turns readings into deltas (the rise since the meter's last
 * reading, in time order). Unknown parameters, negative deltas outside a correction and readings
 * below or before the last are 400 naming the field.
 */
export function recordDeltas(
  records: readonly UsageRecordInput[],
  context: {
    known: ReadonlySet<string>;
    meters: ReadonlyMap<string, Meter>;
    correction: boolean;
    /** Where record `index` is in the request. @default `body.records[index]` */
    pathOf?: (index: number) => string;
  },
): { parameter: string; at: string; delta: number; reading?: number; ref?: string }[] {
  const errors: FieldError[] = [];
  const meters = new Map(context.meters);
  const order = records.map((record, index) => ({ record, index }));
  order.sort((a, b) => (a.record.at < b.record.at ? -1 : a.record.at > b.record.at ? 1 : a.index - b.index));
  const out: ReturnType<typeof recordDeltas> = new Array(records.length);
  for (const { record, index } of order) {
    const at = new Date(record.at).toISOString();
    const path = context.pathOf?.(index) ?? `body.records[${index}]`;
    if (!context.known.has(record.parameter)) {
      errors.push({ path: `${path}.parameter`, message: `unknown usage parameter ${record.parameter}` });
      continue;
    }
    let delta = record.delta ?? 0;
    if (record.reading !== undefined) {
      const last = meters.get(record.parameter);
      if (last && record.reading < last.reading) {
        errors.push({ path: `${path}.reading`, message: `is lower than the last reading ${last.reading}` });
        continue;
      }
      if (last && at < last.at) {
        errors.push({
          path: `${path}.at`,
          message: `is before the last reading (${last.at}): correct with a delta`,
        });
        continue;
      }
      delta = last ? record.reading - last.reading : 0;
      meters.set(record.parameter, { reading: record.reading, at });
    } else if (delta < 0 && !context.correction) {
      errors.push({ path: `${path}.delta`, message: 'is negative: only a correction (with voids) may be' });
      continue;
    }
    out[index] = {
      parameter: record.parameter,
      at,
      delta,
      ...(record.reading === undefined ? {} : { reading: record.reading }),
      ...(record.ref === undefined ? {} : { ref: record.ref }),
    };
  }
  if (errors.length > 0) throw new BadRequest('Invalid usage records', errors);
  return out;
}

/** A stay of a serial in a twin (half-open: from inclusive, to exclusive). */
export interface Stay {
  twinId: string;
  path: string;
  from: string;
  to: string | null;
}

/** An interval of one twin whose usage a life clock needs. */
export interface Interval {
  twinId: string;
  from: string;
  to: string;
}

export const intervalKey = (interval: Interval) => `${interval.twinId}|${interval.from}|${interval.to}`;

/** The stays up to asOf: begun before it, each ending at asOf at the latest. */
export function staysUpTo(stays: readonly Stay[], asOf: string): (Stay & { end: string })[] {
  return stays
    .filter((stay) => stay.from < asOf)
    .map((stay) => ({ ...stay, end: stay.to === null || stay.to > asOf ? asOf : stay.to }));
}

/** The intervals whose usage the life clock reads at the given instants (each stay, cut at each instant). */
export function intervalsNeeded(
  stays: readonly (Stay & { end: string })[],
  instants: readonly string[],
): Interval[] {
  const needed = new Map<string, Interval>();
  for (const stay of stays) {
    for (const to of [stay.end, ...instants.filter((at) => at > stay.from && at < stay.end)]) {
      const interval = { twinId: stay.twinId, from: stay.from, to };
      needed.set(intervalKey(interval), interval);
    }
  }
  return [...needed.values()];
}

/** An opening balance: what a part with a past brought to an install. */
export interface Balance {
  at: string;
  tsn: number;
  tso?: number;
}

/**
 * The usage of one serial for one parameter at asOf: its life clock is the sum of what the twins it
 * sat in accrued during its stays. TSN counts from its latest opening balance, or from birth when
 * its first stay came with an as-built record; without either the trace has a hole before its first
 * stay (`complete: false`, the gap listed), never a silent 0.
 */
export function parameterUsage(input: {
  stays: readonly Stay[];
  accrued: (interval: Interval) => number;
  asOf: string;
  balance?: Balance | undefined;
  overhaulAt?: string | undefined;
  /** The first stay began with its twin's as-built record: the part was new then. */
  bornInFirstStay: boolean;
}): ParameterUsage {
  const stays = staysUpTo(input.stays, input.asOf);
  const clock = (at: string) =>
    stays
      .filter((stay) => stay.from < at)
      .reduce(
        (sum, stay) =>
          sum + input.accrued({ twinId: stay.twinId, from: stay.from, to: at < stay.end ? at : stay.end }),
        0,
      );
  const now = clock(input.asOf);
  const { balance, overhaulAt } = input;
  const tsn = balance ? balance.tsn + now - clock(balance.at) : now;
  const tso =
    overhaulAt !== undefined && (!balance || overhaulAt >= balance.at)
      ? now - clock(overhaulAt)
      : balance
        ? (balance.tso ?? balance.tsn) + now - clock(balance.at)
        : tsn;
  const current = stays.find((stay) => stay.to === null || stay.to > input.asOf);
  const first = stays[0];
  const complete = balance !== undefined || (first !== undefined && input.bornInFirstStay);
  return {
    tsn,
    tso,
    tsi: current ? now - clock(current.from) : null,
    stays: stays.map((stay) => ({
      twinId: stay.twinId,
      path: stay.path,
      from: stay.from,
      to: stay.end === input.asOf && (stay.to === null || stay.to > input.asOf) ? stay.to : stay.end,
      accrued: input.accrued({ twinId: stay.twinId, from: stay.from, to: stay.end }),
    })),
    complete,
    gaps: complete
      ? []
      : [
          {
            from: null,
            to: first?.from ?? input.asOf,
            reason: first
              ? 'no opening balance: the usage before the first recorded installation is unknown'
              : 'no installation and no opening balance recorded',
          },
        ],
  };
}

/** The latest entry at or before asOf. */
export function latestAtOrBefore<T extends { at: string }>(
  entries: readonly T[],
  asOf: string,
): T | undefined {
  let latest: T | undefined;
  for (const entry of entries) if (entry.at <= asOf && (!latest || entry.at >= latest.at)) latest = entry;
  return latest;
}

/** The life limits in force at asOf: per parameter, the one with the latest `effectiveFrom` not after it. */
export function limitsInForce(master: Pick<PartMaster, 'lifeLimits'>, asOf: string) {
  const byParameter = new Map<string, PartMaster['lifeLimits'][number]>();
  for (const limit of master.lifeLimits) {
    const from = new Date(limit.effectiveFrom).toISOString();
    const held = byParameter.get(limit.parameter);
    if (from <= asOf && (!held || new Date(held.effectiveFrom).toISOString() <= from))
      byParameter.set(limit.parameter, limit);
  }
  return [...byParameter.values()];
}

const SEVERITY: Record<LifeStatus, number> = { ok: 0, alert: 1, unknown: 2, expired: 3 };

/**
 * Each life limit's accumulated and remaining life, and the part's status: that of the limit reached
 * first (the least remaining share of its limit); unknown usage gives `unknown`, never `ok`.
 */
export function lifeOf(
  identity: { partNumber: string; serialNumber: string },
  master: Pick<PartMaster, 'llp' | 'lifeLimits' | 'alertAt'> | null,
  usage: Record<string, ParameterUsage>,
  context: { asOf: string; scrapped: boolean },
): ComponentLife {
  const limits = (master ? limitsInForce(master, context.asOf) : []).map((limit) => {
    const used = usage[limit.parameter];
    const accumulated = used?.tsn ?? 0;
    const remaining = limit.limit - accumulated;
    const alertAt = master?.alertAt?.[limit.parameter];
    const status: LifeStatus =
      remaining <= 0
        ? 'expired'
        : !used?.complete
          ? 'unknown'
          : alertAt !== undefined && remaining <= alertAt
            ? 'alert'
            : 'ok';
    return { parameter: limit.parameter, limit: limit.limit, accumulated, remaining, status };
  });
  const governing = [...limits].sort(
    (a, b) => SEVERITY[b.status] - SEVERITY[a.status] || a.remaining / a.limit - b.remaining / b.limit,
  )[0];
  return {
    ...identity,
    llp: master?.llp ?? false,
    status: governing?.status ?? (master?.llp ? 'unknown' : 'ok'),
    governing: governing?.parameter ?? null,
    scrapped: context.scrapped,
    limits,
  };
}

/** Why an install of this part is refused, if it is: scrapped, expired, or (without an override) unknown life. */
export function installRefusal(
  life: ComponentLife,
  override: boolean,
): { rule: string; detail: string } | null {
  const what = `${life.partNumber} serial ${life.serialNumber}`;
  if (life.scrapped)
    return { rule: 'scrapped', detail: `${what} was scrapped: it can never be installed again` };
  if (!life.llp) return null;
  if (life.status === 'expired')
    return { rule: 'life-expired', detail: `${what} is past its ${life.governing} life limit` };
  if (life.status === 'unknown' && !override)
    return {
      rule: 'life-unknown',
      detail: `${what} is life-limited and its usage back to birth is incomplete: give usageAtInstall, or lifeOverride with a reason`,
    };
  return null;
}

/** Sort key of a remaining life in the fleet life index: numeric order as string order (from -1e12). */
export const remainingSortKey = (remaining: number) =>
  (Math.round(remaining * 1000) + 1e15).toString().padStart(17, '0');
