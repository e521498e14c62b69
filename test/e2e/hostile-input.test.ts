import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTES_BYTES, MAX_OPERATIONS_BYTES } from '../../shared/schemas/common';
import { type Caller, startApi, type TestApi } from '../support/api';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let call: Caller;
let tenant: string;
let directory: string;

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('hostile');
  call = await api.as(tenant, ['admin']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-hostile-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
let serials = 0;
const serial = (prefix: string) => `${prefix}-${++serials}-${Math.random().toString(36).slice(2, 8)}`;

/** A small twin: one serialized component at `a`. */
const smallRecord = (serialNumber: string, overrides: Record<string, unknown> = {}) => ({
  serialNumber,
  product: { partNumber: 'HOSTILE-P' },
  configuration: [
    {
      position: 'a',
      component: { partNumber: 'HOST-C', serialNumber: `${serialNumber}-C`, kind: 'mechanical' },
    },
    { position: 'b' },
  ],
  ...overrides,
});

const created = async (overrides: Record<string, unknown> = {}) => {
  const response = await call('POST', '/v1/twins', { body: smallRecord(serial('OK'), overrides) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
};

const nothingCreated = async (serialNumber: string) =>
  expect(
    (await call('GET', `/v1/twins?serialNumber=${encodeURIComponent(serialNumber)}`)).body.items ?? [],
  ).toEqual([]);

const bigAttributes = (count: number, size: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, 'x'.repeat(size)]));

describe('identifiers outside the alphabet are refused with 400 naming the field, wherever they enter', () => {
  const bad = [
    ['a slash', 'E1/X'],
    ['an encoded slash', 'E1%2FX'],
    ['a dot segment', '..'],
    ['NUL', 'E1\u0000X'],
    ['an RTL override', 'E1\u202EX'],
    ['a lone surrogate', 'E1\uD800X'],
  ] as const;

  it.each(bad)('create: a serial number with %s', async (_label, value) => {
    expectProblem(await call('POST', '/v1/twins', { body: smallRecord(value) }), 400, 'body.serialNumber');
    const component = smallRecord(serial('C'), {
      configuration: [{ position: 'a', component: { partNumber: value, kind: 'mechanical' } }],
    });
    expectProblem(
      await call('POST', '/v1/twins', { body: component }),
      400,
      'body.configuration[0].component.partNumber',
    );
    await nothingCreated(component.serialNumber);
  });

  it('create: a site or revision with control or bidi characters', async () => {
    expectProblem(
      await call('POST', '/v1/twins', { body: smallRecord(serial('S'), { site: 'TLS\u202E' }) }),
      400,
      'body.site',
    );
    expectProblem(
      await call('POST', '/v1/twins', {
        body: smallRecord(serial('S'), { product: { partNumber: 'P', revision: 'B\u0007' } }),
      }),
      400,
      'body.product.revision',
    );
  });

  it('change sets: a component serial number and a work order', async () => {
    const twin = await created();
    const change = (body: unknown) =>
      call('POST', `/v1/twins/${twin.id}/changes`, { body, headers: { 'if-match': '"1"' } });
    expectProblem(
      await change({
        reason: 'install',
        operations: [
          {
            op: 'install',
            position: 'b',
            component: { partNumber: 'X', serialNumber: '../E1', kind: 'mechanical' },
          },
        ],
      }),
      400,
      'body.operations[0].component.serialNumber',
    );
    expectProblem(
      await change({ reason: 'r', workOrder: 'WO\u2066-1', operations: [{ op: 'remove', position: 'a' }] }),
      400,
      'body.workOrder',
    );
    expect((await call('GET', `/v1/twins/${twin.id}`)).body.version).toBe(1);
  });

  it('inspections: an observed serial number and the inspector', async () => {
    const twin = await created();
    const inspect = (body: Record<string, unknown>) =>
      call('POST', `/v1/twins/${twin.id}/inspections`, {
        body: { performedAt: new Date().toISOString(), inspector: 'tech-7', ...body },
      });
    expectProblem(
      await inspect({ observed: [{ path: 'a', serialNumber: 'X%2F..' }] }),
      400,
      'body.observed[0].serialNumber',
    );
    expectProblem(
      await inspect({ inspector: 'tech\u0000', observed: [{ path: 'a' }] }),
      400,
      'body.inspector',
    );
  });

  it('ingest: an observed part number', async () => {
    const twin = await created();
    expectProblem(
      await call('POST', '/v1/ingest', {
        body: {
          mode: 'report',
          observations: [{ twinId: twin.id, path: 'a', component: { partNumber: 'A/B' } }],
        },
      }),
      400,
      'body.observations[0].component.partNumber',
    );
  });

  it('import: a record serial number of an export', async () => {
    const twin = await created();
    const exported = (await call('GET', `/v1/twins/${twin.id}/export`)).body;
    const other = await api.as(newTenant('hostile-copy'), ['admin']);
    const body = { ...exported, record: { ...exported.record, serialNumber: 'SN\u202E1' } };
    expectProblem(await other('POST', '/v1/imports', { body }), 400, 'body.record.serialNumber');
  });

  it("import: the discrepancies of an export's inspection, and a number no schema bounds", async () => {
    const twin = await created();
    const inspected = await call('POST', `/v1/twins/${twin.id}/inspections`, {
      body: {
        performedAt: new Date().toISOString(),
        inspector: 'tech-7',
        observed: [{ path: 'a', serialNumber: 'OTHER' }],
      },
    });
    expect(inspected.status, JSON.stringify(inspected.body)).toBe(201);
    const exported = (await call('GET', `/v1/twins/${twin.id}/export`)).body;
    const [inspection] = exported.inspections;
    const other = await api.as(newTenant('hostile-insp'), ['admin']);
    const [discrepancy] = inspection.discrepancies;
    const hostile = { ...discrepancy, observed: { serialNumber: 'A/B' } };
    expectProblem(
      await other('POST', '/v1/imports', {
        body: { ...exported, inspections: [{ ...inspection, discrepancies: [hostile] }] },
      }),
      400,
      'body.inspections[0].discrepancies[0].observed.serialNumber',
    );
    const extra = JSON.stringify({ ...exported, inspections: [{ ...inspection, extra: 'NUMBER' }] }).replace(
      '"NUMBER"',
      '1e300',
    );
    expectProblem(await other('POST', '/v1/imports', { rawBody: extra, headers: json }), 400, 'body');
    expect((await other('GET', '/v1/twins')).body.items).toEqual([]);
  });

  it("documents' effectivity, links, grants and views", async () => {
    const twin = await created();
    const document = {
      kind: 'service-bulletin',
      title: 'SB',
      contentType: 'text/plain',
      size: 1,
      sha256: 'a'.repeat(64),
    };
    expectProblem(
      await call('POST', '/v1/documents', { body: { ...document, effectivity: { partNumber: 'A/B' } } }),
      400,
      'body.effectivity.partNumber',
    );
    const documentId = (await call('POST', '/v1/documents', { body: document })).body.document.id;
    expectProblem(
      await call('POST', `/v1/twins/${twin.id}/links`, {
        body: { documentId, component: { partNumber: 'HOST-C', serialNumber: '.' } },
      }),
      400,
      'body.component.serialNumber',
    );
    expectProblem(await call('POST', '/v1/views', { body: { name: 'hvac\u202E' } }), 400, 'body.name');
    const viewId = (await call('POST', '/v1/views', { body: { name: 'all' } })).body.id;
    expectProblem(
      await call('POST', '/v1/grants', {
        body: {
          grantee: 'other/../tenant',
          viewId,
          twins: { ids: [twin.id] },
          purpose: 'contractor',
          permissions: ['read'],
        },
      }),
      400,
      'body.grantee',
    );
  });

  it('fleet query parameters and component path parameters', async () => {
    expectProblem(await call('GET', '/v1/fleet/installations?partNumber=A%2FB'), 400, 'query.partNumber');
    expectProblem(await call('GET', '/v1/twins?serialNumber=%E2%80%AESN'), 400, 'query.serialNumber');
    expectProblem(await call('GET', '/v1/components/..%2FE1/S1'), 400, 'path.partNumber');
    expectProblem(await call('GET', '/v1/components/E1/S%00'), 400, 'path.serialNumber');
  });

  it('reads back by path what it accepted in a body, NFC-normalized both ways', async () => {
    const serialNumber = `Kühl ${serial('Ω')}`;
    const decomposed = serialNumber.normalize('NFD');
    const twin = await created({
      configuration: [
        { position: 'a', component: { partNumber: 'HOST-É', serialNumber: decomposed, kind: 'mechanical' } },
      ],
    });
    expect(twin.configuration[0].component.serialNumber).toBe(serialNumber);
    for (const written of [serialNumber, decomposed]) {
      const trace = await call(
        'GET',
        `/v1/components/${encodeURIComponent('HOST-E\u0301')}/${encodeURIComponent(written)}`,
      );
      expect(trace.status, JSON.stringify(trace.body)).toBe(200);
      expect(trace.body.installations).toEqual([expect.objectContaining({ twinId: twin.id, path: 'a' })]);
    }
  });

  it('CSV/JSON-lines importer: refuses the record, naming the field in its error report', async () => {
    const file = join(directory, 'as-built.jsonl');
    const good = smallRecord(serial('CLI'));
    const lines = [
      smallRecord('CLI/BAD'),
      smallRecord(serial('CLI'), { attributes: { constructor: 'x' } }),
      good,
    ].map((record) => JSON.stringify(record));
    lines.push(
      `{"serialNumber":"${serial('CLI')}","product":{"partNumber":"P"},"attributes":{"__proto__":"x"},"configuration":[]}`,
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const token = await api.issuer.token(tenant, ['engineer']);
    const code = await new Promise<number>((resolve) =>
      execFile(
        join('node_modules', '.bin', 'tsx'),
        ['cli/import.ts', '--url', api.url, '--quiet', '--kind', 'as-built', file],
        { env: { ...process.env, TWINTHREAD_TOKEN: token }, timeout: 60_000 },
        (error) => resolve(error ? Number(error.code ?? 1) : 0),
      ),
    );
    expect(code).toBe(0);
    const errors = readFileSync(`${file}.errors.jsonl`, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
    expect(errors.map((error) => error.line)).toEqual([1, 2, 4]);
    expect(errors[0].problem).toContain('serialNumber');
    expect(errors[1].problem).toContain('attributes.constructor');
    expect(errors[2].problem).toContain('attributes.__proto__');
    expect((await call('GET', `/v1/twins?serialNumber=${good.serialNumber}`)).body.items).toHaveLength(1);
  });
});

describe('a body with very many validation issues is a 400 listing the first 100 and the count', () => {
  it('10,000 invalid children, 12 issues each', async () => {
    const children = Array.from({ length: 10_000 }, (_, index) => {
      const child: Record<string, unknown> = { position: `p-${index}` };
      for (let field = 0; field < 12; field++) child[`x${field}`] = field;
      return child;
    });
    const response = await call('POST', '/v1/twins', {
      body: {
        serialNumber: serial('MANY'),
        product: { partNumber: 'P' },
        configuration: [{ position: 'a', children }],
      },
    });
    expectProblem(response, 400, 'body.configuration[0].children[0].x0');
    expect(response.body.errors).toHaveLength(100);
    expect(response.body.errorCount).toBe(120_000);
    expect(response.body.detail.length).toBeLessThanOrEqual(4000);
  });

  it('10,000 children of one name (checked after the schema)', async () => {
    const children = Array.from({ length: 10_000 }, () => ({ position: 'same' }));
    const response = await call('POST', '/v1/twins', {
      body: {
        serialNumber: serial('DUP'),
        product: { partNumber: 'P' },
        configuration: [{ position: 'a', children }],
      },
    });
    expectProblem(response, 400, 'body.configuration[0].children[1].position');
    expect(response.body.errors).toHaveLength(100);
    expect(response.body.errorCount).toBe(9_999);
  });

  it('a huge array of bad operations and a deeply nested body', async () => {
    const twin = await created();
    const operations = Array.from({ length: 50_000 }, () => ({ op: 'nope', x: [1, 2, 3] }));
    const response = await call('POST', `/v1/twins/${twin.id}/changes`, {
      body: { reason: 'r', operations },
      headers: { 'if-match': '"1"' },
    });
    expectProblem(response, 400, 'body.operations');
    const deep = `{"serialNumber":"D","product":{"partNumber":"P"},"attributes":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}},"configuration":[]}`;
    expectProblem(await call('POST', '/v1/twins', { rawBody: deep, headers: json }), 400, 'body');
  });
});

describe('what cannot be stored in one item is a 400 or 413 naming the field', () => {
  it('200 attributes of 4 KB on a twin or on a component', async () => {
    const twinSerial = serial('BIG');
    expectProblem(
      await call('POST', '/v1/twins', {
        body: smallRecord(twinSerial, { attributes: bigAttributes(200, 4096) }),
      }),
      400,
      'body.attributes',
    );
    const component = {
      partNumber: 'X',
      serialNumber: serial('BIGC'),
      kind: 'mechanical',
      attributes: bigAttributes(200, 4096),
    };
    expectProblem(
      await call('POST', '/v1/twins', {
        body: smallRecord(twinSerial, { configuration: [{ position: 'a', component }] }),
      }),
      400,
      'body.configuration[0].component.attributes',
    );
    await nothingCreated(twinSerial);
  });

  it('a PATCH or an update whose merged attributes outgrow the bound', async () => {
    const half = bigAttributes(5, Math.floor(MAX_ATTRIBUTES_BYTES / 8));
    const twin = await created({ attributes: half });
    const more = Object.fromEntries(Object.entries(half).map(([key, value]) => [`more-${key}`, value]));
    expectProblem(
      await call('PATCH', `/v1/twins/${twin.id}`, {
        body: { attributes: more },
        headers: { 'if-match': '"1"' },
      }),
      400,
      'body.attributes',
    );
    expectProblem(
      await call('POST', `/v1/twins/${twin.id}/changes`, {
        body: {
          reason: 'r',
          operations: [
            { op: 'update', position: 'a', attributes: half },
            { op: 'update', position: 'a', attributes: more },
          ],
        },
        headers: { 'if-match': '"1"' },
      }),
      400,
      'body.operations[1].attributes',
    );
    expect((await call('GET', `/v1/twins/${twin.id}`)).body.version).toBe(1);
  });

  it('a change set of many operations with big attributes is 413', async () => {
    const twin = await created();
    const attributes = bigAttributes(7, 4000);
    const operations = Array.from({ length: 25 }, () => ({ op: 'update', position: 'a', attributes }));
    expect(JSON.stringify(operations).length).toBeGreaterThan(MAX_OPERATIONS_BYTES);
    const response = await call('POST', `/v1/twins/${twin.id}/changes`, {
      body: { reason: 'r', operations },
      headers: { 'if-match': '"1"' },
    });
    expectProblem(response, 413, 'body.operations');
    expect((await call('GET', `/v1/twins/${twin.id}`)).body.version).toBe(1);
  });

  it('an inspection whose observations are too large, and a type whose definitions are', async () => {
    const twin = await created();
    const long = ['x', 'y', 'z'].map((letter) => letter.repeat(60)).join('/');
    const observed = Array.from({ length: 1000 }, (_, index) => ({ path: `p${index}/${long}` }));
    const inspection = await call('POST', `/v1/twins/${twin.id}/inspections`, {
      body: { performedAt: new Date().toISOString(), inspector: 'tech-7', observed },
    });
    expectProblem(inspection, 413, 'body.observed');
    const definitions = Object.fromEntries(
      Array.from({ length: 200 }, (_, index) => [
        `a${index}`,
        { type: 'enum', values: Array.from({ length: 100 }, (_, value) => `${value}-${'v'.repeat(100)}`) },
      ]),
    );
    expectProblem(
      await call('PUT', '/v1/types/huge', { body: { kind: 'twin', attributes: definitions } }),
      413,
      'body.attributes',
    );
  });
});

describe('one attribute value schema on every write path', () => {
  it('PATCH and update refuse the nested values create refuses', async () => {
    const twin = await created();
    expectProblem(
      await call('POST', '/v1/twins', {
        body: smallRecord(serial('N'), { attributes: { limits: { min: 1 } } }),
      }),
      400,
      'body.attributes.limits',
    );
    expectProblem(
      await call('PATCH', `/v1/twins/${twin.id}`, {
        body: { attributes: { limits: { min: 1 } } },
        headers: { 'if-match': '"1"' },
      }),
      400,
      'body.attributes.limits',
    );
    expectProblem(
      await call('POST', `/v1/twins/${twin.id}/changes`, {
        body: {
          reason: 'r',
          operations: [{ op: 'update', position: 'a', attributes: { list: [{ a: 1 }] } }],
        },
        headers: { 'if-match': '"1"' },
      }),
      400,
      'body.operations[0].attributes.list',
    );
  });

  it("a twin's own export imports again after every accepted PATCH", async () => {
    const twin = await created();
    const patched = await call('PATCH', `/v1/twins/${twin.id}`, {
      body: { attributes: { tags: ['a', 1, true, null], ratio: 0.1 } },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const exported = (await call('GET', `/v1/twins/${twin.id}/export`)).body;
    const other = await api.as(newTenant('hostile-reimport'), ['admin']);
    const imported = await other('POST', '/v1/imports', { body: exported });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body.twin.attributes).toEqual({ tags: ['a', 1, true, null], ratio: 0.1 });
  });
});

describe('attribute names that reach the prototype are refused on every path', () => {
  const names = ['constructor', 'prototype'];

  it.each(names)('%s: create (twin and component), PATCH, update, import, types and views', async (name) => {
    const twin = await created();
    expectProblem(
      await call('POST', '/v1/twins', { body: smallRecord(serial('P'), { attributes: { [name]: 'x' } }) }),
      400,
      `body.attributes.${name}`,
    );
    const component = {
      partNumber: 'X',
      serialNumber: serial('PC'),
      kind: 'mechanical',
      attributes: { [name]: 1 },
    };
    expectProblem(
      await call('POST', '/v1/twins', {
        body: smallRecord(serial('P'), { configuration: [{ position: 'a', component }] }),
      }),
      400,
      `body.configuration[0].component.attributes.${name}`,
    );
    expectProblem(
      await call('PATCH', `/v1/twins/${twin.id}`, {
        body: { attributes: { [name]: 1 } },
        headers: { 'if-match': '"1"' },
      }),
      400,
      `body.attributes.${name}`,
    );
    expectProblem(
      await call('POST', `/v1/twins/${twin.id}/changes`, {
        body: { reason: 'r', operations: [{ op: 'update', position: 'a', attributes: { [name]: 'x' } }] },
        headers: { 'if-match': '"1"' },
      }),
      400,
      `body.operations[0].attributes.${name}`,
    );
    const exported = (await call('GET', `/v1/twins/${twin.id}/export`)).body;
    const other = await api.as(newTenant('hostile-proto'), ['admin']);
    expectProblem(
      await other('POST', '/v1/imports', {
        body: { ...exported, record: { ...exported.record, attributes: { [name]: 1 } } },
      }),
      400,
      `body.record.attributes.${name}`,
    );
    expectProblem(
      await call('PUT', '/v1/types/engine', {
        body: { kind: 'twin', attributes: { [name]: { type: 'string' } } },
      }),
      400,
      `body.attributes.${name}`,
    );
    expectProblem(
      await call('POST', '/v1/views', { body: { name: 'v', twinAttributes: [name] } }),
      400,
      'body.twinAttributes[0]',
    );
  });

  it('__proto__ anywhere in a body', async () => {
    const twin = await created();
    const raw = `{"serialNumber":"${serial('PR')}","product":{"partNumber":"P"},"attributes":{"__proto__":"x"},"configuration":[]}`;
    expectProblem(
      await call('POST', '/v1/twins', { rawBody: raw, headers: json }),
      400,
      'body.attributes.__proto__',
    );
    expectProblem(
      await call('PATCH', `/v1/twins/${twin.id}`, {
        rawBody: '{"attributes":{"__proto__":{"polluted":1}}}',
        headers: { ...json, 'if-match': '"1"' },
      }),
      400,
      'body.attributes.__proto__',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('numbers are stored exactly or refused', () => {
  const tooBig = [
    ['1e300', '1e300'],
    ['2^53', '9007199254740992'],
    ['-1e20', '-1e20'],
    ['1e-200', '1e-200'],
  ];

  it.each(tooBig)('%s: create, PATCH and update answer 400 naming the field', async (_label, literal) => {
    const twin = await created();
    const record = JSON.stringify(smallRecord(serial('NUM'))).replace(
      '"configuration"',
      `"attributes":{"n":${literal}},"configuration"`,
    );
    expectProblem(
      await call('POST', '/v1/twins', { rawBody: record, headers: json }),
      400,
      'body.attributes.n',
    );
    expectProblem(
      await call('PATCH', `/v1/twins/${twin.id}`, {
        rawBody: `{"attributes":{"n":${literal}}}`,
        headers: { ...json, 'if-match': '"1"' },
      }),
      400,
      'body.attributes.n',
    );
    expectProblem(
      await call('POST', `/v1/twins/${twin.id}/changes`, {
        rawBody: `{"reason":"r","operations":[{"op":"update","position":"a","attributes":{"n":[1,${literal}]}}]}`,
        headers: { ...json, 'if-match': '"1"' },
      }),
      400,
      'body.operations[0].attributes.n[1]',
    );
  });

  it('typed number and integer attributes refuse what cannot be stored', async () => {
    const type = await call('PUT', '/v1/types/gauge', {
      body: { kind: 'twin', attributes: { reading: { type: 'number' }, count: { type: 'integer' } } },
    });
    expect(type.status, JSON.stringify(type.body)).toBeLessThan(300);
    const twin = await created({ type: 'gauge', attributes: { reading: 1.5, count: 3 } });
    expectProblem(
      await call('PATCH', `/v1/twins/${twin.id}`, {
        rawBody: '{"attributes":{"count":9007199254740993}}',
        headers: { ...json, 'if-match': '"1"' },
      }),
      400,
      'body.attributes.count',
    );
  });

  it('stores the numbers it accepts exactly, at both ends of the range', async () => {
    const attributes = {
      max: 9007199254740991,
      min: -9007199254740991,
      tiny: 1e-130,
      sum: 0.30000000000000004,
      small: 1e-7,
    };
    const twin = await created({ attributes });
    expect((await call('GET', `/v1/twins/${twin.id}`)).body.attributes).toEqual(attributes);
  });

  it('is still up after all of that', async () => {
    expect((await api.call('GET', '/health')).status).toBe(200);
  });
});
