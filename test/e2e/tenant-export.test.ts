import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExportStage,
  runExportStage,
  runTenantExport,
  startTenantExport,
} from '../../shared/services/tenant-export';
import { getExportJob } from '../../shared/store/export-store';
import { type ApiResponse, type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

type Json = ApiResponse['body'];

let api: TestApi;
let tenant: string;
let admin: Caller;
let outsider: Caller;

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('bulk');
  admin = await api.as(tenant, ['admin']);
  outsider = await api.as(newTenant('outsider'), ['admin']);
});
afterAll(() => api.stop());

/** Polls the job until it is no longer running (bounded by attempts, not by the clock). */
async function settled(caller: Caller, id: string): Promise<ApiResponse> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await caller('GET', `/v1/exports/${id}`);
    if (response.status !== 200 || response.body.status !== 'running') return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`export ${id} still running after 200 polls`);
}

describe('POST /v1/exports', () => {
  it('writes every twin and document of the tenant as NDJSON, downloadable once done', async () => {
    // Prepare
    const ids: string[] = [];
    for (const serial of ['BULK-1', 'BULK-2', 'BULK-3']) {
      const created = await admin('POST', '/v1/twins', { body: aircraftRecord(serial) });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const document = await admin('POST', '/v1/documents', {
      body: {
        kind: 'manual',
        title: 'BULK manual',
        contentType: 'application/pdf',
        size: 1,
        sha256: 'f'.repeat(64),
      },
    });
    expect(document.status).toBe(201);
    // Act
    const started = await admin('POST', '/v1/exports');
    const done = await settled(admin, started.body.id);
    // Assess
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      id: expect.any(String),
      status: 'running',
      createdAt: expect.any(String),
      stage: 1,
      twins: 0,
      documents: 0,
      types: 0,
      views: 0,
      grants: 0,
      usageParameters: 0,
      parts: 0,
      configurationModels: 0,
      usageRecords: 0,
      components: 0,
    });
    expect(started.headers.get('location')).toBe(`/v1/exports/${started.body.id}`);
    expect(done.body).toMatchObject({
      status: 'done',
      twins: 3,
      documents: 1,
      downloadUrl: expect.any(String),
    });
    const download = await fetch(done.body.downloadUrl);
    expect(download.status).toBe(200);
    const text = await download.text();
    expect(text.length).toBe(done.body.bytes);
    const lines: Json[] = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: 'header', format: 'twinthread.tenant/4', tenant });
    const twins = lines.filter((line) => line.type === 'twin');
    expect(twins.map((line) => line.source.twinId).sort()).toEqual([...ids].sort());
    expect(twins.every((line) => line.format === 'twinthread.twin/2' && line.positions.length === 9)).toBe(
      true,
    );
    expect(lines.filter((line) => line.type === 'document').map((line) => line.document.id)).toEqual([
      document.body.document.id,
    ]);
  });

  it('keeps a job to its tenant: another tenant gets 404, and its own export holds none of these twins', async () => {
    // Prepare
    await admin('POST', '/v1/twins', { body: aircraftRecord('BULK-ISO') });
    const started = await admin('POST', '/v1/exports');
    await settled(admin, started.body.id);
    // Act
    const foreign = await outsider('GET', `/v1/exports/${started.body.id}`);
    const own = await outsider('POST', '/v1/exports');
    const ownDone = await settled(outsider, own.body.id);
    // Assess
    expectProblem(foreign, 404);
    expect(JSON.stringify(foreign.body)).not.toContain('BULK-ISO');
    expect(ownDone.body).toMatchObject({ status: 'done', twins: 0, documents: 0 });
    const text = await (await fetch(ownDone.body.downloadUrl)).text();
    expect(text).not.toContain('BULK-ISO');
    expect(text).not.toContain(tenant);
  });

  it('is for admins only, and 404 for an id that is not a job', async () => {
    // Act
    const engineer = await api.as(tenant, ['engineer']);
    const refused = await engineer('POST', '/v1/exports');
    const missing = await admin('GET', '/v1/exports/01HZZZZZZZZZZZZZZZZZZZZZZZ');
    const malformed = await admin('GET', '/v1/exports/not-an-id');
    // Assess
    expectProblem(refused, 403);
    expectProblem(missing, 404);
    expectProblem(malformed, 400, 'path.id');
  });

  it('streams a large export in several parts, whole', async () => {
    // Prepare: parts of 4 KB instead of S3's 5 MiB minimum (the local S3 does not enforce it)
    const job = await startTenantExport(tenant, { sub: 'test', tenant }, new Date());
    // Act
    await runTenantExport(tenant, job.id, { partBytes: 4096 });
    const done = await settled(admin, job.id);
    // Assess
    expect(done.body).toMatchObject({ status: 'done', twins: 4 });
    expect(done.body.bytes).toBeGreaterThan(4 * 4096);
    const text = await (await fetch(done.body.downloadUrl)).text();
    expect(text.length).toBe(done.body.bytes);
    const twins = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.type === 'twin');
    expect(twins.map((line) => line.record.serialNumber).sort()).toEqual([
      'BULK-1',
      'BULK-2',
      'BULK-3',
      'BULK-ISO',
    ]);
  });

  it('shows a running export stage by stage (twins and documents so far), never its upload, parts or cursor', async () => {
    // Prepare: stages of two lines (parts of 2 KB), each next stage held back
    const job = await startTenantExport(tenant, { sub: 'test', tenant }, new Date());
    const handedOn: ExportStage[] = [];
    const options = { partBytes: 2048, maxLines: 2 };
    const handOff = async (next: ExportStage) => void handedOn.push(next);
    await runExportStage(tenant, job.id, 1, { ...options, handOff });
    // Act
    const first = await admin('GET', `/v1/exports/${job.id}`);
    const foreign = await outsider('GET', `/v1/exports/${job.id}`);
    await runExportStage(tenant, job.id, 2, { ...options, handOff });
    const second = await admin('GET', `/v1/exports/${job.id}`);
    const internals = await getExportJob(tenant, job.id);
    await runTenantExport(tenant, job.id, options);
    const done = await settled(admin, job.id);
    // Assess
    expect(handedOn.map((next) => next.stage)).toEqual([2, 3]);
    expect(first.body).toEqual({
      id: job.id,
      status: 'running',
      createdAt: job.createdAt,
      stage: 2,
      // the document comes first (before the twins that link it)
      twins: 1,
      documents: 1,
      types: 0,
      views: 0,
      grants: 0,
      usageParameters: 0,
      parts: 0,
      configurationModels: 0,
      usageRecords: 0,
      components: 0,
    });
    expect(second.body).toMatchObject({ status: 'running', stage: 3, twins: 3, documents: 1 });
    expect(internals?.uploadId).toEqual(expect.any(String));
    expect(internals?.checkpoint?.etags.length).toBeGreaterThan(1);
    for (const secret of [internals?.uploadId, ...(internals?.checkpoint?.etags ?? [])]) {
      expect(JSON.stringify(second.body)).not.toContain(String(secret).replaceAll('"', ''));
    }
    expectProblem(foreign, 404);
    expect(JSON.stringify(foreign.body)).not.toContain(tenant);
    expect(foreign.body).not.toHaveProperty('twins');
    expect(done.body).toMatchObject({
      status: 'done',
      twins: 4,
      documents: 1,
      downloadUrl: expect.any(String),
    });
    expect(done.body).not.toHaveProperty('stage');
  });
});

