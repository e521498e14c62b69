import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

let api: TestApi;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const expectApiHeaders = (answer: ApiResponse, status: number) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
};

describe('headers of API answers', () => {
  it('are no-store and nosniff on data, on problems, on 401s and on the gateway’s own answers', async () => {
    // Prepare
    const admin = await api.as(newTenant('headers'), ['admin']);
    // Act
    const created = await admin('POST', '/v1/twins', { body: aircraftRecord('HDR-1') });
    const read = await admin('GET', `/v1/twins/${created.body.id}`);
    const invalid = await admin('POST', '/v1/twins', { body: { serialNumber: '' } });
    const anonymous = await api.call('GET', '/v1/twins');
    const missing = await api.call('GET', '/v1/no-such-route');
    const health = await api.call('GET', '/health');
    const spec = await api.call('GET', '/openapi.json');
    // Assess
    expectApiHeaders(created, 201);
    expectApiHeaders(read, 200);
    expectApiHeaders(invalid, 400);
    expectApiHeaders(anonymous, 401);
    expectApiHeaders(missing, 404);
    expectApiHeaders(health, 200);
    expectApiHeaders(spec, 200);
  });

  it('keep the docs viewer’s own caching, with nosniff', async () => {
    const viewer = await api.call('GET', '/docs/swagger-ui.css');
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(viewer.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
