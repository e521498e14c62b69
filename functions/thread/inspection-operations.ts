import { ulid } from 'ulid';
import { recordChangeSet } from '../../shared/change-recording';
import type { TwinHistory } from '../../shared/domain/change-set';
import { AppError, invalidField, NotFound } from '../../shared/domain/errors';
import {
  correctionChangeSet,
  type InspectionRecord,
  inspectionPage,
  newInspection,
} from '../../shared/domain/inspection';
import { assembleTwin, assertVersion, etagOf, expectedVersion } from '../../shared/domain/twin';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type {
  InspectionBody,
  InspectionListQuery,
  RecordInspectionQuery,
} from '../../shared/schemas/inspection';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { getDocuments } from '../../shared/store/document-store';
import { recordInspection as storeInspection } from '../../shared/store/inspection-store';
import { loadTwin } from '../../shared/store/twin-store';

type TwinParams = { id: string };

/** A twin of the caller's tenant (the token's, never the request's), or 404. */
async function visibleTwin(tenant: string, id: string): Promise<TwinHistory> {
  const history = await loadTwin(tenant, id);
  if (!history) throw new NotFound(`No twin ${id}`);
  return history;
}

/**
 * Records an inspection. With `apply=true` its discrepancies then become one change set, written
 * through the same path as `POST /v1/twins/{id}/changes`. These are two writes, inspection first:
 * the inspection is what was found on the unit and is kept whatever happens to the change set. A
 * missing or stale If-Match is refused (428/412) before anything is written; a change set refused
 * afterwards (409, or 412 when another change came in between) is answered with that error, whose
 * detail names the recorded inspection, which can be applied by hand (POST .../changes).
 */
/** Photos and reports attached to an inspection must be documents of the tenant. */
async function requireDocuments(tenant: string, ids: readonly string[]) {
  if (ids.length === 0) return;
  const found = new Set((await getDocuments(tenant, ids)).map((document) => document.id));
  const index = ids.findIndex((id) => !found.has(id));
  if (index >= 0) throw invalidField(`body.documents[${index}]`, `no document ${ids[index]}`);
}

async function recordInspection(
  request: OperationRequest<TwinParams, RecordInspectionQuery, InspectionBody>,
) {
  const apply = request.query.apply === 'true';
  const expected = apply ? expectedVersion(request.headers['if-match']) : undefined;
  const { tenant, sub } = request.caller;
  const actor = { sub, tenant };
  const history = await visibleTwin(tenant, request.params.id);
  if (expected !== undefined) assertVersion(history.record, expected);
  await requireDocuments(tenant, request.body.documents ?? []);
  const inspection = newInspection(history, request.body, { id: ulid(), now: request.now, actor });
  await storeInspection(tenant, history.record.id, inspection, request.now);
  const answer = { inspection, discrepancies: inspection.discrepancies };
  if (expected === undefined) return created(answer);

  const body = correctionChangeSet(history, inspection);
  // Nothing to apply (no discrepancy, or only unknown positions): no empty change set, the twin as it is.
  if (body.operations.length === 0) {
    const twin = assembleTwin(history, nowTimes(request.now));
    return created({ ...answer, twin }, etagOf(twin.version));
  }
  try {
    const changed = await recordChangeSet(tenant, history, body, {
      expectedVersion: expected,
      now: request.now,
      actor,
    });
    const twin = assembleTwin(changed.history, nowTimes(request.now));
    const { paths: _paths, ...changeSet } = changed.plan.changeSet;
    return created({ ...answer, twin, changeSet }, etagOf(twin.version));
  } catch (error) {
    throw recordedAnyway(error, inspection);
  }
}

const nowTimes = (now: Date) => ({ asOf: now.toISOString(), knownAt: now.toISOString() });

const created = (body: unknown, etag?: string) => ({
  status: 201,
  body,
  ...(etag === undefined ? {} : { headers: { etag } }),
});

/** A refused change set's error, saying that the inspection itself was recorded. */
function recordedAnyway(error: unknown, inspection: InspectionRecord): unknown {
  if (!(error instanceof AppError)) return error;
  return new AppError(
    error.status,
    error.title,
    `${error.detail} (inspection ${inspection.id} was recorded; its discrepancies were not applied)`,
    error.errors,
    error.headers,
  );
}

async function listInspections(request: OperationRequest<TwinParams, InspectionListQuery>) {
  const history = await visibleTwin(request.caller.tenant, request.params.id);
  // Bound to the twin: a cursor of another twin's list (or of any other list) is refused.
  const scope = JSON.stringify(['inspections', request.params.id]);
  const after = decodeCursor(scope, request.query.cursor);
  if (after !== undefined && (after.performedAt === undefined || after.id === undefined))
    throw invalidField('query.cursor', 'is not a cursor this API issued');
  const page = inspectionPage(history.inspections ?? [], {
    limit: request.query.limit,
    ...(after ? { after: { performedAt: after.performedAt!, id: after.id! } } : {}),
  });
  return ok({ items: page.items, ...(page.last ? { nextCursor: encodeCursor(scope, page.last) } : {}) });
}

export const inspectionOperations: Record<string, Operation> = { recordInspection, listInspections };
