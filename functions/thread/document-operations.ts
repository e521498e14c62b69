import {
  assertContentType,
  assertRequirementKind,
  newDocument,
  presentDocument,
} from '../../shared/domain/document';
import { NotFound, ServiceUnavailable } from '../../shared/domain/errors';
import { documentKindShown } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { roleViewOf } from '../../shared/http/role-view';
import { ulid } from '../../shared/ids';
import type {
  CreateDocumentBody,
  CreateVersionBody,
  GetDocumentQuery,
  ListDocumentsQuery,
} from '../../shared/schemas/document';
import { assertSuperseded } from '../../shared/services/compliance-service';
import { documentDownload } from '../../shared/services/document-download';
import { requireDocumentKindInsideView, roleWriterOf } from '../../shared/services/view-writes';
import * as store from '../../shared/store/document-store';
import { presignUpload } from '../../shared/store/objects';

type IdParams = { id: string };

const uploadFields = (upload: Awaited<ReturnType<typeof presignUpload>>) => ({
  uploadUrl: upload.url,
  uploadHeaders: upload.headers,
  uploadExpiresAt: upload.expiresAt,
});

/** Metadata first (pending), then the presigned PUT: an S3 failure leaves nothing available. */
async function createDocument(request: OperationRequest<object, object, CreateDocumentBody>) {
  const { body, now, caller } = request;
  requireDocumentKindInsideView(await roleWriterOf(caller), body.kind, 'body.kind');
  assertContentType(body.kind, body.contentType);
  assertRequirementKind(body.kind, body.requirement);
  await assertSuperseded(caller.tenant, body.requirement);
  const { record, first } = newDocument(ulid(now.getTime()), body, caller.sub, now.toISOString());
  await store.createDocument(caller.tenant, record, first);
  const upload = await presignUpload(caller.tenant, record.id, first, now).catch(() => {
    throw new ServiceUnavailable(
      `Document ${record.id} was recorded but its upload URL could not be prepared: POST /v1/documents/${record.id}/versions to get one`,
      2,
    );
  });
  return {
    status: 201,
    body: { document: presentDocument(record, first, [first]), ...uploadFields(upload) },
    headers: { location: `/v1/documents/${record.id}` },
  };
}

async function createDocumentVersion(request: OperationRequest<IdParams, object, CreateVersionBody>) {
  const { body, now, caller } = request;
  const writer = await roleWriterOf(caller);
  await assertSuperseded(caller.tenant, body.requirement);
  const { version } = await store.addVersion(
    caller.tenant,
    request.params.id,
    (record) => {
      // a document of a kind the caller's role view hides does not exist for it
      if (writer && !documentKindShown(writer.view, record.kind))
        throw new NotFound(`No document ${request.params.id}`);
      const contentType = body.contentType ?? record.contentType;
      assertContentType(record.kind, contentType);
      assertRequirementKind(record.kind, body.requirement);
      return {
        contentType,
        size: body.size,
        sha256: body.sha256.toLowerCase(),
        status: 'pending',
        createdAt: now.toISOString(),
        createdBy: caller.sub,
      };
    },
    body.requirement,
  );
  const upload = await presignUpload(caller.tenant, request.params.id, version, now);
  return { status: 201, body: { documentId: request.params.id, ...version, ...uploadFields(upload) } };
}

async function getDocument(request: OperationRequest<IdParams, GetDocumentQuery>) {
  // of a kind the role view hides, the document does not exist for the caller (not even pending: 404)
  const view = await roleViewOf(request.caller);
  if (view?.documentKinds !== undefined) {
    const [record] = await store.getDocuments(request.caller.tenant, [request.params.id]);
    if (!record || !documentKindShown(view, record.kind))
      throw new NotFound(`No document ${request.params.id}`);
  }
  return ok(
    await documentDownload(request.caller.tenant, request.params.id, request.query.version, request.now),
  );
}

async function listDocuments(request: OperationRequest<object, ListDocumentsQuery>) {
  const { limit, cursor, ...filters } = request.query;
  const page = await store.listDocuments(request.caller.tenant, filters, { limit, cursor });
  return ok({ items: page.items.map((record) => presentDocument(record)), nextCursor: page.nextCursor });
}

export const documentOperations: Record<string, Operation> = {
  createDocument,
  createDocumentVersion,
  getDocument,
  listDocuments,
};
