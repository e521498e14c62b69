import { documentDownload } from '../../shared/document-download';
import { NotFound } from '../../shared/domain/errors';
import { projectThroughView } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { auditAccess, openSharedTwin } from '../../shared/sharing-service';
import { threadOf } from '../../shared/thread-service';

type SharedParams = { owner: string; id: string };

/** A document the caller's view shows in the thread (linked or by effectivity), with a download URL. */
async function getSharedDocument(
  request: OperationRequest<SharedParams & { documentId: string }, { version?: number }>,
) {
  const shared = await openSharedTwin(request.caller, request.params.owner, request.params.id, request.now);
  const at = request.now.toISOString();
  const thread = await threadOf(shared.owner, shared.history, { asOf: at, knownAt: at });
  const visible = projectThroughView({ shape: 'thread', body: thread }, shared.view) as {
    documents: { document: { id: string } }[];
  };
  if (!visible.documents.some((entry) => entry.document.id === request.params.documentId))
    throw new NotFound(`No document ${request.params.documentId}`);
  const answer = await documentDownload(
    shared.owner,
    request.params.documentId,
    request.query.version,
    request.now,
  );
  await auditAccess(shared, request.caller, `read document ${request.params.documentId}`, request.now);
  return ok(answer);
}

export const sharedDocumentOperations: Record<string, Operation> = { getSharedDocument };
