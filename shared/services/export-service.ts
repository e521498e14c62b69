import type { Actor, TwinHistory } from '../domain/change-set';
import { invalidField, NotFound } from '../domain/errors';
import { documentIdsOf, twinExport } from '../domain/export';
import { importMapping, planImport, sortedParts, typesNamedBy, undefinedTypeNotes } from '../domain/import';
import { assembleTwin } from '../domain/twin';
import { monotonicUlids } from '../ids';
import type { ExportQuery, TwinExportBody } from '../schemas/exchange';
import { getDocuments } from '../store/document-store';
import { AlreadyImported, findImport, type ImportMarker, writeImport } from '../store/import-store';
import { loadTwin } from '../store/twin-store';
import { latestTypes } from '../store/type-store';
import { judgeWrittenTwin } from './conformance-service';
import { restoreDocuments } from './document-import';

/** The lossless JSON export of a twin of the tenant (with the metadata of the documents it names). */
export async function jsonExportOf(
  tenant: string,
  history: TwinHistory,
  now: Date,
  at: { asOf?: string; knownAt?: string } = {},
) {
  const documents = await getDocuments(tenant, documentIdsOf(history));
  return twinExport(history, now, {
    tenant,
    documents,
    ...(at.asOf === undefined ? {} : { asOf: new Date(at.asOf).toISOString() }),
    ...(at.knownAt === undefined ? {} : { knownAt: new Date(at.knownAt).toISOString() }),
  });
}

/** A twin of the caller's tenant, with its whole history, or 404. */
export async function visibleTwin(tenant: string, twinId: string): Promise<TwinHistory> {
  const history = await loadTwin(tenant, twinId);
  if (!history) throw new NotFound(`No twin ${twinId}`);
  return history;
}

/** Refuses a read time before the twin existed, like `GET /v1/twins/{id}` does. */
export function checkExportTimes(history: TwinHistory, query: Pick<ExportQuery, 'asOf' | 'knownAt'>) {
  if (query.asOf !== undefined && new Date(query.asOf).toISOString() < history.record.builtAt)
    throw invalidField('query.asOf', `must not be before the twin was built (${history.record.builtAt})`);
  if (query.knownAt !== undefined && new Date(query.knownAt).toISOString() < history.record.createdAt)
    throw invalidField(
      'query.knownAt',
      `must not be before the twin was recorded (${history.record.createdAt})`,
    );
}

/**
 * The answer of an import: the copy (as of now), the id mapping and notes (what the import left out,
 * and each type the copy names that this tenant does not define).
 */
async function importAnswer(
  tenant: string,
  body: TwinExportBody,
  marker: ImportMarker,
  replayed: boolean,
  now: Date,
) {
  const history = await visibleTwin(tenant, marker.twinId);
  const at = now.toISOString();
  const twin = assembleTwin(history, { asOf: at, knownAt: at });
  // read at answer time: a replay no longer notes a type defined since
  const named = typesNamedBy(twin);
  const defined = await latestTypes(tenant, [...named.keys()]);
  return {
    twin,
    replayed,
    source: { tenant: marker.source.tenant, twinId: marker.source.twinId },
    mapping: importMapping(body, marker.ids),
    notes: [...marker.notes, ...undefinedTypeNotes(named, new Set(defined.keys()))],
    transactions: marker.transactions,
  };
}

/**
 * Imports one exported twin into `tenant` as a new twin. Idempotent by its natural key, the source
 * tenant and twin: a second import of it (concurrent or later) answers the first copy. The documents
 * it describes are restored first, once per tenant (a document another twin line or a document line
 * brought is linked, not copied again); they stay if the twin's write fails.
 */
export async function importTwin(tenant: string, body: TwinExportBody, actor: Actor, now: Date) {
  const source = { tenant: body.source.tenant, twinId: body.source.twinId };
  const earlier = await findImport(tenant, source);
  if (earlier) return { status: 200, body: await importAnswer(tenant, body, earlier, true, now) };
  const restored = await restoreDocuments(tenant, body.source.tenant, sortedParts(body).documents, actor.sub);
  const plan = planImport(body, { now, actor, newId: monotonicUlids(), documentCopies: restored.copies });
  plan.notes.push(...restored.notes);
  try {
    const { transactions } = await writeImport(tenant, plan, { now, actor });
    await judgeWrittenTwin(tenant, plan.ids.twin, now);
    const marker: ImportMarker = {
      twinId: plan.ids.twin,
      source: plan.source,
      ids: plan.ids,
      notes: plan.notes,
      importedAt: now.toISOString(),
      transactions,
    };
    return { status: 201, body: await importAnswer(tenant, body, marker, false, now) };
  } catch (error) {
    if (!(error instanceof AlreadyImported)) throw error;
    return { status: 200, body: await importAnswer(tenant, body, error.marker, true, now) };
  }
}
