import { describe, expect, it } from 'vitest';
import type { TwinHistory } from '../../shared/domain/change-set';
import type { InstallationRecord, PositionRecord } from '../../shared/domain/configuration';
import {
  type AppError,
  BadRequest,
  PreconditionFailed,
  PreconditionRequired,
} from '../../shared/domain/errors';
import {
  assembleTwin,
  assertVersion,
  CLOCK_SKEW_MS,
  etagOf,
  expectedVersion,
  mergeAttributes,
  newTwinRecord,
  patchTwinRecord,
  type TwinRecord,
} from '../../shared/domain/twin';
import type { CreateTwinBody } from '../../shared/schemas/twin';
import { thrownBy } from './thrown';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7V';

const asBuilt = (overrides: Partial<CreateTwinBody> = {}): CreateTwinBody => ({
  serialNumber: 'MSN-1001',
  product: { partNumber: 'A320-214', revision: 'B' },
  configuration: [],
  ...overrides,
});

const storedRecord = (overrides: Partial<TwinRecord> = {}): TwinRecord => ({
  id: ID,
  serialNumber: 'MSN-1001',
  product: { partNumber: 'A320-214' },
  site: 'TLS',
  lifecycle: 'in-service',
  type: 'aircraft',
  attributes: { operator: 'Example Air', seats: 180 },
  version: 3,
  builtAt: '2024-05-01T08:00:00.000Z',
  createdAt: '2024-05-02T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

describe('newTwinRecord', () => {
  it('starts as-built at version 1, built, created and updated now when builtAt is not given', () => {
    // Act
    const record = newTwinRecord(asBuilt(), ID, NOW);
    // Assess
    expect(record).toStrictEqual({
      id: ID,
      serialNumber: 'MSN-1001',
      product: { partNumber: 'A320-214', revision: 'B' },
      lifecycle: 'as-built',
      attributes: {},
      version: 1,
      builtAt: '2026-03-01T12:00:00.000Z',
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
    });
  });

  it('keeps the optional fields of the as-built record', () => {
    // Prepare
    const body = asBuilt({ oem: 'airbus', site: 'TLS', type: 'aircraft', attributes: { seats: 180 } });
    // Act
    const record = newTwinRecord(body, ID, NOW);
    // Assess
    expect(record).toMatchObject({
      oem: 'airbus',
      site: 'TLS',
      type: 'aircraft',
      attributes: { seats: 180 },
    });
  });

  it.each([
    ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z'],
    ['2024-05-01T08:00:00Z', '2024-05-01T08:00:00.000Z'],
    ['2024-04-30T20:30:00-11:30', '2024-05-01T08:00:00.000Z'],
    ['2024-05-01T08:00:00.5Z', '2024-05-01T08:00:00.500Z'],
  ])('normalises builtAt %s to UTC %s', (builtAt, expected) => {
    // Act
    const record = newTwinRecord(asBuilt({ builtAt }), ID, NOW);
    // Assess
    expect(record.builtAt).toBe(expected);
    expect(record.createdAt).toBe(NOW.toISOString());
  });

  it('accepts builtAt up to the clock skew allowance in the future', () => {
    // Prepare
    const builtAt = new Date(NOW.getTime() + CLOCK_SKEW_MS).toISOString();
    // Act
    const record = newTwinRecord(asBuilt({ builtAt }), ID, NOW);
    // Assess
    expect(CLOCK_SKEW_MS).toBe(5 * 60 * 1000);
    expect(record.builtAt).toBe('2026-03-01T12:05:00.000Z');
  });

  it('refuses builtAt further in the future, naming body.builtAt', () => {
    // Prepare
    const builtAt = new Date(NOW.getTime() + CLOCK_SKEW_MS + 1000).toISOString();
    // Act
    const error = thrownBy(() => newTwinRecord(asBuilt({ builtAt }), ID, NOW));
    // Assess
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).status).toBe(400);
    expect((error as BadRequest).errors).toEqual([
      { path: 'body.builtAt', message: 'must not be in the future' },
    ]);
  });

  it('compares builtAt in the future after normalising its offset', () => {
    // Prepare: 12:10 UTC written with an offset, so that a string comparison would pass it
    const builtAt = '2026-03-01T13:10:00+01:00';
    // Act
    const error = thrownBy(() => newTwinRecord(asBuilt({ builtAt }), ID, NOW));
    // Assess
    expect((error as BadRequest).errors?.[0]?.path).toBe('body.builtAt');
  });
});

