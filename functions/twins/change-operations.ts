import { ulid } from 'ulid';
import { applyPlan, planChangeSet } from '../../shared/domain/change-set';
import { NotFound } from '../../shared/domain/errors';
import { historyPage } from '../../shared/domain/history';
import { assembleTwin, assertVersion, expectedVersion } from '../../shared/domain/twin';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { ChangeSetBody, HistoryQuery } from '../../shared/schemas/change';
import { applyChangeSet } from '../../shared/store/change-store';
import { componentTrace as traceOf } from '../../shared/store/component-store';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { readTimes, twinResponse } from './responses';
import { loadVisibleTwin } from './twin-operations';

export async function changeTwin(request: OperationRequest<{ id: string }, object, ChangeSetBody>) {
  const expected = expectedVersion(request.headers['if-match']);
  const { tenant, sub } = request.caller;
  const history = await loadVisibleTwin(tenant, request.params.id);
  assertVersion(history.record, expected);
  const plan = planChangeSet(history, request.body, {
    now: request.now,
    actor: { sub, tenant },
    changeSetId: ulid(),
  });
  await applyChangeSet(tenant, plan, expected, request.now);
  return twinResponse(assembleTwin(applyPlan(history, plan), readTimes(request.now)));
}

export async function twinHistory(request: OperationRequest<{ id: string }, HistoryQuery>) {
  const { limit, cursor, ...filters } = request.query;
  const history = await loadVisibleTwin(request.caller.tenant, request.params.id);
  const scope = JSON.stringify([request.params.id, filters]);
  const after = decodeCursor(scope, cursor);
  const page = historyPage(history.changeSets, filters, {
    limit,
    beforeSeq: after ? Number(after.seq) : undefined,
  });
  return ok({
    items: page.items,
    ...(page.lastSeq === undefined ? {} : { nextCursor: encodeCursor(scope, { seq: page.lastSeq }) }),
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
