import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateTwinBody } from '../../shared/schemas/twin';
import { dynamodbCalls } from '../../shared/store/clients';
import { fleetInstallationsPage } from '../../shared/store/fleet-store';
import { type Caller, startApi, type TestApi } from '../support/api';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let tenant: string;
let engineer: Caller;
let viewer: Caller;
let outsider: Caller;
const ids: Record<string, string> = {};

const RANGE = '>=2.0.0 <2.4.0';
const REPLACED_AT = '2026-03-01T00:00:00Z';

/** An aircraft with two engines, each with FADEC hardware (revision) and FADEC software (version). */
function unit(
  serialNumber: string,
  options: {
    site?: string;
    product: string;
    versions: [string, string];
    fadecRevision?: string;
    swRevision?: string;
  },
): CreateTwinBody {
  const engine = (side: 1 | 2) => ({
    position: `engine-${side}`,
    children: [
      {
        position: 'fadec',
        component: {
          partNumber: 'FADEC-3',
          serialNumber: `${serialNumber}-FDC-${side}`,
          kind: 'electrical' as const,
          revision: side === 1 ? (options.fadecRevision ?? 'C') : 'C',
        },
        children: [
          {
            position: 'sw',
            component: {
              partNumber: 'FADEC-SW',
              kind: 'software' as const,
              softwareVersion: options.versions[side - 1],
              ...(options.swRevision ? { revision: options.swRevision } : {}),
            },
          },
        ],
      },
    ],
  });
  return {
    serialNumber,
    product: { partNumber: options.product },
    ...(options.site ? { site: options.site } : {}),
    builtAt: '2024-01-01T00:00:00Z',
    configuration: [engine(1), engine(2)],
  };
}

const FLEET: Record<string, Parameters<typeof unit>[1]> = {
  U1: { site: 'TLS', product: 'A320', versions: ['2.0.0', '2.3.9'], swRevision: 'A' },
  U2: { site: 'TLS', product: 'A320', versions: ['2.4.0', '2.4.0-rc.1'], fadecRevision: 'D' },
  U3: { site: 'HAM', product: 'A321', versions: ['2.1.0+build.7', '1.9.9'] },
  U4: { site: 'HAM', product: 'A320', versions: ['2.3.0-beta.1', '2.2.2'], fadecRevision: 'D' },
  U5: { product: 'A321', versions: ['3.0.0', '2.0.1'] },
  U6: { site: 'TLS', product: 'A321', versions: ['2.3.1', '2.3.2'] },
};

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('fleet');
  engineer = await api.as(tenant, ['engineer']);
  viewer = await api.as(tenant, ['viewer']);
  outsider = await api.as(newTenant('outsider'), ['admin']);
  for (const [serial, options] of Object.entries(FLEET)) {
    const created = await engineer('POST', '/v1/twins', { body: unit(serial, options) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ids[serial] = created.body.id;
  }
  // U6's engine-1 software is replaced by the fix version on 1 March 2026
  const replaced = await engineer('POST', `/v1/twins/${ids.U6}/changes`, {
    headers: { 'if-match': '"1"' },
    body: {
      reason: 'OTA 2.4.0',
      effectiveAt: REPLACED_AT,
      operations: [
        {
          op: 'replace',
          position: 'engine-1/fadec/sw',
          component: { partNumber: 'FADEC-SW', kind: 'software', softwareVersion: '2.4.0' },
        },
      ],
    },
  });
  expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
});
afterAll(() => api.stop());

const sw = (serial: string, side: 1 | 2) => `${ids[serial]}|engine-${side}/fadec/sw`;
type Entry = { twinId: string; path: string; serialNumber?: string; component: { softwareVersion?: string } };
const entryKey = (entry: Entry) => `${entry.twinId}|${entry.path}`;

const impact = (body: unknown, query = '', caller = viewer) =>
  caller('POST', `/v1/fleet/impact${query}`, { body });

/** Every page of an impact answer, following nextCursor. */
async function allImpactPages(body: unknown, limit: number) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const response = await impact(body, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    pages.push(response.body);
    cursor = response.body.nextCursor;
  } while (cursor);
  return pages;
}

