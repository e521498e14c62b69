import * as z from 'zod';
import { Cursor, Identifier, IsoDateTime, Limit, PositionPath, Slug, Text, withinBytes } from './common';
import { Effectivity } from './effectivity';
import { Twin } from './twin';

/** Most positions and rules one model version may hold (one item holds a version). */
export const MAX_MODEL_POSITIONS = 2_000;
export const MAX_MODEL_RULES = 500;
export const MAX_MODEL_BYTES = 350 * 1024;

export const VALIDATE_MODES = ['enforce', 'warn'] as const;
export const Validate = z.enum(VALIDATE_MODES);
export type Validate = z.infer<typeof Validate>;

export const CONFORMANCE_STATUSES = ['green', 'amber', 'red'] as const;
export const ConformanceStatus = z.enum(CONFORMANCE_STATUSES);
export type ConformanceStatus = z.infer<typeof ConformanceStatus>;

export const FINDING_CODES = [
  'missing-mandatory',
  'part-not-allowed',
  'not-interchangeable',
  'requires-unmet',
  'excluded',
  'position-not-in-model',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** What a part must be to match: a part number, optionally revisions or a semver range of software versions. */
export const PartMatch = Effectivity.pick({ partNumber: true, revisions: true, softwareVersions: true }).meta(
  {
    id: 'PartMatch',
  },
);
export type PartMatch = z.infer<typeof PartMatch>;

export const AllowedPart = PartMatch.extend({
  preferred: z.boolean().optional().meta({ description: 'The part a planner should pick first' }),
}).meta({ id: 'AllowedPart' });
export type AllowedPart = z.infer<typeof AllowedPart>;

export const Interchange = z
  .strictObject({
    from: Identifier,
    to: Identifier,
    kind: z.enum(['one-way', 'none']).meta({
      description: 'one-way: `to` may replace `from`, never back; none: neither replaces the other',
    }),
  })
  .meta({ id: 'Interchange' });
export type Interchange = z.infer<typeof Interchange>;

export const ModelPosition = z
  .strictObject({
    path: PositionPath,
    mandatory: z.boolean().optional().meta({ description: 'A unit without a component here is red' }),
    allowed: z.array(AllowedPart).max(100),
    interchange: z.array(Interchange).max(100).optional(),
  })
  .meta({ id: 'ModelPosition' });
export type ModelPosition = z.infer<typeof ModelPosition>;

const RuleTarget = PartMatch.extend({ path: PositionPath });

export const ModelRule = z
  .strictObject({
    id: Slug.optional().meta({ description: 'Named in findings (default `rule-<index>`)' }),
    when: RuleTarget,
    requires: RuleTarget.optional(),
    excludes: RuleTarget.optional(),
    level: z.enum(['red', 'amber']),
  })
  .refine((rule) => (rule.requires === undefined) !== (rule.excludes === undefined), {
    message: 'a rule has exactly one of requires or excludes',
  })
  .meta({ id: 'ModelRule' });
export type ModelRule = z.infer<typeof ModelRule>;

export const PutConfigurationModelBody = withinBytes(
  z
    .strictObject({
      description: Text(1024).optional(),
      validate: Validate.optional().meta({
        description:
          'What a write that breaks the model does by default: enforce (422) or warn (default enforce)',
      }),
      serialNumbers: z.strictObject({ from: Identifier, to: Identifier }).optional().meta({
        description: 'The unit serial numbers the model applies to (default every unit of the product)',
      }),
      positions: z.array(ModelPosition).max(MAX_MODEL_POSITIONS),
      rules: z.array(ModelRule).max(MAX_MODEL_RULES).default([]),
    })
    .superRefine((body, context) => {
      const seen = new Set<string>();
      body.positions.forEach((position, index) => {
        if (seen.has(position.path))
          context.addIssue({
            code: 'custom',
            path: ['positions', index, 'path'],
            message: 'repeated position',
          });
        seen.add(position.path);
      });
      const ids = new Set<string>();
      body.rules.forEach((rule, index) => {
        if (rule.id === undefined) return;
        if (ids.has(rule.id))
          context.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: 'repeated rule id' });
        ids.add(rule.id);
      });
    }),
  MAX_MODEL_BYTES,
  'the configuration model',
).meta({
  id: 'ConfigurationModelBody',
  description: 'A new version of the allowed configuration of a product',
});
export type PutConfigurationModelBody = z.infer<typeof PutConfigurationModelBody>;

