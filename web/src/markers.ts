import { findNode, type NodeMarkers } from './tree';
import type { TimePoint } from './twin-context';
import type { Inspection, Thread, TreeNode } from './types';

/** Whether a thread entry lies after the replayed time: performed after asOf or recorded after knownAt. */
export const afterTime = (time: TimePoint, at: string, recordedAt?: string) =>
  Boolean(
    (time.asOf && Date.parse(at) > Date.parse(time.asOf)) ||
      (time.knownAt && recordedAt && Date.parse(recordedAt) > Date.parse(time.knownAt)),
  );

type Discrepancy = NonNullable<Inspection['discrepancies']>[number];

/**
 * A discrepancy stays open while the position still holds what was recorded when it was found
 * (a later change at the position settles it), as the work package judges it.
 */
function stillOpen(discrepancy: Discrepancy, configuration: TreeNode[]): boolean {
  const now = findNode(configuration, discrepancy.path)?.component ?? null;
  const expected = (discrepancy.expected ?? null) as {
    serialNumber?: string;
    softwareVersion?: string;
  } | null;
  if (!expected) return now === null;
  if (!now) return false;
  return (
    (expected.serialNumber ?? undefined) === (now.serialNumber ?? undefined) &&
    (expected.softwareVersion ?? undefined) === (now.softwareVersion ?? undefined)
  );
}

/**
 * The markers of each node: open discrepancies (each position's last inspection up to the
 * replayed time decides) and the bulletins that apply by effectivity.
 */
export function markersOf(
  configuration: TreeNode[],
  documents: Thread['documents'],
  inspections: Inspection[],
  time: TimePoint,
): Map<string, NodeMarkers> {
  const markers = new Map<string, NodeMarkers>();
  const at = (path: string) => {
    const found = markers.get(path) ?? { discrepancies: 0, bulletins: [] };
    markers.set(path, found);
    return found;
  };
  for (const { document, via, path } of documents)
    if (via === 'effectivity' && path && !at(path).bulletins.includes(document.title))
      at(path).bulletins.push(document.title);
  const last = new Map<string, Inspection>();
  for (const inspection of inspections) {
    if (afterTime(time, inspection.performedAt, inspection.recordedAt)) continue;
    for (const { path } of inspection.observed) {
      const seen = last.get(path);
      if (!seen || Date.parse(inspection.performedAt) > Date.parse(seen.performedAt))
        last.set(path, inspection);
    }
  }
  for (const [path, inspection] of last)
    for (const discrepancy of inspection.discrepancies ?? [])
      if (discrepancy.path === path && stillOpen(discrepancy, configuration)) at(path).discrepancies += 1;
  return markers;
}
