import type { ChangeSetRecord } from './change-set';
import { toUtc } from './time';

export interface HistoryFilters {
  /** Changes touching this position or anything below it. */
  position?: string;
  /** Effective at or after. */
  from?: string;
  /** Effective before. */
  to?: string;
}

/** Does a change set touch `position` or its subtree? */
const touches = (changeSet: ChangeSetRecord, position: string) =>
  changeSet.paths.some((path) => path === position || path.startsWith(`${position}/`));

/**
 * A page of a twin's change sets, newest recorded first, filtered. `beforeSeq` continues after the
 * last item of the previous page; `lastSeq` is set when more may follow.
 */
export function historyPage(
  changeSets: readonly ChangeSetRecord[],
  filters: HistoryFilters,
  page: { limit: number; beforeSeq?: number },
): { items: Omit<ChangeSetRecord, 'paths'>[]; lastSeq?: number } {
  const from = filters.from === undefined ? undefined : toUtc(filters.from);
  const to = filters.to === undefined ? undefined : toUtc(filters.to);
  const matching = [...changeSets]
    .sort((a, b) => b.seq - a.seq)
    .filter((changeSet) => page.beforeSeq === undefined || changeSet.seq < page.beforeSeq)
    .filter((changeSet) => filters.position === undefined || touches(changeSet, filters.position))
    .filter((changeSet) => from === undefined || changeSet.effectiveAt >= from)
    .filter((changeSet) => to === undefined || changeSet.effectiveAt < to);
  const items = matching.slice(0, page.limit).map(({ paths: _paths, ...changeSet }) => changeSet);
  const last = items.at(-1);
  return { items, ...(matching.length > page.limit && last ? { lastSeq: last.seq } : {}) };
}
