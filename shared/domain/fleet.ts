import semver from 'semver';
import type { Component } from '../schemas/twin';
import { semverOf } from './effectivity';

/** What a fleet question asks for: units carrying a part number, narrowed by version, revision, time. */
export interface FleetFilter {
  partNumber: string;
  /** Several part numbers at once (those a purl maps to), instead of `partNumber`. */
  partNumbers?: readonly string[];
  /** A semver range. */
  softwareVersion?: string;
  revision?: string;
  /** Valid time, ISO 8601 (UTC, as `Date.toISOString` writes it); absent means now. */
  asOf?: string;
}

/** One installation found through the fleet index. */
export interface FleetMatch {
  twinId: string;
  path: string;
  component: Component;
  validFrom: string;
  validTo?: string;
}

/** The twin facts an impact answer groups by, read from the twin itself (site can change). */
export interface FleetTwin {
  serialNumber: string;
  site?: string;
  productPartNumber: string;
}

/** The `bySite` key of twins that have no site. */
export const NO_SITE = '(no site)';

/**
 * Does a component found in the index really match? The index key range may hold a few more
 * versions than the range allows (pre-releases semver excludes, versions between `||` alternatives
 * that share an interval); this is the exact test, the same as document effectivity applies.
 */
export function matchesFleetFilter(component: Component, filter: Omit<FleetFilter, 'asOf'>): boolean {
  if (!(filter.partNumbers ?? [filter.partNumber]).includes(component.partNumber)) return false;
  if (filter.revision !== undefined && component.revision !== filter.revision) return false;
  if (filter.softwareVersion !== undefined) {
    const version = component.softwareVersion === undefined ? null : semverOf(component.softwareVersion);
    if (version === null || !semver.satisfies(version, filter.softwareVersion)) return false;
  }
  return true;
}

/** Was the installation in place at `asOf` (validFrom inclusive, validTo exclusive)? Without `asOf`: is it open? */
export function inForceAt(match: Pick<FleetMatch, 'validFrom' | 'validTo'>, asOf?: string): boolean {
  if (asOf === undefined) return match.validTo === undefined;
  return match.validFrom <= asOf && (match.validTo === undefined || match.validTo > asOf);
}

/**
 * Counts over the whole answer. Only these three: a role view that hides positions drops them
 * (`shared/domain/view.ts`), and any other count would pass and tell what it hides.
 */
export interface ImpactSummary {
  total: number;
  bySite: Record<string, number>;
  byProduct: Record<string, number>;
}

/** Installations, and installations by site and by product, of the visible twins among the matches. */
export function summarizeImpact(
  matches: readonly Pick<FleetMatch, 'twinId'>[],
  twins: ReadonlyMap<string, FleetTwin>,
): ImpactSummary {
  const bySite: Record<string, number> = {};
  const byProduct: Record<string, number> = {};
  let total = 0;
  for (const match of matches) {
    const twin = twins.get(match.twinId);
    if (!twin) continue;
    total++;
    const site = twin.site ?? NO_SITE;
    bySite[site] = (bySite[site] ?? 0) + 1;
    byProduct[twin.productPartNumber] = (byProduct[twin.productPartNumber] ?? 0) + 1;
  }
  return { total, bySite, byProduct };
}

/** A position in an ordered answer: compares as the tuple of its parts. */
export type OrderKey = readonly [number, ...string[]];

export function compareOrderKeys(a: OrderKey, b: OrderKey): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const left = a[index];
    const right = b[index];
    if (left === right) continue;
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    return left < right ? -1 : 1;
  }
  return 0;
}

/** The `limit` entries after `after` (exclusive) of a list sorted by `keyOf`, and whether more follow. */
export function pageAfter<T>(
  sorted: readonly T[],
  keyOf: (entry: T) => OrderKey,
  limit: number,
  after?: OrderKey,
): { items: T[]; more: boolean } {
  let start = 0;
  if (after !== undefined) {
    // first entry strictly after the cursor (binary search: the list can hold a whole fleet)
    let high = sorted.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      if (compareOrderKeys(keyOf(sorted[middle]!), after) <= 0) start = middle + 1;
      else high = middle;
    }
  }
  const items = sorted.slice(start, start + limit);
  return { items, more: start + items.length < sorted.length };
}
