import { environmentFromJsonable, type JsonObject } from '@aas-core-works/aas-core3.0-typescript/jsonization';
import { verify } from '@aas-core-works/aas-core3.0-typescript/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
});
afterAll(() => api.stop());

const HVAC_VIEW = {
  name: 'HVAC contractor',
  positions: ['hvac'],
  twinAttributes: ['refrigerant', 'tailNumber'],
  componentAttributes: [],
  history: false,
};

/** An owner with `count` aircraft at a site (plus one elsewhere), each with HVAC and engines. */
async function ownerWithFleet(count: number) {
  const owner = newTenant('airline');
  const admin = await api.as(owner, ['admin']);
  const twins: { id: string; serialNumber: string }[] = [];
  for (let n = 0; n < count; n++) {
    const created = await admin('POST', '/v1/twins', {
      body: aircraftRecord(`MSN-${n}`, {
        site: 'LHR',
        attributes: { refrigerant: 'R-134a', tailNumber: `G-EZ${n}`, leaseRate: 99_000 + n },
      }),
    });
    expect(created.status).toBe(201);
    twins.push(created.body);
  }
  const elsewhere = await admin('POST', '/v1/twins', {
    body: aircraftRecord('MSN-CDG', { site: 'CDG', attributes: { refrigerant: 'R-1234yf', leaseRate: 1 } }),
  });
  return { owner, admin, twins, elsewhere: elsewhere.body as { id: string } };
}

async function grantView(
  admin: Caller,
  grantee: string,
  view: object,
  terms: Partial<{
    twins: object;
    purpose: string;
    permissions: string[];
    validFrom: string;
    validTo: string;
  }> = {},
) {
  const created = await admin('POST', '/v1/views', { body: view });
  expect(created.status).toBe(201);
  const grant = await admin('POST', '/v1/grants', {
    body: {
      grantee,
      viewId: created.body.id,
      twins: { site: 'LHR' },
      purpose: 'contractor',
      permissions: ['read', 'inspect'],
      ...terms,
    },
  });
  expect(grant.status, JSON.stringify(grant.body)).toBe(201);
  return grant.body;
}

