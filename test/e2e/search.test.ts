import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/**
 * GET /v1/search and GET /v1/shared/search over HTTP: what each kind is found by, ranking, paging,
 * index upkeep on replace / PATCH / type change, role views, grantees' projection and tenant isolation.
 */

let api: TestApi;
let owner: string;
let admin: Caller;
let twinId: string;
let otherId: string;
// biome-ignore lint/suspicious/noExplicitAny: hits are checked field by field
type Hit = any;

const search = async (caller: Caller, q: string, extra = '') => {
  const response = await caller('GET', `/v1/search?q=${encodeURIComponent(q)}${extra}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { items: Hit[]; total: number; complete: boolean; nextCursor?: string };
};
const sharedSearch = async (caller: Caller, q: string, extra = '') => {
  const response = await caller('GET', `/v1/shared/search?q=${encodeURIComponent(q)}${extra}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { items: Hit[]; total: number };
};
const ok = async (response: Promise<{ status: number; body: Hit }>) => {
  const answer = await response;
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body;
};

beforeAll(async () => {
  api = await startApi();
  owner = newTenant('search');
  admin = await api.as(owner, ['admin']);
  await ok(
    admin('PUT', '/v1/types/aircraft', {
      body: {
        kind: 'twin',
        attributes: {
          tailNumber: { type: 'string', searchable: true },
          leaseRate: { type: 'number' },
        },
        additionalAttributes: true,
      },
    }),
  );
  const twin = await ok(
    admin('POST', '/v1/twins', {
      body: aircraftRecord('MSN-4711', {
        type: 'aircraft',
        site: 'HAM',
        attributes: { tailNumber: 'D-AIBC', leaseRate: 4242 },
      }),
    }),
  );
  twinId = twin.id;
  otherId = (await ok(admin('POST', '/v1/twins', { body: aircraftRecord('MSN-4712', { site: 'TLS' }) }))).id;
  await ok(
    admin('POST', '/v1/documents', {
      body: {
        kind: 'service-bulletin',
        title: 'Reload FADEC software, SB 73-0042',
        contentType: 'text/plain',
        size: 1,
        sha256: createHash('sha256').update('x').digest('hex'),
        effectivity: { partNumber: 'FADEC-SW', softwareVersions: '>=5.0.0 <6.0.0' },
      },
    }),
  );
  await ok(
    admin('POST', `/v1/twins/${twinId}/inspections`, {
      body: {
        performedAt: '2026-03-01T00:00:00Z',
        inspector: 'Sam Cooper',
        findings: 'Corrosion on the controller bracket',
        observed: [{ path: 'hvac/controller', serialNumber: 'MSN-4711-HVC' }],
      },
    }),
  );
}, 60_000);
afterAll(() => api.stop());

describe('GET /v1/search', () => {
  it('finds a twin by serial prefix, case-insensitively, exact before prefix', async () => {
    const answer = await search(admin, 'msn-471');
    const twins = answer.items.filter((hit) => hit.kind === 'twin');
    expect(twins.map((hit) => hit.id).sort()).toEqual([twinId, otherId].sort());
    expect(twins[0]).toMatchObject({ kind: 'twin', twinId: twins[0].id, matched: 'serialNumber' });
    const exact = await search(admin, 'MSN-4712');
    expect(exact.items[0]).toMatchObject({ kind: 'twin', id: otherId, label: 'MSN-4712 · Airbus A320' });
    // components named after the twin come after it: prefix of their serial
    expect(exact.items.slice(1).every((hit) => hit.kind === 'component')).toBe(true);
    expect(exact.items[0].score).toBeGreaterThan(exact.items[1].score);
  });

  it('finds twins by site, product part number and name, and by a searchable attribute only', async () => {
    expect((await search(admin, 'ham')).items.map((hit) => hit.id)).toEqual([twinId]);
    expect((await search(admin, 'a320-2')).items.filter((hit) => hit.kind === 'twin')).toHaveLength(2);
    expect((await search(admin, 'airbus a3')).items.filter((hit) => hit.kind === 'twin')).toHaveLength(2);
    expect((await search(admin, 'd-aib')).items).toEqual([
      expect.objectContaining({ kind: 'twin', id: twinId, matched: 'attributes.tailNumber' }),
    ]);
    // not marked searchable: not found
    expect((await search(admin, '4242')).items).toEqual([]);
  });

  it('finds components by serial and part number, with where they are installed', async () => {
    const answer = await search(admin, 'msn-4711-hvc');
    expect(answer.items).toEqual([
      expect.objectContaining({
        kind: 'component',
        id: 'HVAC-CTL-9/MSN-4711-HVC',
        twinId,
        path: 'hvac/controller',
        installed: true,
        matched: 'serialNumber',
      }),
    ]);
    const byPart = await search(admin, 'hvac-ctl');
    expect(byPart.items.map((hit) => hit.id).sort()).toEqual([
      'HVAC-CTL-9/MSN-4711-HVC',
      'HVAC-CTL-9/MSN-4712-HVC',
    ]);
  });

  it('finds documents by title words, effectivity part number and kind', async () => {
    const byWords = await search(admin, 'fadec softw');
    expect(byWords.items).toEqual([
      expect.objectContaining({ kind: 'document', label: 'Reload FADEC software, SB 73-0042' }),
    ]);
    const byPart = await search(admin, 'FADEC-SW');
    expect(byPart.items).toEqual([
      expect.objectContaining({ kind: 'document', matched: 'effectivity.partNumber' }),
    ]);
    expect((await search(admin, 'service-bulletin')).items.map((hit) => hit.kind)).toEqual(['document']);
  });

  it('finds inspections by inspector and findings', async () => {
    expect((await search(admin, 'sam cooper')).items).toEqual([
      expect.objectContaining({ kind: 'inspection', twinId, matched: 'inspector' }),
    ]);
    expect((await search(admin, 'corrosion bracket')).items).toEqual([
      expect.objectContaining({ kind: 'inspection', twinId, matched: 'findings' }),
    ]);
  });

  it('pages with sealed cursors: every hit once, a cursor of another query refused', async () => {
    const all = await search(admin, 'msn');
    expect(all.total).toBeGreaterThan(3);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search(admin, 'msn', `&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((hit) => `${hit.kind}:${hit.id}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((hit) => `${hit.kind}:${hit.id}`));
    const first = await search(admin, 'msn', '&limit=1');
    expectProblem(await admin('GET', `/v1/search?q=ham&cursor=${first.nextCursor}`), 400, 'query.cursor');
  });

  it('keeps the index with the records: replace, PATCH of attributes, site and type', async () => {
    const twin = await ok(admin('GET', `/v1/twins/${twinId}`));
    await ok(
      admin('POST', `/v1/twins/${twinId}/changes`, {
        headers: { 'if-match': `"${twin.version}"` },
        body: {
          reason: 'controller failure',
          operations: [
            {
              op: 'replace',
              position: 'hvac/controller',
              component: { partNumber: 'HVAC-CTL-9', serialNumber: 'NEW-HVC-1', kind: 'electrical' },
            },
          ],
        },
      }),
    );
    expect((await search(admin, 'new-hvc')).items).toEqual([
      expect.objectContaining({
        id: 'HVAC-CTL-9/NEW-HVC-1',
        twinId,
        path: 'hvac/controller',
        installed: true,
      }),
    ]);
    // the removed one stays findable, not installed
    const removed = (await search(admin, 'msn-4711-hvc')).items;
    expect(removed).toEqual([expect.objectContaining({ id: 'HVAC-CTL-9/MSN-4711-HVC', installed: false })]);
    expect(removed[0].twinId).toBeUndefined();

    await ok(
      admin('PATCH', `/v1/twins/${twinId}`, {
        headers: { 'if-match': `"${twin.version + 1}"` },
        body: { site: 'CDG', attributes: { tailNumber: 'F-HBXA' } },
      }),
    );
    expect((await search(admin, 'd-aibc')).items).toEqual([]);
    expect((await search(admin, 'ham')).items).toEqual([]);
    expect((await search(admin, 'f-hbx')).items.map((hit) => hit.id)).toEqual([twinId]);
    expect((await search(admin, 'cdg')).items.map((hit) => hit.id)).toEqual([twinId]);

    // the other twin takes a type marking `tailNumber` searchable: its tail number is found from then on
    await ok(
      admin('PATCH', `/v1/twins/${otherId}`, {
        headers: { 'if-match': '"1"' },
        body: { type: 'aircraft', attributes: { tailNumber: 'G-EUPT' } },
      }),
    );
    expect((await search(admin, 'g-eup')).items.map((hit) => hit.id)).toEqual([otherId]);
  });

  it('refuses a missing or blank q and unknown parameters, naming the field', async () => {
    expectProblem(await admin('GET', '/v1/search'), 400, 'query.q');
    expectProblem(await admin('GET', '/v1/search?q=%20'), 400, 'query.q');
    expectProblem(await admin('GET', '/v1/search?q=x&kind=twin'), 400);
  });

  it('answers nothing of another tenant', async () => {
    const stranger = await api.as(newTenant('stranger'), ['admin']);
    for (const q of ['msn', 'hvac-ctl', 'fadec', 'sam', 'airbus'])
      expect((await search(stranger, q)).items, q).toEqual([]);
  });

  it('through a role view: hidden positions, kinds and attributes never match', async () => {
    const view = await ok(
      admin('POST', '/v1/views', {
        body: {
          name: 'engines only',
          positions: ['engine-1'],
          twinAttributes: [],
          documentKinds: ['manual'],
        },
      }),
    );
    await ok(admin('PUT', '/v1/role-views/technician', { body: { viewId: view.id } }));
    const technician = await api.as(owner, ['technician']);
    expect((await search(technician, 'msn-4711-esn-1')).items.map((hit) => hit.id)).toEqual([
      'CFM56-5B4/MSN-4711-ESN-1',
    ]);
    expect((await search(technician, 'new-hvc')).items).toEqual([]);
    expect((await search(technician, 'f-hbxa')).items).toEqual([]);
    expect((await search(technician, 'fadec-sw')).items).toEqual([]);
    expect((await search(technician, 'corrosion')).items).toEqual([]);
    // twins themselves by serial: shown
    expect((await search(technician, 'msn-4711')).items[0]).toMatchObject({ kind: 'twin', id: twinId });
    // total counts only what is shown
    const shown = await search(technician, 'msn');
    expect(shown.total).toBe(shown.items.length);
    expect(shown.items.some((hit) => String(hit.id).includes('HVC'))).toBe(false);
  });
});

describe('GET /v1/shared/search', () => {
  let contractor: Caller;
  let contractorTenant: string;

  beforeAll(async () => {
    const view = await ok(
      admin('POST', '/v1/views', {
        body: { name: 'hvac', positions: ['hvac'], twinAttributes: ['livery'], componentAttributes: [] },
      }),
    );
    contractorTenant = newTenant('cool-air');
    await ok(
      admin('POST', '/v1/grants', {
        body: {
          grantee: contractorTenant,
          viewId: view.id,
          twins: { ids: [twinId] },
          purpose: 'contractor',
          permissions: ['read'],
        },
      }),
    );
    contractor = await api.as(contractorTenant, ['technician']);
  });

  it('finds the granted twin and what its view shows, with the owner', async () => {
    const answer = await sharedSearch(contractor, 'msn-4711');
    expect(answer.items.map((hit) => [hit.kind, hit.id, hit.owner])).toEqual([['twin', twinId, owner]]);
    expect((await sharedSearch(contractor, 'new-hvc')).items).toEqual([
      expect.objectContaining({ kind: 'component', owner, twinId, path: 'hvac/controller' }),
    ]);
    expect((await sharedSearch(contractor, 'sam')).items).toEqual([
      expect.objectContaining({ kind: 'inspection', owner, twinId }),
    ]);
  });

  it('records the grantee search in the owner audit (twin.accessed, action search)', async () => {
    await sharedSearch(contractor, 'msn-4711');
    const events = await ok(admin('GET', `/v1/events?twinId=${twinId}&type=twin.accessed&settled=false`));
    expect(events.items).toContainEqual(
      expect.objectContaining({ type: 'twin.accessed', grantee: contractorTenant, action: 'search' }),
    );
  });

  it('never matches what the view hides, nor twins not granted, nor documents', async () => {
    for (const q of ['msn-4711-esn', 'cfm56', 'f-hbxa', 'msn-4712', 'fadec-sw', 'msn-4711-hvc', 'reload'])
      expect((await sharedSearch(contractor, q)).items, q).toEqual([]);
  });

  it('is only the grantee search: the own-tenant search of the grantee finds nothing of the owner', async () => {
    expect((await search(contractor, 'msn')).items).toEqual([]);
  });

  it('filters by owner and refuses a bad owner', async () => {
    expect((await sharedSearch(contractor, 'msn', `&owner=${newTenant('nobody')}`)).items).toEqual([]);
    expect((await sharedSearch(contractor, 'msn', `&owner=${owner}`)).items).toHaveLength(1);
    expectProblem(await contractor('GET', '/v1/shared/search?q=msn&owner=bad%20owner'), 400, 'query.owner');
  });

  it('stops with the grant', async () => {
    const grants = await ok(admin('GET', `/v1/grants?grantee=${contractorTenant}`));
    await ok(admin('DELETE', `/v1/grants/${grants.items[0].id}`));
    expect((await sharedSearch(contractor, 'msn')).items).toEqual([]);
  });
});
