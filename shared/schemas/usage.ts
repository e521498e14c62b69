import * as z from 'zod';
import { Cursor, Id, Identifier, IsoDateTime, Label, Limit, Text } from './common';
import { COMPONENT_KINDS } from './twin';

/** A usage parameter's name: a slug-like word such as FH, FC, APU_H, starts, operating-hours. */
export const ParameterName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'must be a parameter name such as FH, FC, APU_H, starts')
  .meta({ example: 'FC' });

/** A usage quantity: finite, stored exactly (hours as decimals, or minutes and cycles as integers). */
export const Quantity = z.number().min(-1e12).max(1e12);
const NonNegative = z.number().min(0).max(1e12);

export const ParameterParams = z.strictObject({ name: ParameterName });

export const UsageParameterBody = z
  .strictObject({
    unit: Label(32).meta({ example: 'h' }),
    description: Text(256).optional(),
    products: z
      .array(Identifier)
      .max(100)
      .optional()
      .meta({ description: 'Product part numbers of the twins that accrue it (absent: every twin)' }),
  })
  .meta({ id: 'UsageParameterBody' });
export type UsageParameterBody = z.infer<typeof UsageParameterBody>;

export const UsageParameter = UsageParameterBody.extend({ name: ParameterName, updatedAt: IsoDateTime }).meta(
  {
    id: 'UsageParameter',
  },
);
export const UsageParameterList = z
  .object({ items: z.array(UsageParameter) })
  .meta({ id: 'UsageParameterList' });

/** The fields of one usage record as a client sends it (also inside an ingest batch). */
export const usageRecordFields = {
  parameter: ParameterName,
  at: IsoDateTime.meta({ description: 'When the usage happened (a flight ends, a day closes)' }),
  delta: Quantity.optional().meta({
    description: 'Usage since the previous record (negative only in a correction)',
  }),
  reading: NonNegative.optional().meta({
    description: 'A meter reading: the usage is its rise since the last one',
  }),
  ref: Label(128).optional().meta({ description: 'Flight number, tech-log page, work order' }),
};
export const deltaOrReading = [
  (record: { delta?: number; reading?: number }) =>
    (record.delta === undefined) !== (record.reading === undefined),
  { message: 'give either delta or reading' },
] as const;
export const UsageRecordInput = z.strictObject(usageRecordFields).refine(...deltaOrReading);
export type UsageRecordInput = z.infer<typeof UsageRecordInput>;

/** Most records one request takes: one request is one transaction with the running totals it moves. */
export const MAX_USAGE_RECORDS = 60;
export const MAX_VOIDS = 15;

export const UsageBody = z
  .strictObject({
    records: z.array(UsageRecordInput).max(MAX_USAGE_RECORDS),
    voids: z
      .array(z.strictObject({ id: Id, parameter: ParameterName, at: IsoDateTime }))
      .max(MAX_VOIDS)
      .optional()
      .meta({
        description: 'Records this correction voids (their ids); knownAt before now still answers them',
      }),
  })
  .refine((body) => body.records.length + (body.voids?.length ?? 0) > 0, {
    message: 'give records or voids',
    path: ['records'],
  })
  .meta({ id: 'UsageBody' });
export type UsageBody = z.infer<typeof UsageBody>;

export const UsageRecord = z
  .object({
    id: Id,
    parameter: ParameterName,
    at: IsoDateTime,
    delta: z.number(),
    reading: z.number().optional(),
    ref: z.string().optional(),
    recordedAt: IsoDateTime,
    voids: Id.optional().meta({ description: 'Set on a void: the record it cancels' }),
    voidedAt: IsoDateTime.optional(),
  })
  .meta({ id: 'UsageRecord' });
export type UsageRecord = z.infer<typeof UsageRecord>;

export const UsageRecorded = z
  .object({ twinId: Id, records: z.array(UsageRecord) })
  .meta({ id: 'UsageRecorded' });

export const IdempotencyHeaders = z.strictObject({
  'idempotency-key': z.string().min(1).max(256).optional().meta({
    description: 'The same key and body again answers the first answer and records nothing',
  }),
});