describe('types, views, role views and grants in a tenant export', () => {
  it('writes them in order around the twins and documents, every version, revoked grants too; none to another tenant', async () => {
    // Prepare: a tenant with 2 types (engine in 2 versions), typed twins, a view in 2 versions, a role view, 2 grants
    const owner = newTenant('bulk-typed');
    const grantee = newTenant('bulk-grantee');
    const call = await api.as(owner, ['admin']);
    const must = async (response: Promise<ApiResponse>, status: number) => {
      const answer = await response;
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      return answer.body as Json;
    };
    const engine = { kind: 'component', attributes: { thrust: { type: 'number', required: true } } };
    await must(call('PUT', '/v1/types/engine', { body: engine }), 201);
    const engine2 = {
      ...engine,
      attributes: { ...engine.attributes, grade: { type: 'enum', values: ['A'] } },
    };
    await must(call('PUT', '/v1/types/engine', { body: engine2 }), 200);
    await must(
      call('PUT', '/v1/types/aircraft', {
        body: { kind: 'twin', attributes: {}, additionalAttributes: true },
      }),
      201,
    );
    const twinIds: string[] = [];
    for (const serial of ['TT-1', 'TT-2']) {
      const record = aircraftRecord(serial, { type: 'aircraft' });
      const first = record.configuration[0]!;
      first.component = { ...first.component!, type: 'engine', attributes: { thrust: 120 } };
      twinIds.push((await must(call('POST', '/v1/twins', { body: record }), 201)).id);
    }
    const view = await must(call('POST', '/v1/views', { body: { name: 'hvac', positions: ['hvac'] } }), 201);
    await must(
      call('PUT', `/v1/views/${view.id}`, { body: { name: 'hvac+', positions: ['hvac', 'engine-1'] } }),
      200,
    );
    await must(call('PUT', '/v1/role-views/viewer', { body: { viewId: view.id } }), 200);
    const terms = {
      grantee,
      viewId: view.id,
      twins: { site: 'TLS' },
      purpose: 'contractor',
      permissions: ['read'],
    };
    const kept = await must(call('POST', '/v1/grants', { body: terms }), 201);
    const revoked = await must(call('POST', '/v1/grants', { body: { ...terms, purpose: 'other' } }), 201);
    await must(call('DELETE', `/v1/grants/${revoked.id}`), 204);
    // Act
    const started = await call('POST', '/v1/exports');
    const done = await settled(call, started.body.id);
    const outsiderExport = await settled(outsider, (await outsider('POST', '/v1/exports')).body.id);
    // Assess
    expect(done.body).toMatchObject({
      status: 'done',
      types: 2,
      twins: 2,
      documents: 0,
      views: 1,
      grants: 2,
    });
    const lines: Json[] = (await (await fetch(done.body.downloadUrl)).text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.type)).toEqual([
      'header',
      'type',
      'type',
      'twin',
      'twin',
      'view',
      'role-views',
      'grant',
      'grant',
    ]);
    expect(lines[0]).toMatchObject({ format: 'twinthread.tenant/4', tenant: owner });
    const definition = ({ createdAt: _at, createdBy: _by, ...rest }: Json) => rest;
    expect(lines[1].name).toBe('aircraft');
    expect(lines[2].name).toBe('engine');
    expect(lines[2].versions.map(definition)).toEqual([
      { name: 'engine', version: 1, additionalAttributes: false, ...engine },
      { name: 'engine', version: 2, additionalAttributes: false, ...engine2 },
    ]);
    expect(
      lines
        .slice(3, 5)
        .map((line) => line.source.twinId)
        .sort(),
    ).toEqual([...twinIds].sort());
    expect(lines[3].record).toMatchObject({ type: 'aircraft', typeVersion: 1 });
    expect(lines[5]).toMatchObject({
      id: view.id,
      versions: [
        { version: 1, name: 'hvac' },
        { version: 2, name: 'hvac+' },
      ],
    });
    expect(lines[6]).toEqual({ type: 'role-views', roles: { viewer: view.id } });
    const grants = lines.slice(7).map((line) => line.grant);
    expect(grants.map((grant) => grant.id).sort()).toEqual([kept.id, revoked.id].sort());
    expect(grants.find((grant) => grant.id === revoked.id)).toMatchObject({ revokedAt: expect.any(String) });
    expect(grants.every((grant) => grant.owner === owner && grant.grantee === grantee)).toBe(true);
    // Assess: nothing of it in another tenant's export
    expect(outsiderExport.body).toMatchObject({ status: 'done', types: 0, views: 0, grants: 0 });
    const foreign = await (await fetch(outsiderExport.body.downloadUrl)).text();
    for (const secret of [owner, grantee, view.id, kept.id, twinIds[0]!])
      expect(foreign).not.toContain(secret);
    expect(
      foreign
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).type),
    ).toEqual(['header', 'role-views']);
  });
});
