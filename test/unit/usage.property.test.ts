import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { totalsMoves, type YearBucket } from '../../shared/domain/usage';
import {
  type Mount,
  type SerialRecords,
  serialUsage,
  UsageReads,
  type UsageSource,
} from '../../shared/services/usage-reads';

/**
 * Accrual against a naive model: a serial moves between twins (swaps at one instant included), twins
 * record usage, corrections void records later; an engine-like twin without records of its own sits
 * in another for a while. At random (asOf, knownAt) the serial's TSN equals the sum of the records
 * visible then that fall in its stays (through the nesting), and each stay accrued exactly what its
 * twin accrued in it. Part of the records may have been written before month and day totals existed
 * (only their year item knows them): the answer is the same.
 */

const BASE = Date.parse('2023-12-20T00:00:00.000Z');
/**
 * Instants 9 hours apart, at minute 0, 20 or 40: they cross days, months and a year end, and coincide
 * with stay bounds; a record a few minutes earlier falls in a bound's hour before it.
 */
const instant = (step: number, minutesEarlier = 0) =>
  new Date(BASE + step * 9 * 3_600_000 + ((step % 3) * 20 - minutesEarlier) * 60_000).toISOString();
const TWINS = ['A', 'B', 'C'];
const NESTED = 'E';

interface UsageEntry {
  twinId: string;
  at: string;
  delta: number;
  recordedAt: number;
}

/**
 * The store's totals, records and record-time log, made from the same entries in memory; the entries
 * recorded up to `legacyUpTo` were written by the layout before month and day totals (their day sums
 * are `dMMDD` fields of the year item).
 */
function modelSource(entries: readonly UsageEntry[], mounts: Mount[], legacyUpTo: number): UsageSource {
  const of = (twinId: string) => entries.filter((entry) => entry.twinId === twinId);
  const legacy = (entry: UsageEntry) => entry.recordedAt <= legacyUpTo;
  return {
    yearBuckets: async (twinId) => {
      const years = new Map<string, YearBucket>();
      for (const move of totalsMoves(of(twinId)))
        if (move.kind === 'year') years.set(move.period, { year: move.period, ...move.fields });
      for (const entry of of(twinId).filter(legacy)) {
        const year = years.get(entry.at.slice(0, 4))!;
        const day = `d${entry.at.slice(5, 7)}${entry.at.slice(8, 10)}`;
        year[day] = ((year[day] as number | undefined) ?? 0) + entry.delta;
      }
      return [...years.values()];
    },
    totalsAround: async (twinId, _parameter, t) => {
      const moves = totalsMoves(of(twinId).filter((entry) => !legacy(entry)));
      const fields = (kind: string, period: string) =>
        moves.find((move) => move.kind === kind && move.period === period)?.fields;
      return { month: fields('month', t.slice(0, 7)), day: fields('day', t.slice(0, 10)) };
    },
    recordsBetween: async (twinId, _parameter, from, to) =>
      of(twinId)
        .filter((entry) => entry.at >= from && entry.at < to)
        .reduce((sum, entry) => sum + entry.delta, 0),
    recordedAfter: async (twinId, _parameter, knownAt) =>
      of(twinId).filter((entry) => new Date(entry.recordedAt).toISOString() > knownAt),
    mounts: async (twinId) => (twinId === NESTED ? mounts : []),
  };
}

const scenario = fc.record({
  // stays: each [from, to) on a twin; a zero gap between two is a swap at one instant
  moves: fc.array(
    fc.record({
      twin: fc.constantFrom(...TWINS, NESTED),
      length: fc.integer({ min: 1, max: 30 }),
      gap: fc.integer({ min: 0, max: 5 }),
    }),
    {
      minLength: 1,
      maxLength: 6,
    },
  ),
  lastOpen: fc.boolean(),
  records: fc.array(
    fc.record({
      twin: fc.constantFrom(...TWINS),
      step: fc.integer({ min: 0, max: 200 }),
      minutesEarlier: fc.constantFrom(0, 0, 5, 25),
      delta: fc.integer({ min: 1, max: 9 }),
    }),
    {
      maxLength: 40,
    },
  ),
  voids: fc.array(fc.nat(), { maxLength: 6 }),
  mount: fc.record({ from: fc.integer({ min: 0, max: 100 }), length: fc.integer({ min: 1, max: 100 }) }),
  asOfStep: fc.integer({ min: 0, max: 210 }),
  knownAtFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  // how many of the records (in record order) the layout before month and day totals wrote
  legacyRecords: fc.oneof(fc.constant(0), fc.nat(40)),
});

describe('accrual of usage to a serial', () => {
  it('equals the naive sum of the visible records over its stays, at any asOf and knownAt', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        // Prepare: stays, records in record order (1, 2, ...), voids recorded after the records
        let step = 0;
        const stays = input.moves.map((move, index) => {
          const from = step + move.gap;
          step = from + move.length;
          const open = index === input.moves.length - 1 && input.lastOpen;
          return { twinId: move.twin, path: 'apu', from: instant(from), to: open ? null : instant(step) };
        });
        const entries: UsageEntry[] = input.records.map((record, index) => ({
          twinId: record.twin,
          at: instant(record.step, record.minutesEarlier),
          delta: record.delta,
          recordedAt: index + 1,
        }));
        for (const [index, pick] of input.voids.entries()) {
          const voided = entries[pick % Math.max(1, input.records.length)];
          if (voided && input.records.length > 0)
            entries.push({ ...voided, delta: -voided.delta, recordedAt: input.records.length + index + 1 });
        }
        const mounts = [
          {
            parentId: 'A',
            from: instant(input.mount.from),
            to: instant(input.mount.from + input.mount.length),
          },
        ];
        const last = entries.length + 1;
        const knownAt = new Date(Math.floor(input.knownAtFraction * last)).toISOString();
        const asOf = instant(input.asOfStep);
        const serial: SerialRecords = {
          partNumber: 'PN',
          serialNumber: 'SN',
          stays,
          balances: [],
          overhauls: [],
          removals: [],
          bornInFirstStay: true,
        };

        // Act
        const reads = new UsageReads('model', knownAt, modelSource(entries, mounts, input.legacyRecords));
        const usage = (await serialUsage(reads, serial, ['FH'], asOf)).FH!;

        // Assess: the naive model sums every visible record that falls in a stay, before asOf
        const visible = entries.filter((entry) => new Date(entry.recordedAt).toISOString() <= knownAt);
        const inStay = (twinId: string, at: string) =>
          stays.some(
            (stay) =>
              stay.twinId === twinId && stay.from <= at && (stay.to === null || at < stay.to) && at < asOf,
          );
        const inNested = (at: string) =>
          mounts.some((mount) => mount.from <= at && at < mount.to) && inStay(NESTED, at);
        const naive = visible
          .filter((entry) => inStay(entry.twinId, entry.at) || (entry.twinId === 'A' && inNested(entry.at)))
          .reduce((sum, entry) => sum + entry.delta, 0);
        expect(usage.tsn).toBe(naive);
        // conservation: each stay accrued what its twin accrued in it, by the same model
        for (const stay of usage.stays.filter((candidate) => candidate.twinId !== NESTED)) {
          const end = stay.to === null || stay.to > asOf ? asOf : stay.to;
          const twinSum = visible
            .filter((entry) => entry.twinId === stay.twinId && entry.at >= stay.from && entry.at < end)
            .reduce((sum, entry) => sum + entry.delta, 0);
          expect(stay.accrued).toBe(twinSum);
        }
      }),
      { numRuns: 300 },
    );
  });
});