export const TwinUsageQuery = z.strictObject({
  asOf: IsoDateTime.optional(),
  knownAt: IsoDateTime.optional(),
});

export const TwinUsage = z
  .object({
    twinId: Id,
    asOf: IsoDateTime,
    parameters: z.record(
      z.string(),
      z.object({
        total: z.number().meta({ description: 'Usage of the unit up to asOf, its own records only' }),
        recent: z.array(UsageRecord).meta({ description: 'The latest records (at most 10)' }),
      }),
    ),
  })
  .meta({ id: 'TwinUsage' });

/** An opening balance at install: a part with a past arrives with its time since new (and since overhaul). */
export const UsageAtInstall = z
  .record(ParameterName, z.strictObject({ tsn: NonNegative, tso: NonNegative.optional() }))
  .meta({ id: 'UsageAtInstall', description: 'Per parameter: time since new and since overhaul at install' });

export const LifeOverride = z
  .strictObject({ reason: Text(1024) })
  .meta({ description: 'Installs an LLP of unknown life anyway (never an expired or scrapped one)' });

export const REMOVAL_REASONS = ['scheduled', 'unscheduled', 'nff', 'convenience'] as const;
export const REMOVAL_CONDITIONS = ['serviceable', 'unserviceable', 'scrapped'] as const;
export const Removal = z
  .strictObject({
    reason: z.enum(REMOVAL_REASONS),
    condition: z.enum(REMOVAL_CONDITIONS),
    note: Text(1024).optional(),
  })
  .meta({ id: 'Removal' });
export type Removal = z.infer<typeof Removal>;

/** What install and replace operations may add for usage and life. */
export const arrivalFields = {
  usageAtInstall: UsageAtInstall.optional(),
  evidenceDocumentId: Id.optional().meta({ description: 'The document that shows the opening balance' }),
  lifeOverride: LifeOverride.optional(),
};
export const removalFields = { removal: Removal.optional() };

export const ComponentUsageQuery = z.strictObject({
  asOf: IsoDateTime.optional(),
  knownAt: IsoDateTime.optional(),
  parameter: ParameterName.optional(),
});
export type ComponentUsageQuery = z.infer<typeof ComponentUsageQuery>;

const Gap = z.object({ from: IsoDateTime.nullable(), to: IsoDateTime, reason: z.string() });
export const ParameterUsage = z
  .object({
    tsn: z.number(),
    tso: z.number(),
    tsi: z.number().nullable().meta({ description: 'Since installation; null when off-unit at asOf' }),
    stays: z.array(
      z.object({
        twinId: Id,
        path: z.string(),
        from: IsoDateTime,
        to: IsoDateTime.nullable(),
        accrued: z.number(),
      }),
    ),
    complete: z.boolean(),
    gaps: z.array(Gap),
  })
  .meta({ id: 'ParameterUsage' });
export type ParameterUsage = z.infer<typeof ParameterUsage>;

export const ComponentUsage = z
  .object({
    partNumber: z.string(),
    serialNumber: z.string(),
    asOf: IsoDateTime,
    knownAt: IsoDateTime.optional(),
    twinId: Id.optional().meta({
      description: 'The shared unit it was read through (grantees): only its stays in that unit are listed',
    }),
    parameters: z.record(z.string(), ParameterUsage),
  })
  .meta({ id: 'ComponentUsage' });

export const OverhaulBody = z
  .strictObject({
    at: IsoDateTime,
    workOrder: Label(128).optional(),
    evidenceDocumentId: Id.optional(),
    note: Text(1024).optional(),
  })
  .meta({ id: 'OverhaulBody' });
export const Overhaul = OverhaulBody.extend({ id: Id, recordedAt: IsoDateTime }).meta({ id: 'Overhaul' });

