import * as z from 'zod';
import { Problem } from '../schemas/common';
import { IngestAnswer, IngestBody } from '../schemas/ingest';
import { MAINTAINERS, type Route } from './route';

/** Ingest: observed configurations and usage records in bulk, judged (report) or recorded (apply). */
export const ingestRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/v1/ingest',
    operationId: 'ingest',
    twinData: 'ingest',
    function: 'ingest',
    summary:
      'Up to 1,000 observed configurations and 1,000 usage records: report compares the observations with the recorded configuration and checks the usage records, writing nothing; apply records the differences as one change set per twin (reason ingest) and the usage records (a bad record is 400 naming body.usage[i], nothing written). Header Idempotency-Key (required for apply): the same key and body again returns the stored answer and writes nothing',
    auth: true,
    roles: MAINTAINERS,
    request: {
      body: IngestBody,
      headers: z.object({
        'Idempotency-Key': z.string().min(1).max(255).optional().meta({
          description:
            'Required for mode apply: the same key and body replay the stored answer (24 h); another body is 422',
          example: 'telematics-2026-11-25T14:00Z-0001',
        }),
      }),
    },
    responses: {
      200: { description: 'One result per observation, in request order', schema: IngestAnswer },
      409: { description: 'A request with this Idempotency-Key is still in progress', schema: Problem },
      413: { description: 'The body is larger than 6 MB', schema: Problem },
      422: { description: 'This Idempotency-Key was used with another body', schema: Problem },
    },
  },
];