describe('mergeAttributes', () => {
  it('removes keys patched with null and sets every other value', () => {
    // Prepare
    const current = { operator: 'Example Air', seats: 180, livery: 'blue' };
    // Act
    const merged = mergeAttributes(current, {
      seats: null,
      livery: 'red',
      tags: ['etops', 'cat3'],
      absent: null,
    });
    // Assess
    expect(merged).toStrictEqual({ operator: 'Example Air', livery: 'red', tags: ['etops', 'cat3'] });
  });

  it('replaces a value wholesale rather than merging inside it (one level)', () => {
    // Act
    const merged = mergeAttributes({ limits: { min: 1, max: 5 } }, { limits: { max: 9 } });
    // Assess
    expect(merged).toStrictEqual({ limits: { max: 9 } });
  });

  it('keeps false, 0 and empty strings, which are values and not removals', () => {
    // Act
    const merged = mergeAttributes({ a: 1, b: 2, c: 3 }, { a: false, b: 0, c: '' });
    // Assess
    expect(merged).toStrictEqual({ a: false, b: 0, c: '' });
  });

  it('leaves the current attributes untouched', () => {
    // Prepare
    const current = { seats: 180 };
    // Act
    mergeAttributes(current, { seats: null, operator: 'X' });
    // Assess
    expect(current).toStrictEqual({ seats: 180 });
  });
});

describe('patchTwinRecord', () => {
  const later = new Date('2026-04-01T00:00:00+02:00');

  it('makes a new version, updated now, and changes only what the patch names', () => {
    // Prepare
    const record = storedRecord();
    // Act
    const next = patchTwinRecord(record, { site: 'HAM' }, later);
    // Assess
    expect(next).toStrictEqual({
      ...record,
      site: 'HAM',
      version: 4,
      updatedAt: '2026-03-31T22:00:00.000Z',
    });
  });

  it('clears site and type patched with null', () => {
    // Act
    const next = patchTwinRecord(storedRecord(), { site: null, type: null }, later);
    // Assess
    expect(next).not.toHaveProperty('site');
    expect(next).not.toHaveProperty('type');
    expect(next.version).toBe(4);
  });

  it('sets the type and merges the attributes', () => {
    // Act
    const next = patchTwinRecord(
      storedRecord(),
      { type: 'freighter', attributes: { seats: null, payload: 21 } },
      later,
    );
    // Assess
    expect(next.type).toBe('freighter');
    expect(next.site).toBe('TLS');
    expect(next.attributes).toStrictEqual({ operator: 'Example Air', payload: 21 });
  });

  it('does not change the record it was given', () => {
    // Prepare
    const record = storedRecord();
    const before = structuredClone(record);
    // Act
    patchTwinRecord(record, { site: null, attributes: { operator: null } }, later);
    // Assess
    expect(record).toStrictEqual(before);
  });

  it('refuses a patch that leaves more than 200 attributes, naming body.attributes', () => {
    // Prepare
    const attributes = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`a${index}`, index]));
    // Act
    const error = thrownBy(() =>
      patchTwinRecord(storedRecord({ attributes }), { attributes: { extra: 1 } }, later),
    );
    // Assess
    expect(error).toBeInstanceOf(BadRequest);
    expect((error as BadRequest).errors?.[0]?.path).toBe('body.attributes');
  });
});

describe('expectedVersion', () => {
  it.each([
    ['"3"', 3],
    ['W/"3"', 3],
    ['3', 3],
    [' "12" ', 12],
    ['"0"', 0],
  ])('reads If-Match %j as version %i', (ifMatch, version) => {
    // Act, Assess
    expect(expectedVersion(ifMatch)).toBe(version);
  });

  it('round-trips the ETag a twin response carries', () => {
    // Act, Assess
    expect(expectedVersion(etagOf(42))).toBe(42);
  });

  it.each([undefined, '', '   '])('requires If-Match (428) when it is %j', (ifMatch) => {
    // Act
    const error = thrownBy(() => expectedVersion(ifMatch));
    // Assess
    expect(error).toBeInstanceOf(PreconditionRequired);
    expect((error as AppError).status).toBe(428);
  });

  it.each(['*', 'abc', '"3", "4"', '"-1"', '3.5', '"v3"', 'W/"', '"1234567890123456"'])(
    'refuses If-Match %j (400) naming headers.if-match',
    (ifMatch) => {
      // Act
      const error = thrownBy(() => expectedVersion(ifMatch));
      // Assess
      expect(error).toBeInstanceOf(BadRequest);
      expect((error as BadRequest).status).toBe(400);
      expect((error as BadRequest).errors?.map((field) => field.path)).toEqual(['headers.if-match']);
    },
  );
});