export const PartParams = z.strictObject({ partNumber: Identifier });
export const LifeLimit = z.strictObject({
  parameter: ParameterName,
  limit: z.number().positive().max(1e12),
  effectiveFrom: IsoDateTime,
  sourceDocumentId: Id.optional(),
});
export const PartMasterBody = z
  .strictObject({
    name: Text(256).optional(),
    llp: z.boolean(),
    lifeLimits: z.array(LifeLimit).max(50).default([]),
    alertAt: z
      .record(ParameterName, NonNegative)
      .optional()
      .meta({ description: 'Per parameter: alert when the remaining life is at or below this' }),
  })
  .meta({ id: 'PartMasterBody' });
export type PartMasterBody = z.infer<typeof PartMasterBody>;
export const PartMaster = PartMasterBody.extend({
  partNumber: z.string(),
  version: z.number().int(),
  recordedAt: IsoDateTime,
}).meta({ id: 'PartMaster' });
export type PartMaster = z.infer<typeof PartMaster>;
export const PartQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

export const LIFE_STATUSES = ['ok', 'alert', 'expired', 'unknown'] as const;
export type LifeStatus = (typeof LIFE_STATUSES)[number];
export const LimitStatus = z.object({
  parameter: z.string(),
  limit: z.number(),
  accumulated: z.number(),
  remaining: z.number(),
  status: z.enum(LIFE_STATUSES),
});
export const ComponentLife = z
  .object({
    partNumber: z.string(),
    serialNumber: z.string(),
    llp: z.boolean(),
    status: z.enum(LIFE_STATUSES).meta({ description: 'Of the limit reached first' }),
    governing: z.string().nullable().meta({ description: 'The parameter whose limit is reached first' }),
    scrapped: z.boolean(),
    limits: z.array(LimitStatus),
  })
  .meta({ id: 'ComponentLife' });
export type ComponentLife = z.infer<typeof ComponentLife>;

export const LlpSheet = z
  .object({
    twinId: Id,
    asOf: IsoDateTime,
    items: z.array(ComponentLife.extend({ twinId: Id, path: z.string(), kind: z.enum(COMPONENT_KINDS) })),
  })
  .meta({ id: 'LlpSheet' });

export const FleetLifeBody = z
  .strictObject({
    remainingBelow: z
      .record(ParameterName, z.number())
      .refine((below) => Object.keys(below).length === 1, { message: 'name exactly one parameter' }),
  })
  .meta({ id: 'FleetLifeBody' });
export const FleetLifePageQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export const FleetLife = z
  .object({
    total: z.number().int().meta({ description: 'Exact count of the matching parts' }),
    items: z.array(
      z.object({
        partNumber: z.string(),
        serialNumber: z.string(),
        parameter: z.string(),
        limit: z.number(),
        remaining: z.number(),
        status: z.enum(LIFE_STATUSES),
        twinId: Id.nullable(),
        path: z.string().nullable(),
        updatedAt: IsoDateTime,
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'FleetLife' });

export const FleetRemovalsQuery = z.strictObject({
  partNumber: Identifier,
  from: IsoDateTime,
  to: IsoDateTime,
  parameter: ParameterName.default('FH').meta({ description: 'The hours parameter MTBUR is counted in' }),
});
export const RemovalRecord = Removal.extend({
  partNumber: z.string(),
  serialNumber: z.string(),
  twinId: Id,
  path: z.string(),
  at: IsoDateTime,
  recordedAt: IsoDateTime,
}).meta({ id: 'RemovalRecord' });
export const FleetRemovals = z
  .object({
    partNumber: z.string(),
    from: IsoDateTime,
    to: IsoDateTime,
    parameter: z.string(),
    removals: z.number().int(),
    byReason: z.record(z.string(), z.number().int()),
    unscheduled: z.number().int(),
    accrued: z.number().meta({ description: 'Usage the fleet accrued on this part number in [from, to)' }),
    unscheduledPer1000: z.number().nullable(),
    mtbur: z.number().nullable().meta({ description: 'Mean time between unscheduled removals' }),
    items: z.array(RemovalRecord),
  })
  .meta({ id: 'FleetRemovals' });
