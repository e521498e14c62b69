import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { newTenant } from '../support/tenants';

/** Usage and life through grants: only a view with `usage: true` shows them, each read audited. */
let api: TestApi;
let owner: Caller;
let ownerTenant: string;
let withUsage: { call: Caller; tenant: string };
let withoutUsage: Caller;
const ids: Record<string, string> = {};

const apu = (serialNumber: string) => ({ partNumber: 'APU-131', serialNumber, kind: 'mechanical' });
// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
const ok = async (response: Promise<{ status: number; body: any }>) => {
  const answer = await response;
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body;
};
const change = async (id: string, effectiveAt: string, operations: unknown[]) => {
  const twin = await owner('GET', `/v1/twins/${id}`);
  return ok(
    owner('POST', `/v1/twins/${id}/changes`, {
      body: { reason: 'work order', effectiveAt, operations },
      headers: { 'if-match': twin.headers.get('etag')! },
    }),
  );
};

beforeAll(async () => {
  api = await startApi();
  ownerTenant = newTenant('owner');
  owner = await api.as(ownerTenant, ['admin']);
  await ok(owner('PUT', '/v1/usage-parameters/FH', { body: { unit: 'h' } }));
  await ok(
    owner('PUT', '/v1/parts/APU-131', {
      body: {
        llp: true,
        lifeLimits: [{ parameter: 'FH', limit: 100, effectiveFrom: '2000-01-01T00:00:00Z' }],
      },
    }),
  );
  for (const serial of ['SU-1', 'SU-2'])
    ids[serial] = (
      await ok(
        owner('POST', '/v1/twins', {
          body: {
            serialNumber: serial,
            product: { partNumber: 'A320-214' },
            builtAt: '2024-01-01T00:00:00Z',
            configuration: [{ position: 'apu' }, { position: 'cabin' }],
          },
        }),
      )
    ).id;
  // APU-1 flew 10 h on SU-2 (not shared), then 4 h on SU-1; APU-2 sits in SU-2
  await change(ids['SU-2']!, '2024-02-01T00:00:00Z', [
    { op: 'install', position: 'apu', component: apu('APU-1'), usageAtInstall: { FH: { tsn: 0 } } },
  ]);
  await ok(
    owner('POST', `/v1/twins/${ids['SU-2']}/usage`, {
      body: { records: [{ parameter: 'FH', at: '2024-02-10T10:00:00Z', delta: 10 }] },
    }),
  );
  await change(ids['SU-2']!, '2024-03-01T00:00:00Z', [
    {
      op: 'replace',
      position: 'apu',
      component: apu('APU-2'),
      usageAtInstall: { FH: { tsn: 0 } },
      removal: { reason: 'scheduled', condition: 'serviceable' },
    },
  ]);
  await change(ids['SU-1']!, '2024-03-02T00:00:00Z', [
    { op: 'install', position: 'apu', component: apu('APU-1') },
  ]);
  await ok(
    owner('POST', `/v1/twins/${ids['SU-1']}/usage`, {
      body: { records: [{ parameter: 'FH', at: '2024-03-05T10:00:00Z', delta: 4, ref: 'AC7' }] },
    }),
  );
  const usageView = await ok(owner('POST', '/v1/views', { body: { name: 'usage', usage: true } }));
  const plainView = await ok(owner('POST', '/v1/views', { body: { name: 'plain' } }));
  const grant = (grantee: string, viewId: string) =>
    ok(
      owner('POST', '/v1/grants', {
        body: {
          grantee,
          viewId,
          purpose: 'contractor',
          permissions: ['read'],
          twins: { ids: [ids['SU-1']] },
        },
      }),
    );
  withUsage = { tenant: newTenant('mro'), call: undefined as never };
  await grant(withUsage.tenant, usageView.id);
  withUsage.call = await api.as(withUsage.tenant, ['viewer']);
  const plain = newTenant('lessor');
  await grant(plain, plainView.id);
  withoutUsage = await api.as(plain, ['viewer']);
}, 120_000);
afterAll(() => api.stop());

const shared = (path: string) => `/v1/shared/twins/${ownerTenant}/${ids['SU-1']}${path}`;

describe('usage and life for grantees', () => {
  it('shows a grantee whose view shows usage the unit usage, the LLP sheet and a serial usage and life', async () => {
    // Act
    const unit = await ok(withUsage.call('GET', shared('/usage')));
    const sheet = await ok(withUsage.call('GET', shared('/llp-status')));
    const usage = await ok(withUsage.call('GET', shared('/components/APU-131/APU-1/usage?parameter=FH')));
    const life = await ok(withUsage.call('GET', shared('/components/APU-131/APU-1/life')));
    // Assess: TSN counts the stay in the unshared unit, whose stay is not listed
    expect(unit.parameters.FH).toMatchObject({ total: 4, recent: [{ delta: 4, ref: 'AC7' }] });
    expect(sheet.items).toMatchObject([
      { serialNumber: 'APU-1', path: 'apu', status: 'ok', kind: 'mechanical' },
    ]);
    expect(usage).toMatchObject({
      twinId: ids['SU-1'],
      parameters: { FH: { tsn: 14, tsi: 4, complete: true } },
    });
    expect(usage.parameters.FH.stays).toEqual([
      { twinId: ids['SU-1'], path: 'apu', from: '2024-03-02T00:00:00.000Z', to: null, accrued: 4 },
    ]);
    expect(JSON.stringify(usage)).not.toContain(ids['SU-2']);
    expect(life).toMatchObject({
      status: 'ok',
      limits: [{ parameter: 'FH', accumulated: 14, remaining: 86 }],
    });
    // every read leaves the owner an access event
    const events = await ok(
      owner('GET', `/v1/events?twinId=${ids['SU-1']}&type=twin.accessed&settled=false&limit=100`),
    );
    const actions = events.items
      .filter((event: { grantee: string }) => event.grantee === withUsage.tenant)
      .map((event: { action: string }) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining(['read usage', 'read llp-sheet', 'read component-usage', 'read component-life']),
    );
  });

  it('answers 404 for a serial not installed in the shared unit, even one of the owner', async () => {
    const response = await withUsage.call('GET', shared('/components/APU-131/APU-2/usage'));
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain(ids['SU-2']);
  });

  it('shows a grantee whose view does not show usage no usage or life anywhere', async () => {
    for (const path of [
      '/usage',
      '/llp-status',
      '/components/APU-131/APU-1/usage',
      '/components/APU-131/APU-1/life',
    ])
      expect((await withoutUsage('GET', shared(path))).status, path).toBe(404);
    const workPackage = await ok(withoutUsage('GET', shared('/work-package?position=apu')));
    expect(workPackage.lifeRemaining).toBeUndefined();
    const seen = await ok(withUsage.call('GET', shared('/work-package?position=apu')));
    expect(seen.lifeRemaining).toMatchObject([{ serialNumber: 'APU-1', status: 'ok' }]);
    for (const format of ['json', 'aas']) {
      const exported = JSON.stringify(await ok(withoutUsage('GET', shared(`/export?format=${format}`))));
      expect(exported, format).not.toMatch(/"tsn"|TimeSinceNew|OperatingData|lifeRemaining/);
    }
  });
});
