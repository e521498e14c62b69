import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/** Leak tests: another tenant learns nothing of a twin, not even that it exists. */
let api: TestApi;
let owner: Caller;
let other: Caller;
let twinId: string;

beforeAll(async () => {
  api = await startApi();
  owner = await api.as(newTenant('owner'), ['admin']);
  other = await api.as(newTenant('other'), ['admin']);
  twinId = (await owner('POST', '/v1/twins', { body: aircraftRecord('ISO-1') })).body.id;
});
afterAll(() => api.stop());

const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** The parts of a 404 that must not differ between "not yours" and "does not exist". */
const shape = (body: { type: string; title: string; status: number; detail: string }, id: string) => ({
  type: body.type,
  title: body.title,
  status: body.status,
  detail: body.detail.replace(id, '<id>'),
});

describe('another tenant', () => {
  it('GET /v1/twins/{id}: 404, the same answer as for a twin that does not exist', async () => {
    const theirs = await other('GET', `/v1/twins/${twinId}`);
    const none = await other('GET', `/v1/twins/${UNKNOWN_ID}`);
    expectProblem(theirs, 404);
    expect(shape(theirs.body, twinId)).toEqual(shape(none.body, UNKNOWN_ID));
  });

  it('PATCH /v1/twins/{id}: 404, and the twin is unchanged', async () => {
    expectProblem(
      await other('PATCH', `/v1/twins/${twinId}`, {
        body: { site: 'STOLEN' },
        headers: { 'if-match': '"1"' },
      }),
      404,
    );
    expect((await owner('GET', `/v1/twins/${twinId}`)).body).toMatchObject({ site: 'TLS', version: 1 });
  });

  it('GET /v1/twins: sees none of the owner twins, whatever the filters', async () => {
    for (const query of [
      '',
      '?serialNumber=ISO-1',
      '?site=TLS',
      '?partNumber=A320-214',
      '?lifecycle=as-built',
    ]) {
      expect((await other('GET', `/v1/twins${query}`)).body.items).toEqual([]);
    }
  });

  it('GET /v1/twins: cannot use the owner cursor', async () => {
    await owner('POST', '/v1/twins', { body: aircraftRecord('ISO-2') });
    const page = await owner('GET', '/v1/twins?limit=1');
    expect(page.body.nextCursor).toBeDefined();
    expectProblem(
      await other('GET', `/v1/twins?limit=1&cursor=${page.body.nextCursor}`),
      400,
      'query.cursor',
    );
  });

  it('POST /v1/twins: may reuse the same serial numbers, in its own tenant', async () => {
    const response = await other('POST', '/v1/twins', { body: aircraftRecord('ISO-1') });
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe(twinId);
    expect((await owner('GET', '/v1/twins?serialNumber=ISO-1')).body.items).toHaveLength(1);
  });

  it('POST /v1/twins: cannot install the owner twin as a component (its twinId is unknown here)', async () => {
    const record = aircraftRecord('ISO-3', {
      configuration: [{ position: 'engine-1', component: { partNumber: 'X', kind: 'mechanical', twinId } }],
    });
    expectProblem(await other('POST', '/v1/twins', { body: record }), 400);
  });
});
