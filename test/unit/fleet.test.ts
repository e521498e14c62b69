import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import {
  compareOrderKeys,
  inForceAt,
  matchesFleetFilter,
  NO_SITE,
  type OrderKey,
  pageAfter,
  summarizeImpact,
} from '../../shared/domain/fleet';
import { fleetVersionKey, semverKeyIntervals, sortableSemver } from '../../shared/domain/versions';

const identifier = fc.oneof(
  fc.nat(30),
  fc.constantFrom('alpha', 'beta', 'rc', 'alpha-x', 'a1', '1a', 'x-y', 'RC'),
);
const arbitraryVersion = fc
  .tuple(
    fc.nat(12),
    fc.nat(12),
    fc.nat(12),
    fc.option(fc.array(identifier, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    fc.option(fc.constantFrom('build.7', '20260301'), { nil: undefined }),
  )
  .map(
    ([major, minor, patch, pre, build]) =>
      `${major}.${minor}.${patch}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build}` : ''}`,
  );

/** The version part of a fleet sort key, followed by what the key holds after it. */
const fullKey = (version: string) =>
  `${fleetVersionKey({ softwareVersion: version })}#01TWIN#engine-1/fadec/sw`;

describe('sortable semver keys', () => {
  it('sort as strings exactly as semver orders them, pre-releases and build metadata included', () => {
    fc.assert(
      fc.property(arbitraryVersion, arbitraryVersion, (a, b) => {
        const bySemver = Math.sign(semver.compare(a, b));
        const [keyA, keyB] = [sortableSemver(a), sortableSemver(b)];
        expect(keyA < keyB ? -1 : keyA > keyB ? 1 : 0).toBe(bySemver);
        // and still once the rest of the fleet key follows
        if (bySemver !== 0) expect(fullKey(a) < fullKey(b) ? -1 : 1).toBe(bySemver);
      }),
      { numRuns: 2000 },
    );
  });

  it('order numeric pre-release identifiers numerically (rc.2 before rc.10)', () => {
    expect(sortableSemver('2.4.0-rc.2') < sortableSemver('2.4.0-rc.10')).toBe(true);
    expect(sortableSemver('2.4.0-rc') < sortableSemver('2.4.0-rc.0')).toBe(true);
    expect(sortableSemver('2.4.0+build.1')).toBe(sortableSemver('2.4.0'));
  });
});

describe('key intervals of a semver range', () => {
  const ranges = [
    '>=2.0.0 <2.4.0',
    '^3.1.0',
    '~1.2.3',
    '>=1.0.0',
    '<=2.4.0',
    '1.x || >=5.0.0 <6.0.0',
    '<1 || >2',
    '>=1.0.0 <3.0.0 || >=2.0.0 <4.0.0',
    '2.3.1',
    '>=2.4.0-rc.1 <2.4.0',
    '<2.4.0-rc.2',
    '<=2.4.0-rc.2',
    '^2.3.0-beta.1',
    '*',
    '<2.4',
  ];

  it('hold every version the range allows, in sorted disjoint intervals', () => {
    fc.assert(
      fc.property(arbitraryVersion, fc.constantFrom(...ranges), (version, range) => {
        const intervals = semverKeyIntervals(range);
        for (let index = 1; index < intervals.length; index++) {
          expect(intervals[index - 1]!.upper! < intervals[index]!.lower).toBe(true);
        }
        if (!semver.satisfies(version, range)) return;
        const key = fullKey(version);
        const inside = intervals.some(
          (interval) => key >= interval.lower && (interval.upper === undefined || key <= interval.upper),
        );
        expect(inside, `${version} in ${range}: ${JSON.stringify(intervals)}`).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('is one interval for a plain range that stops before the excluded version and its pre-releases', () => {
    const intervals = semverKeyIntervals('>=2.0.0 <2.4.0');
    expect(intervals).toHaveLength(1);
    const [{ lower, upper }] = intervals as [{ lower: string; upper: string }];
    expect(fullKey('2.0.0') >= lower && fullKey('2.3.99') <= upper).toBe(true);
    expect(fullKey('2.4.0-rc.1') > upper && fullKey('2.4.0') > upper).toBe(true);
    expect(fullKey('2.0.0-rc.1') < lower).toBe(true);
  });

  it('keeps disjoint alternatives apart and merges overlapping ones', () => {
    expect(semverKeyIntervals('<1 || >2')).toHaveLength(2);
    expect(semverKeyIntervals('>=1.0.0 <3.0.0 || >=2.0.0 <4.0.0')).toHaveLength(1);
    expect(semverKeyIntervals('>=1.0.0 <3.0.0 || >=2.0.0')).toEqual([
      { lower: semverKeyIntervals('>=1.0.0')[0]!.lower },
    ]);
  });
});

describe('fleet filters', () => {
  const component = (softwareVersion: string, revision?: string) => ({
    partNumber: 'FADEC-SW',
    kind: 'software' as const,
    softwareVersion,
    ...(revision ? { revision } : {}),
  });

  it('match exactly as semver and revision say', () => {
    const filter = { partNumber: 'FADEC-SW', softwareVersion: '>=2.0.0 <2.4.0' };
    expect(matchesFleetFilter(component('2.3.9'), filter)).toBe(true);
    expect(matchesFleetFilter(component('2.1.0+build.7'), filter)).toBe(true);
    expect(matchesFleetFilter(component('2.3.0-beta.1'), filter)).toBe(false);
    expect(matchesFleetFilter(component('2.4.0-rc.1'), filter)).toBe(false);
    expect(matchesFleetFilter(component('not a version'), filter)).toBe(false);
    expect(matchesFleetFilter(component('2.3.9', 'A'), { ...filter, revision: 'A' })).toBe(true);
    expect(matchesFleetFilter(component('2.3.9'), { ...filter, revision: 'A' })).toBe(false);
    expect(matchesFleetFilter(component('2.3.9'), { partNumber: 'OTHER' })).toBe(false);
  });

  it('hold an installation at asOf from validFrom (inclusive) to validTo (exclusive)', () => {
    const closed = { validFrom: '2024-01-01T00:00:00.000Z', validTo: '2026-03-01T00:00:00.000Z' };
    expect(inForceAt(closed, '2024-01-01T00:00:00.000Z')).toBe(true);
    expect(inForceAt(closed, '2026-03-01T00:00:00.000Z')).toBe(false);
    expect(inForceAt(closed, '2023-12-31T23:59:59.999Z')).toBe(false);
    expect(inForceAt(closed)).toBe(false);
    expect(inForceAt({ validFrom: closed.validFrom })).toBe(true);
  });
});

describe('impact counts and pages', () => {
  it('count installations by current site and product, leaving out unknown twins', () => {
    const twins = new Map([
      ['t1', { serialNumber: 'S1', site: 'TLS', productPartNumber: 'A320' }],
      ['t2', { serialNumber: 'S2', productPartNumber: 'A321' }],
    ]);
    const summary = summarizeImpact(
      [{ twinId: 't1' }, { twinId: 't1' }, { twinId: 't2' }, { twinId: 'gone' }],
      twins,
    );
    expect(summary).toEqual({
      total: 3,
      bySite: { TLS: 2, [NO_SITE]: 1 },
      byProduct: { A320: 2, A321: 1 },
    });
  });

  it('page through a sorted list so that every entry comes exactly once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat(2), fc.string({ maxLength: 3 })), {
          maxLength: 40,
          selector: (t) => t.join('|'),
        }),
        fc.integer({ min: 1, max: 7 }),
        (entries, limit) => {
          const sorted = entries.map((entry) => entry as unknown as OrderKey).sort(compareOrderKeys);
          const seen: OrderKey[] = [];
          let after: OrderKey | undefined;
          for (let pages = 0; pages <= sorted.length + 1; pages++) {
            const page = pageAfter(sorted, (entry) => entry, limit, after);
            seen.push(...page.items);
            if (!page.more) break;
            after = page.items[page.items.length - 1];
          }
          expect(seen).toEqual(sorted);
        },
      ),
    );
  });
});
