import type { TwinHistory } from '../domain/change-set';
import { openDiscrepanciesOf } from '../domain/inspection';
import { isLater, type Judgement } from '../domain/judgement';
import { nodesInScope, threadDocuments } from '../domain/thread';
import { assembleTwin } from '../domain/twin';
import { documentsByPartNumber, getDocuments } from '../store/document-store';
import {
  decodeHistoryCursor,
  decodeInspectionCursor,
  encodeHistoryCursor,
  encodeInspectionCursor,
  type HistoryPosition,
  historyPageOf,
  type InspectionPosition,
  inspectionPageOf,
} from '../store/history-store';
import { inspectionAt, judgementsIn } from '../store/inspection-store';
import { componentDocuments } from '../store/link-store';
import { readParts, type TwinParts } from '../store/twin-store';
import { openRequirementsOf } from './compliance-service';
import { allowedAlternativesOf } from './conformance-service';
import { lifeRemainingOf } from './life';

/** The thread: the configuration at `asOf` (now: the current items), links, inspections, changes. */
export const threadParts = (query: { asOf?: string }): TwinParts => ({ ...readParts(query), links: true });

/**
 * A work package: the configuration now and the links (the last judgements of the positions in
 * scope, which decide what is open, are read by `workPackageOf`, never every inspection).
 */
export const WORK_PACKAGE_PARTS: TwinParts = { current: true, links: true };

/** Where the thread's lists of inspections and changes continue (cursors already decoded). */
export interface ThreadPages {
  limit: number;
  /** Leave the changes out (a work package shows none). */
  withoutChanges?: boolean;
  /** Leave the inspections out (a work package finds its last one from the judgements). */
  withoutInspections?: boolean;
  changes?: HistoryPosition;
  inspections?: InspectionPosition;
}

/** Within `position`'s subtree (or anywhere when there is none)? */
const within = (path: string, position?: string) =>
  position === undefined || path === position || path.startsWith(`${position}/`);

/**
 * The digital thread of one unit, at valid time `asOf` (as known now), for the whole unit or one
 * position's subtree: its documents (linked, or applicable by effectivity to what is installed),
 * inspections and changes (a page of each, newest first). Reads: the twin (given), one BatchGet of
 * the serialized components' records, one Query per distinct part number installed, one BatchGet of
 * linked documents, a page of inspections and one of change sets.
 */
export async function threadOf(
  tenant: string,
  history: TwinHistory,
  options: { position?: string; kind?: string; asOf: string; knownAt: string },
  pages: ThreadPages = { limit: 25 },
) {
  const { position, kind } = options;
  const touches = (paths: readonly string[]) => paths.some((path) => within(path, position));
  const nodes = nodesInScope(assembleTwin(history, options).configuration, position);
  const installed = nodes.flatMap(({ component }) => (component ? [component] : []));
  const serialized = installed.flatMap((component) =>
    component.serialNumber === undefined
      ? []
      : [{ partNumber: component.partNumber, serialNumber: component.serialNumber }],
  );
  const partNumbers = [...new Set(installed.map((component) => component.partNumber))];
  const [componentLinks, candidates, inspections, changes] = await Promise.all([
    componentDocuments(tenant, serialized),
    Promise.all(partNumbers.map((partNumber) => documentsByPartNumber(tenant, partNumber))),
    pages.withoutInspections
      ? { items: [], next: undefined }
      : inspectionPageOf(tenant, history.record.id, {
          limit: pages.limit,
          ...(pages.inspections ? { from: pages.inspections } : {}),
          ...(position === undefined
            ? {}
            : {
                accept: (inspection) => touches(inspection.observed.map((observation) => observation.path)),
              }),
        }),
    pages.withoutChanges
      ? { items: [], next: undefined }
      : historyPageOf(tenant, history.record, {
          filters: position === undefined ? {} : { position },
          limit: pages.limit,
          ...(pages.changes ? { from: pages.changes } : {}),
        }),
  ]);
  const links = history.links ?? [];
  const linked = [...links.map((link) => link.documentId), ...[...componentLinks.values()].flat()];
  const documents = new Map((await getDocuments(tenant, linked)).map((document) => [document.id, document]));
  return {
    nodes,
    documents: threadDocuments({
      nodes,
      position,
      links,
      componentLinks,
      documents,
      candidates: candidates.flat(),
      kind,
    }),
    inspections: inspections.items,
    changes: changes.items,
    next: { inspections: inspections.next, changes: changes.next },
  };
}

/** Document kinds a crew takes to a position. */
const CREW_KINDS = new Set(['job-plan', 'service-bulletin', 'airworthiness-directive']);

/**
 * What a crew needs at a position (its whole subtree): exactly what is installed, the applicable
 * job plans and bulletins, the last inspection there, and every discrepancy still open there (see
 * openDiscrepanciesOf: each position's last judgement decides, judged again against now). Reads the
 * subtree's `JUDGED#` items and the one inspection the latest of them names, never every inspection.
 */
export async function workPackageOf(tenant: string, history: TwinHistory, position: string, now: string) {
  const twinId = history.record.id;
  const [thread, judgements] = await Promise.all([
    threadOf(
      tenant,
      history,
      { position, asOf: now, knownAt: now },
      { limit: 1, withoutChanges: true, withoutInspections: true },
    ),
    judgementsIn(tenant, twinId, position),
  ]);
  const latest = judgements.reduce<Judgement | undefined>(
    (last, judgement) => (isLater(judgement, last) ? judgement : last),
    undefined,
  );
  const lastInspection = latest
    ? await inspectionAt(tenant, twinId, { performedAt: latest.performedAt, id: latest.inspectionId })
    : null;
  const installed = thread.nodes.map(({ path, component }) => ({ path, component }));
  const alternatives = await allowedAlternativesOf(
    tenant,
    history.record,
    thread.nodes.map((node) => node.path),
  );
  return {
    twinId,
    serialNumber: history.record.serialNumber,
    position,
    installed,
    documents: thread.documents.filter((entry) => CREW_KINDS.has(entry.document.kind)),
    lastInspection,
    openDiscrepancies: openDiscrepanciesOf(history, judgements, position, { asOf: now, knownAt: now }),
    lifeRemaining: await lifeRemainingOf(tenant, installed, now),
    ...alternatives,
    openRequirements: await openRequirementsOf(
      tenant,
      history,
      installed.map((entry) => entry.path),
      now,
    ),
  };
}

/** The thread's list cursors, bound to the thread they came from (`scope`: the twin and position). */
export function threadPagesOf(
  scope: string,
  query: { limit: number; changesCursor?: string; inspectionsCursor?: string },
): ThreadPages {
  const changes = decodeHistoryCursor(`${scope}#changes`, query.changesCursor, 'query.changesCursor');
  const inspections = decodeInspectionCursor(
    `${scope}#inspections`,
    query.inspectionsCursor,
    'query.inspectionsCursor',
  );
  return { limit: query.limit, ...(changes ? { changes } : {}), ...(inspections ? { inspections } : {}) };
}

/** The thread as answered: documents, a page of inspections and of changes, and where each continues. */
export function threadBody(scope: string, thread: Awaited<ReturnType<typeof threadOf>>) {
  const { nodes: _nodes, next, ...body } = thread;
  return {
    ...body,
    ...(next.inspections
      ? { inspectionsNextCursor: encodeInspectionCursor(`${scope}#inspections`, next.inspections) }
      : {}),
    ...(next.changes ? { changesNextCursor: encodeHistoryCursor(`${scope}#changes`, next.changes) } : {}),
  };
}
