import {
  ExportJob,
  ExportJobParams,
  ExportQuery,
  ImportResult,
  TwinExport,
  TwinExportAnswer,
} from '../schemas/exchange';
import { RecordImportResult, RecordLine } from '../schemas/tenant-lines';
import { TwinIdParams } from '../schemas/twin';
import { READERS, type Route } from './route';

/** Exchange: open export of a twin (lossless JSON or AAS), import of that JSON, tenant-wide exports. */
export const exchangeRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/twins/{id}/export',
    operationId: 'exportTwin',
    twinData: 'export',
    function: 'exchange',
    summary:
      'Open export of a twin: lossless bitemporal JSON (format=json, twinthread.twin/2) or an Asset Administration Shell V3 environment (format=aas); the assembled twin as of asOf',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: ExportQuery },
    responses: {
      200: {
        description: 'The export: a TwinExport (format=json) or an AasEnvironment (format=aas)',
        schema: TwinExportAnswer,
      },
    },
  },
  {
    method: 'POST',
    path: '/v1/imports',
    operationId: 'importTwin',
    function: 'exchange',
    summary:
      'Import one exported twin (twinthread.twin/2) as a new twin of the caller tenant: new ids, record times kept; a second import of the same source twin answers the first copy',
    auth: true,
    roles: ['admin'],
    request: { body: TwinExport },
    responses: {
      201: { description: 'The copy, with the id mapping', schema: ImportResult },
      200: { description: 'This source twin was imported before: the first copy', schema: ImportResult },
    },
  },
  {
    method: 'POST',
    path: '/v1/imports/records',
    operationId: 'importRecords',
    function: 'exchange',
    summary:
      "Import one line of a tenant export (twinthread.tenant/4) beside types and twins: the usage parameters, a part master or configuration model (every version), a document (one copy per tenant), usage records of a twin, a serial's component records, a unit's compliance records; as recorded (ids and record times kept), idempotently; a definition this tenant holds otherwise is kept (status differs)",
    auth: true,
    roles: ['admin'],
    request: { body: RecordLine },
    responses: {
      201: { description: 'Something was written', schema: RecordImportResult },
      200: {
        description: 'Nothing was written: all there already, or the tenant defines it otherwise',
        schema: RecordImportResult,
      },
    },
  },
  {
    method: 'POST',
    path: '/v1/exports',
    operationId: 'startExport',
    function: 'exchange',
    summary: 'Start a tenant-wide export: a job writing every twin and document as NDJSON to S3',
    auth: true,
    roles: ['admin'],
    responses: { 202: { description: 'The running job', schema: ExportJob } },
  },
  {
    method: 'GET',
    path: '/v1/exports/{id}',
    operationId: 'getExport',
    function: 'exchange',
    summary: 'An export job: its status and, when done, a presigned download URL of the NDJSON (minutes)',
    auth: true,
    roles: ['admin'],
    request: { params: ExportJobParams },
    responses: { 200: { description: 'The job', schema: ExportJob } },
  },
];
