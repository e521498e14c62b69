import type { ChangeSetBody, Operation } from '../schemas/change';
import { jsonBytes, MAX_ITEM_BYTES } from '../schemas/common';
import type { Component } from '../schemas/twin';
import { installedAt, positionsAt } from './configuration';
import { invalidField, PayloadTooLarge } from './errors';
import { type Judgement, lastJudgements, withinSubtree } from './judgement';
import type {
  Actor,
  ComponentSummary,
  Discrepancy,
  DiscrepancyKind,
  InspectionRecord,
  Observation,
  TwinHistory,
} from './records';
import { toUtc } from './time';
import { CLOCK_SKEW_MS } from './twin';

export type {
  ComponentSummary,
  Discrepancy,
  DiscrepancyKind,
  InspectionRecord,
  Observation,
} from './records';
export { DISCREPANCY_KINDS } from './records';

export interface InspectionInput {
  performedAt: string;
  inspector: string;
  findings?: string;
  observed: Observation[];
  documents?: string[];
}

const summary = (component: {
  partNumber?: string;
  serialNumber?: string;
  softwareVersion?: string;
}): ComponentSummary => ({
  ...(component.partNumber === undefined ? {} : { partNumber: component.partNumber }),
  ...(component.serialNumber === undefined ? {} : { serialNumber: component.serialNumber }),
  ...(component.softwareVersion === undefined ? {} : { softwareVersion: component.softwareVersion }),
});

const observedSummary = (observation: Observation): ComponentSummary | null =>
  observation.serialNumber === null
    ? null
    : summary({ ...observation, serialNumber: observation.serialNumber ?? undefined });

/**
 * Compares what an inspection found with the configuration at valid time `asOf` as recorded up to
 * `knownAt`. Only the positions the inspection mentions are judged, and at each only the fields it
 * gives: a left-out serial number is "not read", not "absent". At most one discrepancy per path, the
 * first that applies of: unknown-position, missing, unexpected-serial, version-mismatch.
 */
export function findDiscrepancies(
  history: TwinHistory,
  observed: readonly Observation[],
  at: { asOf: string; knownAt: string },
): Discrepancy[] {
  const positions = new Set(positionsAt(history.positions, at.asOf, at.knownAt).map(({ path }) => path));
  const installed = installedAt(history.installations, at.asOf, at.knownAt);
  const discrepancies: Discrepancy[] = [];
  for (const observation of observed) {
    const { path } = observation;
    const recorded = installed.get(path) ?? null;
    const expected = recorded === null ? null : summary(recorded);
    const found = observedSummary(observation);
    const report = (kind: DiscrepancyKind) => discrepancies.push({ path, kind, expected, observed: found });
    if (!positions.has(path)) {
      discrepancies.push({ path, kind: 'unknown-position', observed: found });
      continue;
    }
    if (observation.serialNumber === null) {
      if (recorded !== null) report('missing');
      continue;
    }
    if (recorded === null) {
      // Something was found where nothing is recorded (an observation naming only the path confirms it empty).
      if (Object.keys(found ?? {}).length > 0) report('unexpected-serial');
      continue;
    }
    const serial = observation.serialNumber;
    const otherSerial =
      serial !== undefined && (recorded.serialNumber === undefined || serial !== recorded.serialNumber);
    // Same serial (or none on either side) but another part number: not the recorded component either.
    const otherPart = observation.partNumber !== undefined && observation.partNumber !== recorded.partNumber;
    if (otherSerial || otherPart) {
      report('unexpected-serial');
      continue;
    }
    if (observation.softwareVersion !== undefined && observation.softwareVersion !== recorded.softwareVersion)
      report('version-mismatch');
  }
  return discrepancies;
}

/** Checks `performedAt` against the twin's life: not before it was built, not in the future. */
export function performedAtOf(history: TwinHistory, performedAt: string, now: Date): string {
  const at = toUtc(performedAt);
  if (at < history.record.builtAt)
    throw invalidField(
      'body.performedAt',
      `must not be before the twin was built (${history.record.builtAt})`,
    );
  if (at > new Date(now.getTime() + CLOCK_SKEW_MS).toISOString())
    throw invalidField('body.performedAt', 'must not be in the future');
  return at;
}

/** A new inspection of the twin, judged against its configuration at `performedAt` as known now. */
export function newInspection(
  history: TwinHistory,
  input: InspectionInput,
  context: { id: string; now: Date; actor: Actor },
): InspectionRecord {
  const recordedAt = context.now.toISOString();
  const performedAt = performedAtOf(history, input.performedAt, context.now);
  const record: InspectionRecord = {
    id: context.id,
    performedAt,
    recordedAt,
    inspector: input.inspector,
    ...(input.findings === undefined ? {} : { findings: input.findings }),
    observed: input.observed,
    ...(input.documents === undefined ? {} : { documents: input.documents }),
    actor: context.actor,
    discrepancies: findDiscrepancies(history, input.observed, { asOf: performedAt, knownAt: recordedAt }),
  };
  // the discrepancies repeat what was expected at each position observed: bound the whole record
  if (jsonBytes(record) > MAX_ITEM_BYTES)
    throw new PayloadTooLarge(
      `body.observed: the inspection with its discrepancies would hold more than ${MAX_ITEM_BYTES} bytes: split it`,
      [{ path: 'body.observed', message: `with its discrepancies more than ${MAX_ITEM_BYTES} bytes` }],
    );
  return record;
}

