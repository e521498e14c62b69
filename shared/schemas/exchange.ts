import * as z from 'zod';
import { DISCREPANCY_KINDS } from '../domain/inspection';
import { Operation, SetTwinOperation } from './change';
import {
  Attributes,
  FreeText,
  Id,
  Identifier,
  IsoDateTime,
  Label,
  MAX_OPERATIONS_BYTES,
  PositionPath,
  TenantId,
  Text,
  withinBytes,
} from './common';
import { Requirement } from './compliance';
import { DocumentKind } from './document';
import { Effectivity } from './effectivity';
import { Observation } from './inspection';
import { Component, Lifecycle, Product, Twin } from './twin';

export const EXPORT_FORMATS = ['json', 'aas', 'cyclonedx'] as const;

export const ExportQuery = z.strictObject({
  format: z.enum(EXPORT_FORMATS).default('json').meta({
    description:
      'json: lossless twinthread JSON (default); aas: Asset Administration Shell V3; cyclonedx: CycloneDX 1.6 BOM',
  }),
  asOf: IsoDateTime.optional().meta({ description: 'Valid time of the assembled twin (default now)' }),
  knownAt: IsoDateTime.optional().meta({ description: 'Record time of the assembled twin (default now)' }),
});
export type ExportQuery = z.infer<typeof ExportQuery>;

/** Most items of each list one import may carry (a twin has at most 10,000 positions at a time). */
const MAX_INTERVALS = 50_000;
const MAX_RECORDS = 10_000;

const ExportActor = z.strictObject({ sub: Text(256), tenant: Text(256) });

const IntervalFields = {
  path: PositionPath,
  validFrom: IsoDateTime,
  validTo: IsoDateTime.nullable(),
  recordedAt: IsoDateTime,
  closedAt: IsoDateTime.optional(),
  seq: z.number().int().min(1),
};

const ExportPosition = z.strictObject({
  ...IntervalFields,
  name: Text(256).optional(),
  order: z.number().int().min(0),
});

const ExportInstallation = z.strictObject({ ...IntervalFields, component: Component, since: IsoDateTime });

/** The twin's own fields over an interval (the fields of the twin record that travel in time). */
const ExportTwinFields = z.strictObject({
  validFrom: IsoDateTime,
  validTo: IsoDateTime.nullable(),
  recordedAt: IsoDateTime,
  closedAt: IsoDateTime.optional(),
  seq: z.number().int().min(1),
  site: Text(128).optional(),
  type: z.string().max(64).optional(),
  typeVersion: z.number().int().optional(),
  attributes: Attributes,
});

const AsBuiltOperation = z.strictObject({
  op: z.literal('as-built'),
  positions: z.number().int().min(0),
  components: z.number().int().min(0),
});

const ExportChangeSet = z.strictObject({
  id: Text(128),
  seq: z.number().int().min(1),
  reason: Text(1024),
  workOrder: Label(128).optional(),
  effectiveAt: IsoDateTime,
  recordedAt: IsoDateTime,
  actor: ExportActor,
  operations: withinBytes(
    z
      .array(z.union([Operation, AsBuiltOperation, SetTwinOperation]))
      .min(1)
      .max(1000),
    MAX_OPERATIONS_BYTES,
    'the operations',
  ),
  paths: z.array(PositionPath).max(1000).optional(),
});

const ExportBaseline = z.looseObject({
  id: Text(128),
  name: Text(256),
  at: IsoDateTime,
  knownAt: IsoDateTime,
  createdAt: IsoDateTime,
  actor: ExportActor,
});

const ExportComponentSummary = z
  .strictObject({
    partNumber: Identifier.optional(),
    serialNumber: Identifier.optional(),
    softwareVersion: Label(64).optional(),
  })
  .nullable();

const ExportDiscrepancy = z.strictObject({
  path: PositionPath,
  kind: z.enum(DISCREPANCY_KINDS),
  expected: ExportComponentSummary.optional(),
  observed: ExportComponentSummary.optional(),
});

const ExportInspection = z.looseObject({
  id: Text(128),
  performedAt: IsoDateTime,
  recordedAt: IsoDateTime,
  inspector: Label(256),
  findings: FreeText(10_000).optional(),
  observed: z.array(Observation).max(1000),
  documents: z.array(Text(128)).max(50).optional(),
  actor: ExportActor,
  discrepancies: z.array(ExportDiscrepancy).max(1000),
});

const ExportLink = z.looseObject({
  documentId: Text(128),
  position: PositionPath.optional(),
  createdAt: IsoDateTime,
  actor: ExportActor.optional(),
});

/** A document's metadata in an export (its requirement restored with it: see docs/tenant-export.md). */
export const ExportDocument = z.looseObject({
  id: Text(128),
  kind: DocumentKind,
  title: Text(512),
  effectivity: Effectivity.optional(),
  requirement: Requirement.optional(),
  contentType: Text(256),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: IsoDateTime,
  createdBy: Text(256).optional(),
  updatedAt: IsoDateTime.optional(),
});

const ExportRecord = z.looseObject({
  id: Text(128),
  serialNumber: Identifier,
  product: Product,
  oem: Identifier.optional(),
  site: Label(128).optional(),
  lifecycle: Lifecycle,
  type: z.string().max(64).optional(),
  typeVersion: z.number().int().optional(),
  attributes: Attributes,
  version: z.number().int().min(1),
  builtAt: IsoDateTime,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});

/**
 * A lossless export of one twin (`twinthread.twin/2`), as `GET /v1/twins/{id}/export` answers: what
 * `POST /v1/imports` takes. Derived parts (`twin`, `history`, baseline configurations) are accepted
 * and ignored: the copy is rebuilt from the recorded parts.
 */
