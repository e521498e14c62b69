import { ulid } from 'ulid';
import { applyPlan, type ChangePlan, planChangeSet, type TwinHistory } from '../../shared/domain/change-set';
import { Conflict, NotFound } from '../../shared/domain/errors';
import { historyEntries, historyPage } from '../../shared/domain/history';
import { assembleTwin, assertVersion, expectedVersion } from '../../shared/domain/twin';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { ChangeSetBody, HistoryQuery } from '../../shared/schemas/change';
import { applyChangeSet } from '../../shared/store/change-store';
import { componentTrace as traceOf } from '../../shared/store/component-store';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { ancestorsOf } from '../../shared/store/twin-store';
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
  await refuseCycles(tenant, history, plan);
  await applyChangeSet(tenant, plan, expected, request.now);
  return twinResponse(assembleTwin(applyPlan(history, plan), readTimes(request.now)));
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

/** Systems of systems: a twin cannot be installed, however deep, inside itself. */
async function refuseCycles(tenant: string, history: TwinHistory, plan: ChangePlan) {
  const arriving = plan.twins
    .filter((effect) => effect.kind === 'arrive')
    .map((effect) => effect.component.twinId!);
  if (arriving.length === 0) return;
  const ancestors = await ancestorsOf(tenant, history.mountedIn);
  const cycle = arriving.find((twinId) => ancestors.includes(twinId));
  if (cycle)
    throw new Conflict(`Twin ${cycle} contains twin ${history.record.id}: it cannot be installed in it`);
}
