import type { HistoryEntry, HistoryFilters } from '../domain/history';
import type { InspectionRecord, TwinRecord } from '../domain/records';
import { projectThroughView } from '../domain/view';
import type { ViewBody } from '../schemas/sharing';
import {
  decodeHistoryCursor,
  decodeInspectionCursor,
  encodeHistoryCursor,
  encodeInspectionCursor,
  historyPageOf,
  inspectionPageOf,
} from '../store/history-store';

/**
 * The history and inspection lists of a twin as the API answers them: one DynamoDB-paged page, its
 * cursor sealed to `scope` (the list and filters it belongs to, so it is refused anywhere else).
 * `accept` narrows what is paged (a grantee's view), so a page is never empty while more follow.
 */
export async function historyAnswer(
  tenant: string,
  record: Pick<TwinRecord, 'id'>,
  query: { scope: string; filters: HistoryFilters; limit: number; cursor?: string | undefined },
  accept?: (entry: HistoryEntry) => boolean,
) {
  const from = decodeHistoryCursor(query.scope, query.cursor);
  const page = await historyPageOf(tenant, record, {
    filters: query.filters,
    limit: query.limit,
    ...(accept ? { accept } : {}),
    ...(from ? { from } : {}),
  });
  return {
    items: page.items,
    ...(page.next ? { nextCursor: encodeHistoryCursor(query.scope, page.next) } : {}),
  };
}

export async function inspectionsAnswer(
  tenant: string,
  twinId: string,
  query: { scope: string; limit: number; cursor?: string | undefined },
  accept?: (inspection: InspectionRecord) => boolean,
) {
  const from = decodeInspectionCursor(query.scope, query.cursor);
  const page = await inspectionPageOf(tenant, twinId, {
    limit: query.limit,
    ...(accept ? { accept } : {}),
    ...(from ? { from } : {}),
  });
  return {
    items: page.items,
    ...(page.next ? { nextCursor: encodeInspectionCursor(query.scope, page.next) } : {}),
  };
}

/** Does anything of this one list item remain once projected through the view? */
export const shownThrough =
  <T>(view: ViewBody, shape: 'history' | 'inspection-list') =>
  (item: T) =>
    !!(projectThroughView({ shape, body: { items: [item] } }, view) as { items?: unknown[] } | undefined)
      ?.items?.length;
