import { baselineConfiguration } from './baseline';
import type { TwinHistory } from './change-set';
import type { DocumentRecord } from './document';
import { historyEntries } from './history';
import { assembleTwin } from './twin';

/**
 * The export format's name and version: a consumer can tell what it reads.
 *
 * - `twinthread.twin/1`: `twin` (now), `history`, `baselines`, `inspections`, `links` (without actor).
 * - `twinthread.twin/2` adds what a lossless copy needs: `source` (tenant and twin id), `asOf`/`knownAt`
 *   of the `twin` convenience part, `record` (the twin without its tree, current lifecycle and
 *   version), every interval as recorded (`positions`, `installations`: validFrom/validTo,
 *   recordedAt/closedAt, seq; `twinFields`: site, type and attributes over time), the raw `changeSets` (with seq and touched paths), `mounts` (this
 *   twin's stays inside other twins), links with their actor, and `documents` (metadata of the
 *   documents the links and inspections name; their content stays in the source tenant).
 */
export const EXPORT_FORMAT = 'twinthread.twin/2';
export const EXPORT_FORMATS = ['twinthread.twin/1', EXPORT_FORMAT] as const;

const intervalOrder = (interval: { recordedAt: string; seq: number; path: string; validFrom: string }) =>
  `${interval.recordedAt}|${String(interval.seq).padStart(10, '0')}|${interval.path}|${interval.validFrom}`;

const byTime =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** Every document id the twin's links and inspections name, in first-seen order. */
export function documentIdsOf(history: TwinHistory): string[] {
  const ids = new Set<string>();
  for (const link of history.links ?? []) ids.add(link.documentId);
  for (const inspection of history.inspections ?? [])
    for (const id of inspection.documents ?? []) ids.add(id);
  return [...ids];
}

export interface ExportOptions {
  /** The source tenant (recorded so that an import can tell a second import of the same twin). */
  tenant?: string;
  /** Valid time of the `twin` convenience part; default `now`. */
  asOf?: string;
  /** Record time of the `twin` convenience part; default `now`. */
  knownAt?: string;
  /** Metadata of the documents `documentIdsOf(history)` names (read by the caller). */
  documents?: readonly DocumentRecord[];
}

/**
 * Everything recorded about one twin, as open JSON: bitemporal and lossless. The twin as of `asOf`
 * (with its tree) for convenience; its record; every position and installation interval as
 * recorded; every change set (oldest first) and, for readers, the history entries; its baselines
 * with their configurations, inspections, document links and the linked documents' metadata.
 * Pure: the same history and options give the same export.
 */
export function twinExport(history: TwinHistory, now: Date, options: ExportOptions = {}) {
  const at = now.toISOString();
  const asOf = options.asOf ?? at;
  const knownAt = options.knownAt ?? at;
  const { record } = history;
  return {
    format: EXPORT_FORMAT,
    exportedAt: at,
    source: { ...(options.tenant === undefined ? {} : { tenant: options.tenant }), twinId: record.id },
    asOf,
    knownAt,
    twin: assembleTwin(history, { asOf, knownAt }),
    record,
    positions: [...history.positions].sort(byTime(intervalOrder)),
    installations: [...history.installations].sort(byTime(intervalOrder)),
    twinFields: [...(history.twinFields ?? [])].sort(
      byTime((interval) => intervalOrder({ ...interval, path: '' })),
    ),
    changeSets: [...history.changeSets].sort((a, b) => a.seq - b.seq),
    mounts: [...(history.mounts ?? [])].sort(byTime((mount) => mount.validFrom)),
    history: historyEntries(history)
      .sort(byTime((entry) => entry.recordedAt))
      .map(({ paths: _paths, ...entry }) => entry),
    baselines: [...(history.baselines ?? [])]
      .sort(byTime((baseline) => baseline.createdAt))
      .map((baseline) => ({
        ...baseline,
        configuration: baselineConfiguration(history, baseline),
      })),
    inspections: [...(history.inspections ?? [])].sort(
      byTime((inspection) => `${inspection.performedAt}|${inspection.id}`),
    ),
    links: [...(history.links ?? [])].sort(
      byTime((link) => `${link.createdAt}|${link.position ?? ''}|${link.documentId}`),
    ),
    documents: [...(options.documents ?? [])].sort(
      byTime((document) => `${document.createdAt}|${document.id}`),
    ),
  };
}

export type TwinExport = ReturnType<typeof twinExport>;
