import type { InspectionRecord, Observation } from './records';

/**
 * The last judgement of one position: what the latest inspection that observed it (latest
 * performed, ties broken by the newer id) found there, and whether it found a discrepancy. Kept as
 * one item per position (`JUDGED#<path>`) beside the append-only inspections, so that the open
 * discrepancies of a subtree are read from its positions, never from every inspection of the twin.
 */
export interface Judgement {
  path: string;
  performedAt: string;
  inspectionId: string;
  observation: Observation;
  /** The inspection found a discrepancy at this position. */
  discrepancy: boolean;
}

/** The order of judgements: by time performed, then by inspection id (newer recorded last). */
export const judgementKey = (judgement: Pick<Judgement, 'performedAt' | 'inspectionId'>) =>
  `${judgement.performedAt}#${judgement.inspectionId}`;

/** Is `a` later than `b` (or is there no `b`)? */
export const isLater = (a: Judgement, b: Judgement | undefined) =>
  b === undefined ||
  a.performedAt > b.performedAt ||
  (a.performedAt === b.performedAt && a.inspectionId > b.inspectionId);

/** The judgements one inspection makes: one per position it observed (its first observation there). */
export function judgementsOf(inspection: InspectionRecord): Judgement[] {
  const found = new Set(inspection.discrepancies.map((discrepancy) => discrepancy.path));
  const seen = new Set<string>();
  const judgements: Judgement[] = [];
  for (const observation of inspection.observed) {
    if (seen.has(observation.path)) continue;
    seen.add(observation.path);
    judgements.push({
      path: observation.path,
      performedAt: inspection.performedAt,
      inspectionId: inspection.id,
      observation,
      discrepancy: found.has(observation.path),
    });
  }
  return judgements;
}

/** Each position's last judgement over a set of inspections (what the `JUDGED#` items hold). */
export function lastJudgements(inspections: readonly InspectionRecord[]): Judgement[] {
  const last = new Map<string, Judgement>();
  for (const inspection of inspections)
    for (const judgement of judgementsOf(inspection))
      if (isLater(judgement, last.get(judgement.path))) last.set(judgement.path, judgement);
  return [...last.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Within `position`'s subtree? */
export const withinSubtree = (path: string, position: string) =>
  path === position || path.startsWith(`${position}/`);
