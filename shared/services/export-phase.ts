import type { ExportProgress } from '../store/export-store';

/**
 * One listing of the export: its pages, and the line of each listed item (null for one gone
 * meanwhile; an array for an item of several lines, e.g. a twin's usage records in lines of 500).
 */
export interface PhaseSource<T extends { id: string }> {
  kind?: keyof ExportProgress;
  /** How much a line adds to its progress count. @default 1 */
  count?: (line: never) => number;
  list: (
    tenant: string,
    page: { limit: number; cursor?: string },
  ) => Promise<{ items: T[]; nextCursor?: string }>;
  lines: (tenant: string, items: T[], clock: () => Date) => Promise<(unknown | null)[]>;
}

export const phase = <T extends { id: string }>(source: PhaseSource<T>) =>
  source as unknown as PhaseSource<{ id: string }>;