export const TwinExport = z
  .looseObject({
    format: z.literal('twinthread.twin/2'),
    exportedAt: IsoDateTime,
    source: z.strictObject({ tenant: TenantId, twinId: Identifier }),
    record: ExportRecord,
    positions: z.array(ExportPosition).max(MAX_INTERVALS),
    installations: z.array(ExportInstallation).max(MAX_INTERVALS),
    twinFields: z
      .array(ExportTwinFields)
      .max(MAX_RECORDS)
      .default([])
      .meta({ description: "The twin's site, type and attributes over time (absent from older exports)" }),
    changeSets: z.array(ExportChangeSet).min(1).max(MAX_RECORDS),
    baselines: z.array(ExportBaseline).max(MAX_RECORDS).default([]),
    inspections: z.array(ExportInspection).max(MAX_RECORDS).default([]),
    links: z.array(ExportLink).max(MAX_RECORDS).default([]),
    documents: z.array(ExportDocument).max(MAX_RECORDS).default([]),
    mounts: z.array(z.looseObject({})).max(MAX_RECORDS).default([]),
  })
  .meta({
    id: 'TwinExport',
    description:
      'twinthread.twin/2: the twin as of asOf (twin), its record, every position and installation interval (validFrom/validTo, recordedAt/closedAt), the intervals of its own fields (twinFields), change sets, mounts, history, baselines, inspections, links and document metadata',
  });
export type TwinExportBody = z.infer<typeof TwinExport>;

export const AasReference = z.looseObject({
  type: z.string(),
  keys: z.array(z.looseObject({ type: z.string(), value: z.string() })),
});

/**
 * What `format=aas` answers: an Asset Administration Shell V3.0 environment (the JSON serialization
 * of IDTA-01001), one shell for the twin and its submodels. Declared loosely: the AAS metamodel,
 * not this API, defines the rest.
 */
export const AasEnvironment = z
  .looseObject({
    assetAdministrationShells: z
      .array(
        z.looseObject({
          modelType: z.literal('AssetAdministrationShell'),
          id: z.string(),
          idShort: z.string().optional(),
          assetInformation: z.looseObject({ assetKind: z.string(), globalAssetId: z.string().optional() }),
          submodels: z.array(AasReference).optional(),
        }),
      )
      .min(1),
    submodels: z.array(
      z.looseObject({ modelType: z.literal('Submodel'), id: z.string(), idShort: z.string().optional() }),
    ),
    conceptDescriptions: z.array(z.looseObject({ modelType: z.literal('ConceptDescription') })).optional(),
  })
  .meta({
    id: 'AasEnvironment',
    description: 'An Asset Administration Shell V3.0 environment (IDTA-01001 JSON serialization)',
  });

/** What `format=cyclonedx` answers: a CycloneDX 1.6 JSON BOM, declared loosely (CycloneDX defines the rest). */
export const CycloneDxBom = z
  .looseObject({
    bomFormat: z.literal('CycloneDX'),
    specVersion: z.literal('1.6'),
    serialNumber: z.string(),
    version: z.number().int(),
    metadata: z.looseObject({ component: z.looseObject({ type: z.string(), name: z.string() }) }),
    components: z.array(z.looseObject({ type: z.string(), name: z.string() })),
  })
  .meta({ id: 'CycloneDxBom', description: 'A CycloneDX 1.6 bill of materials (JSON)' });

/** The answer of an open export, by its `format`: exactly one of the three matches. */
export const TwinExportAnswer = z.union([TwinExport, AasEnvironment, CycloneDxBom]).meta({
  description:
    'format=json (default): a TwinExport (twinthread.twin/2); format=aas: an AasEnvironment; format=cyclonedx: a CycloneDxBom',
});

const IdMap = z.record(z.string(), z.string());

export const ImportResult = z
  .object({
    twin: Twin,
    replayed: z.boolean().meta({ description: 'true: this export was imported before; the first copy' }),
    source: z.object({ tenant: z.string(), twinId: z.string() }),
    mapping: z.object({
      twins: IdMap,
      changeSets: IdMap,
      baselines: IdMap,
      inspections: IdMap,
      documents: IdMap,
    }),
    notes: z.array(z.string()),
    transactions: z.number().int(),
  })
  .meta({ id: 'ImportResult' });

export const ExportJobParams = z.strictObject({ id: Id });

export const ExportJob = z
  .object({
    id: Id,
    status: z.enum(['running', 'done', 'failed']),
    createdAt: IsoDateTime,
    finishedAt: IsoDateTime.optional(),
    stage: z.number().int().min(1).optional().meta({
      description:
        'While running: the stage at work (a large export runs in stages, one Lambda invocation each, every one resuming where the last stopped)',
    }),
    twins: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Twins written: so far while running, in all when done' }),
    documents: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Documents written: so far while running, in all when done' }),
    types: z.number().int().optional().meta({ description: 'Types written (each with every version)' }),
    views: z.number().int().optional().meta({ description: 'Views written (each with every version)' }),
    grants: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Grants this tenant gave, revoked ones included (kept for the record)' }),
    usageParameters: z.number().int().optional().meta({ description: 'Usage parameters written' }),
    parts: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Part masters written (each with every version)' }),
    configurationModels: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Configuration models written (each with every version)' }),
    usageRecords: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Usage records written (voided and correcting ones included)' }),
    components: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Serialized components written (stays, opening balances, overhauls, removals)' }),
    bytes: z.number().int().optional(),
    error: z.string().optional(),
    downloadUrl: z.string().optional().meta({ description: 'Presigned GET of the NDJSON, when done' }),
    expiresAt: IsoDateTime.optional().meta({ description: 'When the download URL stops working' }),
  })
  .meta({ id: 'ExportJob' });
