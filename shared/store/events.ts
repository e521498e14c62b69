import { monotonicUlids } from '../ids';
import { ENTITY } from './items';
import { keys, withoutKeys } from './keys';

/** Event ids sort in record order, also for several events written in one millisecond by this process. */
const nextEventId = monotonicUlids();

/** What every event of the change feed carries; each type adds its own fields. */
export interface FeedEvent {
  type: string;
  recordedAt: string;
  /** The twin the event is about, if any: the event is then also listed under the twin. */
  twinId?: string;
  [field: string]: unknown;
}

/**
 * The item of one change-feed event: in the tenant's feed partition, in record order, and under
 * its twin. `tenant` travels with the event (the table stream carries it to EventBridge as is).
 *
 * `id` defaults to a new ULID of the time the item is built — just before its transaction is
 * sent, and never before `recordedAt` — so that the gap between an event's id and its commit is
 * one transaction's latency, which the feed's settle window covers (shared/domain/feed.ts).
 */
export function eventItem(
  tenant: string,
  event: FeedEvent,
  id = nextEventId(Math.max(Date.now(), Date.parse(event.recordedAt))),
) {
  return {
    ...keys.event(tenant, id),
    ...(event.twinId === undefined ? {} : keys.eventIndexKeys(tenant, id, event.twinId)),
    entity: ENTITY.event,
    ...event,
    id,
    tenant,
  };
}

/**
 * The same event under a new id: for an event built before a long write and committed only with
 * its last transaction, so that its id is again as close to its commit as the settle window needs.
 */
export function reissuedEvent(item: Record<string, unknown>) {
  const { entity: _entity, id: _id, tenant, ...event } = withoutKeys(item);
  return eventItem(String(tenant), event as FeedEvent);
}
