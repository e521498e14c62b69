import type { Node } from '../schemas/twin';
import type { Actor, TwinHistory } from './change-set';
import { Conflict, invalidField, NotFound } from './errors';
import { toUtc } from './time';
import { assembleTwin, CLOCK_SKEW_MS } from './twin';

/**
 * A named, immutable snapshot of a twin's configuration: the tree at valid time `at` as recorded at
 * `knownAt` (the moment it was taken). Only this metadata is stored: history is append-only, so the
 * configuration at (at, knownAt) can never change later and is assembled again on every read, which
 * keeps a 10,000-position snapshot out of a 400 KB item.
 */
export interface BaselineRecord {
  id: string;
  name: string;
  at: string;
  knownAt: string;
  createdAt: string;
  actor: Actor;
}

/** The 409 of a baseline name the twin already has. */
export const baselineNameTaken = (name: string) =>
  new Conflict(`The twin already has a baseline named "${name}"`, [
    { path: 'body.name', message: 'already taken on this twin' },
  ]);

/** A new baseline of the twin, checked against its history: `at` within the twin's life, name unused. */
export function newBaseline(
  history: TwinHistory,
  body: { name: string; at?: string },
  context: { id: string; now: Date; actor: Actor },
): BaselineRecord {
  const now = context.now.toISOString();
  const at = body.at === undefined ? now : toUtc(body.at);
  if (at < history.record.builtAt)
    throw invalidField('body.at', `must not be before the twin was built (${history.record.builtAt})`);
  if (at > new Date(context.now.getTime() + CLOCK_SKEW_MS).toISOString())
    throw invalidField('body.at', 'must not be in the future');
  // A fast answer from the history read; two concurrent takes that both pass it meet at the
  // name guard the store writes with the baseline.
  if ((history.baselines ?? []).some((baseline) => baseline.name === body.name))
    throw baselineNameTaken(body.name);
  return { id: context.id, name: body.name, at, knownAt: now, createdAt: now, actor: context.actor };
}

export function findBaseline(history: TwinHistory, id: string): BaselineRecord {
  const baseline = (history.baselines ?? []).find((candidate) => candidate.id === id);
  if (!baseline) throw new NotFound(`No baseline ${id} on twin ${history.record.id}`);
  return baseline;
}

/** The baseline's configuration, assembled from the twin's history (never stored). */
export const baselineConfiguration = (history: TwinHistory, baseline: BaselineRecord): Node[] =>
  assembleTwin(history, { asOf: baseline.at, knownAt: baseline.knownAt }).configuration;

/** Where a page of baselines stops: the last item's createdAt and id. */
type PageKey = Pick<BaselineRecord, 'createdAt' | 'id'>;

/** Newest first; ties on createdAt broken by id, so that the order is total and a cursor is exact. */
const newerFirst = (a: PageKey, b: PageKey) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

/** A page of baselines, newest first, continuing after `after` (the last item of the previous page). */
export function baselinePage(
  baselines: readonly BaselineRecord[],
  page: { limit: number; after?: PageKey },
): { items: BaselineRecord[]; last?: PageKey } {
  const { after } = page;
  const sorted = [...baselines].sort(newerFirst);
  const rest = after === undefined ? sorted : sorted.filter((baseline) => newerFirst(baseline, after) > 0);
  const items = rest.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items,
    ...(rest.length > page.limit && last ? { last: { createdAt: last.createdAt, id: last.id } } : {}),
  };
}

/** One side of a diff: a time (as known now) or a baseline (at its own times). */
export interface DiffPoint {
  asOf: string;
  knownAt: string;
  baseline?: { id: string; name: string };
}

export const BASELINE_PREFIX = 'baseline:';

/** Resolves `from`/`to` of a diff: `baseline:<id>` (404 if unknown) or an ISO time, valid time as known now. */
export function resolveDiffPoint(history: TwinHistory, spec: string, now: Date, field: string): DiffPoint {
  if (spec.startsWith(BASELINE_PREFIX)) {
    const baseline = findBaseline(history, spec.slice(BASELINE_PREFIX.length));
    return {
      asOf: baseline.at,
      knownAt: baseline.knownAt,
      baseline: { id: baseline.id, name: baseline.name },
    };
  }
  const asOf = toUtc(spec);
  if (asOf < history.record.builtAt)
    throw invalidField(field, `must not be before the twin was built (${history.record.builtAt})`);
  return { asOf, knownAt: now.toISOString() };
}

export const configurationAt = (history: TwinHistory, point: DiffPoint): Node[] =>
  assembleTwin(history, point).configuration;
