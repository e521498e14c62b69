import { describe, expect, it } from 'vitest';
import type { TwinHistory } from '../../shared/domain/change-set';
import type { InstallationRecord } from '../../shared/domain/configuration';
import {
  type GrantRecord,
  grantActive,
  grantCovers,
  grantsFor,
  permits,
  presentGrant,
  sharedView,
} from '../../shared/domain/grant';
import { installedBaseCounts } from '../../shared/domain/installed-base';
import { softwareSummary } from '../../shared/domain/software';
import type { TwinRecord } from '../../shared/domain/twin';
import type { View } from '../../shared/domain/view';
import type { Component } from '../../shared/schemas/twin';

const FROM = '2026-03-01T00:00:00.000Z';
const TO = '2026-03-31T00:00:00.000Z';
const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta).toISOString();

const view = (fields: Partial<View> = {}): View => ({ id: 'V1', version: 2, name: 'hvac', ...fields });

const grant = (fields: Partial<GrantRecord> = {}): GrantRecord => ({
  id: 'G1',
  owner: 'airline',
  grantee: 'contractor',
  view: view({ positions: ['hvac'] }),
  twins: { site: 'TLS' },
  purpose: 'contractor',
  permissions: ['read'],
  validFrom: FROM,
  validTo: TO,
  createdAt: '2026-02-01T00:00:00.000Z',
  createdBy: { sub: 'admin-1', tenant: 'airline' },
  ...fields,
});

