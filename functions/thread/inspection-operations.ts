import type { TwinHistory } from '../../shared/domain/change-set';
import { invalidField, NotFound } from '../../shared/domain/errors';
import { inspectionPage } from '../../shared/domain/inspection';
import { assertVersion, expectedVersion } from '../../shared/domain/twin';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { recordInspectionOn } from '../../shared/inspection-recording';
import type {
  InspectionBody,
  InspectionListQuery,
  RecordInspectionQuery,
} from '../../shared/schemas/inspection';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { getDocuments } from '../../shared/store/document-store';
import { loadTwin } from '../../shared/store/twin-store';
import { requireInspectionInsideView, roleWriterOf } from '../../shared/view-writes';

type TwinParams = { id: string };

/** A twin of the caller's tenant (the token's, never the request's), or 404. */
async function visibleTwin(tenant: string, id: string): Promise<TwinHistory> {
  const history = await loadTwin(tenant, id);
  if (!history) throw new NotFound(`No twin ${id}`);
  return history;
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
  const [history, writer] = await Promise.all([
    visibleTwin(tenant, request.params.id),
    roleWriterOf(request.caller),
  ]);
  if (writer) requireInspectionInsideView(writer, history, request.body, { apply, now: request.now });
  if (expected !== undefined) assertVersion(history.record, expected);
  await requireDocuments(tenant, request.body.documents ?? []);
  return recordInspectionOn(tenant, history, request.body, {
    expected,
    now: request.now,
    actor: { sub, tenant },
    view: writer?.view,
  });
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
