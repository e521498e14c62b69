import * as z from 'zod';
import { Id, Identifier, IsoDateTime, Label, PositionPath, TenantId, Text } from './common';
import { RECORDED_STATUSES } from './compliance';
import { ModelPosition, ModelRule, Validate } from './conformance';
import { ExportDocument } from './exchange';
import { Component } from './twin';
import {
  ParameterName,
  PartMasterBody,
  REMOVAL_CONDITIONS,
  REMOVAL_REASONS,
  UsageAtInstall,
  UsageParameterBody,
  UsageRecord,
} from './usage';

/**
 * The lines of a tenant export (`twinthread.tenant/4`) beside types and twins: what #14 and #15 keep
 * outside a twin's partition, and the documents (once each). `POST /v1/imports/records` takes each one as it stands in the file.
 */

/** Most usage records one line carries (an export writes a twin's records in lines of this many). */
export const USAGE_LINE_RECORDS = 500;
const MAX_VERSIONS = 10_000;
const MAX_COMPONENT_RECORDS = 10_000;

const Actor = z.strictObject({ sub: Text(256), tenant: Text(256) });

export const UsageParametersLine = z
  .strictObject({
    type: z.literal('usage-parameters'),
    parameters: z.record(ParameterName, UsageParameterBody.extend({ updatedAt: IsoDateTime })),
  })
  .meta({ id: 'UsageParametersLine', description: "The tenant's usage parameters (one line)" });

const PartVersion = z.looseObject({
  ...PartMasterBody.shape,
  partNumber: Identifier,
  version: z.number().int().min(1),
  recordedAt: IsoDateTime,
});

/** Versions numbered 1, 2, ... oldest first: an import defines the missing ones in that order. */
const everyVersion = {
  check: (versions: readonly { version: number }[]) =>
    versions.every((version, index) => version.version === index + 1),
  message: { message: 'must be every version, oldest first (1, 2, ...)', path: ['versions'] },
};

export const PartLine = z
  .strictObject({
    type: z.literal('part'),
    partNumber: Identifier,
    versions: z.array(PartVersion).min(1).max(MAX_VERSIONS),
  })
  .refine((line) => everyVersion.check(line.versions), everyVersion.message)
  .meta({ id: 'PartLine', description: 'A part master with every version (record times kept)' });

const ModelVersion = z.looseObject({
  productPartNumber: Identifier,
  version: z.number().int().min(1),
  description: Text(1024).optional(),
  validate: Validate,
  serialNumbers: z.strictObject({ from: Identifier, to: Identifier }).optional(),
  positions: z.array(ModelPosition).max(2_000),
  rules: z.array(ModelRule).max(500),
  createdAt: IsoDateTime,
  createdBy: Actor,
});

export const ConfigurationModelLine = z
  .strictObject({
    type: z.literal('configuration-model'),
    productPartNumber: Identifier,
    versions: z.array(ModelVersion).min(1).max(MAX_VERSIONS),
  })
  .refine((line) => everyVersion.check(line.versions), everyVersion.message)
  .meta({
    id: 'ConfigurationModelLine',
    description: "A product's configuration model with every version (its validate mode and createdAt kept)",
  });

export const UsageLine = z
  .strictObject({
    type: z.literal('usage'),
    source: z.strictObject({ tenant: TenantId, twinId: Identifier }),
    parameter: ParameterName,
    meter: z.strictObject({ reading: z.number(), at: IsoDateTime }).optional(),
    records: z.array(UsageRecord).min(1).max(USAGE_LINE_RECORDS),
  })
  .meta({
    id: 'UsageLine',
    description:
      "Usage records of one twin and parameter in record order, voided and correcting ones included (ids and times kept), and the meter's last reading",
  });

/** A dated event of a serial as stored in its component partition (the twin it happened on is the source's). */
const ComponentEvent = {
  id: Id,
  at: IsoDateTime,
  recordedAt: IsoDateTime,
};

export const ComponentLine = z
  .strictObject({
    type: z.literal('component'),
    source: z.strictObject({ tenant: TenantId }),
    partNumber: Identifier,
    serialNumber: Identifier,
    component: Component,
    freeSince: IsoDateTime.optional(),
    stays: z
      .array(
        z.strictObject({
          twinId: Identifier,
          path: PositionPath,
          since: IsoDateTime,
          validTo: IsoDateTime,
          recordedAt: IsoDateTime.optional(),
        }),
      )
      .max(MAX_COMPONENT_RECORDS),
    balances: z
      .array(
        z.looseObject({
          ...ComponentEvent,
          values: UsageAtInstall,
          twinId: Identifier,
          path: PositionPath,
          evidenceDocumentId: Id.optional(),
        }),
      )
      .max(MAX_COMPONENT_RECORDS),
    overhauls: z
      .array(
        z.looseObject({
          ...ComponentEvent,
          workOrder: Label(128).optional(),
          evidenceDocumentId: Id.optional(),
          note: Text(1024).optional(),
        }),
      )
      .max(MAX_COMPONENT_RECORDS),
    removals: z
      .array(
        z.looseObject({
          ...ComponentEvent,
          reason: z.enum(REMOVAL_REASONS),
          condition: z.enum(REMOVAL_CONDITIONS),
          note: Text(1024).optional(),
          twinId: Identifier,
          path: PositionPath,
        }),
      )
      .max(MAX_COMPONENT_RECORDS),
  })
  .meta({
    id: 'ComponentLine',
    description:
      'A serialized component: its finished stays, opening balances, overhauls and removals (reason and condition), as recorded',
  });

