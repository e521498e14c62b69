import { config } from '../../shared/config';
import { feedStart, settledBound } from '../../shared/domain/feed';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { EventsQuery } from '../../shared/schemas/events';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { listEvents } from '../../shared/store/event-store';
import { keys } from '../../shared/store/keys';

/** `GET /v1/events`: the tenant's change feed, oldest first, settled events only unless asked otherwise. */
export async function events(request: OperationRequest<Record<string, never>, EventsQuery>) {
  const { tenant } = request.caller;
  const { after, cursor, limit, settled, ...filters } = request.query;
  const scope = JSON.stringify([keys.event(tenant, '').PK, filters, settled]);
  const start = feedStart(after, decodeCursor(scope, cursor)?.after);
  const page = await listEvents(tenant, filters, {
    limit,
    ...(start === undefined ? {} : { after: start }),
    ...(settled === 'true' ? { before: settledBound(request.now, config.eventsSettleMs()) } : {}),
  });
  return ok({
    items: page.items,
    ...(page.resumeAfter === undefined
      ? {}
      : { nextCursor: encodeCursor(scope, { after: page.resumeAfter }) }),
  });
}
