import * as z from 'zod';
import { REQUIREMENT_KINDS } from '../domain/document';
import { Cursor, Id, IsoDateTime, Limit, Text } from './common';
import { PartMatch } from './conformance';

const onlyOne = (value: Record<string, unknown>) =>
  Object.values(value).filter((entry) => entry !== undefined).length === 1;

export const EmbodiedWhen = PartMatch.refine(
  (match) => match.revisions === undefined || match.softwareVersions === undefined,
  { message: 'give revisions or softwareVersions, not both' },
).meta({
  id: 'EmbodiedWhen',
  description: 'A part that, installed anywhere on the unit, embodies the requirement',
});

export const RecurringInterval = z
  .strictObject({
    days: z.number().int().min(1).max(100_000).optional(),
    FH: z.number().positive().max(1_000_000).optional(),
    FC: z.number().positive().max(1_000_000).optional(),
  })
  .refine(onlyOne, { message: 'give exactly one of days, FH, FC' })
  .meta({ id: 'RecurringInterval' });

export const Requirement = z
  .strictObject({
    mandatory: z.boolean(),
    effectiveAt: IsoDateTime,
    embodiedWhen: z.array(EmbodiedWhen).max(20),
    recurring: z.strictObject({ every: RecurringInterval }).optional(),
    supersedes: z.array(Id).max(20).optional(),
  })
  .meta({
    id: 'Requirement',
    description:
      'What complying with a service bulletin or airworthiness directive means; the units it applies to are its effectivity',
  });
export type Requirement = z.infer<typeof Requirement>;

export const RECORDED_STATUSES = ['complied', 'not-applicable', 'deferred'] as const;
export const COMPLIANCE_STATUSES = [
  'open',
  'complied',
  'not-applicable',
  'deferred',
  'due',
  'overdue',
  'superseded',
] as const;
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];

export const RecordComplianceBody = z
  .strictObject({
    documentId: Id,
    status: z.enum(RECORDED_STATUSES),
    at: IsoDateTime.meta({ description: 'When it was done on the unit (valid time)' }),
    evidence: z
      .array(Id)
      .max(50)
      .optional()
      .meta({ description: 'Documents proving it (work order, certificate)' }),
    reason: Text(2000).optional().meta({ description: 'Required for not-applicable and deferred' }),
    corrects: Id.optional().meta({
      description:
        'A record this one corrects: it no longer counts from now on (knownAt before still sees it)',
    }),
  })
  .superRefine((body, context) => {
    if (body.status !== 'complied' && body.reason === undefined)
      context.addIssue({
        code: 'custom',
        path: ['reason'],
        message: `is required when the status is ${body.status}`,
      });
  })
  .meta({ id: 'RecordCompliance' });
export type RecordComplianceBody = z.infer<typeof RecordComplianceBody>;

export const ComplianceRecord = z
  .object({
    id: Id,
    twinId: Id,
    documentId: Id,
    status: z.enum(RECORDED_STATUSES),
    at: IsoDateTime,
    recordedAt: IsoDateTime,
    evidence: z.array(Id),
    reason: z.string().optional(),
    corrects: Id.optional(),
    actor: z.object({ sub: z.string(), tenant: z.string() }),
  })
  .meta({ id: 'ComplianceRecord' });

export const ComplianceQuery = z.strictObject({
  asOf: IsoDateTime.optional(),
  knownAt: IsoDateTime.optional(),
});

const Due = z
  .object({
    at: IsoDateTime.optional().meta({ description: 'Calendar due date' }),
    FH: z.number().optional(),
    FC: z.number().optional(),
  })
  .meta({
    id: 'ComplianceDue',
    description: 'When it is next due: a date, or the unit usage total it is due at',
  });

export const RequirementCompliance = z
  .object({
    documentId: Id,
    kind: z.enum(REQUIREMENT_KINDS),
    title: z.string(),
    mandatory: z.boolean(),
    status: z.enum(COMPLIANCE_STATUSES),
    derived: z.boolean().meta({ description: 'Complied because the configuration embodies it' }),
    lastDone: IsoDateTime.nullable(),
    nextDue: Due.nullable(),
    usage: z.object({ FH: z.number().optional(), FC: z.number().optional() }).optional().meta({
      description: 'The unit accrued usage at asOf, for a requirement recurring by FH or FC',
    }),
    embodiedAt: z.array(z.string()).optional().meta({ description: 'Positions whose part embodies it' }),
    supersededBy: z.array(Id).optional(),
    record: ComplianceRecord.optional().meta({ description: 'The manual record in force, if any' }),
  })
  .meta({ id: 'RequirementCompliance' });

export const TwinCompliance = z
  .object({ twinId: Id, asOf: IsoDateTime, knownAt: IsoDateTime, items: z.array(RequirementCompliance) })
  .meta({ id: 'TwinCompliance' });

export const RecordedCompliance = z
  .object({ record: ComplianceRecord, compliance: RequirementCompliance.nullable() })
  .meta({ id: 'RecordedCompliance' });

export const DocumentComplianceQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export type DocumentComplianceQuery = z.infer<typeof DocumentComplianceQuery>;

export const DocumentCompliance = z
  .object({
    documentId: Id,
    kind: z.enum(REQUIREMENT_KINDS),
    total: z.number().int().optional().meta({
      description: 'Units the requirement applies to (exact; absent through a view limited to positions)',
    }),
    counts: z.partialRecord(z.enum(COMPLIANCE_STATUSES), z.number().int()).optional(),
    items: z.array(
      z.object({
        twinId: Id,
        serialNumber: z.string().optional(),
        status: z.enum(COMPLIANCE_STATUSES),
        nextDue: Due.nullable(),
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .meta({
    id: 'DocumentCompliance',
    description: 'Fleet counts by status and a page of the units still open',
  });
