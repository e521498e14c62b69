import * as z from 'zod';
import { Id, Identifier, Label, PositionPath } from './common';

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

export const IngestObservation = z
  .strictObject({
    twinId: Id.optional(),
    twinSerialNumber: Identifier.optional().meta({
      description:
        'The twin by serial number, when twinId is not given; needs productPartNumber when two products share the serial',
    }),
    productPartNumber: Identifier.optional().meta({
      description: 'Product part number of the twin named by twinSerialNumber',
    }),
    path: PositionPath,
    component: ObservedComponent,
  })
  .refine(
    (observation) => (observation.twinId === undefined) !== (observation.twinSerialNumber === undefined),
    {
      message: 'give exactly one of twinId and twinSerialNumber',
    },
  )
  .refine((observation) => observation.productPartNumber === undefined || observation.twinSerialNumber, {
    message: 'productPartNumber goes with twinSerialNumber',
  })
  .meta({ id: 'IngestObservation', description: 'A component observed at one position of a twin' });
export type IngestObservation = z.infer<typeof IngestObservation>;

export const IngestBody = z
  .strictObject({
    mode: z.enum(INGEST_MODES).meta({
      description:
        'report: compare only, writes nothing; apply: record the differences (Idempotency-Key required)',
    }),
    observations: z.array(IngestObservation).min(1).max(MAX_INGEST_OBSERVATIONS),
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
  })
  .meta({ id: 'IngestAnswer' });
export type IngestAnswer = z.infer<typeof IngestAnswer>;