const twin = (fields: Partial<TwinRecord> = {}): TwinRecord => ({
  id: 'T1',
  serialNumber: 'MSN-1',
  product: { partNumber: 'A320' },
  site: 'TLS',
  lifecycle: 'in-service',
  attributes: {},
  version: 1,
  builtAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('grantActive', () => {
  it('starts at validFrom (inclusive) and ends at validTo (exclusive)', () => {
    // Prepare
    const given = grant();
    // Act / Assess
    expect(grantActive(given, ms(FROM, -1))).toBe(false);
    expect(grantActive(given, FROM)).toBe(true);
    expect(grantActive(given, ms(TO, -1))).toBe(true);
    expect(grantActive(given, TO)).toBe(false);
    expect(grantActive(given, ms(TO, 1))).toBe(false);
  });

  it('compares instants, not texts: another offset of the same instant is the same boundary', () => {
    // Prepare: 01:00 at +01:00 is midnight UTC
    const given = grant({ validFrom: '2026-03-01T01:00:00+01:00', validTo: '2026-03-31T02:00:00+02:00' });
    // Act / Assess
    expect(grantActive(given, FROM)).toBe(true);
    expect(grantActive(given, ms(FROM, -1))).toBe(false);
    expect(grantActive(given, TO)).toBe(false);
  });

  it('is open-ended on a side without a bound', () => {
    // Prepare
    const { validFrom: _from, validTo: _to, ...unbounded } = grant();
    // Act / Assess
    expect(grantActive(unbounded, '1990-01-01T00:00:00.000Z')).toBe(true);
    expect(grantActive(unbounded, '2999-01-01T00:00:00.000Z')).toBe(true);
    expect(grantActive({ ...unbounded, validTo: TO }, '1990-01-01T00:00:00.000Z')).toBe(true);
    expect(grantActive({ ...unbounded, validFrom: FROM }, '2999-01-01T00:00:00.000Z')).toBe(true);
  });

  it('stops at once when revoked, even inside its validity', () => {
    // Prepare
    const revoked = grant({ revokedAt: ms(FROM, 1000), revokedBy: { sub: 'admin-1', tenant: 'airline' } });
    // Act / Assess
    expect(grantActive(revoked, ms(FROM, 500))).toBe(false);
    expect(grantActive(revoked, ms(FROM, 2000))).toBe(false);
  });

  it('fails closed on a time it cannot read', () => {
    // Act / Assess
    expect(grantActive(grant(), 'not a time')).toBe(false);
    expect(grantActive(grant({ validTo: 'garbage' }), ms(FROM, 1))).toBe(false);
  });
});

describe('grantCovers', () => {
  it('covers by ids, by site, by part number', () => {
    // Act / Assess
    expect(grantCovers({ twins: { ids: ['T0', 'T1'] } }, twin())).toBe(true);
    expect(grantCovers({ twins: { ids: ['T0'] } }, twin())).toBe(false);
    expect(grantCovers({ twins: { site: 'TLS' } }, twin())).toBe(true);
    expect(grantCovers({ twins: { site: 'HAM' } }, twin())).toBe(false);
    expect(grantCovers({ twins: { partNumber: 'A320' } }, twin())).toBe(true);
    expect(grantCovers({ twins: { partNumber: 'A321' } }, twin())).toBe(false);
  });

  it('needs every field given to match', () => {
    // Prepare
    const selector = { twins: { ids: ['T1'], site: 'TLS', partNumber: 'A320' } };
    // Act / Assess
    expect(grantCovers(selector, twin())).toBe(true);
    expect(grantCovers(selector, twin({ site: 'HAM' }))).toBe(false);
    expect(grantCovers(selector, twin({ product: { partNumber: 'A321' } }))).toBe(false);
    expect(grantCovers(selector, twin({ id: 'T2' }))).toBe(false);
  });

  it('covers twins created later by site or part number, and not a twin without a site by site', () => {
    // Act / Assess
    expect(grantCovers({ twins: { site: 'TLS' } }, twin({ id: 'T-NEW' }))).toBe(true);
    const { site: _site, ...siteless } = twin();
    expect(grantCovers({ twins: { site: 'TLS' } }, siteless)).toBe(false);
  });
});

describe('grantsFor', () => {
  it('keeps the grants active now that cover the twin', () => {
    // Prepare
    const grants = [
      grant({ id: 'ACTIVE' }),
      grant({ id: 'EXPIRED', validTo: FROM, validFrom: '2026-01-01T00:00:00.000Z' }),
      grant({ id: 'NOT-YET', validFrom: TO, validTo: '2026-05-01T00:00:00.000Z' }),
      grant({ id: 'REVOKED', revokedAt: FROM }),
      grant({ id: 'OTHER-SITE', twins: { site: 'HAM' } }),
      grant({ id: 'BY-PART', twins: { partNumber: 'A320' } }),
    ];
    // Act
    const found = grantsFor(grants, twin(), ms(FROM, 60_000));
    // Assess
    expect(found.map((found) => found.id)).toEqual(['ACTIVE', 'BY-PART']);
  });
});

describe('sharedView', () => {
  it('shows what the grants’ views show together', () => {
    // Prepare
    const grants = [
      grant({ view: view({ positions: ['hvac'], twinAttributes: ['tailNumber'], history: false }) }),
      grant({ view: view({ positions: ['cabin'], twinAttributes: [], history: false, baselines: false }) }),
    ];
    // Act
    const union = sharedView(grants);
    // Assess
    expect(union.positions?.sort()).toEqual(['cabin', 'hvac']);
    expect(union.twinAttributes).toEqual(['tailNumber']);
    expect(union.history).toBe(false);
    expect(union.baselines).toBe(true);
  });
});

describe('permits', () => {
  const reader = grant({
    id: 'READ',
    view: view({ positions: ['hvac', 'engine-1'] }),
    permissions: ['read'],
  });
  const inspector = grant({
    id: 'INSPECT',
    view: view({ positions: ['hvac/pack-1'] }),
    permissions: ['read', 'inspect'],
  });
  const changer = grant({
    id: 'CHANGE',
    view: view({ positions: ['cabin'] }),
    permissions: ['read', 'change'],
  });

  it('refuses a permission no grant gives', () => {
    // Act / Assess
    expect(permits([reader], 'inspect', ['hvac'])).toBe(false);
    expect(permits([reader], 'change', [])).toBe(false);
    expect(permits([], 'read', ['hvac'])).toBe(false);
  });

  it('allows a write only inside the positions of a grant that gives the permission', () => {
    // Act / Assess
    expect(permits([reader, inspector], 'inspect', ['hvac/pack-1', 'hvac/pack-1/valve'])).toBe(true);
    // hvac is visible through the reader grant, which does not permit inspect
    expect(permits([reader, inspector], 'inspect', ['hvac'])).toBe(false);
    expect(permits([reader, inspector], 'inspect', ['hvac/pack-1', 'hvac/controller'])).toBe(false);
    expect(permits([reader, inspector], 'inspect', ['hvac/pack-10'])).toBe(false);
  });

  it('combines the grants that give the permission, each position inside one of them', () => {
    // Prepare
    const second = grant({
      id: 'CHANGE-2',
      view: view({ positions: ['galley'] }),
      permissions: ['read', 'change'],
    });
    // Act / Assess
    expect(permits([changer, second], 'change', ['cabin/seat-1', 'galley/oven'])).toBe(true);
    expect(permits([changer, second], 'change', ['cabin/seat-1', 'hvac'])).toBe(false);
  });

  it('allows a write touching no position only through a grant without position limits', () => {
    // Prepare
    const unrestricted = grant({
      id: 'ALL',
      view: view({ kinds: ['software'] }),
      permissions: ['read', 'change'],
    });
    const unrestrictedReader = grant({ id: 'ALL-READ', view: view({}), permissions: ['read'] });
    // Act / Assess
    expect(permits([changer], 'change', [])).toBe(false);
    expect(permits([changer, unrestrictedReader], 'change', [])).toBe(false);
    expect(permits([changer, unrestricted], 'change', [])).toBe(true);
  });

  it('allows nothing through a view with an empty position list', () => {
    // Prepare
    const nothing = grant({ view: view({ positions: [] }), permissions: ['read', 'change'] });
    // Act / Assess
    expect(permits([nothing], 'change', ['hvac'])).toBe(false);
    expect(permits([nothing], 'change', [])).toBe(false);
  });
});

describe('presentGrant', () => {
  it('shows the pinned view as viewId and viewVersion, and whether the grant is active', () => {
    // Act
    const shown = presentGrant(grant(), ms(FROM, 1));
    const ended = presentGrant(grant(), TO);
    // Assess
    expect(shown).toMatchObject({ id: 'G1', viewId: 'V1', viewVersion: 2, active: true });
    expect(shown.view.positions).toEqual(['hvac']);
    expect(ended.active).toBe(false);
  });
});

describe('installedBaseCounts', () => {
  const unit = (
    partNumber: string,
    software: { path: string; partNumber: string; softwareVersion?: string }[],
  ) => ({
    product: { partNumber },
    softwareSummary: software,
  });

  it('counts units by product and software by part number and version', () => {
    // Prepare
    const units = [
      { unit: unit('PUMP-7', [{ path: 'ctrl/sw', partNumber: 'SW-1', softwareVersion: '2.0.0' }]), view: {} },
      { unit: unit('PUMP-7', [{ path: 'ctrl/sw', partNumber: 'SW-1', softwareVersion: '2.1.0' }]), view: {} },
      { unit: unit('PUMP-9', [{ path: 'ctrl/sw', partNumber: 'SW-1', softwareVersion: '2.0.0' }]), view: {} },
      { unit: unit('PUMP-9', [{ path: 'ctrl/sw', partNumber: 'SW-2' }]), view: {} },
      { unit: { product: { partNumber: 'PUMP-9' } }, view: {} },
    ];
    // Act
    const counts = installedBaseCounts(units);
    // Assess
    expect(counts).toEqual({
      byProduct: { 'PUMP-7': 2, 'PUMP-9': 3 },
      bySoftwareVersion: { 'SW-1': { '2.0.0': 2, '2.1.0': 1 }, 'SW-2': { unknown: 1 } },
    });
  });

  it('counts only the software each unit’s view shows (positions and kinds), the unit itself always', () => {
    // Prepare
    const software = [
      { path: 'ctrl/sw', partNumber: 'SW-1', softwareVersion: '2.0.0' },
      { path: 'secret/sw', partNumber: 'SW-SECRET', softwareVersion: '9.9.9' },
    ];
    const units = [
      { unit: unit('PUMP-7', software), view: { positions: ['ctrl'] } },
      { unit: unit('PUMP-7', software), view: { kinds: ['mechanical' as const] } },
      { unit: unit('PUMP-7', software), view: { positions: ['ctrl/sw-2'] } },
    ];
    // Act
    const counts = installedBaseCounts(units);
    // Assess
    expect(counts).toEqual({ byProduct: { 'PUMP-7': 3 }, bySoftwareVersion: { 'SW-1': { '2.0.0': 1 } } });
    expect(JSON.stringify(counts)).not.toContain('SW-SECRET');
  });
});

describe('softwareSummary', () => {
  const installation = (
    path: string,
    component: Component,
    validTo: string | null = null,
  ): InstallationRecord => ({
    path,
    component,
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo,
    recordedAt: '2026-01-01T00:00:00.000Z',
    since: '2026-01-01T00:00:00.000Z',
    seq: 1,
  });

  it('lists the software installed now, by path, without a version when it has none', () => {
    // Prepare
    const history: Pick<TwinHistory, 'installations'> = {
      installations: [
        installation('z/sw', { partNumber: 'SW-Z', kind: 'software', softwareVersion: '1.0.0' }),
        installation('a/sw', { partNumber: 'SW-A', kind: 'software' }),
        installation(
          'a/sw-old',
          { partNumber: 'SW-OLD', kind: 'software', softwareVersion: '0.9' },
          '2026-02-01T00:00:00.000Z',
        ),
        installation('a/box', { partNumber: 'BOX', kind: 'electrical', softwareVersion: '3.0.0' }),
        installation('m/sw', {
          partNumber: 'SW-M',
          kind: 'software',
          softwareVersion: '2.0.0',
          serialNumber: 'S1',
        }),
      ],
    };
    // Act
    const summary = softwareSummary(history);
    // Assess
    expect(summary).toEqual([
      { path: 'a/sw', partNumber: 'SW-A' },
      { path: 'm/sw', partNumber: 'SW-M', softwareVersion: '2.0.0' },
      { path: 'z/sw', partNumber: 'SW-Z', softwareVersion: '1.0.0' },
    ]);
  });

  it('is empty for a twin without software', () => {
    // Act / Assess
    expect(softwareSummary({ installations: [] })).toEqual([]);
  });
});
