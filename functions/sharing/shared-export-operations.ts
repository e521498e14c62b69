import { cycloneDxBom } from '../../shared/domain/cyclonedx';
import { NotFound } from '../../shared/domain/errors';
import { assembleTwin, type Twin } from '../../shared/domain/twin';
import { projectThroughView } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { ExportQuery } from '../../shared/schemas/exchange';
import { aasEnvironmentOf } from '../../shared/services/aas-export';
import { documentDownload } from '../../shared/services/document-download';
import { jsonExportOf } from '../../shared/services/export-service';
import {
  auditAccess,
  sharedRead,
  sharedReadTimes,
  withSharedTwin,
} from '../../shared/services/sharing-service';
import { threadOf, threadParts } from '../../shared/services/thread-service';
import { HISTORY_PARTS } from '../../shared/store/twin-store';

type SharedParams = { owner: string; id: string };

/** A document the caller's view shows in the thread (linked or by effectivity), with a download URL. */
async function getSharedDocument(
  request: OperationRequest<SharedParams & { documentId: string }, { version?: number }>,
) {
  const { owner, id } = request.params;
  return withSharedTwin(request.caller, owner, id, request.now, threadParts({}), async (shared) => {
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
  });
}

/** The open export of a shared twin through the caller's view: lossless JSON, or an AAS V3 environment. */
async function exportSharedTwin(request: OperationRequest<SharedParams, ExportQuery>) {
  const { format, ...times } = request.query;
  if (format === 'json')
    return sharedRead(request, 'export', HISTORY_PARTS, (shared) =>
      jsonExportOf(shared.owner, shared.history, request.now, sharedReadTimes(shared, request.now, times)),
    );
  const { owner, id } = request.params;
  return withSharedTwin(request.caller, owner, id, request.now, HISTORY_PARTS, async (shared) => {
    if (format === 'cyclonedx') {
      const at = sharedReadTimes(shared, request.now, times);
      const twin = projectThroughView({ shape: 'twin', body: assembleTwin(shared.history, at) }, shared.view);
      await auditAccess(shared, request.caller, 'read export (cyclonedx)', request.now);
      return ok(cycloneDxBom(twin as Twin, at));
    }
    const environment = await aasEnvironmentOf(owner, shared.history, {
      ...sharedReadTimes(shared, request.now, times),
      view: shared.view,
      documentUrl: (documentId) => `/v1/shared/twins/${owner}/${id}/documents/${documentId}`,
    });
    await auditAccess(shared, request.caller, 'read export (aas)', request.now);
    return ok(environment);
  });
}

export const sharedExportOperations: Record<string, Operation> = { getSharedDocument, exportSharedTwin };
