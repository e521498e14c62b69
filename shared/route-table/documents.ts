import {
  CreateDocumentBody,
  CreatedDocument,
  CreatedVersion,
  CreateVersionBody,
  DocumentDownload,
  DocumentIdParams,
  DocumentList,
  GetDocumentQuery,
  ListDocumentsQuery,
} from '../schemas/document';
import { MAINTAINERS, READERS, type Route } from './route';

/** Thread documents: metadata in DynamoDB, content in S3, versions. */
export const documentRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/documents',
    operationId: 'createDocument',
    twinData: 'document',
    function: 'thread',
    summary: 'Declare a document and its first version; upload the content with the presigned PUT',
    auth: true,
    roles: MAINTAINERS,
    request: { body: CreateDocumentBody },
    responses: {
      201: { description: 'The document (version 1 pending) and its upload URL', schema: CreatedDocument },
    },
  },
  {
    method: 'GET',
    path: '/v1/documents',
    operationId: 'listDocuments',
    twinData: 'document-list',
    function: 'thread',
    summary: 'List documents, by kind and by effectivity part number',
    auth: true,
    roles: READERS,
    request: { query: ListDocumentsQuery },
    responses: { 200: { description: 'A page of documents', schema: DocumentList } },
  },
  {
    method: 'GET',
    path: '/v1/documents/{id}',
    operationId: 'getDocument',
    twinData: 'document',
    function: 'thread',
    summary:
      'A document with a short-lived download URL of its latest available version (or ?version=); 409 while not uploaded',
    auth: true,
    roles: READERS,
    request: { params: DocumentIdParams, query: GetDocumentQuery },
    responses: { 200: { description: 'The document and its download URL', schema: DocumentDownload } },
  },
  {
    method: 'POST',
    path: '/v1/documents/{id}/versions',
    operationId: 'createDocumentVersion',
    function: 'thread',
    summary: 'Declare the next version of a document; upload it with the presigned PUT',
    auth: true,
    roles: MAINTAINERS,
    request: { params: DocumentIdParams, body: CreateVersionBody },
    responses: {
      201: { description: 'The new version (pending) and its upload URL', schema: CreatedVersion },
    },
  },
];
