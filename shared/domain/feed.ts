import { encodeTime, TIME_LEN } from 'ulid';
import { invalidField } from './errors';

/**
 * The change feed's order and its settle window, as pure functions.
 *
 * Event ids are ULIDs taken when the event item is built, just before its transaction is sent
 * (monotonic within one process). Two processes can commit out of id order: an event built at
 * t1 may commit after another built at t2 > t1. A reader that already read past t2 with
 * `after=` would never see the first one. So the feed serves only **settled** events: those
 * whose id time is older than `now - settleMs`. Any write that commits within `settleMs` of
 * building its event is then seen by every reader, in id order, exactly once. The window only
 * needs to cover one transaction's latency (with the SDK's retries); `?settled=false` serves
 * everything committed (for screens that prefer freshness to a gap-free cursor).
 */

/**
 * The exclusive upper bound of settled event ids at `now`: the ULID time prefix of
 * `now - settleMs`. Every id below it (as a string) was built before that instant.
 */
export function settledBound(now: Date, settleMs: number): string {
  return encodeTime(Math.max(0, now.getTime() - settleMs), TIME_LEN);
}

/** Is the event with this id settled at `now` (may it be served by the feed)? */
export const isSettled = (eventId: string, now: Date, settleMs: number): boolean =>
  eventId < settledBound(now, settleMs);

const EVENT_ID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/**
 * Where a page of the feed starts: after the event id the client saw last (`after`) or after the
 * position an issued cursor holds. Both at once must agree.
 */
export function feedStart(after: string | undefined, cursorAfter: string | undefined): string | undefined {
  if (cursorAfter !== undefined && !EVENT_ID.test(cursorAfter)) {
    throw invalidField('query.cursor', 'is not a cursor this API issued');
  }
  if (after !== undefined && cursorAfter !== undefined && after !== cursorAfter) {
    throw invalidField('query.after', 'give either after or cursor, not both');
  }
  return after ?? cursorAfter;
}

/**
 * The page to return from items read in order (up to `limit + 1`): the first `limit`, and the
 * position to resume after when more may follow (the last item returned, or `readPast` — the last
 * id the read evaluated — when the read stopped early on a filter).
 */
export function feedPage<T extends { id: string }>(
  items: readonly T[],
  limit: number,
  readPast: string | undefined,
): { items: T[]; resumeAfter?: string } {
  if (items.length > limit) {
    const page = items.slice(0, limit);
    return { items: page, resumeAfter: page.at(-1)!.id };
  }
  return readPast === undefined ? { items: [...items] } : { items: [...items], resumeAfter: readPast };
}
