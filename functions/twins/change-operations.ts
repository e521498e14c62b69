import { recordChangeSet } from '../../shared/change-recording';
import { NotFound } from '../../shared/domain/errors';
import { historyEntries, historyPage } from '../../shared/domain/history';
import { assembleTwin, expectedVersion } from '../../shared/domain/twin';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { ChangeSetBody, HistoryQuery } from '../../shared/schemas/change';
import { componentTrace as traceOf } from '../../shared/store/component-store';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { requireChangeInsideView, roleWriterOf } from '../../shared/view-writes';
import { readTimes, twinResponse } from './responses';
import { loadVisibleTwin } from './twin-operations';

export async function changeTwin(request: OperationRequest<{ id: string }, object, ChangeSetBody>) {
  const expected = expectedVersion(request.headers['if-match']);
  const { tenant, sub } = request.caller;
  const [history, writer] = await Promise.all([
    loadVisibleTwin(tenant, request.params.id),
    roleWriterOf(request.caller),
  ]);
  // a role with a view changes only what it sees, judged exactly as a grantee's change
  if (writer) requireChangeInsideView(writer, history, request.body, request.now);
  const changed = await recordChangeSet(tenant, history, request.body, {
    expectedVersion: expected,
    now: request.now,
    actor: { sub, tenant },
    view: writer?.view,
  });
  return twinResponse(assembleTwin(changed.history, readTimes(request.now)));
}

export async function twinHistory(request: OperationRequest<{ id: string }, HistoryQuery>) {
  const { limit, cursor, ...filters } = request.query;
  const history = await loadVisibleTwin(request.caller.tenant, request.params.id);
  const scope = JSON.stringify([request.params.id, filters]);
  const after = decodeCursor(scope, cursor)?.after;
  const page = historyPage(historyEntries(history), filters, { limit, ...(after ? { after } : {}) });
  return ok({
    items: page.items,
    ...(page.last === undefined ? {} : { nextCursor: encodeCursor(scope, { after: page.last }) }),
  });
}

export async function componentTrace(
  request: OperationRequest<{ partNumber: string; serialNumber: string }>,
) {
  const { partNumber, serialNumber } = request.params;
  const trace = await traceOf(request.caller.tenant, partNumber, serialNumber);
  if (!trace) throw new NotFound(`No component ${partNumber} serial ${serialNumber}`);
  return ok(trace);
}
