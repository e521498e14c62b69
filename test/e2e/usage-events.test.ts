import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { newTenant } from '../support/tenants';

/** The change feed of usage and life: usage.recorded per request, life.status-changed on alert and expiry. */
let api: TestApi;
let admin: Caller;
let tenant: string;
let twinId: string;

beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
  tenant = newTenant('events');
  admin = await api.as(tenant, ['admin']);
  await admin('PUT', '/v1/usage-parameters/FC', { body: { unit: 'cycles' } });
  await admin('PUT', '/v1/parts/DISK-7', {
    body: {
      llp: true,
      lifeLimits: [{ parameter: 'FC', limit: 10, effectiveFrom: '2000-01-01T00:00:00Z' }],
      alertAt: { FC: 3 },
    },
  });
  const twin = await admin('POST', '/v1/twins', {
    body: {
      serialNumber: 'EV-1',
      product: { partNumber: 'CFM56-5B4' },
      builtAt: '2024-01-01T00:00:00Z',
      configuration: [
        { position: 'disk', component: { partNumber: 'DISK-7', serialNumber: 'D-1', kind: 'mechanical' } },
      ],
    },
  });
  expect(twin.status, JSON.stringify(twin.body)).toBe(201);
  twinId = twin.body.id;
});
afterAll(() => api.stop());

const fly = async (at: string, delta: number) => {
  const response = await admin('POST', `/v1/twins/${twinId}/usage`, {
    body: { records: [{ parameter: 'FC', at, delta }] },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
};
const feed = async (caller: Caller, type: string) =>
  (await caller('GET', `/v1/events?settled=false&type=${type}&limit=100`)).body.items as Record<
    string,
    unknown
  >[];

describe('usage and life events', () => {
  it('records usage.recorded for every request and life.status-changed once on alert and once on expiry', async () => {
    // Act: 5 (ok), 3 (2 left: alert), 2 (0 left: expired), 1 (still expired)
    await fly('2024-02-01T10:00:00Z', 5);
    await fly('2024-02-02T10:00:00Z', 3);
    await fly('2024-02-03T10:00:00Z', 2);
    await fly('2024-02-04T10:00:00Z', 1);
    // Assess
    const recorded = await feed(admin, 'usage.recorded');
    expect(recorded).toHaveLength(4);
    expect(recorded[0]).toMatchObject({ type: 'usage.recorded', twinId, records: 1, parameters: ['FC'] });
    const changed = await feed(admin, 'life.status-changed');
    expect(changed).toMatchObject([
      { partNumber: 'DISK-7', serialNumber: 'D-1', parameter: 'FC', status: 'alert', remaining: 2, twinId },
      { partNumber: 'DISK-7', serialNumber: 'D-1', parameter: 'FC', status: 'expired', remaining: 0, twinId },
    ]);
  });

  it('shows usage and life events only to roles whose view shows usage', async () => {
    // Prepare
    const view = await admin('POST', '/v1/views', { body: { name: 'no usage' } });
    await admin('PUT', '/v1/role-views/viewer', { body: { viewId: view.body.id } });
    const viewer = await api.as(tenant, ['viewer']);
    // Act and assess
    for (const type of ['usage.recorded', 'life.status-changed', 'part.defined'])
      expect(await feed(viewer, type), type).toEqual([]);
    const shown = await admin('POST', '/v1/views', { body: { name: 'usage', usage: true } });
    await admin('PUT', '/v1/role-views/viewer', { body: { viewId: shown.body.id } });
    expect(await feed(await api.as(tenant, ['viewer']), 'life.status-changed')).toHaveLength(2);
  });
});
