import semver from 'semver';
import type { Component } from '../schemas/twin';
import { semverOf } from './effectivity';

const pad = (part: number) => String(part).padStart(6, '0');

/** Between pre-release identifiers: above `#` (what follows the version in a key), below every identifier character. */
const IDENTIFIER_SEPARATOR = '$';

/** A numeric pre-release identifier (`0` + 16 digits) sorts below any alphanumeric one (`1` + text), as semver says. */
const sortableIdentifier = (identifier: string | number) =>
  typeof identifier === 'number' ? `0${String(identifier).padStart(16, '0')}` : `1${identifier}`;

/**
 * A software version as a string that sorts like semver: `000002.000004.000000~` for 2.4.0, and a
 * pre-release (`000002.000004.000000-1rc$00000000000000001` for 2.4.0-rc.1) before its release (`-` sorts
 * before `~`). Numeric identifiers are padded (rc.2 before rc.10), a shorter identifier list sorts
 * first, build metadata is ignored (semver gives it no precedence). Parts up to 999999 sort right.
 */
export function sortableSemver(version: string): string {
  const parsed = semver.parse(version);
  if (!parsed) return version;
  const core = `${pad(parsed.major)}.${pad(parsed.minor)}.${pad(parsed.patch)}`;
  return parsed.prerelease.length > 0
    ? `${core}-${parsed.prerelease.map(sortableIdentifier).join(IDENTIFIER_SEPARATOR)}`
    : `${core}~`;
}

/**
 * The version part of a component's fleet sort key: software by semver (`S#...`), hardware by
 * revision (`R#...`), else `-`. Lets "units carrying PN-778 software >=2.0.0 <2.4.0" be a key range.
 * A software version that is no semver even loosely sorts after all others (`S#~<raw>`).
 */
export function fleetVersionKey(component: Pick<Component, 'softwareVersion' | 'revision'>): string {
  if (component.softwareVersion !== undefined) {
    const version = semverOf(component.softwareVersion);
    return version === null ? `S#~${component.softwareVersion}` : `S#${sortableSemver(version)}`;
  }
  if (component.revision !== undefined) return `R#${component.revision}`;
  return '-';
}

/** Inclusive sort-key bounds; without `upper`, every semver key above `lower`. */
export interface KeyInterval {
  lower: string;
  upper?: string;
}

/** Above every sortable semver key (digits), below the keys of versions that are no semver (`S#~`). */
export const SEMVER_KEYS_END = 'S#}';

type Comparator = semver.Comparator;

/** The inclusive upper key of one comparator set, or undefined when it has no upper limit. */
function upperKeyOf(alternative: readonly Comparator[]): string | undefined {
  let upper: string | undefined;
  for (const limit of alternative) {
    if (limit.operator !== '<' && limit.operator !== '<=') continue;
    const version = limit.semver;
    const exact = sortableSemver(version.version);
    const core = exact.replace(/[-~].*$/, '');
    let key: string;
    if (version.prerelease.length > 0) {
      // `<2.4.0-rc.2` ends before that pre-release; `<=2.4.0-rc.2` right after it (not its longer lists).
      key = limit.operator === '<' ? `S#${exact}` : `S#${exact}#\uffff`;
    } else if (limit.operator === '<=') {
      key = `S#${core}~\uffff`;
    } else {
      // `<2.4.0` excludes 2.4.0's pre-releases, unless the same set opens one of them (`>=2.4.0-rc.1 <2.4.0`).
      const opensPrerelease = alternative.some(
        (other) =>
          other.semver.prerelease.length > 0 &&
          other.semver.major === version.major &&
          other.semver.minor === version.minor &&
          other.semver.patch === version.patch,
      );
      key = opensPrerelease ? `S#${core}-\uffff` : `S#${core}`;
    }
    if (upper === undefined || key < upper) upper = key;
  }
  return upper;
}

/**
 * The sort-key intervals of a semver range: one per `||` alternative, overlapping ones merged, in
 * key order. Each contains every version its alternative allows (and may hold a few more, such as
 * pre-releases semver excludes): callers keep the exact answer with `semver.satisfies`.
 */
export function semverKeyIntervals(range: string): KeyInterval[] {
  const intervals: KeyInterval[] = [];
  for (const alternative of new semver.Range(range).set) {
    const minimum = semver.minVersion(new semver.Range(alternative.map((c) => c.value).join(' ') || '*'));
    if (!minimum) continue;
    const lower = `S#${sortableSemver(minimum.version)}`;
    const upper = upperKeyOf(alternative);
    if (upper !== undefined && upper < lower) continue;
    intervals.push(upper === undefined ? { lower } : { lower, upper });
  }
  intervals.sort((a, b) => (a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0));
  const merged: KeyInterval[] = [];
  for (const interval of intervals) {
    const last = merged[merged.length - 1];
    if (last && (last.upper === undefined || interval.lower <= last.upper)) {
      if (last.upper !== undefined && (interval.upper === undefined || interval.upper > last.upper)) {
        if (interval.upper === undefined) delete last.upper;
        else last.upper = interval.upper;
      }
    } else {
      merged.push({ ...interval });
    }
  }
  return merged;
}

/**
 * Inclusive sort-key bounds that contain every version a semver range allows: from the smallest
 * version it allows, to the largest upper limit among its alternatives (none when one alternative
 * is unbounded). `<2.4.0` stops before every key of 2.4.0 and its pre-releases, so a fleet that has
 * mostly moved to the fix version is not read; `<=2.4.0` ends after 2.4.0's own keys.
 */
export function semverRangeBounds(range: string): { lower: string; upper?: string } {
  const intervals = semverKeyIntervals(range);
  const first = intervals[0];
  if (!first) return { lower: 'S#', upper: 'S#' };
  const last = intervals[intervals.length - 1]!;
  return last.upper === undefined ? { lower: first.lower } : { lower: first.lower, upper: last.upper };
}
