import type { ChangeSetBody, Operation } from '../schemas/change';
import type { IngestObservation, IngestResult } from '../schemas/ingest';
import { INGEST_STATUSES } from '../schemas/ingest';
import type { ViewBody } from '../schemas/sharing';
import { installedAt } from './configuration';
import { correctionOperations, findDiscrepancies } from './inspection';
import type { ComponentSummary, Discrepancy, Observation, TwinHistory } from './records';
import { pathVisible } from './view';

/** What a role view lets the caller see of a twin's tree (positions, component kinds). */
export type TreeView = Pick<ViewBody, 'positions' | 'kinds'>;

/** The reason of every change set that ingest records. */
export const INGEST_REASON = 'ingest';

/** One observation of a request, with its place in it. */
export interface IngestItem {
  index: number;
  observation: IngestObservation;
}

/** An item judged against the recorded configuration; a discrepancy carries what it is. */
export interface Verdict extends IngestResult {
  found?: Discrepancy;
}

/** Which twin an observation names, before it is looked up: by id, or by (product and) serial number. */
/** How an item names its twin: by id, or by serial number (and product). */
export type TwinNaming = Pick<IngestObservation, 'twinId' | 'twinSerialNumber' | 'productPartNumber'>;

export const twinReference = (observation: IngestObservation | TwinNaming): string =>
  observation.twinId !== undefined
    ? `id:${observation.twinId}`
    : `serial:${observation.productPartNumber ?? ''}:${observation.twinSerialNumber}`;

/** An observation as an inspection would report it: the position and what was read there. */
export const asInspection = (observation: IngestObservation): Observation => ({
  path: observation.path,
  partNumber: observation.component.partNumber,
  ...(observation.component.serialNumber === undefined
    ? {}
    : { serialNumber: observation.component.serialNumber }),
  ...(observation.component.softwareVersion === undefined
    ? {}
    : { softwareVersion: observation.component.softwareVersion }),
});

const shown = (component: ComponentSummary | null | undefined): string => {
  if (!component) return 'nothing';
  const { partNumber, serialNumber, softwareVersion } = component;
  return [
    partNumber ?? 'a component',
    serialNumber === undefined ? '' : ` serial ${serialNumber}`,
    softwareVersion === undefined ? '' : ` version ${softwareVersion}`,
  ].join('');
};

/** A line saying what differs, for the per-item `detail`. */
export function describeDiscrepancy(discrepancy: Discrepancy): string {
  const { path, kind, expected, observed } = discrepancy;
  if (kind === 'version-mismatch')
    return `${path}: version ${observed?.softwareVersion} observed, ${expected?.softwareVersion ?? 'none'} recorded`;
  return `${path}: ${shown(observed)} observed, ${shown(expected)} recorded`;
}

/**
 * Judges the observations of one twin against its configuration at `at` (now, as known now), the way
 * an inspection is judged: `match`, `discrepancy`, or `error` for a position the twin does not have
 * (or that the caller's role `view` hides) and for a second observation of the same position in one
 * request (which one would be meant?).
 */
export function judgeTwin(
  history: TwinHistory,
  items: readonly IngestItem[],
  at: { asOf: string; knownAt: string },
  view?: TreeView,
): Verdict[] {
  const twinId = history.record.id;
  const firstAt = new Map<string, number>();
  const installed =
    view?.kinds === undefined ? undefined : installedAt(history.installations, at.asOf, at.knownAt);
  // Outside the caller's role view a position does not exist for it: judged, and answered, as unknown.
  const hidden = (path: string) => {
    if (view === undefined) return false;
    if (!pathVisible(view, path)) return true;
    const kind = installed?.get(path)?.kind;
    return kind !== undefined && view.kinds !== undefined && !view.kinds.includes(kind);
  };
  return items.map(({ index, observation }) => {
    if (hidden(observation.path))
      return { index, twinId, status: 'error', detail: `the twin has no position ${observation.path}` };
    const seen = firstAt.get(observation.path);
    if (seen !== undefined)
      return {
        index,
        twinId,
        status: 'error',
        detail: `observations[${seen}] already observes ${observation.path} of this twin`,
      };
    firstAt.set(observation.path, index);
    const [found] = findDiscrepancies(history, [asInspection(observation)], at);
    if (!found) return { index, twinId, status: 'match' };
    if (found.kind === 'unknown-position')
      return { index, twinId, status: 'error', detail: `the twin has no position ${observation.path}` };
    const discrepancy = {
      kind: found.kind,
      ...(found.expected === undefined ? {} : { expected: found.expected }),
      ...(found.observed === undefined ? {} : { observed: found.observed }),
    };
    return { index, twinId, status: 'discrepancy', detail: describeDiscrepancy(found), discrepancy, found };
  });
}

/** The change set that makes the recorded configuration what was observed, and which item each operation serves. */
export function ingestChangeSet(
  history: TwinHistory,
  verdicts: readonly Verdict[],
  observations: ReadonlyMap<number, IngestObservation>,
  at: { asOf: string; knownAt: string },
): { body: ChangeSetBody; owners: number[] } {
  const operations: Operation[] = [];
  const owners: number[] = [];
  for (const verdict of verdicts) {
    const observation = observations.get(verdict.index);
    if (verdict.status !== 'discrepancy' || !verdict.found || !observation) continue;
    const corrections = correctionOperations(
      history,
      { observed: [asInspection(observation)], discrepancies: [verdict.found] },
      at,
    );
    for (const operation of corrections) {
      operations.push(operation);
      owners.push(verdict.index);
    }
  }
  return { body: { reason: INGEST_REASON, effectiveAt: at.asOf, operations }, owners };
}

/** The index of the operation a change-set error names (`body.operations[3]: ...`), if it names one. */
export function operationNamed(detail: string): number | undefined {
  const match = /^body\.operations\[(\d+)\]/.exec(detail);
  return match ? Number(match[1]) : undefined;
}

/** A change-set error's detail without the field prefix meant for a change-set author. */
export const withoutOperationField = (detail: string): string =>
  detail.replace(/^body\.operations\[\d+\](\.[a-z]+)?: /i, '');

/** What the client sees of a verdict. */
export const resultOf = ({ found: _found, ...result }: Verdict): IngestResult => result;

/** How many results have each status. */
export function countByStatus(
  results: readonly IngestResult[],
): Record<(typeof INGEST_STATUSES)[number], number> {
  const counts = Object.fromEntries(INGEST_STATUSES.map((status) => [status, 0])) as Record<
    (typeof INGEST_STATUSES)[number],
    number
  >;
  for (const result of results) counts[result.status]++;
  return counts;
}
