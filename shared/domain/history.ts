import type { Actor, ChangeSetRecord, TwinHistory } from './change-set';
import { toUtc } from './time';

export interface HistoryFilters {
  /** Changes touching this position or anything below it. */
  position?: string;
  /** Effective at or after. */
  from?: string;
  /** Effective before. */
  to?: string;
}

/** One line of a twin's history: a change set of its own, or its installation in (removal from) another twin. */
export interface HistoryEntry extends Omit<ChangeSetRecord, 'seq' | 'operations'> {
  seq?: number;
  operations:
    | ChangeSetRecord['operations']
    | { op: 'installed-in' | 'removed-from'; twinId: string; position: string }[];
}

/**
 * A twin's history: its change sets, plus, for a twin installed in others (an engine), where it was
 * installed and removed — recorded by the other twin's change sets, shown here too.
 */
export function historyEntries(history: TwinHistory): HistoryEntry[] {
  const asBuilt = asBuiltPaths(history);
  const entries: HistoryEntry[] = history.changeSets.map((changeSet) =>
    changeSet.operations.some((operation) => operation.op === 'as-built')
      ? { ...changeSet, paths: asBuilt }
      : changeSet,
  );
  const unknown: Actor = { sub: 'unknown', tenant: history.record.id };
  for (const mount of history.mounts ?? []) {
    const where = { twinId: mount.parentId, position: mount.path };
    entries.push({
      id: `installed-in:${mount.parentId}:${mount.path}:${mount.validFrom}`,
      reason: `installed in twin ${mount.parentId} at ${mount.path}`,
      effectiveAt: mount.validFrom,
      recordedAt: mount.recordedAt,
      actor: mount.actor ?? unknown,
      operations: [{ op: 'installed-in', ...where }],
      paths: [],
    });
    if (mount.validTo !== null && mount.closedAt !== undefined) {
      entries.push({
        id: `removed-from:${mount.parentId}:${mount.path}:${mount.validTo}`,
        reason: `removed from twin ${mount.parentId} at ${mount.path}`,
        effectiveAt: mount.validTo,
        recordedAt: mount.closedAt,
        actor: mount.closedBy ?? unknown,
        operations: [{ op: 'removed-from', ...where }],
        paths: [],
      });
    }
  }
  return entries;
}

/**
 * Every position the as-built record created (the intervals of version 1). Not stored on the change
 * set, which stays small however large the twin; derived where the history is read.
 */
const asBuiltPaths = (history: TwinHistory) =>
  history.positions.filter((position) => position.seq === 1).map((position) => position.path);

/** Newest recorded first; a change set's version breaks ties. Sorts as a string. */
const sortKey = (entry: HistoryEntry) =>
  `${entry.recordedAt}|${String(entry.seq ?? 0).padStart(10, '0')}|${entry.id}`;

/** Does an entry touch `position` or its subtree? */
const touches = (entry: HistoryEntry, position: string) =>
  entry.paths.some((path) => path === position || path.startsWith(`${position}/`));

/**
 * A page of history entries, newest recorded first, filtered. `after` continues after the last
 * entry of the previous page; `last` is set when more may follow.
 */
export function historyPage(
  entries: readonly HistoryEntry[],
  filters: HistoryFilters,
  page: { limit: number; after?: string },
): { items: Omit<HistoryEntry, 'paths'>[]; last?: string } {
  const from = filters.from === undefined ? undefined : toUtc(filters.from);
  const to = filters.to === undefined ? undefined : toUtc(filters.to);
  const matching = entries
    .map((entry) => ({ entry, key: sortKey(entry) }))
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0))
    .filter(({ key }) => page.after === undefined || key < page.after)
    .filter(({ entry }) => filters.position === undefined || touches(entry, filters.position))
    .filter(({ entry }) => from === undefined || entry.effectiveAt >= from)
    .filter(({ entry }) => to === undefined || entry.effectiveAt < to);
  const chosen = matching.slice(0, page.limit);
  const items = chosen.map(({ entry: { paths: _paths, ...entry } }) => entry);
  const last = chosen.at(-1);
  return { items, ...(matching.length > page.limit && last ? { last: last.key } : {}) };
}
