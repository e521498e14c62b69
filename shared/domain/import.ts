import type { TwinExportBody } from '../schemas/exchange';
import type { Component, Node } from '../schemas/twin';
import {
  componentIdentity,
  type InstallationRecord,
  type Interval,
  type PositionRecord,
} from './configuration';
import { BadRequest, type FieldError, UnprocessableContent } from './errors';
import type {
  Actor,
  BaselineRecord,
  ChangeSetRecord,
  InspectionRecord,
  LinkRecord,
  TwinFieldsRecord,
  TwinHistory,
  TwinRecord,
} from './records';
import { toUtc } from './time';

/** Most records (change sets, baselines, inspections, documents) one import may carry: the id map must fit one item. */
export const MAX_IMPORT_RECORDS = 12_000;

/** Where a copy came from: recorded on the copy (and its import marker). */
export interface ImportSource {
  tenant: string;
  twinId: string;
  exportedAt: string;
}

/** New ids of the copy, in the order of the export's (sorted) lists: what an import marker keeps. */
export interface ImportIds {
  twin: string;
  changeSets: string[];
  baselines: string[];
  inspections: string[];
  documents: string[];
}

export interface ImportPlan {
  history: TwinHistory & { record: TwinRecord & { importedFrom: ImportSource & { importedAt: string } } };
  source: ImportSource;
  ids: ImportIds;
  notes: string[];
}

type IdMap = Record<string, string>;

/** `{source id: copy id}` for each kind of record, zipping the export's lists with the copy's ids. */
export function importMapping(body: TwinExportBody, ids: ImportIds) {
  const zip = (sources: readonly { id: string }[], copies: readonly string[]): IdMap =>
    Object.fromEntries(
      sources.flatMap((source, index) => (copies[index] ? [[source.id, copies[index]]] : [])),
    );
  const ordered = sortedParts(body);
  return {
    twins: { [body.source.twinId]: ids.twin },
    changeSets: zip(ordered.changeSets, ids.changeSets),
    baselines: zip(ordered.baselines, ids.baselines),
    inspections: zip(ordered.inspections, ids.inspections),
    documents: zip(ordered.documents, ids.documents),
  };
}

const byKey =
  <T>(key: (item: T) => string | number) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The export's record lists in one canonical order, so that ids zip the same way on every import. */
export function sortedParts(body: TwinExportBody) {
  return {
    changeSets: [...body.changeSets].sort(byKey((changeSet) => changeSet.seq)),
    baselines: [...body.baselines].sort(byKey((baseline) => `${toUtc(baseline.createdAt)}|${baseline.id}`)),
    inspections: [...body.inspections].sort(
      byKey((inspection) => `${toUtc(inspection.performedAt)}|${inspection.id}`),
    ),
    documents: [...body.documents].sort(byKey((document) => `${toUtc(document.createdAt)}|${document.id}`)),
  };
}

/** A component of the copy: an installed twin (`twinId`) of the source tenant means nothing here. */
function localComponent(component: Component, dropped: Set<string>): Component {
  if (component.twinId === undefined) return component;
  dropped.add(component.twinId);
  const { twinId: _twinId, ...rest } = component;
  return rest;
}

/**
 * Checks what a schema cannot: the intervals form a history the store can hold (distinct keys,
 * closed once and after they opened, one open interval per position, a serialized component open in
 * one position only) and the records are numbered consistently. Errors name the field.
 */
