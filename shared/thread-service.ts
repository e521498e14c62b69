import type { TwinHistory } from './domain/change-set';
import { historyEntries } from './domain/history';
import { openDiscrepancies } from './domain/inspection';
import { nodesInScope, threadDocuments } from './domain/thread';
import { assembleTwin } from './domain/twin';
import { documentsByPartNumber, getDocuments } from './store/document-store';
import { componentDocuments } from './store/link-store';

/** Within `position`'s subtree (or anywhere when there is none)? */
const within = (path: string, position?: string) =>
  position === undefined || path === position || path.startsWith(`${position}/`);

/**
 * The digital thread of one unit, at valid time `asOf` (as known now), for the whole unit or one
 * position's subtree: its documents (linked, or applicable by effectivity to what is installed),
 * inspections and changes. Reads: the twin (given), one BatchGet of the serialized components'
 * records, one Query per distinct part number installed, one BatchGet of linked documents.
 */
export async function threadOf(
  tenant: string,
  history: TwinHistory,
  options: { position?: string; kind?: string; asOf: string; knownAt: string },
) {
  const { position, kind } = options;
  const nodes = nodesInScope(assembleTwin(history, options).configuration, position);
  const installed = nodes.flatMap(({ component }) => (component ? [component] : []));
  const serialized = installed.flatMap((component) =>
    component.serialNumber === undefined
      ? []
      : [{ partNumber: component.partNumber, serialNumber: component.serialNumber }],
  );
  const partNumbers = [...new Set(installed.map((component) => component.partNumber))];
  const [componentLinks, candidates] = await Promise.all([
    componentDocuments(tenant, serialized),
    Promise.all(partNumbers.map((partNumber) => documentsByPartNumber(tenant, partNumber))),
  ]);
  const links = history.links ?? [];
  const linked = [...links.map((link) => link.documentId), ...[...componentLinks.values()].flat()];
  const documents = new Map((await getDocuments(tenant, linked)).map((document) => [document.id, document]));
  const touches = (paths: readonly string[]) => paths.some((path) => within(path, position));
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
    inspections: (history.inspections ?? [])
      .filter(
        (inspection) =>
          position === undefined || touches(inspection.observed.map((observation) => observation.path)),
      )
      .sort((a, b) => (a.performedAt < b.performedAt ? 1 : a.performedAt > b.performedAt ? -1 : 0)),
    changes: historyEntries(history)
      .filter((entry) => position === undefined || touches(entry.paths))
      .sort((a, b) => (a.recordedAt < b.recordedAt ? 1 : a.recordedAt > b.recordedAt ? -1 : 0))
      .map(({ paths: _paths, ...entry }) => entry),
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
  const thread = await threadOf(tenant, history, { position, asOf: now, knownAt: now });
  const lastInspection = thread.inspections[0] ?? null;
  return {
    twinId: history.record.id,
    serialNumber: history.record.serialNumber,
    position,
    installed: thread.nodes.map(({ path, component }) => ({ path, component })),
    documents: thread.documents.filter((entry) => CREW_KINDS.has(entry.document.kind)),
    lastInspection,
    openDiscrepancies: openDiscrepancies(history, position, { asOf: now, knownAt: now }),
  };
}
