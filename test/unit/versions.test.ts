import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { appliesTo, compareSerials } from '../../shared/domain/effectivity';
import { fleetVersionKey, semverRangeBounds, sortableSemver } from '../../shared/domain/versions';

const arbitraryVersion = fc
  .tuple(
    fc.nat(30),
    fc.nat(30),
    fc.nat(30),
    fc.option(fc.constantFrom('alpha', 'beta.2', 'rc.1'), { nil: undefined }),
  )
  .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`);

describe('sortable software versions', () => {
  it('sort as strings exactly as semver orders them', () => {
    fc.assert(
      fc.property(arbitraryVersion, arbitraryVersion, (a, b) => {
        const bySemver = Math.sign(semver.compare(a, b));
        const byString =
          sortableSemver(a) < sortableSemver(b) ? -1 : sortableSemver(a) > sortableSemver(b) ? 1 : 0;
        expect(byString).toBe(bySemver);
      }),
    );
  });

  it('puts every version a range allows inside the key bounds of the range', () => {
    const ranges = [
      '>=2.0.0 <2.4.0',
      '^3.1.0',
      '~1.2.3',
      '>=1.0.0',
      '<=2.4.0',
      '1.x || >=5.0.0 <6.0.0',
      '2.3.1',
    ];
    fc.assert(
      fc.property(arbitraryVersion, fc.constantFrom(...ranges), (version, range) => {
        if (!semver.satisfies(version, range)) return true;
        const key = fleetVersionKey({ softwareVersion: version });
        const { lower, upper } = semverRangeBounds(range);
        expect(key >= lower).toBe(true);
        if (upper !== undefined) expect(key <= upper).toBe(true);
        return true;
      }),
    );
  });

  it('keys hardware by revision and coerces loose software versions', () => {
    expect(fleetVersionKey({ revision: 'C' })).toBe('R#C');
    expect(fleetVersionKey({})).toBe('-');
    expect(fleetVersionKey({ softwareVersion: '5.2' })).toBe(fleetVersionKey({ softwareVersion: '5.2.0' }));
  });
});

describe('effectivity', () => {
  const bulletin = { partNumber: 'PN-778', softwareVersions: '>=2.0.0 <2.4.0' };

  it('applies by part number and software range', () => {
    expect(appliesTo(bulletin, { partNumber: 'PN-778', kind: 'software', softwareVersion: '2.3.9' })).toBe(
      true,
    );
    expect(appliesTo(bulletin, { partNumber: 'PN-778', kind: 'software', softwareVersion: '2.4.0' })).toBe(
      false,
    );
    expect(appliesTo(bulletin, { partNumber: 'PN-779', kind: 'software', softwareVersion: '2.1.0' })).toBe(
      false,
    );
    expect(appliesTo(bulletin, { partNumber: 'PN-778', kind: 'software' })).toBe(false);
  });

  it('applies by revision and by serial range, numerically', () => {
    const effectivity = {
      partNumber: 'P',
      revisions: ['B', 'C'],
      serialNumbers: { from: 'SN-9', to: 'SN-100' },
    };
    expect(
      appliesTo(effectivity, { partNumber: 'P', kind: 'mechanical', revision: 'C', serialNumber: 'SN-10' }),
    ).toBe(true);
    expect(
      appliesTo(effectivity, { partNumber: 'P', kind: 'mechanical', revision: 'A', serialNumber: 'SN-10' }),
    ).toBe(false);
    expect(
      appliesTo(effectivity, { partNumber: 'P', kind: 'mechanical', revision: 'C', serialNumber: 'SN-101' }),
    ).toBe(false);
    expect(compareSerials('SN-9', 'SN-10')).toBeLessThan(0);
  });
});

describe('the fleet key range of a software range', () => {
  it('stops before the excluded upper version and its pre-releases, and includes an inclusive one', () => {
    const exclusive = semverRangeBounds('>=2.0.0 <2.4.0');
    expect(fleetVersionKey({ softwareVersion: '2.3.99' }) <= exclusive.upper!).toBe(true);
    expect(`${fleetVersionKey({ softwareVersion: '2.4.0' })}#twin#path` > exclusive.upper!).toBe(true);
    expect(`${fleetVersionKey({ softwareVersion: '2.4.0-rc.1' })}#twin#path` > exclusive.upper!).toBe(true);
    const inclusive = semverRangeBounds('<=2.4.0');
    expect(`${fleetVersionKey({ softwareVersion: '2.4.0' })}#twin#path` <= inclusive.upper!).toBe(true);
    expect(`${fleetVersionKey({ softwareVersion: '2.4.1' })}#twin#path` > inclusive.upper!).toBe(true);
  });
});