function checkConsistency(body: TwinExportBody, record: TwinRecord) {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => {
    if (errors.length < 50) errors.push({ path, message });
  };
  const checkIntervals = (
    name: 'positions' | 'installations' | 'twinFields',
    intervals: readonly Interval[],
  ) => {
    const keys = new Set<string>();
    const open = new Set<string>();
    intervals.forEach((interval, index) => {
      const field = `body.${name}[${index}]`;
      const key = `${interval.path}|${interval.validFrom}|${interval.seq}`;
      if (keys.has(key)) fail(field, 'another interval has the same path, validFrom and seq');
      keys.add(key);
      if (interval.seq > record.version)
        fail(`${field}.seq`, `is after the twin's version ${record.version}`);
      if (interval.validFrom < record.builtAt) fail(`${field}.validFrom`, 'is before the twin was built');
      if ((interval.validTo === null) !== (interval.closedAt === undefined))
        fail(`${field}.closedAt`, 'a closed interval has validTo and closedAt, an open one neither');
      if (interval.validTo !== null && interval.validTo < interval.validFrom)
        fail(`${field}.validTo`, 'is before validFrom');
      if (interval.closedAt !== undefined && interval.closedAt < interval.recordedAt)
        fail(`${field}.closedAt`, 'is before recordedAt');
      if (interval.validTo === null) {
        if (open.has(interval.path)) fail(`${field}.path`, `two open intervals of ${interval.path}`);
        open.add(interval.path);
      }
    });
    return open;
  };
  const openPositions = checkIntervals('positions', body.positions);
  checkIntervals(
    'twinFields',
    body.twinFields.map((fields) => ({ ...fields, path: 'the twin' })),
  );
  const installations = body.installations;
  checkIntervals('installations', installations);
  const openComponents = new Map<string, string>();
  installations.forEach((installation, index) => {
    if (installation.validTo !== null) return;
    if (!openPositions.has(installation.path))
      fail(`body.installations[${index}].path`, `no open position ${installation.path}`);
    const identity = componentIdentity(installation.component);
    if (identity === null) return;
    const other = openComponents.get(identity);
    if (other !== undefined) fail(`body.installations[${index}].component`, `is also installed at ${other}`);
    openComponents.set(identity, installation.path);
  });
  const seqs = new Set<number>();
  body.changeSets.forEach((changeSet, index) => {
    if (seqs.has(changeSet.seq)) fail(`body.changeSets[${index}].seq`, 'is used twice');
    if (changeSet.seq > record.version)
      fail(`body.changeSets[${index}].seq`, `is after the twin's version ${record.version}`);
    seqs.add(changeSet.seq);
  });
  if (!seqs.has(1)) fail('body.changeSets', 'the as-built change set (seq 1) is missing');
  const unique = (name: string, items: readonly { id: string }[]) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.id)) fail(`body.${name}[${index}].id`, 'is used twice');
      seen.add(item.id);
    });
  };
  unique('changeSets', body.changeSets);
  unique('baselines', body.baselines);
  unique('inspections', body.inspections);
  unique('documents', body.documents);
  const names = new Set<string>();
  body.baselines.forEach((baseline, index) => {
    if (names.has(baseline.name)) fail(`body.baselines[${index}].name`, 'is used twice');
    names.add(baseline.name);
  });
  const links = new Set<string>();
  body.links.forEach((link, index) => {
    const key = `${link.position ?? ''}|${link.documentId}`;
    if (links.has(key)) fail(`body.links[${index}]`, 'the same document is linked there twice');
    links.add(key);
  });
  const records =
    body.changeSets.length + body.baselines.length + body.inspections.length + body.documents.length;
  if (records > MAX_IMPORT_RECORDS)
    throw new UnprocessableContent(
      `The export holds ${records} change sets, baselines, inspections and documents; one import takes at most ${MAX_IMPORT_RECORDS}`,
    );
  if (errors.length > 0)
    throw new BadRequest(`The export is not consistent: ${errors[0]!.path}: ${errors[0]!.message}`, errors);
}

const interval = <T extends Omit<Interval, 'path'>>(item: T): T => ({
  ...item,
  validFrom: toUtc(item.validFrom),
  validTo: item.validTo === null ? null : toUtc(item.validTo),
  recordedAt: toUtc(item.recordedAt),
  ...(item.closedAt === undefined ? {} : { closedAt: toUtc(item.closedAt) }),
});

/**
 * Plans the copy (`newId` must give increasing ids, e.g. a monotonic ULID factory, so that records
 * sharing a time keep their order in the copy) of an exported twin in the importing tenant: new ids for the twin, its change sets,
 * baselines and inspections (from `newId`, in the export's canonical order); its documents are
 * their copies in this tenant (`documentCopies`, restored once per tenant before the twin); every
 * recorded time kept as it was (so `asOf`/`knownAt` reads answer the same); intervals, change
 * sets and actors kept as recorded. What cannot be carried over is dropped with a note: installed
 * twins (`twinId`, they live in the source tenant), the twin's stays in other twins, links to
 * documents the export does not describe. Pure.
 */
