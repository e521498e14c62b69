import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { countNodes, wideRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

let api: TestApi;
let call: Caller;

beforeAll(async () => {
  api = await startApi();
  call = await api.as(newTenant('large'), ['engineer']);
});
afterAll(() => api.stop());

it('creates and reads back a twin of 10,000 positions, each with a serialized component', async () => {
  // Act
  const created = await call('POST', '/v1/twins', { body: wideRecord('BIG-1', 10_000) });
  // Assess
  expect(created.status).toBe(201);
  const read = await call('GET', `/v1/twins/${created.body.id}`);
  expect(read.status).toBe(200);
  expect(countNodes(read.body.configuration)).toBe(10_000);
  expect(read.body.configuration[9_999]).toMatchObject({
    path: 'p-9999',
    component: { partNumber: 'SERVO', serialNumber: 'BIG-1-S9999' },
  });
  expect((await call('GET', '/v1/twins?serialNumber=BIG-1')).body.items).toHaveLength(1);
}, 120_000);
