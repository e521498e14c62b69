import { monotonicFactory } from 'ulid';
import { ENTITY } from './items';
import { keys } from './keys';

/** Event ids sort in record order, also for several events written in one millisecond by this process. */
const nextEventId = monotonicFactory();

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
 * its twin. `id` defaults to a new ULID of the record time.
 */
export function eventItem(tenant: string, event: FeedEvent, id = nextEventId(Date.parse(event.recordedAt))) {
  return {
    ...keys.event(tenant, id),
    ...(event.twinId === undefined ? {} : keys.eventIndexKeys(tenant, id, event.twinId)),
    entity: ENTITY.event,
    id,
    ...event,
  };
}
