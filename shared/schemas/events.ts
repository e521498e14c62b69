import * as z from 'zod';
import { Cursor, Id, IsoDateTime, Limit } from './common';

/** Event types are open (new kinds of events appear over time): dotted lower-case words. */
export const EventType = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'must be an event type such as change-set.recorded')
  .max(64)
  .meta({ example: 'change-set.recorded' });

export const EventsQuery = z.strictObject({
  after: Id.optional().meta({
    description: 'The id of the event the client saw last: the page starts right after it',
  }),
  cursor: Cursor.optional(),
  limit: Limit,
  type: EventType.optional().meta({ description: 'Only events of this type' }),
  twinId: Id.optional().meta({ description: 'Only events about this twin' }),
  settled: z.enum(['true', 'false']).default('true').meta({
    description:
      'true (default): only events older than the settle window, so that paging with after= never skips an event committed late; false: every committed event',
  }),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

export const FeedEvent = z
  .looseObject({
    id: Id.meta({ description: 'Event id: a ULID, in record order' }),
    type: EventType,
    tenant: z.string(),
    recordedAt: IsoDateTime,
    twinId: Id.optional().meta({ description: 'The twin the event is about, if any' }),
  })
  .meta({
    id: 'Event',
    description:
      'One change-feed event: twin.created, change-set.recorded (with its operations and reason), inspection.recorded, document.version.available, grant.created, grant.revoked, twin.accessed, baseline.scheduled (a baseline policy took a baseline: baselineId, name, at, policyId), usage.recorded (records, parameters), life.status-changed (partNumber, serialNumber, parameter, status alert or expired, remaining), part.defined, component.overhauled, compliance.recorded (documentId, status, at, recordId), compliance.complied and compliance.reopened (documentId, paths: a change set made the unit embody the requirement, or removed its last embodying part); each type adds its own fields',
  });

export const EventPage = z
  .object({
    items: z.array(FeedEvent),
    nextCursor: z.string().optional().meta({ description: 'Present when more settled events follow' }),
  })
  .meta({ id: 'EventPage' });