/**
 * The operations that make the recorded configuration what the inspection found: missing → remove;
 * unexpected-serial → replace (install where the position is empty) with the observed component;
 * version-mismatch → update of the software version. `at` is the configuration the discrepancies
 * were judged against (to take the recorded component's kind and part number from).
 */
export function correctionOperations(
  history: TwinHistory,
  inspection: Pick<InspectionRecord, 'observed' | 'discrepancies'>,
  at: { asOf: string; knownAt: string },
): Operation[] {
  const installed = installedAt(history.installations, at.asOf, at.knownAt);
  const observations = new Map(inspection.observed.map((observation) => [observation.path, observation]));
  const operations: Operation[] = [];
  for (const discrepancy of inspection.discrepancies) {
    const { path: position } = discrepancy;
    const observation = observations.get(position);
    const recorded = installed.get(position);
    if (!observation) continue;
    switch (discrepancy.kind) {
      case 'missing':
        operations.push({ op: 'remove', position });
        break;
      case 'unexpected-serial': {
        const partNumber = observation.partNumber ?? recorded?.partNumber;
        // A software version alone in an empty position names no part to install: reported only.
        if (partNumber === undefined) break;
        const component: Component = {
          partNumber,
          ...(typeof observation.serialNumber === 'string' ? { serialNumber: observation.serialNumber } : {}),
          kind: recorded?.kind ?? 'mechanical',
          ...(observation.softwareVersion === undefined
            ? {}
            : { softwareVersion: observation.softwareVersion }),
        };
        operations.push(
          recorded ? { op: 'replace', position, component } : { op: 'install', position, component },
        );
        break;
      }
      case 'version-mismatch':
        if (observation.softwareVersion !== undefined)
          operations.push({ op: 'update', position, softwareVersion: observation.softwareVersion });
        break;
      case 'unknown-position':
        // Reported, never applied: a finding does not invent a position. Adding one is an engineering
        // decision (add-position through POST /changes), not something an inspection implies.
        break;
    }
  }
  return operations;
}

/** The change set that applies an inspection's discrepancies, effective when the inspection was performed. */
export function correctionChangeSet(history: TwinHistory, inspection: InspectionRecord): ChangeSetBody {
  return {
    reason: `inspection ${inspection.id} by ${inspection.inspector}`,
    effectiveAt: inspection.performedAt,
    operations: correctionOperations(history, inspection, {
      asOf: inspection.performedAt,
      knownAt: inspection.recordedAt,
    }),
  };
}

/** Where a page of inspections stops. */
export type InspectionPageKey = Pick<InspectionRecord, 'performedAt' | 'id'>;

/** Newest performed first; ties broken by id (newest recorded first), so that a cursor is exact. */
const newerFirst = (a: InspectionPageKey, b: InspectionPageKey) =>
  a.performedAt === b.performedAt
    ? a.id === b.id
      ? 0
      : a.id < b.id
        ? 1
        : -1
    : a.performedAt < b.performedAt
      ? 1
      : -1;

/** A page of inspections, newest performed first, continuing after `after`. */
export function inspectionPage(
  inspections: readonly InspectionRecord[],
  page: { limit: number; after?: InspectionPageKey },
): { items: InspectionRecord[]; last?: InspectionPageKey } {
  const { after } = page;
  const sorted = [...inspections].sort(newerFirst);
  const rest =
    after === undefined ? sorted : sorted.filter((inspection) => newerFirst(inspection, after) > 0);
  const items = rest.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items,
    ...(rest.length > page.limit && last ? { last: { performedAt: last.performedAt, id: last.id } } : {}),
  };
}

/**
 * The open discrepancies of a position's subtree at `at`: at each position, the last inspection that
 * judged it decides (a later inspection of another position, even a parent or a child, leaves it
 * open); a discrepancy it found stays open while the configuration still differs from what was
 * observed there, judged again at `at` (an applied or since-corrected one is closed). `judgements`
 * are the positions' last judgements (the `JUDGED#` items of the subtree, or `lastJudgements`).
 */
export function openDiscrepanciesOf(
  history: TwinHistory,
  judgements: readonly Judgement[],
  position: string,
  at: { asOf: string; knownAt: string },
): Discrepancy[] {
  const stillOpen = judgements
    .filter((judgement) => judgement.discrepancy && withinSubtree(judgement.path, position))
    .map((judgement) => judgement.observation);
  return findDiscrepancies(history, stillOpen, at).sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
}

/** The open discrepancies judged from every inspection of a whole history (the naive model). */
export const openDiscrepancies = (
  history: TwinHistory,
  position: string,
  at: { asOf: string; knownAt: string },
): Discrepancy[] => openDiscrepanciesOf(history, lastJudgements(history.inspections ?? []), position, at);