export function planImport(
  body: TwinExportBody,
  context: { now: Date; actor: Actor; newId: () => string; documentCopies: ReadonlyMap<string, string> },
): ImportPlan {
  const { now, newId } = context;
  const { importedFrom: _previous, ...source } = body.record as TwinExportBody['record'] & {
    importedFrom?: unknown;
  };
  const origin: ImportSource = {
    tenant: body.source.tenant,
    twinId: body.source.twinId,
    exportedAt: toUtc(body.exportedAt),
  };
  const notes: string[] = [];
  const droppedTwins = new Set<string>();
  const parts = sortedParts(body);
  const ids: ImportIds = {
    twin: newId(),
    changeSets: parts.changeSets.map(() => newId()),
    baselines: parts.baselines.map(() => newId()),
    inspections: parts.inspections.map(() => newId()),
    documents: parts.documents.map((document) => {
      const copy = context.documentCopies.get(document.id);
      // the caller restores every document the export describes before planning the twin
      if (!copy) throw new Error(`No copy of document ${document.id} was restored before the twin`);
      return copy;
    }),
  };
  const mapping = importMapping(body, ids);
  const record = {
    ...(source as unknown as TwinRecord),
    id: ids.twin,
    builtAt: toUtc(source.builtAt),
    createdAt: toUtc(source.createdAt),
    updatedAt: toUtc(source.updatedAt),
    importedFrom: { ...origin, importedAt: now.toISOString() },
  };
  checkConsistency(
    {
      ...body,
      positions: body.positions.map(interval),
      installations: body.installations.map(interval),
      twinFields: body.twinFields.map(interval),
    },
    record,
  );

  const positions: PositionRecord[] = body.positions.map((position) => interval(position));
  const twinFields: TwinFieldsRecord[] = body.twinFields.map((fields) => interval(fields));
  const installations: InstallationRecord[] = body.installations.map((installation) => ({
    ...interval(installation),
    component: localComponent(installation.component, droppedTwins),
    since: toUtc(installation.since),
  }));
  const changeSets: ChangeSetRecord[] = parts.changeSets.map((changeSet, index) => ({
    ...changeSet,
    id: ids.changeSets[index]!,
    effectiveAt: toUtc(changeSet.effectiveAt),
    recordedAt: toUtc(changeSet.recordedAt),
    operations: changeSet.operations.map((operation) =>
      'component' in operation
        ? { ...operation, component: localComponent(operation.component, droppedTwins) }
        : operation,
    ),
    paths: changeSet.paths ?? [],
  }));
  const baselines: BaselineRecord[] = parts.baselines.map(
    ({ configuration: _derived, ...baseline }, index) => ({
      ...(baseline as BaselineRecord),
      id: ids.baselines[index]!,
      at: toUtc(baseline.at),
      knownAt: toUtc(baseline.knownAt),
      createdAt: toUtc(baseline.createdAt),
    }),
  );
  const documentIds = mapping.documents;
  const inspections: InspectionRecord[] = parts.inspections.map((inspection, index) => {
    const documents = (inspection.documents ?? []).flatMap((id) =>
      documentIds[id] ? [documentIds[id]] : [],
    );
    if (documents.length < (inspection.documents ?? []).length)
      notes.push(`inspection ${inspection.id}: documents the export does not describe were left out`);
    const { documents: _documents, ...rest } = inspection;
    return {
      ...(rest as unknown as InspectionRecord),
      id: ids.inspections[index]!,
      performedAt: toUtc(inspection.performedAt),
      recordedAt: toUtc(inspection.recordedAt),
      ...(inspection.documents === undefined ? {} : { documents }),
    };
  });
  const links: LinkRecord[] = body.links.flatMap(({ twinId, ...link }) => {
    const documentId = documentIds[link.documentId];
    if (!documentId) {
      notes.push(`link to document ${link.documentId}: the export does not describe it, left out`);
      return [];
    }
    return [
      {
        ...(link as unknown as LinkRecord),
        documentId,
        ...(twinId === undefined ? {} : { twinId: ids.twin }),
        createdAt: toUtc(link.createdAt),
        actor: link.actor ?? context.actor,
      },
    ];
  });
  if (parts.documents.length > 0)
    notes.push(
      `${parts.documents.length} documents: linked to their copies in this tenant (one per source document); content stays with the source tenant (upload it as a new version)`,
    );
  if (droppedTwins.size > 0)
    notes.push(
      `installed twins ${[...droppedTwins].join(', ')} of the source tenant: the reference (twinId) was left out`,
    );
  if (body.mounts.length > 0)
    notes.push("the twin's stays inside other twins of the source tenant (mounts) were left out");

  return {
    history: {
      record,
      positions,
      installations,
      twinFields,
      changeSets,
      baselines,
      inspections,
      links,
      mounts: [],
    },
    source: origin,
    ids,
    notes,
  };
}

/**
 * The types a twin as it stands names, each with where: `the twin` for its own type, else the paths
 * of the components that carry it.
 */
export function typesNamedBy(twin: { type?: string; configuration: readonly Node[] }): Map<string, string[]> {
  const named = new Map<string, string[]>();
  const add = (type: string, where: string) => named.set(type, [...(named.get(type) ?? []), where]);
  if (twin.type !== undefined) add(twin.type, 'the twin');
  const stack = [...twin.configuration].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.component?.type !== undefined) add(node.component.type, node.path);
    stack.push(...[...node.children].reverse());
  }
  return named;
}

/** Most places one note lists. */
const MAX_PLACES = 10;

/**
 * A note for each type the copy names that the tenant does not define (an import never fails for
 * it): until the type is defined, nothing typed by it can be checked, so its typed attributes cannot
 * be edited (a component of that type cannot be installed, a write naming the type is refused).
 */
export function undefinedTypeNotes(
  named: ReadonlyMap<string, string[]>,
  defined: ReadonlySet<string>,
): string[] {
  return [...named]
    .filter(([type]) => !defined.has(type))
    .map(([type, places]) => {
      const shown = places.slice(0, MAX_PLACES).join(', ');
      const more = places.length > MAX_PLACES ? ` and ${places.length - MAX_PLACES} more` : '';
      return (
        `type ${type} (named by ${shown}${more}) is not defined in this tenant: its typed attributes ` +
        `cannot be edited until it is (PUT /v1/types/${type}, or import the tenant export, which carries the types)`
      );
    });
}