describe('assertVersion', () => {
  it('passes when the versions agree', () => {
    // Act, Assess
    expect(() => assertVersion(storedRecord({ version: 7 }), 7)).not.toThrow();
  });

  it.each([6, 8])('refuses (412) a client that expects version %i of a twin at version 7', (expected) => {
    // Act
    const error = thrownBy(() => assertVersion(storedRecord({ version: 7 }), expected));
    // Assess
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect((error as AppError).status).toBe(412);
    expect((error as AppError).detail).toContain('7');
  });
});

describe('assembleTwin', () => {
  const built = {
    validFrom: '2024-01-01T00:00:00.000Z',
    validTo: null,
    recordedAt: '2024-01-01T00:00:00.000Z',
    seq: 1,
  };
  const positions: PositionRecord[] = [
    { ...built, path: 'engine-1', name: 'Engine 1', order: 0 },
    { ...built, path: 'engine-1/fadec', order: 1 },
  ];
  const first = { partNumber: 'FADEC-3', serialNumber: 'F-1', kind: 'electrical' } as const;
  const second = { partNumber: 'FADEC-3', serialNumber: 'F-2', kind: 'electrical' } as const;
  // F-1 was replaced by F-2 on 2025-01-01, which was recorded only on 2025-02-01
  const installations: InstallationRecord[] = [
    {
      path: 'engine-1/fadec',
      component: first,
      validFrom: '2024-01-01T00:00:00.000Z',
      validTo: '2025-01-01T00:00:00.000Z',
      recordedAt: '2024-01-01T00:00:00.000Z',
      closedAt: '2025-02-01T00:00:00.000Z',
      seq: 1,
      since: '2024-01-01T00:00:00.000Z',
    },
    {
      path: 'engine-1/fadec',
      component: second,
      validFrom: '2025-01-01T00:00:00.000Z',
      validTo: null,
      recordedAt: '2025-02-01T00:00:00.000Z',
      seq: 2,
      since: '2025-01-01T00:00:00.000Z',
    },
  ];
  const history = (record = storedRecord({ lifecycle: 'as-built' })): TwinHistory => ({
    record,
    positions,
    installations,
    changeSets: [],
  });

  it('returns the record with the configuration tree at the requested times', () => {
    // Prepare
    const record = storedRecord({ lifecycle: 'as-built' });
    // Act
    const twin = assembleTwin(history(record), {
      asOf: '2026-01-01T00:00:00.000Z',
      knownAt: '2026-01-01T00:00:00.000Z',
    });
    // Assess
    expect(twin).toStrictEqual({
      ...record,
      configuration: [
        {
          position: 'engine-1',
          path: 'engine-1',
          name: 'Engine 1',
          component: null,
          children: [{ position: 'fadec', path: 'engine-1/fadec', component: second, children: [] }],
        },
      ],
    });
  });

  it('shows the past as it is now known, and as it was known then', () => {
    // Prepare
    const fadecAt = (knownAt: string) =>
      assembleTwin(history(), { asOf: '2025-01-15T00:00:00.000Z', knownAt }).configuration[0]?.children[0]
        ?.component;
    // Act, Assess
    expect(fadecAt('2025-03-01T00:00:00.000Z')).toBe(second);
    expect(fadecAt('2025-01-20T00:00:00.000Z')).toBe(first);
  });

  it('shows the component that was installed at an earlier valid time', () => {
    // Act
    const twin = assembleTwin(history(), {
      asOf: '2024-06-01T00:00:00.000Z',
      knownAt: '2026-01-01T00:00:00.000Z',
    });
    // Assess
    expect(twin.configuration[0]?.children[0]?.component).toBe(first);
  });

  it('leaves out the positions that did not exist yet', () => {
    // Act
    const twin = assembleTwin(history(), {
      asOf: '2023-12-31T00:00:00.000Z',
      knownAt: '2026-01-01T00:00:00.000Z',
    });
    // Assess
    expect(twin.configuration).toEqual([]);
  });
});
