import {
  type Balance,
  hourStartOf,
  type Interval,
  intervalKey,
  intervalsNeeded,
  latestAtOrBefore,
  parameterUsage,
  type Stay,
  staysUpTo,
  type Totals,
  usageBefore,
  type YearBucket,
} from '../domain/usage';
import type { ParameterUsage } from '../schemas/usage';
import { batchGetItems } from '../store/batch-get';
import { componentItems, traceOf } from '../store/component-store';
import { keys } from '../store/keys';
import { loadTwinParts } from '../store/twin-store';
import { recordedAfter, usageRecordsBetween, usageTotalsReader, yearBuckets } from '../store/usage-store';

/**
 * What a twin accrued between two instants, as known at a record time, cached for one request:
 * its year totals are read once per twin and parameter; each instant costs its month and day totals
 * items (batched with the other instants asked at once) and one Query of its hour's records; a past
 * `knownAt` takes back what was recorded after it (one index Query).
 * A twin without records of its own for a parameter accrues its parent's while installed in it
 * (an engine twin on an aircraft), through any depth of nesting.
 */
export class UsageReads {
  private readonly years = new Map<string, Promise<YearBucket[]>>();
  private readonly late = new Map<string, Promise<{ at: string; delta: number }[]>>();
  private readonly mounts = new Map<string, Promise<Mount[]>>();
  private readonly source: UsageSource;

  constructor(
    tenant: string,
    private readonly knownAt?: string,
    source?: UsageSource,
  ) {
    this.source = source ?? storedUsage(tenant);
  }

  private cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>) {
    let value = map.get(key);
    if (!value) {
      value = load();
      map.set(key, value);
    }
    return value;
  }

  /** Usage of the twin's own records strictly before t. */
  async before(twinId: string, parameter: string, t: string): Promise<number> {
    const key = `${twinId}|${parameter}`;
    const buckets = await this.cached(this.years, key, () => this.source.yearBuckets(twinId, parameter));
    if (buckets.length === 0) return 0;
    const hourStart = hourStartOf(t);
    const [within, thatHour, late] = await Promise.all([
      this.source.totalsAround(twinId, parameter, t),
      // in the same round as the totals: the records of t's hour are what a complete day item leaves
      this.source.recordsBetween(twinId, parameter, hourStart, t),
      this.knownAt === undefined
        ? []
        : this.cached(this.late, key, () => this.source.recordedAfter(twinId, parameter, this.knownAt!)),
    ]);
    const { sum, recordsFrom } = usageBefore(buckets, within, t);
    const records =
      recordsFrom === hourStart
        ? thatHour
        : await this.source.recordsBetween(twinId, parameter, recordsFrom, t);
    const later = late.filter((record) => record.at < t).reduce((sum, record) => sum + record.delta, 0);
    return sum + records - later;
  }

  /** Does the twin record this parameter itself (its own meter)? */
  async recordsItself(twinId: string, parameter: string) {
    const key = `${twinId}|${parameter}`;
    return (await this.cached(this.years, key, () => this.source.yearBuckets(twinId, parameter))).length > 0;
  }

  /** What the twin accrued in [from, to): its own records, or, without any, its parents' while it sat in them. */
  async accrued(twinId: string, parameter: string, from: string, to: string): Promise<number> {
    if (to <= from) return 0;
    if (await this.recordsItself(twinId, parameter)) {
      const [end, start] = await Promise.all([
        this.before(twinId, parameter, to),
        this.before(twinId, parameter, from),
      ]);
      return end - start;
    }
    const mounts = await this.cached(this.mounts, twinId, () => this.source.mounts(twinId));
    const shares = mounts.map((mount) => {
      const start = mount.from > from ? mount.from : from;
      const end = mount.to !== null && mount.to < to ? mount.to : to;
      return start < end ? this.accrued(mount.parentId, parameter, start, end) : 0;
    });
    return (await Promise.all(shares)).reduce((sum, share) => sum + share, 0);
  }
}

/** A twin's stay inside another (systems of systems). */
export interface Mount {
  parentId: string;
  from: string;
  to: string | null;
}

/** Where usage totals come from: the table (usage-store), or a model in a test. */
export interface UsageSource {
  yearBuckets(twinId: string, parameter: string): Promise<YearBucket[]>;
  /** The month and day totals items of t's month and day (absent when not written). */
  totalsAround(twinId: string, parameter: string, t: string): Promise<{ month?: Totals; day?: Totals }>;
  /** Usage of the records in [from, to). */
  recordsBetween(twinId: string, parameter: string, from: string, to: string): Promise<number>;
  /** Records and voids recorded after knownAt. */
  recordedAfter(twinId: string, parameter: string, knownAt: string): Promise<{ at: string; delta: number }[]>;
  mounts(twinId: string): Promise<Mount[]>;
}

