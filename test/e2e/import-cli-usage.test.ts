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
});
