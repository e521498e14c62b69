import { Problem } from '../schemas/common';
import {
  InspectionBody,
  InspectionList,
  InspectionListQuery,
  InspectionResult,
  RecordInspectionQuery,
} from '../schemas/inspection';
import { TwinIdParams } from '../schemas/twin';
import { MAINTAINERS, READERS, type Route } from './route';

/** Inspections: what was found on the unit, and the discrepancies. */
export const inspectionRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/twins/{id}/inspections',
    operationId: 'recordInspection',
    twinData: 'inspection',
    function: 'thread',
    summary:
      'Record an inspection and its discrepancies against the configuration at performedAt; apply=true applies them as one change set (If-Match required then)',
    auth: true,
    roles: MAINTAINERS,
    request: { params: TwinIdParams, query: RecordInspectionQuery, body: InspectionBody },
    responses: {
      201: { description: 'The inspection and its discrepancies', schema: InspectionResult },
      409: {
        description: 'apply=true: the change set conflicts (the inspection is recorded)',
        schema: Problem,
      },
      412: { description: 'apply=true: If-Match does not match the current version', schema: Problem },
      428: { description: 'apply=true without If-Match', schema: Problem },
    },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/inspections',
    operationId: 'listInspections',
    twinData: 'inspection-list',
    function: 'thread',
    summary: 'Inspections of the twin, newest performed first',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: InspectionListQuery },
    responses: { 200: { description: 'A page of inspections', schema: InspectionList } },
  },
];