const storedUsage = (tenant: string): UsageSource => ({
  yearBuckets: (twinId, parameter) => yearBuckets(tenant, twinId, parameter),
  totalsAround: usageTotalsReader(tenant),
  recordsBetween: (twinId, parameter, from, to) => usageRecordsBetween(tenant, twinId, parameter, from, to),
  recordedAfter: (twinId, parameter, knownAt) => recordedAfter(tenant, twinId, parameter, knownAt),
  mounts: async (twinId) => {
    const loaded = await loadTwinParts(tenant, twinId, { mounts: true });
    return (loaded?.history.mounts ?? []).map((mount) => ({
      parentId: mount.parentId,
      from: mount.validFrom,
      to: mount.validTo,
    }));
  },
});

/** A serial's usage inputs read from its partition: stays, opening balances, overhauls, removals. */
export interface SerialRecords {
  partNumber: string;
  serialNumber: string;
  stays: Stay[];
  balances: { at: string; values: Record<string, { tsn: number; tso?: number }> }[];
  overhauls: { at: string }[];
  removals: { at: string; condition: string; reason: string; twinId: string; path: string }[];
  /** The first stay began with its twin's as-built record. */
  bornInFirstStay: boolean;
}

const visibleAt = (item: Record<string, unknown>, knownAt?: string) =>
  knownAt === undefined || typeof item.recordedAt !== 'string' || item.recordedAt <= knownAt;

/** One Query of the serial's partition (and one read of the twins it sat in); null when unknown. */
export async function serialRecords(
  tenant: string,
  partNumber: string,
  serialNumber: string,
  knownAt?: string,
): Promise<SerialRecords | null> {
  const items = await componentItems(tenant, partNumber, serialNumber);
  const trace = await traceOf(tenant, items);
  const meta = items.find((item) => item.SK === 'META');
  if (!meta) return null;
  const stays = (trace?.installations ?? []).map((stay) => ({
    twinId: stay.twinId,
    path: stay.path,
    from: stay.validFrom,
    // a stay whose end was recorded after knownAt was still open then
    to:
      stay.recordedAt !== undefined && knownAt !== undefined && stay.recordedAt > knownAt
        ? null
        : stay.validTo,
  }));
  const of = (prefix: string) =>
    items.filter((item) => String(item.SK).startsWith(prefix) && visibleAt(item, knownAt));
  const first = stays[0];
  const firstTwin = first ? (await batchGetItems([keys.twinMeta(tenant, first.twinId)]))[0] : undefined;
  return {
    partNumber,
    serialNumber,
    stays,
    balances: of('OPENBAL#').map((item) => ({
      at: item.at as string,
      values: item.values as SerialRecords['balances'][number]['values'],
    })),
    overhauls: of('OVERHAUL#').map((item) => ({ at: item.at as string })),
    removals: of('REMOVAL#').map((item) => ({
      at: item.at as string,
      condition: item.condition as string,
      reason: item.reason as string,
      twinId: item.twinId as string,
      path: item.path as string,
    })),
    bornInFirstStay: first !== undefined && firstTwin?.builtAt === first.from,
  };
}

/**
 * The usage of a serial per parameter at asOf (as known at `knownAt`): TSN, TSO, TSI and each stay's
 * share, summing what each twin accrued during the stay; `extraBalance` is an opening balance not
 * yet recorded (an install being judged).
 */
export async function serialUsage(
  reads: UsageReads,
  serial: SerialRecords,
  parameters: readonly string[],
  asOf: string,
  extraBalance?: SerialRecords['balances'][number],
): Promise<Record<string, ParameterUsage>> {
  const balances = extraBalance ? [...serial.balances, extraBalance] : serial.balances;
  const stays = extraBalance ? serial.stays.filter((stay) => stay.from < extraBalance.at) : serial.stays;
  const overhaulAt = latestAtOrBefore(serial.overhauls, asOf)?.at;
  const answer: Record<string, ParameterUsage> = {};
  for (const parameter of parameters) {
    const held = latestAtOrBefore(
      balances.filter((entry) => entry.values[parameter] !== undefined),
      asOf,
    );
    const balance: Balance | undefined = held && { at: held.at, ...held.values[parameter]! };
    const instants = [balance?.at, overhaulAt].filter((at): at is string => at !== undefined);
    const needed = intervalsNeeded(staysUpTo(stays, asOf), instants);
    // the year totals of every twin first, so that all the bounds then ask for their month and day
    // totals in the same tick: one BatchGet of them, not one request per bound
    await Promise.all(needed.map((interval) => reads.recordsItself(interval.twinId, parameter)));
    // every interval's two totals at once: the latency of one round of Queries, not of one per stay
    const sums = new Map(
      await Promise.all(
        needed.map(
          async (interval) =>
            [
              intervalKey(interval),
              await reads.accrued(interval.twinId, parameter, interval.from, interval.to),
            ] as const,
        ),
      ),
    );
    answer[parameter] = parameterUsage({
      stays,
      accrued: (interval: Interval) => sums.get(intervalKey(interval)) ?? 0,
      asOf,
      balance,
      overhaulAt,
      bornInFirstStay: serial.bornInFirstStay,
    });
  }
  return answer;
}
