import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExportJob } from '../../shared/store/export-store';
import {
  type ExportStage,
  runExportStage,
  runTenantExport,
  startTenantExport,
} from '../../shared/tenant-export';
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
    expect(lines[0]).toMatchObject({ type: 'header', format: 'twinthread.tenant/1', tenant });
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
      twins: 2,
      documents: 0,
    });
    expect(second.body).toMatchObject({ status: 'running', stage: 3, twins: 4, documents: 0 });
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
