import type { TwinHistory } from '../domain/change-set';
import { openDiscrepancies } from '../domain/inspection';
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
import { componentDocuments } from '../store/link-store';
import { readParts, type TwinParts } from '../store/twin-store';
import { allowedAlternativesOf } from './conformance-service';

/** The thread: the configuration at `asOf` (now: the current items), links, inspections, changes. */
export const threadParts = (query: { asOf?: string }): TwinParts => ({ ...readParts(query), links: true });

/** A work package: the configuration now, the links, the inspections (each position's last one decides what is open). */
export const WORK_PACKAGE_PARTS: TwinParts = { current: true, links: true, inspections: true };

/** Where the thread's lists of inspections and changes continue (cursors already decoded). */
export interface ThreadPages {
  limit: number;
  /** Leave the changes out (a work package shows none). */
  withoutChanges?: boolean;
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
    inspectionPageOf(tenant, history.record.id, {
      limit: pages.limit,
      ...(pages.inspections ? { from: pages.inspections } : {}),
      ...(position === undefined
        ? {}
        : { accept: (inspection) => touches(inspection.observed.map((observation) => observation.path)) }),
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
const CREW_KINDS = new Set(['job-plan', 'service-bulletin']);

/**
 * What a crew needs at a position (its whole subtree): exactly what is installed, the applicable
 * job plans and bulletins, the last inspection there, and every discrepancy still open there (see
 * openDiscrepancies: each position's last inspection decides, judged again against now).
 */
export async function workPackageOf(tenant: string, history: TwinHistory, position: string, now: string) {
  const thread = await threadOf(
    tenant,
    history,
    { position, asOf: now, knownAt: now },
    { limit: 1, withoutChanges: true },
  );
  const lastInspection = thread.inspections[0] ?? null;
  const alternatives = await allowedAlternativesOf(
    tenant,
    history.record,
    thread.nodes.map((node) => node.path),
  );
  return {
    twinId: history.record.id,
    serialNumber: history.record.serialNumber,
    position,
    installed: thread.nodes.map(({ path, component }) => ({ path, component })),
    documents: thread.documents.filter((entry) => CREW_KINDS.has(entry.document.kind)),
    lastInspection,
    openDiscrepancies: openDiscrepancies(history, position, { asOf: now, knownAt: now }),
    ...alternatives,
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
