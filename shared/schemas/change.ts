import * as z from 'zod';
import {
  Attributes,
  AttributesPatch,
  Cursor,
  Id,
  Identifier,
  IsoDateTime,
  Label,
  Limit,
  MAX_OPERATIONS_BYTES,
  PositionPath,
  Text,
  withinBytes,
} from './common';
import { Component, Lifecycle } from './twin';

const position = PositionPath;

export const Operation = z
  .discriminatedUnion('op', [
    z.strictObject({ op: z.literal('install'), position, component: Component }),
    z.strictObject({ op: z.literal('remove'), position }),
    z.strictObject({ op: z.literal('replace'), position, component: Component }),
    z.strictObject({ op: z.literal('move'), from: position, to: position }),
    z.strictObject({
      op: z.literal('update'),
      position,
      softwareVersion: Label(64).optional(),
      revision: Label(64).optional(),
      attributes: AttributesPatch.optional(),
    }),
    z.strictObject({ op: z.literal('add-position'), position, name: Text(256).optional() }),
    z.strictObject({ op: z.literal('remove-position'), position }),
    z.strictObject({ op: z.literal('lifecycle'), to: Lifecycle }),
  ])
  .meta({ id: 'Operation' });
export type Operation = z.infer<typeof Operation>;

/** Most operations one change set may carry (each becomes a few items of one transaction). */
export const MAX_OPERATIONS = 25;

export const ChangeSetBody = z
  .strictObject({
    reason: Text(1024),
    workOrder: Label(128).optional(),
    effectiveAt: IsoDateTime.optional().meta({
      description: 'When it happened on the unit (valid time); default now',
    }),
    operations: withinBytes(
      z.array(Operation).min(1).max(MAX_OPERATIONS),
      MAX_OPERATIONS_BYTES,
      'the operations',
    ),
  })
  .superRefine((body, context) => {
    body.operations.forEach((operation, index) => {
      if (
        operation.op === 'update' &&
        operation.softwareVersion === undefined &&
        operation.revision === undefined &&
        operation.attributes === undefined
      ) {
        context.addIssue({
          code: 'custom',
          path: ['operations', index],
          message: 'update needs softwareVersion, revision or attributes',
        });
      }
    });
  })
  .meta({ id: 'ChangeSet' });
export type ChangeSetBody = z.infer<typeof ChangeSetBody>;

export const Actor = z.object({ sub: z.string(), tenant: z.string() });

export const ChangeSetRecord = z
  .object({
    id: Id,
    seq: z.number().int(),
    reason: z.string(),
    workOrder: z.string().optional(),
    effectiveAt: IsoDateTime,
    recordedAt: IsoDateTime,
    actor: Actor,
    operations: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'ChangeSetRecord' });

export const HistoryQuery = z.strictObject({
  position: PositionPath.optional().meta({
    description: 'Only changes touching this position or its subtree',
  }),
  from: IsoDateTime.optional().meta({ description: 'Changes effective at or after' }),
  to: IsoDateTime.optional().meta({ description: 'Changes effective before' }),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const HistoryPage = z
  .object({ items: z.array(ChangeSetRecord), nextCursor: z.string().optional() })
  .meta({ id: 'History' });

export const TimeQuery = z.strictObject({
  asOf: IsoDateTime.optional().meta({
    description: 'Valid time: what the unit looked like then (default now)',
  }),
  knownAt: IsoDateTime.optional().meta({
    description: 'Record time: what the system said then (default now)',
  }),
  expand: z.enum(['twins']).optional().meta({ description: 'Embed installed twins (systems of systems)' }),
});
export type TimeQuery = z.infer<typeof TimeQuery>;

export const ComponentParams = z.strictObject({ partNumber: Identifier, serialNumber: Identifier });

export const ComponentTrace = z
  .object({
    component: Component,
    installations: z.array(
      z.object({ twinId: Id, path: z.string(), validFrom: IsoDateTime, validTo: IsoDateTime.nullable() }),
    ),
  })
  .meta({ id: 'ComponentTrace' });

export { Attributes };