export const DocumentLine = z
  .strictObject({
    type: z.literal('document'),
    source: z.strictObject({ tenant: TenantId }),
    document: ExportDocument.extend({ createdBy: Text(256), updatedAt: IsoDateTime }),
  })
  .meta({
    id: 'DocumentLine',
    description:
      'A document: metadata, effectivity, requirement and times (its content stays with the source tenant)',
  });

const MAX_COMPLIANCE_RECORDS = 10_000;

const ExportedComplianceRecord = z
  .strictObject({
    id: Id,
    twinId: Id,
    documentId: Id,
    status: z.enum(RECORDED_STATUSES),
    at: IsoDateTime,
    recordedAt: IsoDateTime,
    evidence: z.array(Id).max(50),
    reason: Text(2000).optional(),
    corrects: Id.optional(),
    actor: Actor,
  })
  .refine((record) => record.status === 'complied' || record.reason !== undefined, {
    message: 'is required when the status is not complied',
    path: ['reason'],
  });

export const ComplianceRecordsLine = z
  .strictObject({
    type: z.literal('compliance-records'),
    source: z.strictObject({ tenant: TenantId }),
    twinId: Identifier,
    records: z.array(ExportedComplianceRecord).min(1).max(MAX_COMPLIANCE_RECORDS),
  })
  .superRefine((line, context) => {
    line.records.forEach((record, index) => {
      if (record.twinId !== line.twinId)
        context.addIssue({
          code: 'custom',
          path: ['records', index, 'twinId'],
          message: 'must be the twinId of the line',
        });
    });
  })
  .meta({
    id: 'ComplianceRecordsLine',
    description:
      "A unit's compliance records, corrections included (ids, at and recordedAt kept; documents and evidence are the source's ids)",
  });

/** A stay of a twin inside another (`MNT#`), as a twin line's `mounts` carries it (the parent is the source's). */
const NestingStay = z.strictObject({
  parentId: Identifier,
  path: PositionPath,
  validFrom: IsoDateTime,
  validTo: IsoDateTime.nullable(),
  recordedAt: IsoDateTime,
  closedAt: IsoDateTime.optional(),
  actor: Actor.optional(),
  closedBy: Actor.optional(),
});

export const NestingLine = z
  .strictObject({
    type: z.literal('nesting'),
    source: z.strictObject({ tenant: TenantId, twinId: Identifier }),
    mounts: z.array(NestingStay).min(1).max(MAX_COMPONENT_RECORDS),
  })
  .meta({
    id: 'NestingLine',
    description:
      "A twin's stays inside other twins (an engine on aircraft), with the source's twin ids: links the copies of both ends (the importer derives it from the twin lines' mounts)",
  });

/** One line of a tenant export that is not a type or a twin: what `POST /v1/imports/records` takes. */
export const RecordLine = z
  .discriminatedUnion('type', [
    UsageParametersLine,
    PartLine,
    ConfigurationModelLine,
    UsageLine,
    ComponentLine,
    DocumentLine,
    ComplianceRecordsLine,
    NestingLine,
  ])
  .meta({ id: 'RecordLine' });
export type RecordLine = z.infer<typeof RecordLine>;
export type RecordLineOf<T extends RecordLine['type']> = Extract<RecordLine, { type: T }>;

export const RECORD_LINE_TYPES = [
  'usage-parameters',
  'part',
  'configuration-model',
  'usage',
  'component',
  'document',
  'compliance-records',
  'nesting',
] as const satisfies readonly RecordLine['type'][];

export const RecordImportResult = z
  .object({
    type: z.enum(RECORD_LINE_TYPES),
    key: z
      .string()
      .meta({ description: 'What the line is about: a part number, twin and parameter, serial' }),
    status: z.enum(['imported', 'already', 'differs']).meta({
      description:
        'imported: something was written; already: everything was there (a rerun); differs: this tenant defines it otherwise and keeps its own',
    }),
    written: z.number().int().meta({ description: 'Versions, records or items written' }),
    already: z.number().int().meta({ description: 'Versions, records or items found already there' }),
    twinId: Id.optional().meta({
      description:
        'usage, compliance-records: the copy the records went to; nesting: the copy of the nested twin',
    }),
    documentId: Id.optional().meta({ description: 'document: its copy in this tenant' }),
    notes: z.array(z.string()),
  })
  .meta({ id: 'RecordImportResult' });
export type RecordImportResult = z.infer<typeof RecordImportResult>;
