import semver from 'semver';
import type { Component } from '../schemas/twin';
import { semverOf } from './effectivity';

const pad = (part: number) => String(part).padStart(6, '0');

/**
 * A software version as a string that sorts like semver: `000002.000004.000000~` for 2.4.0, and a
 * pre-release (`000002.000004.000000-beta`) before its release (`-` sorts before `~`).
 */
export function sortableSemver(version: string): string {
  const parsed = semver.parse(version);
  if (!parsed) return version;
  const core = `${pad(parsed.major)}.${pad(parsed.minor)}.${pad(parsed.patch)}`;
  return parsed.prerelease.length > 0 ? `${core}-${parsed.prerelease.join('.')}` : `${core}~`;
}

/**
 * The version part of a component's fleet sort key: software by semver (`S#...`), hardware by
 * revision (`R#...`), else `-`. Lets "units carrying PN-778 software >=2.0.0 <2.4.0" be a key range.
 */
export function fleetVersionKey(component: Pick<Component, 'softwareVersion' | 'revision'>): string {
  if (component.softwareVersion !== undefined) {
    const version = semverOf(component.softwareVersion);
    return version === null ? `S#~${component.softwareVersion}` : `S#${sortableSemver(version)}`;
  }
  if (component.revision !== undefined) return `R#${component.revision}`;
  return '-';
}

/**
 * Inclusive sort-key bounds that contain every version a semver range allows: from the smallest
 * version it allows, to the largest upper limit among its alternatives (none when one alternative
 * is unbounded). `<2.4.0` stops before every key of 2.4.0 and its pre-releases, so a fleet that has
 * mostly moved to the fix version is not read; `<=2.4.0` ends after 2.4.0's own keys.
 */
export function semverRangeBounds(range: string): { lower: string; upper?: string } {
  const minimum = semver.minVersion(range);
  const lower = `S#${minimum ? sortableSemver(minimum.version) : ''}`;
  let upper: string | undefined;
  for (const alternative of new semver.Range(range).set) {
    const limits = alternative.filter(
      (comparator) => comparator.operator === '<' || comparator.operator === '<=',
    );
    if (limits.length === 0) return { lower };
    for (const limit of limits) {
      const core = sortableSemver(limit.semver.version).replace(/[-~].*$/, '');
      const key = limit.operator === '<' ? `S#${core}` : `S#${core}~\uffff`;
      if (upper === undefined || key > upper) upper = key;
    }
  }
  return { lower, ...(upper ? { upper } : {}) };
}
