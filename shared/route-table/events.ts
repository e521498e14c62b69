import { EventPage, EventsQuery } from '../schemas/events';
import { READERS, type Route } from './route';

/** The tenant's change feed. */
export const eventRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/events',
    operationId: 'events',
    function: 'events',
    summary:
      'The change feed: events in record order (oldest first), paged with after=<last event id> or cursor; filters type and twinId',
    auth: true,
    roles: READERS,
    request: { query: EventsQuery },
    responses: { 200: { description: 'A page of events', schema: EventPage } },
    twinData: 'events',
  },
];