describe('a contractor under an HVAC grant', () => {
  let fleet: Awaited<ReturnType<typeof ownerWithFleet>>;
  let contractor: string;
  let technician: Caller;
  let grant: { id: string };

  beforeAll(async () => {
    fleet = await ownerWithFleet(3);
    contractor = newTenant('hvac-co');
    technician = await api.as(contractor, ['technician']);
    const now = Date.now();
    grant = await grantView(fleet.admin, contractor, HVAC_VIEW, {
      validFrom: new Date(now - 60_000).toISOString(),
      validTo: new Date(now + 30 * 86_400_000).toISOString(),
    });
  });

  it('lists exactly the twins of the site, projected, across owners', async () => {
    const listed = await technician('GET', '/v1/shared/twins');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { twin: { id: string } }) => item.twin.id).sort()).toEqual(
      fleet.twins.map((twin) => twin.id).sort(),
    );
    for (const { owner, twin } of listed.body.items) {
      expect(owner).toBe(fleet.owner);
      expect(Object.keys(twin.attributes).sort()).toEqual(['refrigerant', 'tailNumber']);
    }
    expect(JSON.stringify(listed.body)).not.toContain('leaseRate');
    expect(JSON.stringify(listed.body)).not.toContain(fleet.elsewhere.id);
  });

  it('pages the shared list with cursors, each twin once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await technician('GET', `/v1/shared/twins?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item: { twin: { id: string } }) => item.twin.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(fleet.twins.map((twin) => twin.id).sort());
  });

  it('opens a twin and sees only the HVAC subtree, with no history', async () => {
    const twin = fleet.twins[0]!;
    const shared = await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}`);
    expect(shared.status).toBe(200);
    expect(shared.body.configuration.map((node: { path: string }) => node.path)).toEqual(['hvac']);
    expect(shared.body.configuration[0].children[0].component).toEqual({
      partNumber: 'HVAC-CTL-9',
      serialNumber: 'MSN-0-HVC',
      kind: 'electrical',
      attributes: {},
    });
    const text = JSON.stringify(shared.body);
    for (const hidden of ['engine-1', 'FADEC-3', '-ESN-', 'leaseRate', 'Acme Thermal', 'cabin'])
      expect(text).not.toContain(hidden);

    expectProblem(await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}/history`), 404);
    expectProblem(
      await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}?asOf=2025-01-01T00:00:00Z`),
      403,
    );
  });

  it('records an inspection inside the view, is refused outside it, and the owner sees who did it', async () => {
    const twin = fleet.twins[1]!;
    const inside = await technician('POST', `/v1/shared/twins/${fleet.owner}/${twin.id}/inspections`, {
      body: {
        performedAt: new Date().toISOString(),
        inspector: 'Sam (HVAC Co)',
        findings: 'filter replaced',
        observed: [{ path: 'hvac/controller', serialNumber: 'MSN-1-HVC' }],
      },
    });
    expect(inside.status, JSON.stringify(inside.body)).toBe(201);
    expect(inside.body.discrepancies).toEqual([]);

    const outside = await technician('POST', `/v1/shared/twins/${fleet.owner}/${twin.id}/inspections`, {
      body: {
        performedAt: new Date().toISOString(),
        inspector: 'Sam',
        observed: [{ path: 'engine-1/fadec', serialNumber: 'X' }],
      },
    });
    expectProblem(outside, 403, 'body.observed[0].path');
    expect(JSON.stringify(outside.body)).not.toContain('-FDC-');

    // the grant has no `change`: neither change sets nor applied inspections
    const change = await technician('POST', `/v1/shared/twins/${fleet.owner}/${twin.id}/changes`, {
      headers: { 'if-match': '"1"' },
      body: { reason: 'swap', operations: [{ op: 'remove', position: 'hvac/controller' }] },
    });
    expectProblem(change, 403);

    const owned = await fleet.admin('GET', `/v1/twins/${twin.id}/inspections`);
    expect(owned.body.items[0]).toMatchObject({
      inspector: 'Sam (HVAC Co)',
      actor: { tenant: contractor, sub: `user@${contractor}` },
    });
    const events = await fleet.admin('GET', `/v1/events?twinId=${twin.id}&limit=100`);
    expect(events.status).toBe(200);
    const byGrantee = events.body.items.filter((event: { grantee?: string }) => event.grantee === contractor);
    expect(byGrantee.map((event: { action: string }) => event.action)).toEqual(
      expect.arrayContaining(['write inspection']),
    );
    expect(byGrantee.every((event: { grantIds: string[] }) => event.grantIds.includes(grant.id))).toBe(true);
  });

  it('audits every read: the owner sees who read which twin', async () => {
    const twin = fleet.twins[2]!;
    await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}/thread`);
    const events = await fleet.admin('GET', `/v1/events?twinId=${twin.id}&type=twin.accessed&limit=100`);
    expect(events.body.items.map((event: { action: string }) => event.action)).toContain('read thread');
    expect(events.body.items[0]).toMatchObject({ grantee: contractor, actor: { tenant: contractor } });
  });

  it('exports the twin through its view, as JSON and as an AAS V3 environment that verifies', async () => {
    const twin = fleet.twins[0]!;
    const json = await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}/export`);
    expect(json.status).toBe(200);
    const aas = await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}/export?format=aas`);
    expect(aas.status).toBe(200);
    for (const answer of [json, aas]) {
      const text = JSON.stringify(answer.body);
      expect(text).toContain('MSN-0-HVC');
      for (const hidden of ['-ESN-', '-FDC-', 'FADEC-3', 'leaseRate']) expect(text).not.toContain(hidden);
    }
    const parsed = environmentFromJsonable(aas.body as JsonObject);
    expect(parsed.error).toBeNull();
    expect([...verify(parsed.value!)].map((error) => `${error.path}: ${error.message}`)).toEqual([]);
    expectProblem(
      await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}/export?asOf=2025-01-01T00:00:00Z`),
      403,
    );
  });

  it('is refused on a twin of the site it does not cover, like a missing one', async () => {
    const other = await technician('GET', `/v1/shared/twins/${fleet.owner}/${fleet.elsewhere.id}`);
    const missing = await technician('GET', `/v1/shared/twins/${fleet.owner}/01JD3Q6Z8V1K9M2N3P4R5S6T7V`);
    expectProblem(other, 404);
    expect(other.body.detail).toBe(
      missing.body.detail.replace('01JD3Q6Z8V1K9M2N3P4R5S6T7V', fleet.elsewhere.id),
    );
  });

  it('covers twins created after the grant, by site', async () => {
    const later = await fleet.admin('POST', '/v1/twins', {
      body: aircraftRecord('MSN-LATER', { site: 'LHR', attributes: { refrigerant: 'R-32' } }),
    });
    const shared = await technician('GET', `/v1/shared/twins/${fleet.owner}/${later.body.id}`);
    expect(shared.status).toBe(200);
    expect(shared.body.attributes).toEqual({ refrigerant: 'R-32' });
  });

  it('shows the owner who sees what', async () => {
    const grants = await fleet.admin('GET', `/v1/grants?grantee=${contractor}`);
    expect(grants.status).toBe(200);
    expect(grants.body.items).toEqual([
      expect.objectContaining({
        id: grant.id,
        grantee: contractor,
        purpose: 'contractor',
        viewVersion: 1,
        active: true,
        view: expect.objectContaining({ positions: ['hvac'] }),
      }),
    ]);
    // the contractor cannot read the owner's grants, nor give grants
    expectProblem(await technician('GET', '/v1/grants'), 403);
  });

  it('loses access at once when the grant is revoked', async () => {
    const twin = fleet.twins[0]!;
    expect((await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}`)).status).toBe(200);
    expect((await fleet.admin('DELETE', `/v1/grants/${grant.id}`)).status).toBe(204);
    expectProblem(await technician('GET', `/v1/shared/twins/${fleet.owner}/${twin.id}`), 404);
    expect((await technician('GET', '/v1/shared/twins')).body.items).toEqual([]);
    const revoked = await fleet.admin('GET', `/v1/grants/${grant.id}`);
    expect(revoked.body).toMatchObject({ active: false, revokedAt: expect.any(String) });
    expect((await fleet.admin('DELETE', `/v1/grants/${grant.id}`)).status).toBe(204);
  });
});

