import * as z from 'zod';
import { Actor } from './change';
import { Cursor, Id, IsoDateTime, Label, Limit } from './common';
import { Component, Node } from './twin';

export const BaselineParams = z.strictObject({ id: Id, baselineId: Id });

export const CreateBaselineBody = z
  .strictObject({
    name: Label(128).meta({ description: 'Unique per twin', example: 'Q3 2026' }),
    at: IsoDateTime.optional().meta({
      description: 'Valid time of the snapshot; default now, not before builtAt, not in the future',
    }),
  })
  .meta({ id: 'BaselineRequest' });
export type CreateBaselineBody = z.infer<typeof CreateBaselineBody>;

export const BaselineSummary = z
  .object({
    id: Id,
    name: z.string(),
    at: IsoDateTime.meta({ description: 'Valid time of the snapshot' }),
    knownAt: IsoDateTime.meta({ description: 'Record time of the snapshot: when it was taken' }),
    createdAt: IsoDateTime,
    actor: Actor,
  })
  .meta({ id: 'BaselineSummary' });

export const Baseline = BaselineSummary.extend({ configuration: z.array(Node) }).meta({ id: 'Baseline' });

export const BaselineList = z
  .object({ items: z.array(BaselineSummary), nextCursor: z.string().optional() })
  .meta({ id: 'BaselineList' });

export const BaselineListQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export type BaselineListQuery = z.infer<typeof BaselineListQuery>;

// `baseline:` and an Id (a ULID in either case). No regex flags: the source goes into the document as is.
const BaselineRef = z.string().regex(/^baseline:[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/);
const DiffPoint = z.union([IsoDateTime, BaselineRef], {
  error: 'must be an ISO 8601 time or baseline:<id>',
});

export const DiffQuery = z.strictObject({
  from: DiffPoint.meta({
    description: 'A time (valid time, as known now) or baseline:<id>',
    example: 'baseline:01JD3Q6Z8V1K9M2N3P4R5S6T7V',
  }),
  to: DiffPoint.optional().meta({ description: 'A time or baseline:<id>; default now' }),
});
export type DiffQuery = z.infer<typeof DiffQuery>;

const DiffSide = z.object({
  asOf: IsoDateTime,
  knownAt: IsoDateTime,
  baseline: z.object({ id: Id, name: z.string() }).optional(),
});

const Change = <F extends z.ZodType, T extends z.ZodType>(from: F, to: T) =>
  z.object({ path: z.string(), from, to });

export const ConfigurationDiff = z
  .object({
    from: DiffSide,
    to: DiffSide,
    added: z.array(Change(z.null(), Component)),
    removed: z.array(Change(Component, z.null())),
    replaced: z.array(Change(Component, Component)),
    versionChanged: z.array(Change(Component, Component)),
    positionsAdded: z.array(z.string()),
    positionsRemoved: z.array(z.string()),
  })
  .meta({ id: 'ConfigurationDiff' });
