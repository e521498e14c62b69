import { DocumentIdParams } from '../schemas/document';
import {
  Applicability,
  ApplicabilityQuery,
  Link,
  LinkBody,
  Thread,
  ThreadQuery,
  WorkPackage,
  WorkPackageQuery,
} from '../schemas/link';
import { TwinIdParams } from '../schemas/twin';
import { MAINTAINERS, READERS, type Route } from './route';

/** Links, the digital thread of a twin, and which units a document applies to. */
export const linkRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/twins/{id}/links',
    operationId: 'linkDocument',
    function: 'thread',
    summary: 'Link a document to the twin, one of its positions, or a serialized component installed in it',
    auth: true,
    roles: MAINTAINERS,
    request: { params: TwinIdParams, body: LinkBody },
    responses: { 201: { description: 'The link', schema: Link } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/thread',
    operationId: 'twinThread',
    twinData: 'thread',
    function: 'thread',
    summary: 'The digital thread of a unit: linked and applicable documents, inspections, change sets',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: ThreadQuery },
    responses: { 200: { description: 'The thread', schema: Thread } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/work-package',
    operationId: 'workPackage',
    twinData: 'work-package',
    function: 'thread',
    summary:
      'What a crew needs at a position: installed parts, job plans and bulletins, last inspection, open discrepancies',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: WorkPackageQuery },
    responses: { 200: { description: 'The work package', schema: WorkPackage } },
  },
  {
    method: 'GET',
    path: '/v1/documents/{id}/applicability',
    operationId: 'documentApplicability',
    twinData: 'applicability',
    function: 'thread',
    summary: 'The units a document applies to now, by its effectivity (through the fleet index)',
    auth: true,
    roles: READERS,
    request: { params: DocumentIdParams, query: ApplicabilityQuery },
    responses: { 200: { description: 'Matching installations', schema: Applicability } },
  },
];