describe('grant validity and permissions', () => {
  it('serves a grant only between validFrom and validTo', async () => {
    const fleet = await ownerWithFleet(1);
    const early = newTenant('early');
    const late = newTenant('late');
    const day = 86_400_000;
    await grantView(
      fleet.admin,
      early,
      { name: 'all' },
      { validFrom: new Date(Date.now() + day).toISOString() },
    );
    await grantView(
      fleet.admin,
      late,
      { name: 'all' },
      { validTo: new Date(Date.now() - day).toISOString() },
    );
    for (const tenant of [early, late]) {
      const caller = await api.as(tenant, ['viewer']);
      expectProblem(await caller('GET', `/v1/shared/twins/${fleet.owner}/${fleet.twins[0]!.id}`), 404);
      expect((await caller('GET', '/v1/shared/twins')).body.items).toEqual([]);
    }
  });

  it('lets a change grant record a change set inside its positions, as the grantee', async () => {
    const fleet = await ownerWithFleet(1);
    const mro = newTenant('mro');
    await grantView(
      fleet.admin,
      mro,
      { name: 'hvac', positions: ['hvac'] },
      { permissions: ['read', 'inspect', 'change'] },
    );
    const tech = await api.as(mro, ['technician']);
    const twin = fleet.twins[0]!;
    const path = `/v1/shared/twins/${fleet.owner}/${twin.id}/changes`;
    const replace = {
      reason: 'controller failed',
      workOrder: 'WO-HVAC-1',
      operations: [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'NEW-HVC', kind: 'electrical' },
        },
      ],
    };
    expectProblem(await tech('POST', path, { body: replace }), 428);
    const changed = await tech('POST', path, { headers: { 'if-match': '"1"' }, body: replace });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    expect(changed.body.configuration[0].children[0].component.serialNumber).toBe('NEW-HVC');

    const outside = await tech('POST', path, {
      headers: { 'if-match': '"2"' },
      body: { reason: 'x', operations: [{ op: 'remove', position: 'engine-1/fadec' }] },
    });
    expectProblem(outside, 403, 'body.operations[0].position');
    const lifecycle = await tech('POST', path, {
      headers: { 'if-match': '"2"' },
      body: { reason: 'x', operations: [{ op: 'lifecycle', to: 'delivered' }] },
    });
    expectProblem(lifecycle, 403);
    const smuggled = await tech('POST', path, {
      headers: { 'if-match': '"2"' },
      body: {
        reason: 'x',
        operations: [
          { op: 'update', position: 'hvac/controller', attributes: { note: 'ok' } },
          { op: 'lifecycle', to: 'retired' },
        ],
      },
    });
    expectProblem(smuggled, 403);

    const history = await fleet.admin('GET', `/v1/twins/${twin.id}/history`);
    expect(history.body.items[0]).toMatchObject({
      reason: 'controller failed',
      actor: { tenant: mro, sub: `user@${mro}` },
    });
    // viewers of the grantee read, but do not write
    const viewer = await api.as(mro, ['viewer']);
    expectProblem(await viewer('POST', path, { headers: { 'if-match': '"2"' }, body: replace }), 403);
  });

  it('keeps a grantee away from components of kinds its view hides, even at visible positions', async () => {
    const fleet = await ownerWithFleet(1);
    const mechanics = newTenant('mech');
    await grantView(
      fleet.admin,
      mechanics,
      { name: 'engine hardware', positions: ['engine-1'], kinds: ['mechanical'] },
      { permissions: ['read', 'change'] },
    );
    const tech = await api.as(mechanics, ['technician']);
    const path = `/v1/shared/twins/${fleet.owner}/${fleet.twins[0]!.id}/changes`;
    const seen = await tech('GET', `/v1/shared/twins/${fleet.owner}/${fleet.twins[0]!.id}`);
    expect(JSON.stringify(seen.body)).not.toContain('FADEC-3');
    expect(JSON.stringify(seen.body)).not.toContain('-FDC-');
    for (const operation of [
      { op: 'remove', position: 'engine-1/fadec' },
      { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '9.9.9' },
      {
        op: 'install',
        position: 'engine-1/fadec/sw2',
        component: { partNumber: 'X', kind: 'software', softwareVersion: '1.0.0' },
      },
    ]) {
      const refused = await tech('POST', path, {
        headers: { 'if-match': '"1"' },
        body: { reason: 'x', operations: [operation] },
      });
      expectProblem(refused, 403);
      expect(JSON.stringify(refused.body)).not.toContain('FADEC-3');
    }
    const twin = await fleet.admin('GET', `/v1/twins/${fleet.twins[0]!.id}`);
    expect(twin.body.version).toBe(1);
  });

  it('refuses grants to oneself, to unknown views, and bad terms, naming the field', async () => {
    const owner = newTenant('o');
    const admin = await api.as(owner, ['admin']);
    const view = await admin('POST', '/v1/views', { body: { name: 'v' } });
    const base = {
      grantee: 'x',
      viewId: view.body.id,
      twins: { site: 'A' },
      purpose: 'paas',
      permissions: ['read'],
    };
    expectProblem(
      await admin('POST', '/v1/grants', { body: { ...base, grantee: owner } }),
      400,
      'body.grantee',
    );
    expectProblem(
      await admin('POST', '/v1/grants', { body: { ...base, viewId: '01JD3Q6Z8V1K9M2N3P4R5S6T7V' } }),
      400,
      'body.viewId',
    );
    expectProblem(await admin('POST', '/v1/grants', { body: { ...base, twins: {} } }), 400, 'body.twins');
    expectProblem(
      await admin('POST', '/v1/grants', { body: { ...base, permissions: ['inspect'] } }),
      400,
      'body.permissions',
    );
    expectProblem(
      await admin('POST', '/v1/grants', {
        body: { ...base, validFrom: '2026-02-01T00:00:00Z', validTo: '2026-01-01T00:00:00Z' },
      }),
      400,
      'body.validTo',
    );
    expectProblem(
      await admin('POST', '/v1/views', { body: { name: 'v', positions: ['Bad Path'] } }),
      400,
      'body.positions[0]',
    );
    const engineer = await api.as(owner, ['engineer']);
    expectProblem(await engineer('POST', '/v1/grants', { body: base }), 403);
    expectProblem(await engineer('POST', '/v1/views', { body: { name: 'v' } }), 403);
  });
});

