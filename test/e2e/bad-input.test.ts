import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord, wideRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let call: Caller;
const tenant = newTenant('bad');

beforeAll(async () => {
  api = await startApi();
  call = await api.as(tenant, ['admin']);
});
afterAll(() => api.stop());

const create = (body: unknown) => call('POST', '/v1/twins', { body });

/** Nests `depth` positions, each the only child of the one before. */
const chain = (depth: number) => {
  const root: { position: string; children?: unknown[] } = { position: 'l-1' };
  let node = root;
  for (let level = 2; level <= depth; level++) {
    const child = { position: `l-${level}` };
    node.children = [child];
    node = child;
  }
  return [root];
};

describe('bad as-built records get a 400 naming the field, and write nothing', () => {
  const cases: [string, (record: ReturnType<typeof aircraftRecord>) => unknown, string][] = [
    [
      'a position that is not a slug',
      (r) => ({ ...r, configuration: [{ position: 'Engine 1' }] }),
      'body.configuration[0].position',
    ],
    [
      'an unknown component kind',
      (r) => ({
        ...r,
        configuration: [{ position: 'x', component: { partNumber: 'P', kind: 'hydraulic' } }],
      }),
      'body.configuration[0].component.kind',
    ],
    [
      'duplicate sibling positions',
      (r) => ({ ...r, configuration: [{ position: 'a' }, { position: 'a' }] }),
      'body.configuration[1].position',
    ],
    [
      'a serial given twice',
      (r) => ({
        ...r,
        configuration: [
          { position: 'a', component: { partNumber: 'P', serialNumber: 'S', kind: 'mechanical' } },
          { position: 'b', component: { partNumber: 'P', serialNumber: 'S', kind: 'mechanical' } },
        ],
      }),
      'body.configuration[1].component',
    ],
    [
      'a tree deeper than 32 levels',
      (r) => ({ ...r, configuration: chain(33) }),
      `body.configuration[0]${'.children[0]'.repeat(32)}`,
    ],
    ['a missing serial number', ({ serialNumber: _, ...r }) => r, 'body.serialNumber'],
    ['a serial number of the wrong type', (r) => ({ ...r, serialNumber: 42 }), 'body.serialNumber'],
    ['a serial number with "#"', (r) => ({ ...r, serialNumber: 'A#1' }), 'body.serialNumber'],
    ['an overlong serial number', (r) => ({ ...r, serialNumber: 'x'.repeat(129) }), 'body.serialNumber'],
    ['a bad builtAt', (r) => ({ ...r, builtAt: '2024-13-45' }), 'body.builtAt'],
    ['a builtAt in the future', (r) => ({ ...r, builtAt: '2099-01-01T00:00:00Z' }), 'body.builtAt'],
    [
      'a tenant field (the tenant comes from the token only)',
      (r) => ({ ...r, tenant: 'someone-else' }),
      'body.tenant',
    ],
    [
      'a component twinId that is no id',
      (r) => ({
        ...r,
        configuration: [
          { position: 'e', component: { partNumber: 'E', kind: 'mechanical', twinId: 'nope' } },
        ],
      }),
      'body.configuration[0].component.twinId',
    ],
  ];

  it.each(cases)('refuses %s', async (_label, mutate, field) => {
    const serialNumber = `BAD-${Math.random().toString(36).slice(2)}`;
    const response = await create(mutate(aircraftRecord(serialNumber)));
    expectProblem(response, 400, field);
    expect((await call('GET', `/v1/twins?serialNumber=${serialNumber}`)).body.items).toEqual([]);
  });

  it('refuses more than 10,000 positions', async () => {
    const response = await create(wideRecord('TOO-WIDE', 10_001, false));
    expectProblem(response, 400);
    expect(response.body.errors[0].path).toMatch(/^body\.configuration/);
  });

  it('refuses a component twinId that names no twin of the tenant', async () => {
    const record = aircraftRecord('REF-1', {
      configuration: [
        {
          position: 'e',
          component: { partNumber: 'E', kind: 'mechanical', twinId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
        },
      ],
    });
    expectProblem(await create(record), 400);
    expect((await call('GET', '/v1/twins?serialNumber=REF-1')).body.items).toEqual([]);
  });
});

describe('malformed requests get a 4xx problem, never a 500', () => {
  it('malformed JSON → 400', async () => {
    expectProblem(
      await call('POST', '/v1/twins', {
        rawBody: '{"serialNumber": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'body',
    );
  });

  it('no body → 400', async () => {
    expectProblem(
      await call('POST', '/v1/twins', { headers: { 'content-type': 'application/json' } }),
      400,
      'body',
    );
  });

  it('a JSON array or string instead of an object → 400', async () => {
    expectProblem(await create([1, 2]), 400, 'body');
    expectProblem(await create('twin'), 400, 'body');
  });

  it('not JSON → 415', async () => {
    expectProblem(
      await call('POST', '/v1/twins', { rawBody: 'serial=1', headers: { 'content-type': 'text/plain' } }),
      415,
    );
  });

  it('JSON nested beyond reason → 400', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expectProblem(
      await call('POST', '/v1/twins', { rawBody: deep, headers: { 'content-type': 'application/json' } }),
      400,
      'body',
    );
  });

  it('a body over 6 MB → 413', async () => {
    const huge = JSON.stringify({
      ...aircraftRecord('HUGE'),
      attributes: { blob: 'x'.repeat(6 * 1024 * 1024) },
    });
    expectProblem(
      await call('POST', '/v1/twins', { rawBody: huge, headers: { 'content-type': 'application/json' } }),
      413,
    );
  });

  it('a twin id that is not a ULID → 400', async () => {
    expectProblem(await call('GET', '/v1/twins/not-an-id'), 400, 'path.id');
    expectProblem(await call('GET', '/v1/twins/..%2F..%2Fetc'), 400, 'path.id');
  });

  it('an unknown twin → 404', async () => {
    expectProblem(await call('GET', '/v1/twins/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404);
  });

  it('a bad If-Match → 400, a bad PATCH body → 400', async () => {
    const id = (await create(aircraftRecord('PATCH-BAD'))).body.id;
    expectProblem(
      await call('PATCH', `/v1/twins/${id}`, { body: { site: 'X' }, headers: { 'if-match': 'banana' } }),
      400,
      'headers.if-match',
    );
    expectProblem(
      await call('PATCH', `/v1/twins/${id}`, { body: {}, headers: { 'if-match': '"1"' } }),
      400,
      'body',
    );
    expectProblem(
      await call('PATCH', `/v1/twins/${id}`, {
        body: { lifecycle: 'retired' },
        headers: { 'if-match': '"1"' },
      }),
      400,
      'body.lifecycle',
    );
    expectProblem(
      await call('PATCH', `/v1/twins/${id}`, { body: { site: 7 }, headers: { 'if-match': '"1"' } }),
      400,
      'body.site',
    );
    expect((await call('GET', `/v1/twins/${id}`)).body.version).toBe(1);
  });

  it('is still up after all of that', async () => {
    expect((await api.call('GET', '/health')).status).toBe(200);
  });
});
