import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketMoves, dayStartOf, type YearBucket } from '../../shared/domain/usage';
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
 * twin accrued in it.
 */

const BASE = Date.parse('2023-12-20T00:00:00.000Z');
/** Instants 9 hours apart: they cross days, months and a year end, and coincide with stay bounds. */
const instant = (step: number) => new Date(BASE + step * 9 * 3_600_000).toISOString();
const TWINS = ['A', 'B', 'C'];
const NESTED = 'E';

interface UsageEntry {
  twinId: string;
  at: string;
  delta: number;
  recordedAt: number;
}

/** The store's year buckets, day records and record-time log, made from the same entries in memory. */
function modelSource(entries: readonly UsageEntry[], mounts: Mount[]): UsageSource {
  const of = (twinId: string) => entries.filter((entry) => entry.twinId === twinId);
  return {
    yearBuckets: async (twinId) =>
      [...bucketMoves(of(twinId))].map(([year, move]) => ({ year, ...move }) as YearBucket),
    earlierThatDay: async (twinId, _parameter, t) =>
      of(twinId)
        .filter((entry) => entry.at >= dayStartOf(t) && entry.at < t)
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
          at: instant(record.step),
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
        const reads = new UsageReads('model', knownAt, modelSource(entries, mounts));
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
