import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, must, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { importAs, jsonLines } from '../support/importer';
import { expectProblem } from '../support/problems';
import { exportTenant } from '../support/tenant-export';
import { newTenant } from '../support/tenants';
import { nodeAt } from '../support/tree';

type Json = ApiResponse['body'];

let api: TestApi;
let source: Caller;
let directory: string;

beforeAll(async () => {
  api = await startApi();
  source = await api.as(newTenant('export-source'), ['admin']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-import-export-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** Runs the importer as a user would, with an admin token of `tenant`. */
const importer = (tenant: string, args: string[]) => importAs(api, tenant, args);

const checkpointOf = (file: string) => JSON.parse(readFileSync(`${file}.checkpoint.json`, 'utf8'));

const serialsOf = async (caller: Caller) =>
  ((await must(caller('GET', '/v1/twins?limit=100'))).items as { serialNumber: string }[])
    .map((twin) => twin.serialNumber)
    .sort();

describe('importing a tenant export (--kind export)', () => {
  it('brings every twin back across an interruption, with its past, and a rerun copies nothing twice', async () => {
    // Prepare: three twins, one with a back-dated replacement, one with a baseline and a linked document
    const ids: Record<string, string> = {};
    for (const serial of ['EXP-1', 'EXP-2', 'EXP-3'])
      ids[serial] = (await must(source('POST', '/v1/twins', { body: aircraftRecord(serial) }), 201)).id;
    await must(
      source('POST', `/v1/twins/${ids['EXP-1']}/changes`, {
        headers: { 'if-match': '"1"' },
        body: {
          reason: 'HVAC controller failure',
          effectiveAt: '2025-01-10T10:00:00Z',
          operations: [
            {
              op: 'replace',
              position: 'hvac/controller',
              component: { partNumber: 'HVAC-CTL-9', serialNumber: 'EXP-1-HVC-2', kind: 'electrical' },
            },
          ],
        },
      }),
    );
    await must(
      source('POST', `/v1/twins/${ids['EXP-2']}/baselines`, {
        body: { name: 'delivery', at: '2025-01-15T00:00:00Z' },
      }),
      201,
    );
    const document = async (title: string) =>
      (
        await must(
          source('POST', '/v1/documents', {
            body: { kind: 'manual', title, contentType: 'application/pdf', size: 1, sha256: 'e'.repeat(64) },
          }),
          201,
        )
      ).document;
    const manual = await document('EXP-2 engine manual');
    await document('a manual no twin links to');
    await must(
      source('POST', `/v1/twins/${ids['EXP-2']}/links`, {
        body: { documentId: manual.id, position: 'engine-1' },
      }),
      201,
    );
    const file = join(directory, 'tenant.ndjson');
    await exportTenant(source, file);
    const target = newTenant('export-target');
    const copier = await api.as(target, ['admin']);
    const args = ['--kind', 'export', file];

    // Act: interrupted after the two document lines and the first twin, then the rerun
    const stopped = await importer(target, [...args, '--stop-after', '3']);
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(checkpointOf(file)).toMatchObject({ next: 3, complete: false });
    expect(await serialsOf(copier)).toHaveLength(1);
    const resumed = await importer(target, args);

    // Assess
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('2 imported, 0 not imported');
    // two document lines, three twins, and the component line of the HVAC controller replaced on EXP-1 (its finished stay)
    expect(checkpointOf(file)).toMatchObject({ next: 6, complete: true });
    expect(await serialsOf(copier)).toEqual(['EXP-1', 'EXP-2', 'EXP-3']);
    expect(readFileSync(`${file}.errors.jsonl`, 'utf8')).toBe('');
    const results = jsonLines(`${file}.results.jsonl`);
    expect(results.map((result) => result.status)).toEqual([
      'imported',
      'imported',
      'imported',
      'imported',
      'imported',
      'imported',
    ]);
    expect(results[0]).toMatchObject({ record: `document ${manual.id}`, written: 1 });
    expect(results.at(-1)).toMatchObject({ record: 'component HVAC-CTL-9/EXP-1-HVC', written: 1 });
    const copyOf = (serial: string) => {
      const result = results.find((entry) => entry.twin === `A320-214/${serial}`);
      expect(result?.sourceTwinId).toBe(ids[serial]);
      return result?.twinId as string;
    };
    const before = '2025-01-05T00:00:00Z';
    for (const [caller, id] of [
      [source, ids['EXP-1']],
      [copier, copyOf('EXP-1')],
    ] as const) {
      const then = await must(caller('GET', `/v1/twins/${id}?asOf=${before}`));
      const now = await must(caller('GET', `/v1/twins/${id}`));
      expect(nodeAt(then, 'hvac/controller')?.component?.serialNumber).toBe('EXP-1-HVC');
      expect(nodeAt(now, 'hvac/controller')?.component?.serialNumber).toBe('EXP-1-HVC-2');
    }
    const baselines = await must(copier('GET', `/v1/twins/${copyOf('EXP-2')}/baselines`));
    expect(baselines.items.map((baseline: { name: string }) => baseline.name)).toEqual(['delivery']);
    const documents = await must(copier('GET', '/v1/documents'));
    expect(documents.items.map((item: { title: string }) => item.title)).toContain('EXP-2 engine manual');

    // Act: a crash after twins 2 and 3 were sent but before the checkpoint said so
    writeFileSync(
      `${file}.checkpoint.json`,
      JSON.stringify({ ...checkpointOf(file), next: 3, complete: false }),
    );
    const crashed = await importer(target, args);
    // Assess: answered with the first copies, none made twice
    expect(crashed.code, crashed.stderr).toBe(0);
    expect(crashed.stderr).toContain('0 imported, 2 imported before (replayed)');
    expect(await serialsOf(copier)).toEqual(['EXP-1', 'EXP-2', 'EXP-3']);

    // Act: the whole file again, from the start
    const again = await importer(target, [...args, '--restart']);
    // Assess
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('0 imported, 3 imported before (replayed)');
    const replayed = jsonLines(`${file}.results.jsonl`);
    expect(replayed.map((result) => result.status)).toEqual([
      'already',
      'already',
      'replayed',
      'replayed',
      'replayed',
      'already',
    ]);
    expect(replayed.map((result) => result.twinId)).toEqual(results.map((result) => result.twinId));
    expect(await serialsOf(copier)).toEqual(['EXP-1', 'EXP-2', 'EXP-3']);
    const done = await importer(target, args);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('imported already');
  }, 120_000);

  it('reports the lines it cannot import and imports the others', async () => {
    // Prepare: a real export, its twin lines damaged in several ways
    const exported = join(directory, 'whole.ndjson');
    await must(source('POST', '/v1/twins', { body: aircraftRecord('EXP-BAD') }), 201);
    await exportTenant(source, exported);
    const lines = jsonLines(exported);
    const header = lines.find((line) => line.type === 'header');
    const twin = lines.find((line) => line.type === 'twin' && line.record.serialNumber === 'EXP-BAD');
    // valid for the schema, refused by the API: two components in one position at once
    const open = twin.installations.find((installation: Json) => installation.path === 'hvac/controller');
    const overlapping = { ...open, validFrom: '2025-01-01T00:00:00.000Z' };
    const file = join(directory, 'damaged.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify(header),
        JSON.stringify({ ...twin, installations: [...twin.installations, overlapping] }),
        '{"type": "twin", ',
        JSON.stringify({ ...twin, type: 'inventory' }),
        JSON.stringify({ ...twin, changeSets: [] }),
        JSON.stringify(twin),
        '',
      ].join('\n'),
    );
    const target = newTenant('export-damaged');
    // Act
    const run = await importer(target, ['--kind', 'export', file]);
    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('1 imported, 4 not imported');
    const errors = jsonLines(`${file}.errors.jsonl`);
    expect(errors.map((error) => error.line)).toEqual([2, 3, 4, 5]);
    expect(errors[0]).toMatchObject({ twin: 'A320-214/EXP-BAD' });
    expect(errors[0].problem).toMatch(/^400 .*\(body\.installations\[\d+\]\.path: /);
    expect(errors[1].problem).toMatch(/^malformed JSON/);
    expect(errors[2].problem).toContain('type must be header, type, usage-parameters, part');
    expect(errors[3].problem).toMatch(/^changeSets: /);
    expect(await serialsOf(await api.as(target, ['admin']))).toEqual(['EXP-BAD']);
  }, 60_000);

  it('explains a bad call', async () => {
    const file = join(directory, 'export.csv');
    writeFileSync(file, 'not,an,export\n');
    const refused = await importer(newTenant('export-usage'), ['--kind', 'export', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--format jsonl');
  });
});

describe('types, views, role views and grants in a tenant export', () => {
  const ENGINE_V1 = {
    kind: 'component',
    description: 'A turbofan engine',
    attributes: { thrust: { type: 'number', required: true, unit: 'kN' } },
  };
  const ENGINE_V2 = {
    ...ENGINE_V1,
    attributes: { ...ENGINE_V1.attributes, overhaulInterval: { type: 'integer', unit: 'h' } },
  };
  const AIRCRAFT = {
    kind: 'twin',
    attributes: { operator: { type: 'string', required: true }, seats: { type: 'integer' } },
  };
  const VERSIONS = [
    ['aircraft', 1],
    ['engine', 1],
    ['engine', 2],
  ] as const;
  /** A type version without who defined it when: what must be identical in a copy. */
  const definition = ({ createdAt: _at, createdBy: _by, ...rest }: Json) => rest;

  let owner: Caller;
  let file: string;

  /** An aircraft typed `aircraft`, its first engine typed `engine`. */
  const typedAircraft = (serial: string) => {
    const record = aircraftRecord(serial, { type: 'aircraft' });
    const engine = record.configuration[0]!;
    engine.component = { ...engine.component!, type: 'engine', attributes: { thrust: 120 } };
    return record;
  };

  beforeAll(async () => {
    owner = await api.as(newTenant('typed-source'), ['admin']);
    await must(owner('PUT', '/v1/types/aircraft', { body: AIRCRAFT }), 201);
    await must(owner('PUT', '/v1/types/engine', { body: ENGINE_V1 }), 201);
    await must(owner('POST', '/v1/twins', { body: typedAircraft('TYP-1') }), 201);
    await must(owner('PUT', '/v1/types/engine', { body: ENGINE_V2 }));
    await must(owner('POST', '/v1/twins', { body: typedAircraft('TYP-2') }), 201);
    const view = await must(owner('POST', '/v1/views', { body: { name: 'hvac', positions: ['hvac'] } }), 201);
    await must(
      owner('PUT', `/v1/views/${view.id}`, { body: { name: 'hvac', positions: ['hvac', 'engine-1'] } }),
    );
    await must(owner('PUT', '/v1/role-views/viewer', { body: { viewId: view.id } }));
    await must(
      owner('POST', '/v1/grants', {
        body: {
          grantee: newTenant('typed-grantee'),
          viewId: view.id,
          twins: { site: 'TLS' },
          purpose: 'contractor',
          permissions: ['read'],
        },
      }),
      201,
    );
    file = join(directory, 'typed.ndjson');
    await exportTenant(owner, file);
  });

  it('defines every type version before the twins, so typed attributes of the copies are checked and editable', async () => {
    // Prepare
    const target = newTenant('typed-target');
    const copier = await api.as(target, ['admin']);
    const args = ['--kind', 'export', file];
    // Act: interrupted after the first type line, then resumed
    const stopped = await importer(target, [...args, '--stop-after', '1']);
    const resumed = await importer(target, args);
    // Assess
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('2 imported, 0 not imported');
    expect(resumed.stderr).toContain('kept in the export, not restored: 1 views, 1 role views, 1 grants');
    expect(readFileSync(`${file}.errors.jsonl`, 'utf8')).toBe('');
    for (const [name, version] of VERSIONS) {
      const original = await must(owner('GET', `/v1/types/${name}?version=${version}`));
      const copy = await must(copier('GET', `/v1/types/${name}?version=${version}`));
      expect(definition(copy)).toEqual(definition(original));
    }
    const results = jsonLines(`${file}.results.jsonl`);
    const copyId = results.find((entry) => entry.twin === 'A320-214/TYP-1')?.twinId as string;
    const copy = await must(copier('GET', `/v1/twins/${copyId}`));
    expect(copy).toMatchObject({ type: 'aircraft', typeVersion: 1 });
    const bad = await copier('PATCH', `/v1/twins/${copyId}`, {
      body: { attributes: { seats: 'many' } },
      headers: { 'if-match': `"${copy.version}"` },
    });
    expectProblem(bad, 400, 'body.attributes.seats');
    const patched = await must(
      copier('PATCH', `/v1/twins/${copyId}`, {
        body: { attributes: { seats: 174 } },
        headers: { 'if-match': `"${copy.version}"` },
      }),
    );
    expect(patched.attributes.seats).toBe(174);
    const replaced = await copier('POST', `/v1/twins/${copyId}/changes`, {
      headers: { 'if-match': `"${patched.version}"` },
      body: {
        reason: 'engine change',
        operations: [
          {
            op: 'replace',
            position: 'engine-1',
            component: {
              partNumber: 'CFM56-5B4',
              serialNumber: 'TYP-1-ESN-9',
              kind: 'mechanical',
              type: 'engine',
              attributes: { thrust: 121, overhaulInterval: 20000 },
            },
          },
        ],
      },
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBeLessThan(300);

    // Act: the whole file again
    const again = await importer(target, [...args, '--restart']);
    // Assess: nothing new
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('0 imported, 2 imported before (replayed)');
    expect(again.stderr).toContain('types: 0 versions defined, 3 already defined, 0 differ');
    const types = await must(copier('GET', '/v1/types'));
    expect(types.items.map((type: Json) => [type.name, type.version])).toEqual([
      ['aircraft', 1],
      ['engine', 2],
    ]);
    expect(await serialsOf(copier)).toEqual(['TYP-1', 'TYP-2']);
    expect((await must(copier('GET', '/v1/views'))).items).toEqual([]);
    expect((await must(copier('GET', '/v1/grants'))).items).toEqual([]);
  }, 120_000);

  it('imports one typed twin into a tenant without its types, with a note naming each type (201)', async () => {
    // Prepare
    const listed = await must(owner('GET', '/v1/twins?limit=100'));
    const twinId = listed.items.find((twin: Json) => twin.serialNumber === 'TYP-1').id;
    const exported = await must(owner('GET', `/v1/twins/${twinId}/export`));
    const target = await api.as(newTenant('typed-single'), ['admin']);
    // Act
    const imported = await target('POST', '/v1/imports', { body: exported });
    await must(target('PUT', '/v1/types/aircraft', { body: AIRCRAFT }), 201);
    const replayed = await target('POST', '/v1/imports', { body: exported });
    // Assess
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body.twin).toMatchObject({ type: 'aircraft', typeVersion: 1 });
    const typeNotes = (answer: ApiResponse) =>
      (answer.body.notes as string[]).filter((note) => note.startsWith('type '));
    expect(typeNotes(imported)).toEqual([
      expect.stringMatching(
        /^type aircraft \(named by the twin\) is not defined in this tenant: its typed attributes cannot be edited until it is/,
      ),
      expect.stringMatching(/^type engine \(named by engine-1\) is not defined in this tenant/),
    ]);
    expect(replayed.status).toBe(200);
    expect(typeNotes(replayed)).toEqual([expect.stringMatching(/^type engine \(named by engine-1\)/)]);
  });

  it('leaves a type the target defines otherwise unchanged, reports it, and imports the rest', async () => {
    // Prepare: engine version 1 is there already as in the source; aircraft differs
    const target = newTenant('typed-conflict');
    const copier = await api.as(target, ['admin']);
    await must(copier('PUT', '/v1/types/engine', { body: ENGINE_V1 }), 201);
    const other = { kind: 'twin', attributes: { operator: { type: 'string' } }, additionalAttributes: true };
    await must(copier('PUT', '/v1/types/aircraft', { body: other }), 201);
    const conflict = join(directory, 'typed-conflict.ndjson');
    writeFileSync(conflict, readFileSync(file));
    // Act
    const run = await importer(target, ['--kind', 'export', conflict]);
    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('2 imported, 1 not imported');
    expect(run.stderr).toContain('types: 1 versions defined, 1 already defined, 1 differ');
    const errors = jsonLines(`${conflict}.errors.jsonl`);
    expect(errors).toEqual([
      { line: 2, type: 'aircraft', problem: 'type aircraft differs in this tenant: left unchanged' },
    ]);
    expect(definition(await must(copier('GET', '/v1/types/aircraft')))).toEqual({
      name: 'aircraft',
      version: 1,
      ...other,
    });
    expect(definition(await must(copier('GET', '/v1/types/engine?version=2')))).toEqual(
      definition(await must(owner('GET', '/v1/types/engine?version=2'))),
    );
    expect(await serialsOf(copier)).toEqual(['TYP-1', 'TYP-2']);
    // Assess: another tenant sees none of it
    const outsider = await api.as(newTenant('typed-outsider'), ['admin']);
    expectProblem(await outsider('GET', '/v1/types/engine'), 404);
    expect((await must(outsider('GET', '/v1/types'))).items).toEqual([]);
    expect(await serialsOf(outsider)).toEqual([]);
  }, 120_000);
});
