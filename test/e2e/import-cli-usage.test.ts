import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { jsonLines, runImporter } from '../support/importer';
import { newTenant } from '../support/tenants';

let api: TestApi;
let admin: Caller;
let token: string;
let directory: string;

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('import-usage');
  admin = await api.as(tenant, ['admin']);
  token = await api.issuer.token(tenant, ['engineer']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-usage-import-'));
  await admin('PUT', '/v1/usage-parameters/FH', { body: { unit: 'h' } });
  await admin('PUT', '/v1/usage-parameters/FC', { body: { unit: 'cycles' } });
});
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe('importing usage records from CSV', () => {
  it('records each batch once, across a resumed run, and reports the bad rows', async () => {
    // Prepare: a flight log of two aircraft, one bad row
    const twins = [];
    for (const serial of ['IMPU-1', 'IMPU-2'])
      twins.push(
        (
          await admin('POST', '/v1/twins', {
            body: { serialNumber: serial, product: { partNumber: 'A320' }, configuration: [] },
          })
        ).body,
      );
    const [one, two] = twins;
    const file = join(directory, 'techlog.csv');
    writeFileSync(
      file,
      [
        'twinId,parameter,at,delta,reading,ref',
        `${one.id},FH,2024-02-10T11:40:00Z,2.25,,AC1201`,
        `${one.id},FC,2024-02-10T11:40:00Z,1,,AC1201`,
        `${two.id},FH,2024-02-10T12:00:00Z,3.5,,AC300`,
        `${two.id},FC,2024-02-10T12:00:00Z,,1000,AC300`,
        `${two.id},FH,not-a-time,1,,AC301`,
      ].join('\n'),
    );
    const args = ['--url', api.url, '--quiet', '--kind', 'usage', file];

    // Act: stopped after the first batch, then resumed
    const stopped = await runImporter([...args, '--stop-after', '1'], token);
    const resumed = await runImporter(args, token);

    // Assess
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(resumed.code, resumed.stderr).toBe(0);
    const first = await admin('GET', `/v1/twins/${one.id}/usage`);
    expect(first.body.parameters).toMatchObject({ FH: { total: 2.25 }, FC: { total: 1 } });
    const second = await admin('GET', `/v1/twins/${two.id}/usage`);
    expect(second.body.parameters.FH.total).toBe(3.5);
    expect(second.body.parameters.FC.recent[0]).toMatchObject({ reading: 1000, delta: 0 });
    expect(jsonLines(`${file}.errors.jsonl`).map((error) => error.line)).toEqual([6]);
  });

  it('reports the row the server refuses by its field (the checks of POST /v1/twins/{id}/usage and /v1/ingest)', async () => {
    // Prepare: a negative delta and an unknown parameter in one aircraft's batch
    const twin = (
      await admin('POST', '/v1/twins', {
        body: { serialNumber: 'IMPU-3', product: { partNumber: 'A320' }, configuration: [] },
      })
    ).body;
    const file = join(directory, 'bad-techlog.csv');
    writeFileSync(
      file,
      [
        'twinId,parameter,at,delta,reading,ref',
        `${twin.id},FH,2024-02-10T11:40:00Z,2,,AC1`,
        `${twin.id},FH,2024-02-11T11:40:00Z,-2,,AC2`,
        `${twin.id},APU_X,2024-02-12T11:40:00Z,1,,AC3`,
      ].join('\n'),
    );
    // Act
    const run = await runImporter(['--url', api.url, '--quiet', '--kind', 'usage', file], token);
    // Assess: nothing of the batch recorded; each line says why
    expect(run.code, run.stderr).toBe(0);
    const errors = jsonLines(`${file}.errors.jsonl`);
    expect(errors.map((error) => error.line)).toEqual([2, 3, 4]);
    expect(errors[0].problem).toContain('lines 3, 4');
    expect(errors[1].problem).toContain('body.records[1].delta');
    expect(errors[2].problem).toContain('body.records[2].parameter');
    expect((await admin('GET', `/v1/twins/${twin.id}/usage`)).body.parameters).toEqual({});
  });
});
