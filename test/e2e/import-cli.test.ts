import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { jsonLines, runImporter } from '../support/importer';
import { newTenant } from '../support/tenants';
import { nodeAt } from '../support/tree';

let api: TestApi;
let tenant: string;
let admin: Caller;
let token: string;
let directory: string;

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('import');
  admin = await api.as(tenant, ['admin']);
  token = await api.issuer.token(tenant, ['engineer']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-import-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** Runs the importer as a user would, with an engineer's token. */
const importer = (args: string[]) => runImporter(['--url', api.url, '--quiet', ...args], token);

const checkpointOf = (file: string) => JSON.parse(readFileSync(`${file}.checkpoint.json`, 'utf8'));
const rewind = (file: string, fields: Record<string, unknown>) =>
  writeFileSync(`${file}.checkpoint.json`, JSON.stringify({ ...checkpointOf(file), ...fields }));

describe('importing observations from CSV', () => {
  it('stops, resumes, applies every observation once and reports the bad records', async () => {
    // Prepare
    const twins = [];
    for (const serial of ['IMP-1', 'IMP-2'])
      twins.push((await admin('POST', '/v1/twins', { body: aircraftRecord(serial) })).body);
    const [one, two] = twins;
    const file = join(directory, 'observations.csv');
    writeFileSync(
      file,
      [
        'twinId,twinSerialNumber,productPartNumber,path,partNumber,serialNumber,softwareVersion',
        `${one.id},,,engine-1/fadec/sw,FADEC-SW,,5.3.0`,
        `${one.id},,,hvac/controller,HVAC-CTL-9,IMP-1-HVC,`,
        ',IMP-2,A320-214,engine-2/fadec/sw,FADEC-SW,,5.4.0',
        `${two.id},,,Not A Path,FADEC-SW,,1.0.0`,
        '01JD3Q6Z8V1K9M2N3P4R5S6T7V,,,engine-1,CFM56-5B4,,',
        `${two.id},,,cabin,SEAT-9,S-1,`,
        `${one.id},,,engine-9,CFM56-5B4,,`,
      ].join('\n'),
    );
    const args = ['--kind', 'observations', '--mode', 'apply', '--batch-size', '2', file];
    // Act: interrupted after the first batch
    const stopped = await importer([...args, '--stop-after', '1']);
    // Assess
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(checkpointOf(file)).toMatchObject({ next: 1, complete: false });
    expect((await admin('GET', `/v1/twins/${one.id}`)).body.version).toBe(2);
    expect((await admin('GET', `/v1/twins/${two.id}`)).body.version).toBe(1);

    // Act: a crash after batch 2 was sent but before the checkpoint said so, then the rerun
    const second = await importer([...args, '--stop-after', '1']);
    expect(second.code, second.stderr).toBe(3);
    expect((await admin('GET', `/v1/twins/${two.id}`)).body.version).toBe(2);
    // Someone changes what batch 2 applied: a batch sent twice would overwrite it again.
    const meanwhile = await admin('POST', `/v1/twins/${two.id}/changes`, {
      headers: { 'if-match': '"2"' },
      body: {
        reason: 'hot fix',
        operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.4.1' }],
      },
    });
    expect(meanwhile.status).toBe(200);
    rewind(file, { next: 1 });
    const resumed = await importer(args);
    // Assess
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(checkpointOf(file)).toMatchObject({ next: 3, complete: true });
    const first = (await admin('GET', `/v1/twins/${one.id}`)).body;
    const other = (await admin('GET', `/v1/twins/${two.id}`)).body;
    expect(first.version).toBe(2);
    expect(nodeAt(first, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.3.0');
    expect(other.version).toBe(4);
    expect(nodeAt(other, 'engine-2/fadec/sw')?.component?.softwareVersion).toBe('5.4.1');
    expect(nodeAt(other, 'cabin')?.component?.serialNumber).toBe('S-1');
    const errors = jsonLines(`${file}.errors.jsonl`);
    expect(errors.map((error) => error.line).sort()).toEqual([5, 6, 8]);
    expect(errors.find((error) => error.line === 5).problem).toMatch(/^path: /);
    expect(errors.find((error) => error.line === 6).problem).toBe('no twin 01JD3Q6Z8V1K9M2N3P4R5S6T7V');
    expect(errors.find((error) => error.line === 8).problem).toBe('the twin has no position engine-9');
    const results = jsonLines(`${file}.results.jsonl`);
    expect(results.map((result) => result.line)).toEqual([2, 4, 7]);
    expect(results.every((result) => result.status === 'applied')).toBe(true);

    // Act: a complete import is not imported again
    const again = await importer(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('imported already');
  });
});

describe('importing as-built records from CSV', () => {
  it('creates each twin once across an interruption, and reports the bad one', async () => {
    // Prepare
    const file = join(directory, 'as-built.csv');
    const columns =
      'twinSerialNumber,productPartNumber,productRevision,productName,site,builtAt,path,positionName,partNumber,serialNumber,revision,kind,softwareVersion';
    const rows = (serial: string, kind = 'mechanical') => [
      `${serial},PUMP-7,A,Pump,LYS,2025-01-01T00:00:00Z,motor,Motor,MOT-1,${serial}-M,,electrical,`,
      `${serial},PUMP-7,,,,,motor/fw,,MOT-FW,,,,2.1.0`,
      `${serial},PUMP-7,,,,,impeller,,IMP-3,${serial}-I,B,${kind},`,
    ];
    writeFileSync(
      file,
      [columns, ...rows('CSV-P1'), ...rows('CSV-P2'), ...rows('CSV-BAD', 'wooden'), ...rows('CSV-P3')].join(
        '\n',
      ),
    );
    const args = ['--kind', 'as-built', file];
    // Act: the first two twins, then a crash with the second one sent but not checkpointed
    const stopped = await importer([...args, '--stop-after', '2']);
    expect(stopped.code, stopped.stderr).toBe(3);
    rewind(file, { next: 1, pending: 1 });
    const resumed = await importer(args);
    // Assess
    expect(resumed.code, resumed.stderr).toBe(0);
    const listed = (await admin('GET', '/v1/twins?partNumber=PUMP-7')).body.items;
    expect(listed.map((twin: { serialNumber: string }) => twin.serialNumber)).toEqual([
      'CSV-P1',
      'CSV-P2',
      'CSV-P3',
    ]);
    const pump = (await admin('GET', `/v1/twins/${listed[0].id}`)).body;
    expect(pump).toMatchObject({
      product: { partNumber: 'PUMP-7', revision: 'A', name: 'Pump' },
      site: 'LYS',
    });
    expect(nodeAt(pump, 'motor/fw')?.component).toMatchObject({ kind: 'software', softwareVersion: '2.1.0' });
    expect(nodeAt(pump, 'impeller')?.component).toMatchObject({ serialNumber: 'CSV-P1-I', revision: 'B' });
    const errors = jsonLines(`${file}.errors.jsonl`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: [8, 9, 10], twin: 'PUMP-7/CSV-BAD' });
    expect(errors[0].problem).toContain('configuration[1].component.kind');
    const created = jsonLines(`${file}.results.jsonl`).map((result) => result.twin);
    expect(created).toEqual(['PUMP-7/CSV-P1', 'PUMP-7/CSV-P2', 'PUMP-7/CSV-P3']);
  });

  it('reads as-built records as JSON lines, the API body as it is', async () => {
    const file = join(directory, 'as-built.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify(aircraftRecord('JSONL-1'))}\n{not json\n\n${JSON.stringify({ serialNumber: 'X' })}\n`,
    );
    const done = await importer(['--kind', 'as-built', file]);
    expect(done.code, done.stderr).toBe(0);
    const listed = (await admin('GET', '/v1/twins?serialNumber=JSONL-1')).body.items;
    expect(listed).toHaveLength(1);
    const errors = jsonLines(`${file}.errors.jsonl`);
    expect(errors.map((error) => error.line)).toEqual([2, 4]);
    expect(errors[0].problem).toMatch(/^malformed JSON/);
    expect(errors[1].problem).toContain('product');
  });

  it('explains a bad call', async () => {
    const missing = await importer(['--kind', 'as-built', join(directory, 'nothing.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no file');
  });
});
