import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/**
 * Page cursors are sealed (AES-256-GCM) and bound to the tenant and the query: swapped between
 * tenants or between list routes, or edited, they are a 400 naming query.cursor.
 */
let api: TestApi;
let acme: Caller;
let globex: Caller;
let acmeTwinIds: string[];

beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
  acme = await api.as(newTenant('acme'), ['admin']);
  globex = await api.as(newTenant('globex'), ['admin']);
  acmeTwinIds = [];
  for (const [caller, prefix] of [
    [acme, 'CUR-A'],
    [globex, 'CUR-G'],
  ] as const)
    for (const n of [1, 2, 3]) {
      const created = await caller('POST', '/v1/twins', { body: aircraftRecord(`${prefix}-${n}`) });
      expect(created.status).toBe(201);
      if (caller === acme) acmeTwinIds.push(created.body.id);
    }
}, 120_000);
afterAll(() => api.stop());

const cursorOf = async (caller: Caller, path: string) => {
  const response = await caller('GET', path);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.nextCursor).toEqual(expect.any(String));
  return response.body.nextCursor as string;
};

describe('page cursors', () => {
  it('spell out no key, tenant or path, and continue the listing they came from', async () => {
    // Act
    const cursor = await cursorOf(acme, '/v1/twins?limit=1');
    const next = await acme('GET', `/v1/twins?limit=1&cursor=${cursor}`);
    // Assess
    const text = Buffer.from(cursor, 'base64url').toString('latin1');
    // Markers of four bytes and more: random ciphertext holds a given two-byte string by chance (~1 run in 300).
    for (const plain of ['TENANT', '"PK"', '"SK"', 'acme', 'CUR-A']) expect(text).not.toContain(plain);
    expect(next.status).toBe(200);
    expect(next.body.items[0].serialNumber).toBe('CUR-A-2');
  });

  it('are refused (400 query.cursor) when another tenant sends them on the same route', async () => {
    // Prepare
    const cursor = await cursorOf(acme, '/v1/twins?limit=1');
    // Act
    const swapped = await globex('GET', `/v1/twins?limit=1&cursor=${cursor}`);
    // Assess
    expectProblem(swapped, 400, 'query.cursor');
    expect(JSON.stringify(swapped.body)).not.toContain('CUR-A');
  });

  it('are refused when sent to another list route, or with other filters', async () => {
    // Prepare
    const twins = await cursorOf(acme, '/v1/twins?limit=1');
    const events = await cursorOf(acme, '/v1/events?limit=1&settled=false');
    // Act, Assess
    expectProblem(await acme('GET', `/v1/events?limit=1&settled=false&cursor=${twins}`), 400, 'query.cursor');
    expectProblem(await acme('GET', `/v1/twins?limit=1&cursor=${events}`), 400, 'query.cursor');
    expectProblem(await acme('GET', `/v1/installed-base?limit=1&cursor=${twins}`), 400, 'query.cursor');
    expectProblem(await acme('GET', `/v1/twins?limit=1&site=TLS&cursor=${twins}`), 400, 'query.cursor');
  });

  it("are refused when another twin's list is continued with them", async () => {
    // Prepare: a history page of one twin (the as-built record, then a change)
    const [first, second] = acmeTwinIds;
    const changed = await acme('POST', `/v1/twins/${first}/changes`, {
      headers: { 'if-match': '"1"' },
      body: { reason: 'swap', operations: [{ op: 'add-position', position: 'galley' }] },
    });
    expect(changed.status).toBe(200);
    const cursor = await cursorOf(acme, `/v1/twins/${first}/history?limit=1`);
    // Act, Assess
    expect((await acme('GET', `/v1/twins/${first}/history?limit=1&cursor=${cursor}`)).status).toBe(200);
    expectProblem(
      await acme('GET', `/v1/twins/${second}/history?limit=1&cursor=${cursor}`),
      400,
      'query.cursor',
    );
  });

  it('are refused when a single bit of them is edited', async () => {
    // Prepare
    const cursor = await cursorOf(acme, '/v1/twins?limit=1');
    const bytes = Buffer.from(cursor, 'base64url');
    for (const bit of [0, 100, bytes.length * 8 - 1]) {
      const edited = Buffer.from(bytes);
      edited[bit >> 3]! ^= 1 << (bit & 7);
      // Act
      const response = await acme('GET', `/v1/twins?limit=1&cursor=${edited.toString('base64url')}`);
      // Assess
      expectProblem(response, 400, 'query.cursor');
    }
  });

  it("are refused when forged as the plain JSON of another tenant's scope", async () => {
    // Prepare
    const forged = Buffer.from(
      JSON.stringify({ s: '["list","TENANT#other#TWINS",{}]', k: { PK: 'TENANT#other#TWIN#1', SK: 'META' } }),
    ).toString('base64url');
    // Act, Assess
    expectProblem(await acme('GET', `/v1/twins?limit=1&cursor=${forged}`), 400, 'query.cursor');
  });
});