describe('views are versioned', () => {
  it('keeps each version; a grant keeps the version it pinned', async () => {
    const fleet = await ownerWithFleet(1);
    const partner = newTenant('partner');
    const grant = await grantView(fleet.admin, partner, { name: 'narrow', positions: ['hvac'] });
    const viewId = grant.viewId;
    const widened = await fleet.admin('PUT', `/v1/views/${viewId}`, {
      body: { name: 'wide', positions: ['hvac', 'engine-1'] },
    });
    expect(widened.body).toMatchObject({ id: viewId, version: 2 });
    expect((await fleet.admin('GET', `/v1/views/${viewId}?version=1`)).body.positions).toEqual(['hvac']);
    expect((await fleet.admin('GET', `/v1/views/${viewId}`)).body.version).toBe(2);
    const seen = await (await api.as(partner, ['viewer']))(
      'GET',
      `/v1/shared/twins/${fleet.owner}/${fleet.twins[0]!.id}`,
    );
    expect(seen.body.configuration.map((node: { path: string }) => node.path)).toEqual(['hvac']);
    expectProblem(await fleet.admin('GET', `/v1/views/${viewId}?version=3`), 404);
  });
});

describe('an OEM under product-as-a-service grants', () => {
  it('lists its installed base across customers, software only, with counts', async () => {
    const oem = newTenant('cfm');
    const customers = await Promise.all([ownerWithFleet(2), ownerWithFleet(1)]);
    for (const customer of customers)
      await grantView(
        customer.admin,
        oem,
        { name: 'paas', kinds: ['software'], twinAttributes: [], history: false },
        { twins: { partNumber: 'A320-214' }, purpose: 'paas', permissions: ['read'] },
      );
    // a contractor grant to the OEM is not installed base
    await grantView(customers[0]!.admin, oem, { name: 'other' }, { purpose: 'contractor' });
    const engineer = await api.as(oem, ['engineer']);
    const base = await engineer('GET', '/v1/installed-base');
    expect(base.status, JSON.stringify(base.body)).toBe(200);
    expect(base.body.items).toHaveLength(5);
    expect(base.body.counts).toEqual({
      byProduct: { 'A320-214': 5 },
      bySoftwareVersion: { 'FADEC-SW': { '5.2.1': 10 } },
    });
    const text = JSON.stringify(base.body.items);
    for (const hidden of ['-ESN-', '-FDC-', '-HVC', 'leaseRate', 'refrigerant'])
      expect(text).not.toContain(hidden);
    expect(text).toContain('5.2.1');
    const owners = new Set(base.body.items.map((item: { owner: string }) => item.owner));
    expect(owners).toEqual(new Set(customers.map((customer) => customer.owner)));

    const page = await engineer('GET', '/v1/installed-base?limit=2');
    expect(page.body.items).toHaveLength(2);
    const next = await engineer('GET', `/v1/installed-base?limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items).toHaveLength(2);
    expect(next.body.counts).toBeUndefined();
  });
});

describe('role views inside a tenant', () => {
  it('trims what technicians read, everywhere, while admins see everything', async () => {
    const tenant = newTenant('op');
    const admin = await api.as(tenant, ['admin']);
    const twin = (
      await admin('POST', '/v1/twins', {
        body: aircraftRecord('MSN-R', { attributes: { operator: 'Example Air', leaseRate: 120_000 } }),
      })
    ).body;
    const view = await admin('POST', '/v1/views', {
      body: { name: 'no commercial', twinAttributes: ['operator'], componentAttributes: [] },
    });
    const set = await admin('PUT', '/v1/role-views/technician', { body: { viewId: view.body.id } });
    expect(set.body.roles).toEqual({ technician: view.body.id });
    const technician = await api.as(tenant, ['technician']);
    for (const path of [`/v1/twins/${twin.id}`, '/v1/twins', `/v1/twins/${twin.id}/history`]) {
      const read = await technician('GET', path);
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain('leaseRate');
      expect(JSON.stringify(read.body)).not.toContain('Acme Thermal');
    }
    expect(JSON.stringify((await admin('GET', `/v1/twins/${twin.id}`)).body)).toContain('leaseRate');
    expect(
      JSON.stringify((await (await api.as(tenant, ['engineer']))('GET', `/v1/twins/${twin.id}`)).body),
    ).toContain('leaseRate');
    // a new version of the view applies to the role at once
    await admin('PUT', `/v1/views/${view.body.id}`, { body: { name: 'hvac only', positions: ['hvac'] } });
    const narrowed = await technician('GET', `/v1/twins/${twin.id}`);
    expect(narrowed.body.configuration.map((node: { path: string }) => node.path)).toEqual(['hvac']);
    expectProblem(await technician('GET', `/v1/twins/${twin.id}/work-package?position=engine-1`), 404);
    expectProblem(
      await admin('PUT', '/v1/role-views/admin', { body: { viewId: view.body.id } }),
      400,
      'path.role',
    );
    await admin('PUT', '/v1/role-views/technician', { body: { viewId: null } });
    expect(JSON.stringify((await technician('GET', `/v1/twins/${twin.id}`)).body)).toContain('leaseRate');
  });
});