/** Every installation of a GET listing, following nextCursor. */
async function allInstallations(query: string, limit = 2, caller = viewer) {
  const items: Entry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const response = await caller(
      'GET',
      `/v1/fleet/installations?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return items;
}

describe('OTA impact: which units carry FADEC software >=2.0.0 <2.4.0', () => {
  it('counts exactly, excluding pre-releases of the bounds and honouring build metadata', async () => {
    // Act
    const response = await impact({ partNumber: 'FADEC-SW', softwareVersion: RANGE }, '?limit=100');
    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const { body } = response;
    expect(body.total).toBe(6);
    expect(new Set(body.affected.map((entry: Entry) => entry.twinId)).size).toBe(5);
    expect(body.affected.map(entryKey).sort()).toEqual(
      [sw('U1', 1), sw('U1', 2), sw('U3', 1), sw('U4', 2), sw('U5', 2), sw('U6', 2)].sort(),
    );
    expect(body.bySite).toEqual({ TLS: 3, HAM: 2, '(no site)': 1 });
    expect(body.byProduct).toEqual({ A320: 3, A321: 3 });
    const u3 = body.affected.find((entry: Entry) => entry.twinId === ids.U3);
    expect(u3).toMatchObject({ serialNumber: 'U3', component: { softwareVersion: '2.1.0+build.7' } });
    expect(body.nextCursor).toBeUndefined();
  });

  it('pages with cursors that cover each installation exactly once, with the whole-answer counts on every page', async () => {
    // Act
    const pages = await allImpactPages({ partNumber: 'FADEC-SW', softwareVersion: RANGE }, 2);
    // Assess
    expect(pages).toHaveLength(3);
    const keys = pages.flatMap((page) => page.affected.map(entryKey));
    expect(new Set(keys).size).toBe(6);
    expect(keys).toHaveLength(6);
    for (const page of pages) {
      expect(page.total).toBe(6);
      expect(page.bySite).toEqual({ TLS: 3, HAM: 2, '(no site)': 1 });
    }
    const versions = pages.flatMap((page) =>
      page.affected.map((entry: Entry) => entry.component.softwareVersion),
    );
    expect(versions).toEqual(['2.0.0', '2.0.1', '2.1.0+build.7', '2.2.2', '2.3.2', '2.3.9']);
  });

  it('answers as of a time before the replacement with the old configuration', async () => {
    // Act
    const before = await impact({
      partNumber: 'FADEC-SW',
      softwareVersion: RANGE,
      asOf: '2026-02-01T00:00:00Z',
    });
    const beforeBuilt = await impact({ partNumber: 'FADEC-SW', asOf: '2023-01-01T00:00:00+02:00' });
    const fixed = await impact({ partNumber: 'FADEC-SW', softwareVersion: '2.4.0' });
    // Assess
    expect(before.body.total).toBe(7);
    expect(before.body.affected.map(entryKey)).toContain(sw('U6', 1));
    expect(before.body.affected.find((entry: Entry) => entryKey(entry) === sw('U6', 1)).validTo).toBe(
      '2026-03-01T00:00:00.000Z',
    );
    expect(beforeBuilt.body.total).toBe(0);
    expect(fixed.body.affected.map(entryKey).sort()).toEqual([sw('U2', 1), sw('U6', 1)].sort());
  });

  it('handles a union of ranges and a range of pre-releases', async () => {
    // Act
    const union = await impact({ partNumber: 'FADEC-SW', softwareVersion: '<2.0.0 || >=3.0.0' });
    const candidates = await impact({ partNumber: 'FADEC-SW', softwareVersion: '>=2.4.0-rc.1 <2.4.0' });
    // Assess
    expect(union.body.affected.map(entryKey).sort()).toEqual([sw('U3', 2), sw('U5', 1)].sort());
    expect(candidates.body.affected.map(entryKey)).toEqual([sw('U2', 2)]);
  });

  it('filters by revision, for hardware and for software that carries one', async () => {
    // Act
    const hardware = await impact({ partNumber: 'FADEC-3', revision: 'D' });
    const software = await impact({ partNumber: 'FADEC-SW', softwareVersion: RANGE, revision: 'A' });
    // Assess
    expect(hardware.body.total).toBe(2);
    expect(hardware.body.affected.map((entry: Entry) => entry.serialNumber).sort()).toEqual(['U2', 'U4']);
    expect(software.body.affected.map(entryKey).sort()).toEqual([sw('U1', 1), sw('U1', 2)].sort());
  });

  it('answers a part number no unit carries with an empty result, not an error', async () => {
    const response = await impact({ partNumber: 'NO-SUCH-PART', softwareVersion: RANGE });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ total: 0, affected: [], bySite: {}, byProduct: {} });
  });
});

describe('GET /v1/fleet/installations', () => {
  it('lists the same installations as the impact, page by page, each once', async () => {
    // Act
    const items = await allInstallations(`partNumber=FADEC-SW&softwareVersion=${encodeURIComponent(RANGE)}`);
    // Assess
    expect(items.map(entryKey).sort()).toEqual(
      [sw('U1', 1), sw('U1', 2), sw('U3', 1), sw('U4', 2), sw('U5', 2), sw('U6', 2)].sort(),
    );
    expect(items[0]).toMatchObject({ path: 'engine-1/fadec/sw', component: { partNumber: 'FADEC-SW' } });
  });

  it('pages a union of ranges and the history partition of an asOf question, each installation once', async () => {
    const union = await allInstallations(
      `partNumber=FADEC-SW&softwareVersion=${encodeURIComponent('<2.0.0 || >=3.0.0')}`,
      1,
    );
    expect(union.map(entryKey).sort()).toEqual([sw('U3', 2), sw('U5', 1)].sort());
    const past = await allInstallations(`partNumber=FADEC-SW&asOf=2026-02-01T00:00:00Z`, 3);
    expect(past).toHaveLength(12);
    expect(new Set(past.map(entryKey)).size).toBe(12);
    expect(past.find((entry) => entryKey(entry) === sw('U6', 1))?.component.softwareVersion).toBe('2.3.1');
    const now = await allInstallations('partNumber=FADEC-SW', 5);
    expect(now.find((entry) => entryKey(entry) === sw('U6', 1))?.component.softwareVersion).toBe('2.4.0');
  });

  it('reads one key range with exactly one DynamoDB call per page', async () => {
    const before = dynamodbCalls.count;
    const page = await fleetInstallationsPage(
      tenant,
      { partNumber: 'FADEC-SW', softwareVersion: RANGE },
      { limit: 3 },
    );
    expect(dynamodbCalls.count - before).toBe(1);
    const next = dynamodbCalls.count;
    await fleetInstallationsPage(
      tenant,
      { partNumber: 'FADEC-SW', softwareVersion: RANGE },
      {
        limit: 3,
        cursor: page.nextCursor!,
      },
    );
    expect(dynamodbCalls.count - next).toBe(1);
  });
});

describe('bad input', () => {
  it('refuses a range that is no semver range, naming the field', async () => {
    expectProblem(
      await impact({ partNumber: 'FADEC-SW', softwareVersion: '>>>=banana' }),
      400,
      'body.softwareVersion',
    );
    expectProblem(
      await viewer(
        'GET',
        `/v1/fleet/installations?partNumber=FADEC-SW&softwareVersion=${encodeURIComponent('>>>=banana')}`,
      ),
      400,
      'query.softwareVersion',
    );
  });

  it('refuses limits out of range, unknown fields, a missing part number and cursors it did not issue', async () => {
    expectProblem(
      await viewer('GET', '/v1/fleet/installations?partNumber=FADEC-SW&limit=0'),
      400,
      'query.limit',
    );
    expectProblem(
      await viewer('GET', '/v1/fleet/installations?partNumber=FADEC-SW&limit=101'),
      400,
      'query.limit',
    );
    expectProblem(await impact({ partNumber: 'FADEC-SW' }, '?limit=101'), 400, 'query.limit');
    expectProblem(await viewer('GET', '/v1/fleet/installations'), 400, 'query.partNumber');
    expectProblem(await impact({ partNumber: 'FADEC-SW', site: 'TLS' }), 400, 'body.site');
    expectProblem(await impact({ partNumber: 'FADEC-SW', asOf: 'yesterday' }), 400, 'body.asOf');
    expectProblem(await impact({ partNumber: 'FADEC-SW' }, '?cursor=bm90LWEtY3Vyc29y'), 400, 'query.cursor');
    const page = await viewer('GET', '/v1/fleet/installations?partNumber=FADEC-SW&limit=1');
    // a cursor of one question does not steer another
    expectProblem(
      await viewer(
        'GET',
        `/v1/fleet/installations?partNumber=FADEC-3&limit=1&cursor=${page.body.nextCursor}`,
      ),
      400,
      'query.cursor',
    );
  });
});

describe('isolation', () => {
  it('shows another tenant none of these units, and refuses this tenant cursors', async () => {
    // Act
    const response = await impact({ partNumber: 'FADEC-SW', softwareVersion: RANGE }, '', outsider);
    const listed = await outsider('GET', '/v1/fleet/installations?partNumber=FADEC-SW');
    const page = await viewer('GET', '/v1/fleet/installations?partNumber=FADEC-SW&limit=1');
    const stolen = await outsider(
      'GET',
      `/v1/fleet/installations?partNumber=FADEC-SW&limit=1&cursor=${page.body.nextCursor}`,
    );
    // Assess
    expect(response.body).toMatchObject({ total: 0, affected: [], bySite: {}, byProduct: {} });
    expect(listed.body).toEqual({ items: [] });
    expectProblem(stolen, 400, 'query.cursor');
    const seen = JSON.stringify([response.body, listed.body, stolen.body]);
    for (const [serial, id] of Object.entries(ids)) {
      expect(seen).not.toContain(id);
      expect(seen).not.toContain(`${serial}-FDC`);
    }
  });
});
