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

/** A year's running totals of one twin and parameter: `total`, `mMM` per month, `dMMDD` per day. */
export type YearBucket = { year: string } & Record<string, number | string>;

/** The bucket fields one record at `at` adds its usage to. */
export function bucketFields(at: string): { year: string; month: string; day: string } {
  return { year: at.slice(0, 4), month: `m${at.slice(5, 7)}`, day: `d${at.slice(5, 7)}${at.slice(8, 10)}` };
}

/** Midnight UTC of the day of `at`: the records of that day are the only ones a total reads one by one. */
export const dayStartOf = (at: string) => `${at.slice(0, 10)}T00:00:00.000Z`;

const num = (value: unknown) => (typeof value === 'number' ? value : 0);

/**
 * Usage strictly before midnight of the day of `t`, from the year buckets alone: the totals of
 * earlier years, the months of its year before its month, the days of its month before its day.
 */
export function usageBeforeDay(buckets: readonly YearBucket[], t: string): number {
  const { year, month, day } = bucketFields(t);
  let sum = 0;
  for (const bucket of buckets) {
    if (bucket.year < year) sum += num(bucket.total);
    else if (bucket.year === year) {
      for (const [field, value] of Object.entries(bucket)) {
        if (/^m\d\d$/.test(field) && field < month) sum += num(value);
        else if (/^d\d{4}$/.test(field) && field.slice(0, 3) === `d${month.slice(1)}` && field < day)
          sum += num(value);
      }
    }
  }
  return sum;
}

/** The sum each bucket field of a twin and parameter moves by, for a set of deltas. */
export function bucketMoves(
  entries: readonly { at: string; delta: number }[],
): Map<string, Record<string, number>> {
  const moves = new Map<string, Record<string, number>>();
  for (const { at, delta } of entries) {
    const { year, month, day } = bucketFields(at);
    const move = moves.get(year) ?? {};
    for (const field of ['total', month, day]) move[field] = (move[field] ?? 0) + delta;
    moves.set(year, move);
  }
  return moves;
}

/** The start of the UTC hour of `at`. */
export const hourStartOf = (at: string) => `${at.slice(0, 13)}:00:00.000Z`;

/** The month item (`M#<yyyy-mm>`) and its hour field (`hDDHH`) a record at `at` adds its usage to. */
export const hourField = (at: string) => ({
  month: at.slice(0, 7),
  hour: `h${at.slice(8, 10)}${at.slice(11, 13)}`,
});

/** The hour fields of the day of `t` before its hour: what a total inside a day reads instead of records. */
export const hoursBefore = (t: string) =>
  Array.from(
    { length: Number(t.slice(11, 13)) },
    (_, hour) => `h${t.slice(8, 10)}${String(hour).padStart(2, '0')}`,
  );

/**
 * The sum each hour field of a twin and parameter moves by, per month (`yyyy-mm`): a month item holds at
 * most 744 of them, so a total inside a day reads one small item and the records of one hour, never a
 * whole day's records.
 */
export function hourMoves(
  entries: readonly { at: string; delta: number }[],
): Map<string, Record<string, number>> {
  const moves = new Map<string, Record<string, number>>();
  for (const { at, delta } of entries) {
    const { month, hour } = hourField(at);
    const move = moves.get(month) ?? {};
    move[hour] = (move[hour] ?? 0) + delta;
    moves.set(month, move);
  }
  return moves;
}

/**
 * The items one transaction of these records writes (POST /v1/twins/{id}/usage, no voids): the records,
 * a year item and a month item per parameter and period they touch, the meters they move, the twin's
 * check and the event. What a bulk import splits its batches by.
 */
export function usageWrites(records: readonly { parameter: string; at: string; reading?: number }[]): number {
  const touched = new Set(
    records.flatMap((record) => {
      const at = new Date(record.at).toISOString();
      return [
        `${record.parameter}|${at.slice(0, 4)}`,
        `${record.parameter}|${at.slice(0, 7)}`,
        ...(record.reading === undefined ? [] : [`${record.parameter}|meter`]),
      ];
    }),
  );
  return records.length + touched.size + 2;
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
