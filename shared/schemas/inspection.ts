import * as z from 'zod';
import { Actor, ChangeSetRecord } from './change';
import {
  Cursor,
  FreeText,
  Id,
  Identifier,
  IsoDateTime,
  Label,
  Limit,
  MAX_OBSERVED_BYTES,
  PositionPath,
  withinBytes,
} from './common';
import { Twin } from './twin';

/** Most positions one inspection may report. */
export const MAX_OBSERVED = 1000;

export const Observation = z
  .strictObject({
    path: PositionPath,
    serialNumber: Identifier.nullable()
      .optional()
      .meta({ description: 'null: the position was found empty; left out: not read' }),
    partNumber: Identifier.optional(),
    softwareVersion: Label(64).optional(),
  })
  .refine(
    (observation) =>
      observation.serialNumber !== null ||
      (observation.partNumber === undefined && observation.softwareVersion === undefined),
    { message: 'a position found empty (serialNumber null) has no part number or software version' },
  )
  .meta({ id: 'Observation', description: 'What the inspector found at one position' });

export const InspectionBody = z
  .strictObject({
    performedAt: IsoDateTime.meta({
      description: 'When the inspection was performed: not before the twin was built, not in the future',
    }),
    inspector: Label(256),
    findings: FreeText(10_000).optional(),
    observed: withinBytes(
      z.array(Observation).min(1).max(MAX_OBSERVED),
      MAX_OBSERVED_BYTES,
      'the observations',
    ),
    documents: z
      .array(Id)
      .max(50)
      .optional()
      .meta({ description: 'Thread documents (photos, reports) of the inspection' }),
  })
  .superRefine((body, context) => {
    const first = new Map<string, number>();
    body.observed.forEach((observation, index) => {
      const seen = first.get(observation.path);
      if (seen === undefined) first.set(observation.path, index);
      else
        context.addIssue({
          code: 'custom',
          path: ['observed', index, 'path'],
          message: `duplicate path "${observation.path}" (also observed[${seen}])`,
        });
    });
  })
  .meta({ id: 'InspectionRequest' });
export type InspectionBody = z.infer<typeof InspectionBody>;

export const RecordInspectionQuery = z.strictObject({
  apply: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'true: apply the discrepancies as one change set (If-Match required)' }),
});
export type RecordInspectionQuery = z.infer<typeof RecordInspectionQuery>;

export const InspectionListQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export type InspectionListQuery = z.infer<typeof InspectionListQuery>;

const ComponentSummary = z
  .object({
    partNumber: z.string().optional(),
    serialNumber: z.string().optional(),
    softwareVersion: z.string().optional(),
  })
  .nullable();

export const Discrepancy = z
  .object({
    path: z.string(),
    kind: z.enum(['missing', 'unexpected-serial', 'version-mismatch', 'unknown-position']),
    expected: ComponentSummary.optional().meta({ description: 'As recorded; null: recorded empty' }),
    observed: ComponentSummary.optional().meta({ description: 'As found; null: found empty' }),
  })
  .meta({ id: 'Discrepancy' });

export const Inspection = z
  .object({
    id: Id,
    performedAt: IsoDateTime,
    recordedAt: IsoDateTime,
    inspector: z.string(),
    findings: z.string().optional(),
    observed: z.array(Observation),
    documents: z.array(Id).optional(),
    actor: Actor,
    discrepancies: z.array(Discrepancy),
  })
  .meta({ id: 'Inspection' });

export const InspectionResult = z
  .object({
    inspection: Inspection,
    discrepancies: z.array(Discrepancy),
    twin: Twin.optional().meta({ description: 'With apply=true: the twin after the change set' }),
    changeSet: ChangeSetRecord.optional().meta({
      description: 'With apply=true: the change set that applied the discrepancies (absent if none applied)',
    }),
  })
  .meta({ id: 'InspectionResult' });

export const InspectionList = z
  .object({ items: z.array(Inspection), nextCursor: z.string().optional() })
  .meta({ id: 'InspectionList' });
