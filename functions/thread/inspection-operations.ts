import { invalidField, NotFound } from '../../shared/domain/errors';
import { assertVersion, expectedVersion } from '../../shared/domain/twin';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type {
  InspectionBody,
  InspectionListQuery,
  RecordInspectionQuery,
} from '../../shared/schemas/inspection';
import { INSPECTION_PARTS, recordInspectionOn } from '../../shared/services/inspection-recording';
import { inspectionsAnswer } from '../../shared/services/list-pages';
import { requireInspectionInsideView, roleWriterOf } from '../../shared/services/view-writes';
import { getDocuments } from '../../shared/store/document-store';
import { loadTwinParts, type TwinParts } from '../../shared/store/twin-store';

type TwinParams = { id: string };

/** A twin of the caller's tenant (the token's, never the request's), or 404. */
async function visibleTwin(tenant: string, id: string, parts: TwinParts) {
  const twin = await loadTwinParts(tenant, id, parts);
  if (!twin) throw new NotFound(`No twin ${id}`);
  return twin;
}

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
  const [twin, writer] = await Promise.all([
    visibleTwin(tenant, request.params.id, INSPECTION_PARTS),
    roleWriterOf(request.caller),
  ]);
  if (writer) requireInspectionInsideView(writer, twin.history, request.body, { apply, now: request.now });
  if (expected !== undefined) assertVersion(twin.state.record, expected);
  await requireDocuments(tenant, request.body.documents ?? []);
  return recordInspectionOn(tenant, twin, request.body, {
    expected,
    now: request.now,
    actor: { sub, tenant },
    view: writer?.view,
  });
}

async function listInspections(request: OperationRequest<TwinParams, InspectionListQuery>) {
  const { tenant } = request.caller;
  await visibleTwin(tenant, request.params.id, {});
  // Bound to the twin: a cursor of another twin's list (or of any other list) is refused.
  const scope = JSON.stringify(['inspections', request.params.id]);
  return ok(
    await inspectionsAnswer(tenant, request.params.id, {
      scope,
      limit: request.query.limit,
      cursor: request.query.cursor,
    }),
  );
}

export const inspectionOperations: Record<string, Operation> = { recordInspection, listInspections };
