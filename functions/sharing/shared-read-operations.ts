import { NotFound } from '../../shared/domain/errors';
import type { HistoryEntry } from '../../shared/domain/history';
import type { InspectionRecord } from '../../shared/domain/records';
import { nodesInScope } from '../../shared/domain/thread';
import { assembleTwin, etagOf } from '../../shared/domain/twin';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import type { HistoryQuery, TimeQuery } from '../../shared/schemas/change';
import type { ThreadQuery } from '../../shared/schemas/link';
import { historyAnswer, inspectionsAnswer, shownThrough } from '../../shared/services/list-pages';
import { sees, sharedRead, sharedReadTimes } from '../../shared/services/sharing-service';
import {
  threadBody,
  threadOf,
  threadPagesOf,
  threadParts,
  WORK_PACKAGE_PARTS,
  workPackageOf,
} from '../../shared/services/thread-service';
import { readParts } from '../../shared/store/twin-store';

type SharedParams = { owner: string; id: string };

async function getSharedTwin(request: OperationRequest<SharedParams, TimeQuery>) {
  return sharedRead(
    request,
    'twin',
    readParts(request.query),
    (shared) => {
      const at = sharedReadTimes(shared, request.now, request.query);
      if (at.asOf < shared.history.record.builtAt || at.knownAt < shared.history.record.createdAt)
        throw new NotFound(`Twin ${request.params.id} did not exist yet then`);
      return assembleTwin(shared.history, at);
    },
    (shared) => ({ etag: etagOf(shared.history.record.version) }),
  );
}

async function sharedTwinHistory(request: OperationRequest<SharedParams, HistoryQuery>) {
  const { limit, cursor, ...filters } = request.query;
  const scope = JSON.stringify(['shared-history', request.params, filters]);
  return sharedRead(request, 'history', {}, (shared) =>
    historyAnswer(
      shared.owner,
      shared.history.record,
      { scope, filters, limit, cursor },
      shownThrough<HistoryEntry>(shared.view, 'history'),
    ),
  );
}

async function sharedTwinThread(request: OperationRequest<SharedParams, ThreadQuery>) {
  return sharedRead(request, 'thread', threadParts(request.query), async (shared) => {
    const at = sharedReadTimes(shared, request.now, {
      ...(request.query.asOf ? { asOf: request.query.asOf } : {}),
    });
    const { position, kind, limit, changesCursor, inspectionsCursor } = request.query;
    const scope = JSON.stringify(['shared-thread', request.params, position ?? null]);
    const pages = threadPagesOf(scope, { limit, changesCursor, inspectionsCursor });
    const thread = await threadOf(
      shared.owner,
      shared.history,
      { ...(position ? { position } : {}), ...(kind ? { kind } : {}), ...at },
      pages,
    );
    return threadBody(scope, thread);
  });
}

async function sharedWorkPackage(request: OperationRequest<SharedParams, { position: string }>) {
  return sharedRead(request, 'work-package', WORK_PACKAGE_PARTS, (shared) => {
    const now = request.now.toISOString();
    const { position } = request.query;
    const known = nodesInScope(assembleTwin(shared.history, { asOf: now, knownAt: now }).configuration);
    if (!sees(shared, position) || !known.some((node) => node.path === position))
      throw new NotFound(`Twin ${request.params.id} has no position ${position}`);
    return workPackageOf(shared.owner, shared.history, position, now);
  });
}

async function listSharedInspections(
  request: OperationRequest<SharedParams, { limit: number; cursor?: string }>,
) {
  const scope = JSON.stringify(['shared-inspections', request.params]);
  return sharedRead(request, 'inspection-list', {}, (shared) =>
    inspectionsAnswer(
      shared.owner,
      shared.history.record.id,
      { scope, limit: request.query.limit, cursor: request.query.cursor },
      shownThrough<InspectionRecord>(shared.view, 'inspection-list'),
    ),
  );
}

export const sharedReadOperations: Record<string, Operation> = {
  getSharedTwin,
  sharedTwinHistory,
  sharedTwinThread,
  sharedWorkPackage,
  listSharedInspections,
};