export const RejudgeJob = z
  .object({
    productPartNumber: z.string(),
    version: z.number().int(),
    status: z.enum(['running', 'done', 'superseded']).meta({
      description:
        'done: every unit of the product is judged under this version; superseded: a newer version took over',
    }),
    judged: z.number().int().meta({ description: 'Units judged so far' }),
    stage: z.number().int(),
    startedAt: IsoDateTime,
    finishedAt: IsoDateTime.optional(),
  })
  .meta({ id: 'RejudgeJob', description: "The re-judgement of the product's fleet under a model version" });

export const ConfigurationModel = z
  .object({
    productPartNumber: z.string(),
    version: z.number().int(),
    description: z.string().optional(),
    validate: Validate,
    serialNumbers: z.object({ from: z.string(), to: z.string() }).optional(),
    positions: z.array(ModelPosition),
    rules: z.array(ModelRule),
    createdAt: IsoDateTime,
    createdBy: z.object({ sub: z.string(), tenant: z.string() }),
    rejudge: RejudgeJob.optional(),
  })
  .meta({ id: 'ConfigurationModel' });

export const ModelParams = z.strictObject({ productPartNumber: Identifier });

export const GetModelQuery = z.strictObject({
  version: z.coerce.number().int().min(1).max(1_000_000_000).optional().meta({
    description: 'A given version (default the latest)',
  }),
});
export type GetModelQuery = z.infer<typeof GetModelQuery>;

export const Finding = z
  .object({
    path: z.string(),
    code: z.enum(FINDING_CODES),
    rule: z.string().meta({ description: 'The model entry judged: `positions[<path>]` or a rule id' }),
    level: z.enum(['red', 'amber']),
    message: z.string(),
  })
  .meta({ id: 'ConformanceFinding' });

export const Conformance = z
  .object({
    twinId: z.string(),
    status: ConformanceStatus.nullable().meta({ description: 'null: no model applies to the unit' }),
    modelVersion: z.number().int().nullable(),
    findings: z.array(Finding),
    asOf: IsoDateTime.optional(),
    knownAt: IsoDateTime.optional(),
  })
  .meta({ id: 'Conformance' });

/** What a write answers under `validate=warn` (or when all is well): the judgement after the change. */
export const WriteConformance = z
  .object({
    status: ConformanceStatus,
    modelVersion: z.number().int(),
    validate: Validate,
    findings: z.array(Finding),
    warnings: z.array(Finding).meta({ description: 'Findings this write introduced' }),
  })
  .meta({ id: 'WriteConformance' });

export const ConformanceQuery = z.strictObject({
  asOf: IsoDateTime.optional(),
  knownAt: IsoDateTime.optional(),
});

export const FleetConformanceQuery = z.strictObject({
  status: ConformanceStatus,
  limit: Limit,
  cursor: Cursor.optional(),
});
export type FleetConformanceQuery = z.infer<typeof FleetConformanceQuery>;

export const FleetConformancePage = z
  .object({
    status: ConformanceStatus,
    total: z.number().int().meta({ description: 'Units with this status (exact)' }),
    items: z.array(
      z.object({
        twinId: z.string(),
        serialNumber: z.string(),
        productPartNumber: z.string(),
        modelVersion: z.number().int(),
        findings: z.array(Finding),
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'FleetConformancePage' });

export const ValidateQuery = z.strictObject({
  validate: Validate.optional().meta({
    description: "How a break of the product's configuration model is handled (default: the model's)",
  }),
});

export const ChangedTwin = Twin.extend({ conformance: WriteConformance.optional() }).meta({
  id: 'ChangedTwin',
  description: 'A twin after a change set, with its judgement against the configuration model if one applies',
});

export const MinimalChange = z
  .object({
    id: z.string(),
    version: z.number().int(),
    conformance: WriteConformance,
  })
  .meta({
    id: 'MinimalChange',
    description:
      'A change set recorded under Prefer: return=minimal that introduced conformance warnings: the twin, its new version and the judgement (without the tree)',
  });
