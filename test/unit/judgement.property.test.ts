import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TwinHistory } from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { findDiscrepancies, openDiscrepanciesOf } from '../../shared/domain/inspection';
import { isLater, type Judgement, judgementsOf, lastJudgements } from '../../shared/domain/judgement';
import type { Discrepancy, InspectionRecord, Observation } from '../../shared/domain/records';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';

// The `JUDGED#` items, as the store keeps them (each inspection, in whatever order it arrives,
// replaces the judgement of each position it observed when it is later), checked against a naive
// model: every inspection, newest performed first (ties: newest id), the first to observe a path decides.

const PATHS = ['a', 'a/x', 'a/x/y', 'b', 'ab'] as const;
const TIMES = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'];
const NOW = { asOf: '2026-06-01T00:00:00.000Z', knownAt: '2026-06-01T00:00:00.000Z' };

const observationArb: fc.Arbitrary<Observation> = fc.record(
  {
    path: fc.constantFrom(...PATHS),
    serialNumber: fc.constantFrom('S1', 'S2', null),
    partNumber: fc.constantFrom('PN-A', 'PN-B'),
  },
  { requiredKeys: ['path'] },
);

const inspectionsArb: fc.Arbitrary<InspectionRecord[]> = fc
  .array(
    fc.record({
      performedAt: fc.constantFrom(...TIMES),
      observed: fc.array(observationArb, { minLength: 1, maxLength: 4 }),
      found: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    }),
    { maxLength: 12 },
  )
  .chain((drafts) =>
    // distinct ids, arriving in any order (concurrent recorders): the id order is not the arrival order
    fc
      .shuffledSubarray([...drafts.keys()], { minLength: drafts.length, maxLength: drafts.length })
      .map((order) =>
        order.map((index) => {
          const { performedAt, observed, found } = drafts[index]!;
          const discrepancies: Discrepancy[] = observed
            .filter((_, at) => found[at])
            .map((observation) => ({ path: observation.path, kind: 'missing' }));
          return {
            id: `01J${String(index).padStart(4, '0')}`,
            performedAt,
            recordedAt: performedAt,
            inspector: 'inspector',
            observed,
            actor: { sub: 'u', tenant: 't' },
            discrepancies,
          };
        }),
      ),
  );

/** The store's way: one inspection at a time, each judgement replaces a stored one only when later. */
function keptByTheStore(inspections: readonly InspectionRecord[]): Judgement[] {
  const stored = new Map<string, Judgement>();
  for (const inspection of inspections)
    for (const judgement of judgementsOf(inspection))
      if (isLater(judgement, stored.get(judgement.path))) stored.set(judgement.path, judgement);
  return [...stored.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The naive model: every inspection newest first; at each path the first observation there decides. */
function naiveLast(inspections: readonly InspectionRecord[]) {
  const newestFirst = [...inspections].sort((a, b) =>
    a.performedAt === b.performedAt ? (a.id < b.id ? 1 : -1) : a.performedAt < b.performedAt ? 1 : -1,
  );
  const last = new Map<string, { inspection: InspectionRecord; observation: Observation }>();
  for (const inspection of newestFirst)
    for (const observation of inspection.observed)
      if (!last.has(observation.path)) last.set(observation.path, { inspection, observation });
  return last;
}

const twin = (): TwinHistory => {
  const configuration = [
    { position: 'a', component: { partNumber: 'PN-A', serialNumber: 'S1', kind: 'mechanical' as const } },
    { position: 'b', component: null },
  ];
  const record = newTwinRecord(
    {
      serialNumber: 'MSN-1',
      product: { partNumber: 'P' },
      builtAt: '2025-01-01T00:00:00.000Z',
      configuration,
    },
    '01JD3Q6Z8V1K9M2N3P4R5S6T7V',
    new Date('2025-01-01T00:00:00.000Z'),
  );
  return asBuiltHistory(record, flattenAsBuilt(configuration), { sub: 'u', tenant: 't' }, 'c-0');
};

describe('last judgements (property)', () => {
  it('keeps, whatever the arrival order, the judgement of the last inspection of each position', () => {
    fc.assert(
      fc.property(inspectionsArb, (inspections) => {
        // Act
        const kept = keptByTheStore(inspections);
        // Assess
        const naive = naiveLast(inspections);
        expect(kept).toEqual(lastJudgements(inspections));
        expect(kept.map(({ path, inspectionId, observation }) => [path, inspectionId, observation])).toEqual(
          [...naive]
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([path, { inspection, observation }]) => [path, inspection.id, observation]),
        );
        for (const judgement of kept)
          expect(judgement.discrepancy).toBe(
            naive.get(judgement.path)!.inspection.discrepancies.some(({ path }) => path === judgement.path),
          );
      }),
      { numRuns: 300 },
    );
  });

  it('answers the open discrepancies of every subtree as judging every inspection would', () => {
    const history = twin();
    fc.assert(
      fc.property(inspectionsArb, fc.constantFrom(...PATHS), (inspections, position) => {
        // Act
        const open = openDiscrepanciesOf(history, keptByTheStore(inspections), position, NOW);
        // Assess: the naive model's still-open observations, judged again now
        const stillOpen = [...naiveLast(inspections)]
          .filter(([path]) => path === position || path.startsWith(`${position}/`))
          .filter(([path, { inspection }]) => inspection.discrepancies.some((found) => found.path === path))
          .map(([, { observation }]) => observation);
        expect(open).toEqual(
          findDiscrepancies(history, stillOpen, NOW).sort((a, b) => (a.path < b.path ? -1 : 1)),
        );
      }),
      { numRuns: 300 },
    );
  });
});
