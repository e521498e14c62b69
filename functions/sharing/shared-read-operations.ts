import { NotFound } from '../../shared/domain/errors';
import type { HistoryEntry } from '../../shared/domain/history';
import type { InspectionRecord } from '../../shared/domain/records';
import { nodesInScope } from '../../shared/domain/thread';
import { assembleTwin, etagOf } from '../../shared/domain/twin';
import { projectThroughView } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import type { HistoryQuery, TimeQuery } from '../../shared/schemas/change';
import type { ThreadQuery } from '../../shared/schemas/link';
import { sees, sharedRead, sharedReadTimes } from '../../shared/services/sharing-service';
import {
  threadBody,
  threadOf,
  threadPagesOf,
  threadParts,
  WORK_PACKAGE_PARTS,
  workPackageOf,
} from '../../shared/services/thread-service';
import {
  decodeHistoryCursor,
  decodeInspectionCursor,
  encodeHistoryCursor,
  encodeInspectionCursor,
  historyPageOf,
  inspectionPageOf,
} from '../../shared/store/history-store';
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
  return sharedRead(request, 'history', {}, async (shared) => {
    // only entries with something visible are paged: a page is never empty while more follow
    const visible = (entry: HistoryEntry) =>
      !!(
        projectThroughView({ shape: 'history', body: { items: [entry] } }, shared.view) as
          | { items?: unknown[] }
          | undefined
      )?.items?.length;
    const scope = JSON.stringify(['shared-history', request.params, filters]);
    const from = decodeHistoryCursor(scope, cursor);
    const page = await historyPageOf(shared.owner, shared.history.record, {
      filters,
      limit,
      accept: visible,
      ...(from ? { from } : {}),
    });
    return {
      items: page.items,
      ...(page.next ? { nextCursor: encodeHistoryCursor(scope, page.next) } : {}),
    };
  });
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
  return sharedRead(request, 'inspection-list', {}, async (shared) => {
    const visible = (inspection: InspectionRecord) =>
      (
        projectThroughView({ shape: 'inspection-list', body: { items: [inspection] } }, shared.view) as {
          items: unknown[];
        }
      ).items.length > 0;
    const scope = JSON.stringify(['shared-inspections', request.params]);
    const from = decodeInspectionCursor(scope, request.query.cursor);
    const page = await inspectionPageOf(shared.owner, shared.history.record.id, {
      limit: request.query.limit,
      accept: visible,
      ...(from ? { from } : {}),
    });
    return {
      items: page.items,
      ...(page.next ? { nextCursor: encodeInspectionCursor(scope, page.next) } : {}),
    };
  });
}

export const sharedReadOperations: Record<string, Operation> = {
  getSharedTwin,
  sharedTwinHistory,
  sharedTwinThread,
  sharedWorkPackage,
  listSharedInspections,
};
