import * as z from 'zod';
import {
  AttributeName,
  Attributes,
  AttributesPatch,
  AttributeValue,
  Cursor,
  Id,
  Identifier,
  IsoDateTime,
  Label,
  Limit,
  MAX_OPERATIONS_BYTES,
  PositionPath,
  Slug,
  Text,
  withinBytes,
} from './common';
import { Component, Lifecycle } from './twin';
import { arrivalFields, Removal, removalFields } from './usage';

const position = PositionPath;

export const Operation = z
  .discriminatedUnion('op', [
    z.strictObject({ op: z.literal('install'), position, component: Component, ...arrivalFields }),
    z.strictObject({ op: z.literal('remove'), position, ...removalFields }),
    z.strictObject({
      op: z.literal('replace'),
      position,
      component: Component,
      ...arrivalFields,
      ...removalFields,
    }),
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

/** One field of the twin before and after an edit; `null`: absent. */
const FieldChange = <T extends z.ZodType>(value: T) =>
  z.strictObject({ from: value.nullable(), to: value.nullable() });

/** How an edit of the twin's own fields (PATCH /v1/twins/{id}) appears in its history. */
export const SetTwinOperation = z
  .strictObject({
    op: z.literal('set-twin'),
    site: FieldChange(Label(128)).optional(),
    type: FieldChange(Slug).optional(),
    // the attribute value schema of every write path: an import takes these back
    attributes: z
      .record(AttributeName, FieldChange(AttributeValue))
      .optional()
      .meta({ description: 'Each attribute that changed (through a view: only those it shows)' }),
  })
  .meta({
    id: 'SetTwinOperation',
    description: 'An edit of the twin: each field that changed, from → to (null: absent)',
  });

/** The as-built record in history: how many positions and components it created. */
export const AsBuiltOperation = z
  .strictObject({
    op: z.literal('as-built'),
    positions: z.number().int().min(0).optional(),
    components: z.number().int().min(0).optional(),
  })
  .meta({
    id: 'AsBuiltOperation',
    description: 'The as-built record; its counts are left out through a view that restricts the tree',
  });

/** A twin's installation in (removal from) another twin, recorded by the other twin's change set. */
export const MountOperation = z
  .strictObject({ op: z.enum(['installed-in', 'removed-from']), twinId: Id, position: PositionPath })
  .meta({ id: 'MountOperation' });

export const HistoryOperation = z.union([Operation, AsBuiltOperation, SetTwinOperation, MountOperation]);

export const ChangeSetRecord = z
  .object({
    id: Id,
    seq: z.number().int(),
    reason: z.string(),
    workOrder: z.string().optional(),
    effectiveAt: IsoDateTime,
    recordedAt: IsoDateTime,
    actor: Actor,
    operations: z.array(HistoryOperation),
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

/** A twin's stay in another twin, shown in its history: derived from the other twin's change set, so no seq of its own. */
export const MountHistoryEntry = z
  .object({
    id: z
      .string()
      .meta({ description: '`installed-in:` or `removed-from:` + parent twin id, position and time' }),
    reason: z.string(),
    effectiveAt: IsoDateTime,
    recordedAt: IsoDateTime,
    actor: Actor,
    operations: z.array(MountOperation).length(1),
  })
  .meta({ id: 'MountHistoryEntry' });

export const HistoryPage = z
  .object({
    items: z.array(z.union([ChangeSetRecord, MountHistoryEntry])),
    nextCursor: z.string().optional(),
  })
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
    lastRemoval: Removal.extend({ at: IsoDateTime, twinId: Id, path: z.string() }).optional().meta({
      description: 'Its last removal: reason and condition off the unit (through a view: with usage only)',
    }),
  })
  .meta({ id: 'ComponentTrace' });

export { Attributes };
