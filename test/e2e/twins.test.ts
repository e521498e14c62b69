import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../shared/routes';
import { type ApiResponse, type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord, countNodes } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let acme: Caller;
const tenant = newTenant('acme');

beforeAll(async () => {
  api = await startApi();
  acme = await api.as(tenant, ['admin']);
});
afterAll(() => api.stop());

describe('public endpoints', () => {
  it('answers /health without a token', async () => {
    const response = await api.call('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('serves an OpenAPI 3.1 document whose paths are exactly the route table', async () => {
    const response = await api.call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const documented = Object.entries(response.body.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    expect(response.body.paths['/v1/twins'].post.requestBody).toBeDefined();
    expect(response.body.components.schemas.Twin).toBeDefined();
  });

  it('answers an unknown route with a 404 problem', async () => {
    expectProblem(await api.call('GET', '/v1/nothing-here'), 404);
  });
});

describe('an aircraft from its as-built record', () => {
  let created: ApiResponse;

  beforeAll(async () => {
    created = await acme('POST', '/v1/twins', { body: aircraftRecord('MSN-0001') });
  });

  it('is created with its whole tree, version 1 and an ETag', async () => {
    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/twins/${created.body.id}`);
    const twin = created.body;
    expect(twin).toMatchObject({
      serialNumber: 'MSN-0001',
      product: { partNumber: 'A320-214', revision: 'B', name: 'Airbus A320' },
      site: 'TLS',
      lifecycle: 'as-built',
      version: 1,
      builtAt: '2024-05-01T08:00:00.000Z',
      attributes: { operator: 'Example Air', seats: 180 },
    });
    expect(twin.configuration.map((node: { path: string }) => node.path)).toEqual([
      'engine-1',
      'engine-2',
      'hvac',
      'cabin',
    ]);
    expect(countNodes(twin.configuration)).toBe(9);
    const fadec = twin.configuration[0].children[0];
    expect(fadec).toMatchObject({
      position: 'fadec',
      path: 'engine-1/fadec',
      name: 'FADEC',
      component: { partNumber: 'FADEC-3', serialNumber: 'MSN-0001-FDC-1', kind: 'electrical', revision: 'C' },
    });
    expect(fadec.children[0]).toEqual({
      position: 'sw',
      path: 'engine-1/fadec/sw',
      component: { partNumber: 'FADEC-SW', kind: 'software', softwareVersion: '5.2.1' },
      children: [],
    });
    expect(twin.configuration[3]).toEqual({
      position: 'cabin',
      path: 'cabin',
      name: 'Cabin',
      component: null,
      children: [],
    });
  });

  it('reads back exactly as created, with its ETag', async () => {
    const response = await acme('GET', `/v1/twins/${created.body.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toEqual(created.body);
  });

  it('refuses a second twin with the same product and serial number (409), and writes nothing', async () => {
    const again = await acme('POST', '/v1/twins', {
      body: aircraftRecord('MSN-0001', { configuration: [{ position: 'nose' }] }),
    });
    expectProblem(again, 409, 'body.serialNumber');
    const listed = await acme('GET', '/v1/twins?serialNumber=MSN-0001');
    expect(listed.body.items).toHaveLength(1);
  });

  it('refuses a component serial that is installed in another twin (409), and writes nothing', async () => {
    const record = aircraftRecord('MSN-0002');
    record.configuration[2] = {
      position: 'hvac',
      children: [
        {
          position: 'controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'MSN-0001-HVC', kind: 'electrical' },
        },
      ],
    };
    const response = await acme('POST', '/v1/twins', { body: record });
    expectProblem(response, 409);
    expect(response.body.detail).toContain('HVAC-CTL-9');
    expect((await acme('GET', '/v1/twins?serialNumber=MSN-0002')).body.items).toEqual([]);
    // The engine serials of MSN-0002 were not reserved by the refused create:
    const retry = await acme('POST', '/v1/twins', { body: aircraftRecord('MSN-0002') });
    expect(retry.status).toBe(201);
  });
});

describe('editing with If-Match', () => {
  let id: string;
  beforeAll(async () => {
    id = (await acme('POST', '/v1/twins', { body: aircraftRecord('MSN-0100') })).body.id;
  });

  it('requires If-Match (428)', async () => {
    expectProblem(await acme('PATCH', `/v1/twins/${id}`, { body: { site: 'HAM' } }), 428);
  });

  it('refuses a stale version (412) and changes nothing', async () => {
    expectProblem(
      await acme('PATCH', `/v1/twins/${id}`, { body: { site: 'HAM' }, headers: { 'if-match': '"7"' } }),
      412,
    );
    expect((await acme('GET', `/v1/twins/${id}`)).body.site).toBe('TLS');
  });

  it('applies site, type and a merge patch of attributes, as a new version', async () => {
    // Prepare: a twin names only a type the tenant defined
    await acme('PUT', '/v1/types/narrow-body', {
      body: { kind: 'twin', attributes: {}, additionalAttributes: true },
    });
    // Act
    const response = await acme('PATCH', `/v1/twins/${id}`, {
      body: { site: 'HAM', type: 'narrow-body', attributes: { seats: 174, operator: null, livery: 'blue' } },
      headers: { 'if-match': '"1"' },
    });
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(response.body).toMatchObject({ site: 'HAM', type: 'narrow-body', version: 2 });
    expect(response.body.attributes).toEqual({ seats: 174, livery: 'blue' });
    expect(countNodes(response.body.configuration)).toBe(9);
    const bySite = async (site: string) =>
      (await acme('GET', `/v1/twins?site=${site}&serialNumber=MSN-0100`)).body.items.map(
        (twin: { id: string }) => twin.id,
      );
    expect(await bySite('HAM')).toEqual([id]);
    expect(await bySite('TLS')).toEqual([]);
  });

  it('lets only one of two writers on the same version win', async () => {
    const current = (await acme('GET', `/v1/twins/${id}`)).headers.get('etag')!;
    const [first, second] = await Promise.all([
      acme('PATCH', `/v1/twins/${id}`, {
        body: { attributes: { writer: 'a' } },
        headers: { 'if-match': current },
      }),
      acme('PATCH', `/v1/twins/${id}`, {
        body: { attributes: { writer: 'b' } },
        headers: { 'if-match': current },
      }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 412]);
  });

  it('clears the site with null', async () => {
    const current = (await acme('GET', `/v1/twins/${id}`)).headers.get('etag')!;
    const response = await acme('PATCH', `/v1/twins/${id}`, {
      body: { site: null },
      headers: { 'if-match': current },
    });
    expect(response.status).toBe(200);
    expect(response.body.site).toBeUndefined();
  });
});

describe('listing', () => {
  const lister = newTenant('lister');
  let call: Caller;
  beforeAll(async () => {
    call = await api.as(lister, ['engineer']);
    for (let index = 0; index < 7; index++) {
      const record = aircraftRecord(`L-${index}`, { site: index % 2 === 0 ? 'EVEN' : 'ODD' });
      if (index === 6) record.product = { partNumber: 'A321-211' };
      expect((await call('POST', '/v1/twins', { body: record })).status).toBe(201);
    }
  });

  it('pages through every twin once, sorted by serial number', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/v1/twins?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((twin: { serialNumber: string }) => twin.serialNumber));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['L-0', 'L-1', 'L-2', 'L-3', 'L-4', 'L-5', 'L-6']);
  });

  it('filters by site, part number, serial number and lifecycle, alone and together', async () => {
    const serials = async (query: string) =>
      (await call('GET', `/v1/twins?${query}`)).body.items.map(
        (twin: { serialNumber: string }) => twin.serialNumber,
      );
    expect(await serials('site=ODD')).toEqual(['L-1', 'L-3', 'L-5']);
    expect(await serials('partNumber=A321-211')).toEqual(['L-6']);
    expect(await serials('site=EVEN&partNumber=A320-214')).toEqual(['L-0', 'L-2', 'L-4']);
    expect(await serials('serialNumber=L-3')).toEqual(['L-3']);
    expect(await serials('lifecycle=as-built&site=ODD&limit=2')).toEqual(['L-1', 'L-3']);
    expect(await serials('lifecycle=in-service')).toEqual([]);
  });

  it('pages filtered results too', async () => {
    const first = await call('GET', '/v1/twins?site=EVEN&limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await call('GET', `/v1/twins?site=EVEN&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((twin: { serialNumber: string }) => twin.serialNumber)).toEqual([
      'L-4',
      'L-6',
    ]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('refuses bad limits and cursors it did not issue, or issued for another query', async () => {
    expectProblem(await call('GET', '/v1/twins?limit=0'), 400, 'query.limit');
    expectProblem(await call('GET', '/v1/twins?limit=101'), 400, 'query.limit');
    expectProblem(await call('GET', '/v1/twins?limit=ten'), 400, 'query.limit');
    expectProblem(await call('GET', '/v1/twins?cursor=not-a-cursor'), 400, 'query.cursor');
    const page = await call('GET', '/v1/twins?limit=1');
    expectProblem(
      await call('GET', `/v1/twins?site=ODD&cursor=${page.body.nextCursor}`),
      400,
      'query.cursor',
    );
    expectProblem(await call('GET', '/v1/twins?lifecycle=flying'), 400, 'query.lifecycle');
    expectProblem(await call('GET', '/v1/twins?colour=red'), 400, 'query.colour');
  });
});
