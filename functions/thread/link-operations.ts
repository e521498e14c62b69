import { Conflict, NotFound } from '../../shared/domain/errors';
import { nodesInScope } from '../../shared/domain/thread';
import { assembleTwin } from '../../shared/domain/twin';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { LinkBody, ThreadQuery } from '../../shared/schemas/link';
import {
  type ApplicabilityQuery,
  documentApplicability as applicabilityOf,
} from '../../shared/services/applicability';
import {
  threadBody,
  threadOf,
  threadPagesOf,
  threadParts,
  WORK_PACKAGE_PARTS,
  workPackageOf,
} from '../../shared/services/thread-service';
import { requireWriteInsideView, roleWriterOf } from '../../shared/services/view-writes';
import { createLink } from '../../shared/store/link-store';
import { loadTwinParts, type TwinParts } from '../../shared/store/twin-store';

async function visibleTwin(tenant: string, id: string, parts: TwinParts) {
  const twin = await loadTwinParts(tenant, id, parts);
  if (!twin) throw new NotFound(`No twin ${id}`);
  return twin.history;
}

async function linkDocument(request: OperationRequest<{ id: string }, object, LinkBody>) {
  const { tenant, sub } = request.caller;
  const { documentId, position, component } = request.body;
  const [history, writer] = await Promise.all([
    visibleTwin(tenant, request.params.id, { current: true }),
    roleWriterOf(request.caller),
  ]);
  if (writer && position !== undefined)
    requireWriteInsideView(writer, 'change', [{ path: position, field: 'body.position' }]);
  if (position !== undefined) {
    const now = request.now.toISOString();
    const nodes = nodesInScope(assembleTwin(history, { asOf: now, knownAt: now }).configuration);
    if (!nodes.some((node) => node.path === position))
      throw new Conflict(`The twin has no position ${position}`);
  }
  const link = {
    documentId,
    twinId: request.params.id,
    ...(position === undefined ? {} : { position }),
    ...(component === undefined ? {} : { component }),
    createdAt: request.now.toISOString(),
    actor: { sub, tenant },
  };
  await createLink(tenant, request.params.id, link);
  const { actor: _actor, ...shown } = link;
  return { status: 201, body: shown };
}

async function twinThread(request: OperationRequest<{ id: string }, ThreadQuery>) {
  const history = await visibleTwin(request.caller.tenant, request.params.id, threadParts(request.query));
  const knownAt = request.now.toISOString();
  const asOf = request.query.asOf === undefined ? knownAt : new Date(request.query.asOf).toISOString();
  const { position, kind, limit, changesCursor, inspectionsCursor } = request.query;
  const scope = JSON.stringify(['thread', request.params.id, position ?? null]);
  const pages = threadPagesOf(scope, { limit, changesCursor, inspectionsCursor });
  const thread = await threadOf(
    request.caller.tenant,
    history,
    { ...(position ? { position } : {}), ...(kind ? { kind } : {}), asOf, knownAt },
    pages,
  );
  return ok(threadBody(scope, thread));
}

async function workPackage(request: OperationRequest<{ id: string }, { position: string }>) {
  const history = await visibleTwin(request.caller.tenant, request.params.id, WORK_PACKAGE_PARTS);
  const now = request.now.toISOString();
  const known = nodesInScope(assembleTwin(history, { asOf: now, knownAt: now }).configuration);
  if (!known.some((node) => node.path === request.query.position)) {
    throw new NotFound(`Twin ${request.params.id} has no position ${request.query.position}`);
  }
  return ok(await workPackageOf(request.caller.tenant, history, request.query.position, now));
}

async function documentApplicability(request: OperationRequest<{ id: string }, ApplicabilityQuery>) {
  return ok(await applicabilityOf(request.caller, request.params.id, request.query, request.now));
}

export const linkOperations: Record<string, Operation> = {
  linkDocument,
  twinThread,
  workPackage,
  documentApplicability,
};
