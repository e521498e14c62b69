import { NotFound } from '../../shared/domain/errors';
import { historyEntries, historyPage } from '../../shared/domain/history';
import { inspectionPage } from '../../shared/domain/inspection';
import { nodesInScope } from '../../shared/domain/thread';
import { assembleTwin, etagOf } from '../../shared/domain/twin';
import { projectThroughView } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import type { HistoryQuery, TimeQuery } from '../../shared/schemas/change';
import type { ThreadQuery } from '../../shared/schemas/link';
import { sees, sharedRead, sharedReadTimes } from '../../shared/services/sharing-service';
import { threadOf, workPackageOf } from '../../shared/services/thread-service';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';

type SharedParams = { owner: string; id: string };

async function getSharedTwin(request: OperationRequest<SharedParams, TimeQuery>) {
  return sharedRead(
    request,
    'twin',
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
  return sharedRead(request, 'history', (shared) => {
    // only entries with something visible are paged: a page is never empty while more follow
    const visible = historyEntries(shared.history).filter(
      (entry) =>
        (
          projectThroughView({ shape: 'history', body: { items: [entry] } }, shared.view) as
            | { items?: unknown[] }
            | undefined
        )?.items?.length,
    );
    const scope = JSON.stringify(['shared-history', request.params, filters]);
    const after = decodeCursor(scope, cursor)?.after;
    const page = historyPage(visible, filters, { limit, ...(after ? { after } : {}) });
    return {
      items: page.items,
      ...(page.last ? { nextCursor: encodeCursor(scope, { after: page.last }) } : {}),
    };
  });
}

async function sharedTwinThread(request: OperationRequest<SharedParams, ThreadQuery>) {
  return sharedRead(request, 'thread', async (shared) => {
    const at = sharedReadTimes(shared, request.now, {
      ...(request.query.asOf ? { asOf: request.query.asOf } : {}),
    });
    const { nodes: _nodes, ...thread } = await threadOf(shared.owner, shared.history, {
      ...request.query,
      ...at,
    });
    return thread;
  });
}

async function sharedWorkPackage(request: OperationRequest<SharedParams, { position: string }>) {
  return sharedRead(request, 'work-package', (shared) => {
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
  return sharedRead(request, 'inspection-list', (shared) => {
    const visible = (shared.history.inspections ?? []).filter(
      (inspection) =>
        (
          projectThroughView({ shape: 'inspection-list', body: { items: [inspection] } }, shared.view) as {
            items: unknown[];
          }
        ).items.length > 0,
    );
    const scope = JSON.stringify(['shared-inspections', request.params]);
    const after = decodeCursor(scope, request.query.cursor);
    const page = inspectionPage(visible, {
      limit: request.query.limit,
      ...(after?.performedAt && after.id ? { after: { performedAt: after.performedAt, id: after.id } } : {}),
    });
    return { items: page.items, ...(page.last ? { nextCursor: encodeCursor(scope, page.last) } : {}) };
  });
}

export const sharedReadOperations: Record<string, Operation> = {
  getSharedTwin,
  sharedTwinHistory,
  sharedTwinThread,
  sharedWorkPackage,
  listSharedInspections,
};
