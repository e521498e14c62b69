import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let owner: string;
let admin: Caller;

beforeAll(async () => {
  api = await startApi();
  owner = newTenant('owner');
  admin = await api.as(owner, ['admin']);
});
afterAll(() => api.stop());

const EDITED_AT = '2026-01-01T00:00:00.000Z';

/** A twin built at TLS, moved to HAM on 1 January 2026 by an edit recorded now. */
async function editedTwin(serial: string) {
  const created = await admin('POST', '/v1/twins', { body: aircraftRecord(serial) });
  expect(created.status).toBe(201);
  const edited = await admin('PATCH', `/v1/twins/${created.body.id}`, {
    body: {
      site: 'HAM',
      attributes: { operator: null, livery: 'blue' },
      reason: 'ferried to Hamburg',
      workOrder: 'WO-77',
      effectiveAt: EDITED_AT,
    },
    headers: { 'if-match': '"1"' },
  });
  expect(edited.status, JSON.stringify(edited.body)).toBe(200);
  return { id: created.body.id as string, createdAt: created.body.createdAt as string, edited: edited.body };
}

const SITE_CHANGE = { from: 'TLS', to: 'HAM' };

describe('an edit of the twin (PATCH)', () => {
  it('is in the history with who, when and old → new, and in the change feed', async () => {
    // Prepare, Act
    const { id } = await editedTwin('EDIT-1');
    const history = await admin('GET', `/v1/twins/${id}/history`);
    const events = await admin('GET', `/v1/events?twinId=${id}&type=change-set.recorded&settled=false`);
    // Assess
    expect(history.body.items.map((item: { seq: number }) => item.seq)).toEqual([2, 1]);
    const entry = history.body.items[0];
    expect(entry).toMatchObject({
      reason: 'ferried to Hamburg',
      workOrder: 'WO-77',
      effectiveAt: EDITED_AT,
      actor: { sub: expect.any(String), tenant: owner },
    });
    expect(entry.operations).toEqual([
      {
        op: 'set-twin',
        site: SITE_CHANGE,
        attributes: { operator: { from: 'Example Air', to: null }, livery: { from: null, to: 'blue' } },
      },
    ]);
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({
      changeSetId: entry.id,
      seq: 2,
      operations: entry.operations,
    });
  });

  it('travels in time: asOf shows the fields then, knownAt what was known then', async () => {
    // Prepare
    const { id, createdAt } = await editedTwin('EDIT-2');
    const at = async (query: string) => (await admin('GET', `/v1/twins/${id}?${query}`)).body;
    // Act
    const before = await at('asOf=2025-06-01T00:00:00Z');
    const after = await at('asOf=2026-02-01T00:00:00Z');
    const knownBefore = await at(`asOf=2026-02-01T00:00:00Z&knownAt=${encodeURIComponent(createdAt)}`);
    // Assess
    expect(before).toMatchObject({ site: 'TLS', attributes: { operator: 'Example Air', seats: 180 } });
    expect(after).toMatchObject({ site: 'HAM', attributes: { seats: 180, livery: 'blue' } });
    expect(after.attributes.operator).toBeUndefined();
    expect(knownBefore).toMatchObject({ site: 'TLS', attributes: { operator: 'Example Air', seats: 180 } });
    expect(before.version).toBe(2);
  });

  it('has a default reason and effective time, and refuses a back-dated edit before the last one (409)', async () => {
    // Prepare
    const { id } = await editedTwin('EDIT-3');
    // Act
    const plain = await admin('PATCH', `/v1/twins/${id}`, {
      body: { attributes: { seats: 174 } },
      headers: { 'if-match': '"2"' },
    });
    const early = await admin('PATCH', `/v1/twins/${id}`, {
      body: { site: 'CDG', effectiveAt: '2025-12-01T00:00:00Z' },
      headers: { 'if-match': '"3"' },
    });
    const unbuilt = await admin('PATCH', `/v1/twins/${id}`, {
      body: { site: 'CDG', effectiveAt: '2020-01-01T00:00:00Z' },
      headers: { 'if-match': '"3"' },
    });
    const reasonOnly = await admin('PATCH', `/v1/twins/${id}`, {
      body: { reason: 'nothing' },
      headers: { 'if-match': '"3"' },
    });
    // Assess
    expect(plain.status).toBe(200);
    const history = await admin('GET', `/v1/twins/${id}/history?limit=1`);
    expect(history.body.items[0]).toMatchObject({
      seq: 3,
      reason: "edit of the twin's attributes",
      operations: [{ op: 'set-twin', attributes: { seats: { from: 180, to: 174 } } }],
    });
    expect(history.body.items[0].effectiveAt).toBe(history.body.items[0].recordedAt);
    expectProblem(early, 409);
    expectProblem(unbuilt, 400, 'body.effectiveAt');
    expectProblem(reasonOnly, 400);
    expect((await admin('GET', `/v1/twins/${id}`)).body).toMatchObject({ version: 3, site: 'HAM' });
  });
});

describe('a grantee', () => {
  it('sees the edit and the fields then only as far as its view shows twin attributes', async () => {
    // Prepare: the edit moved the twin under a site=HAM grant whose view shows only the livery
    const { id } = await editedTwin('EDIT-4');
    const grantee = newTenant('cool-air');
    const view = await admin('POST', '/v1/views', {
      body: { name: 'livery only', positions: ['hvac'], twinAttributes: ['livery'] },
    });
    const grant = await admin('POST', '/v1/grants', {
      body: {
        grantee,
        viewId: view.body.id,
        twins: { site: 'HAM' },
        purpose: 'contractor',
        permissions: ['read'],
      },
    });
    expect(grant.status).toBe(201);
    const technician = await api.as(grantee, ['technician']);
    // Act
    const history = await technician('GET', `/v1/shared/twins/${owner}/${id}/history`);
    const then = await technician('GET', `/v1/shared/twins/${owner}/${id}?asOf=2025-06-01T00:00:00Z`);
    const feed = await admin('GET', `/v1/events?twinId=${id}&type=change-set.recorded&settled=false`);
    // Assess
    expect(history.status).toBe(200);
    expect(history.body.items[0].operations).toEqual([
      { op: 'set-twin', site: SITE_CHANGE, attributes: { livery: { from: null, to: 'blue' } } },
    ]);
    expect(JSON.stringify(history.body)).not.toContain('Example Air');
    expect(then.body).toMatchObject({ site: 'TLS', attributes: {} });
    expect(JSON.stringify(then.body)).not.toContain('Example Air');
    expect(feed.body.items).toHaveLength(1);
  });
});
