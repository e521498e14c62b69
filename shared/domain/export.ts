import { baselineConfiguration } from './baseline';
import type { TwinHistory } from './change-set';
import { historyEntries } from './history';
import { assembleTwin } from './twin';

/** The export format's name and version: a consumer can tell what it reads. */
export const EXPORT_FORMAT = 'twinthread.twin/1';

/**
 * Everything recorded about one twin, as open JSON: the twin now (with its tree), every change
 * set (oldest first), its baselines with their configurations, inspections and document links.
 * Pure: the same history gives the same export.
 */
export function twinExport(history: TwinHistory, now: Date) {
  const at = now.toISOString();
  return {
    format: EXPORT_FORMAT,
    exportedAt: at,
    twin: assembleTwin(history, { asOf: at, knownAt: at }),
    history: historyEntries(history)
      .sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0))
      .map(({ paths: _paths, ...entry }) => entry),
    baselines: (history.baselines ?? []).map((baseline) => ({
      ...baseline,
      configuration: baselineConfiguration(history, baseline),
    })),
    inspections: history.inspections ?? [],
    links: (history.links ?? []).map(({ actor: _actor, ...link }) => link),
  };
}
