import {
  ComplianceQuery,
  DocumentCompliance,
  DocumentComplianceQuery,
  RecordComplianceBody,
  RecordedCompliance,
  TwinCompliance,
} from '../schemas/compliance';
import { DocumentIdParams } from '../schemas/document';
import { TwinIdParams } from '../schemas/twin';
import { IdempotencyHeaders } from '../schemas/usage';
import { MAINTAINERS, READERS, type Route } from './route';

/** Compliance with service bulletins and airworthiness directives (docs/compliance.md). */
export const complianceRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/twins/{id}/compliance',
    operationId: 'recordCompliance',
    twinData: 'compliance-record',
    function: 'twins',
    summary:
      'Record a manual compliance of the unit with a bulletin or directive (complied, not-applicable, deferred); a correction is a new record; Idempotency-Key replays',
    auth: true,
    roles: MAINTAINERS,
    request: { params: TwinIdParams, body: RecordComplianceBody, headers: IdempotencyHeaders },
    responses: {
      201: { description: 'The record and the requirement as judged now', schema: RecordedCompliance },
    },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/compliance',
    operationId: 'twinCompliance',
    twinData: 'compliance',
    function: 'twins',
    summary:
      'Every requirement applicable to the unit with its status (derived from the configuration or recorded), last done and next due, now or as of a time',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: ComplianceQuery },
    responses: { 200: { description: 'The requirements and their compliance', schema: TwinCompliance } },
  },
  {
    method: 'GET',
    path: '/v1/documents/{id}/compliance',
    operationId: 'documentCompliance',
    twinData: 'document-compliance',
    function: 'thread',
    summary:
      'Fleet compliance with one bulletin or directive: exact counts by status and a page of the units still open (open, due, overdue)',
    auth: true,
    roles: READERS,
    request: { params: DocumentIdParams, query: DocumentComplianceQuery },
    responses: { 200: { description: 'Counts and open units', schema: DocumentCompliance } },
  },
];
