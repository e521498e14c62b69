import * as z from 'zod';
import { Id, Identifier, IsoDateTime, Label, PositionPath } from './common';
import { deltaOrReading, usageRecordFields } from './usage';

/** Most observations one ingest request may carry. */
export const MAX_INGEST_OBSERVATIONS = 1000;

export const INGEST_MODES = ['report', 'apply'] as const;
export const INGEST_STATUSES = ['match', 'discrepancy', 'applied', 'error'] as const;

export const ObservedComponent = z
  .strictObject({
    partNumber: Identifier,
    serialNumber: Identifier.optional().meta({ description: 'Left out: not read (not judged)' }),
    softwareVersion: Label(64).optional().meta({ description: 'Left out: not read (not judged)' }),
  })
  .meta({ id: 'ObservedComponent' });

/** How an ingested item names its twin. */
const twinNaming = {
  twinId: Id.optional(),
  twinSerialNumber: Identifier.optional().meta({
    description:
      'The twin by serial number, when twinId is not given; needs productPartNumber when two products share the serial',
  }),
  productPartNumber: Identifier.optional().meta({
    description: 'Product part number of the twin named by twinSerialNumber',
  }),
};
const oneTwin = [
  (item: { twinId?: string; twinSerialNumber?: string }) =>
    (item.twinId === undefined) !== (item.twinSerialNumber === undefined),
  { message: 'give exactly one of twinId and twinSerialNumber' },
] as const;
const productWithSerial = [
  (item: { productPartNumber?: string; twinSerialNumber?: string }) =>
    item.productPartNumber === undefined || item.twinSerialNumber !== undefined,
  { message: 'productPartNumber goes with twinSerialNumber' },
] as const;

export const IngestObservation = z
  .strictObject({ ...twinNaming, path: PositionPath, component: ObservedComponent })
  .refine(...oneTwin)
  .refine(...productWithSerial)
  .meta({ id: 'IngestObservation', description: 'A component observed at one position of a twin' });
export type IngestObservation = z.infer<typeof IngestObservation>;

/** Most usage records one ingest request may carry. */
export const MAX_INGEST_USAGE_RECORDS = 1000;

export const IngestUsageRecord = z
  .strictObject({ ...twinNaming, ...usageRecordFields })
  .refine(...oneTwin)
  .refine(...productWithSerial)
  .refine(...deltaOrReading)
  .meta({ id: 'IngestUsageRecord', description: 'A usage record of a twin' });
export type IngestUsageRecord = z.infer<typeof IngestUsageRecord>;

export const USAGE_INGEST_STATUSES = ['valid', 'recorded', 'error'] as const;
export const IngestUsageResult = z
  .object({
    index: z.number().int().meta({ description: 'Index of the record in the request usage list' }),
    status: z.enum(USAGE_INGEST_STATUSES).meta({
      description:
        'valid: report found it good (nothing written); recorded: apply wrote it; error: see detail',
    }),
    detail: z.string().optional(),
    twinId: Id.optional(),
    recordId: Id.optional().meta({ description: 'apply: the usage record written' }),
    at: IsoDateTime.optional(),
  })
  .meta({ id: 'IngestUsageResult' });
export type IngestUsageResult = z.infer<typeof IngestUsageResult>;

export const IngestBody = z
  .strictObject({
    mode: z.enum(INGEST_MODES).meta({
      description:
        'report: compare only, writes nothing; apply: record the differences (Idempotency-Key required)',
    }),
    observations: z.array(IngestObservation).max(MAX_INGEST_OBSERVATIONS).default([]),
    usage: z.array(IngestUsageRecord).max(MAX_INGEST_USAGE_RECORDS).optional().meta({
      description:
        'Usage records of the twins (flight logs, daily totals, meter readings), checked like POST /v1/twins/{id}/usage: report checks them, apply records them',
    }),
  })
  .refine((body) => body.observations.length > 0 || (body.usage?.length ?? 0) > 0, {
    message: 'give observations or usage records',
    path: ['observations'],
  })
  .meta({ id: 'IngestRequest' });
export type IngestBody = z.infer<typeof IngestBody>;

const Summary = z.object({
  partNumber: z.string().optional(),
  serialNumber: z.string().optional(),
  softwareVersion: z.string().optional(),
});

export const IngestResult = z
  .object({
    index: z.number().int().meta({ description: 'Index of the observation in the request' }),
    status: z.enum(INGEST_STATUSES),
    detail: z.string().optional(),
    twinId: Id.optional().meta({ description: 'The twin the observation was matched to' }),
    discrepancy: z
      .object({
        kind: z.string(),
        expected: Summary.nullable().optional(),
        observed: Summary.nullable().optional(),
      })
      .optional(),
    changeSetId: Id.optional().meta({ description: 'apply: the change set that recorded it' }),
  })
  .meta({ id: 'IngestResult' });
export type IngestResult = z.infer<typeof IngestResult>;

export const IngestAnswer = z
  .object({
    results: z.array(IngestResult),
    counts: z.record(z.enum(INGEST_STATUSES), z.number().int()),
    usage: z
      .object({
        results: z.array(IngestUsageResult),
        counts: z.record(z.enum(USAGE_INGEST_STATUSES), z.number().int()),
      })
      .optional()
      .meta({ description: 'One result per usage record, in request order (when the request had any)' }),
  })
  .meta({ id: 'IngestAnswer' });
export type IngestAnswer = z.infer<typeof IngestAnswer>;
