import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, succeeded as must, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/** A grantee sees a grant only once it is in force, and may decline one it does not want. */
let api: TestApi;
let owner: string;
let ownerAdmin: Caller;
let viewId: string;
let twinId: string;

beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
  owner = newTenant('owner');
  ownerAdmin = await api.as(owner, ['admin']);
  viewId = (await must(ownerAdmin('POST', '/v1/views', { body: { name: 'Call +1 555 0100 now' } }))).id;
  twinId = (await must(ownerAdmin('POST', '/v1/twins', { body: aircraftRecord('GD-1') }))).id;
}, 120_000);
afterAll(() => api.stop());

const grantTo = (grantee: string, terms: object = {}) =>
  must(
    ownerAdmin('POST', '/v1/grants', {
      body: { grantee, viewId, twins: { ids: [twinId] }, purpose: 'other', permissions: ['read'], ...terms },
    }),
  );
const grantEvents = async (caller: Caller, grantId: string) =>
  (await must(caller('GET', '/v1/events?settled=false&limit=100'))).items.filter(
    (event: { grantId?: string }) => event.grantId === grantId,
  );

describe('grants received', () => {
  it('are not seen before they are in force: neither listed nor in the feed, nor declinable', async () => {
    // Prepare
    const grantee = newTenant('grantee');
    const admin = await api.as(grantee, ['admin']);
    const grant = await grantTo(grantee, { validFrom: new Date(Date.now() + 86_400_000).toISOString() });
    // Act
    const listed = await must(admin('GET', '/v1/shared/grants'));
    const events = await grantEvents(admin, grant.id);
    const declined = await admin('POST', `/v1/shared/grants/${grant.id}/decline`);
    // Assess
    expect(listed.items).toEqual([]);
    expect(events).toEqual([]);
    expectProblem(declined, 404);
    expect((await grantEvents(ownerAdmin, grant.id)).map((event: { type: string }) => event.type)).toEqual([
      'grant.created',
    ]);
  });

  it('can be declined by the grantee admin: no access, gone from its lists, the owner sees it declined', async () => {
    // Prepare
    const grantee = newTenant('grantee');
    const admin = await api.as(grantee, ['admin']);
    const technician = await api.as(grantee, ['technician']);
    const grant = await grantTo(grantee);
    expect(
      (await must(admin('GET', '/v1/shared/grants'))).items.map((item: { id: string }) => item.id),
    ).toEqual([grant.id]);
    expect((await admin('GET', `/v1/shared/twins/${owner}/${twinId}`)).status).toBe(200);
    // Act
    const refused = await technician('POST', `/v1/shared/grants/${grant.id}/decline`);
    const declined = await admin('POST', `/v1/shared/grants/${grant.id}/decline`);
    const again = await admin('POST', `/v1/shared/grants/${grant.id}/decline`);
    // Assess
    expectProblem(refused, 403);
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body).toEqual({ id: grant.id, owner, declinedAt: expect.any(String) });
    expectProblem(again, 404);
    expect((await must(admin('GET', '/v1/shared/grants'))).items).toEqual([]);
    expect((await must(admin('GET', '/v1/shared/twins'))).items).toEqual([]);
    expectProblem(await admin('GET', `/v1/shared/twins/${owner}/${twinId}`), 404);
    const seen = await must(ownerAdmin('GET', `/v1/grants/${grant.id}`));
    expect(seen).toMatchObject({
      active: false,
      declinedAt: declined.body.declinedAt,
      declinedBy: { tenant: grantee },
    });
    for (const caller of [admin, ownerAdmin])
      expect((await grantEvents(caller, grant.id)).map((event: { type: string }) => event.type)).toEqual([
        'grant.created',
        'grant.declined',
      ]);
  });

  it('cannot be declined by anyone but their grantee', async () => {
    // Prepare
    const grant = await grantTo(newTenant('grantee'));
    const stranger = await api.as(newTenant('stranger'), ['admin']);
    // Act, Assess
    expectProblem(await stranger('POST', `/v1/shared/grants/${grant.id}/decline`), 404);
    expectProblem(await ownerAdmin('POST', `/v1/shared/grants/${grant.id}/decline`), 404);
    expect((await must(ownerAdmin('GET', `/v1/grants/${grant.id}`))).active).toBe(true);
  });
});
