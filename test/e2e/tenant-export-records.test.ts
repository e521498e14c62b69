import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, must, startApi, type TestApi } from '../support/api';
import { importAs, jsonLines } from '../support/importer';
import { comparableExport, exportTenant, importedTwins, inSourceIds } from '../support/tenant-export';
import { newTenant } from '../support/tenants';

/**
 * Usage parameters, part masters, configuration models, usage records and component records (#14,
 * #15) through a tenant export and its import: a lossless round trip, answered the same at any
 * (asOf, knownAt), idempotent on a rerun, a differing definition kept, no other tenant touched.
 */
type Json = ApiResponse['body'];

let api: TestApi;
let directory: string;
const tenants = {
  source: newTenant('rec-source'),
  target: newTenant('rec-target'),
  other: newTenant('rec-other'),
};
let source: Caller;
let target: Caller;
let other: Caller;

beforeAll(async () => {
  api = await startApi();
  source = await api.as(tenants.source, ['admin']);
  target = await api.as(tenants.target, ['admin']);
  other = await api.as(tenants.other, ['admin']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-records-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

const importer = (tenant: string, args: string[]) => importAs(api, tenant, args);

const exported = exportTenant;
const comparable = (lines: Json[]) => comparableExport(lines, Object.values(tenants));

const apu = (serialNumber: string) => ({ partNumber: 'APU-131', serialNumber, kind: 'mechanical' });

async function change(caller: Caller, id: string, body: Record<string, unknown>) {
  const twin = await caller('GET', `/v1/twins/${id}`);
  return must(
    caller('POST', `/v1/twins/${id}/changes`, {
      body: { reason: 'work order', ...body },
      headers: { 'if-match': twin.headers.get('etag')! },
    }),
  );
}

const fly = (id: string, body: unknown) => must(source('POST', `/v1/twins/${id}/usage`, { body }), 201);

const aircraft = async (caller: Caller, serialNumber: string) =>
  (
    await must(
      caller('POST', '/v1/twins', {
        body: {
          serialNumber,
          product: { partNumber: 'A320-214' },
          builtAt: '2024-01-01T00:00:00Z',
          configuration: [{ position: 'apu' }],
        },
      }),
      201,
    )
  ).id as string;

/** The source tenant's maintenance history: what the export must carry whole. */
async function maintenanceHistory() {
  for (const [name, unit] of [
    ['FH', 'h'],
    ['FC', 'cycles'],
  ])
    await must(source('PUT', `/v1/usage-parameters/${name}`, { body: { unit } }));
  const limit = (parameter: string, value: number) => ({
    parameter,
    limit: value,
    effectiveFrom: '2020-01-01T00:00:00Z',
  });
  await must(source('PUT', '/v1/parts/APU-131', { body: { llp: true, lifeLimits: [limit('FC', 60)] } }));
  await must(
    source('PUT', '/v1/configuration-models/A320-214', {
      body: { validate: 'warn', positions: [{ path: 'apu', allowed: [{ partNumber: 'APU-131' }] }] },
    }),
    201,
  );
  const twins = [
    await aircraft(source, 'R-A1'),
    await aircraft(source, 'R-A2'),
    await aircraft(source, 'R-A3'),
  ];
  const [a1, a2, a3] = twins as [string, string, string];
  await change(source, a1, {
    effectiveAt: '2024-02-01T00:00:00Z',
    operations: [
      {
        op: 'install',
        position: 'apu',
        component: apu('APU-1'),
        usageAtInstall: { FH: { tsn: 100 }, FC: { tsn: 10 } },
      },
    ],
  });
  const log = await fly(a1, {
    records: [
      { parameter: 'FH', at: '2024-02-10T10:00:00Z', delta: 3, ref: 'AC101' },
      { parameter: 'FC', at: '2024-02-10T10:00:00Z', delta: 1 },
      { parameter: 'FH', at: '2024-02-11T10:00:00Z', reading: 1200 },
      { parameter: 'FH', at: '2024-02-12T10:00:00Z', reading: 1205 },
    ],
  });
  // a back-dated correction: the first flight was 4 h, not 3 (knownAt before it still says 3)
  const wrong = log.records[0];
  await fly(a1, {
    records: [{ parameter: 'FH', at: '2024-02-10T10:00:00Z', delta: 4, ref: 'AC101' }],
    voids: [{ id: wrong.id, parameter: 'FH', at: wrong.at }],
  });
  await change(source, a1, {
    effectiveAt: '2024-03-01T00:00:00Z',
    operations: [
      { op: 'remove', position: 'apu', removal: { reason: 'scheduled', condition: 'serviceable' } },
    ],
  });
  await must(
    source('POST', '/v1/components/APU-131/APU-1/overhauls', { body: { at: '2024-03-02T00:00:00Z' } }),
    201,
  );
  await must(
    source('PUT', '/v1/parts/APU-131', {
      body: { llp: true, lifeLimits: [limit('FC', 60), limit('FH', 2000)], alertAt: { FC: 50 } },
    }),
  );
  await change(source, a2, {
    effectiveAt: '2024-03-05T00:00:00Z',
    operations: [{ op: 'install', position: 'apu', component: apu('APU-1') }],
  });
  await fly(a2, {
    records: [
      { parameter: 'FH', at: '2024-03-06T00:00:00Z', delta: 2 },
      { parameter: 'FC', at: '2024-03-06T00:00:00Z', delta: 2 },
    ],
  });
  await change(source, a2, {
    effectiveAt: '2024-04-01T00:00:00Z',
    operations: [
      {
        op: 'replace',
        position: 'apu',
        component: apu('APU-2'),
        usageAtInstall: { FH: { tsn: 0 }, FC: { tsn: 0 } },
        removal: { reason: 'unscheduled', condition: 'unserviceable', note: 'oil leak' },
      },
    ],
  });
  await fly(a2, { records: [{ parameter: 'FC', at: '2024-04-02T00:00:00Z', delta: 5 }] });
  await change(source, a3, {
    effectiveAt: '2024-05-01T00:00:00Z',
    operations: [{ op: 'install', position: 'apu', component: apu('APU-1') }],
  });
  await fly(a3, { records: [{ parameter: 'FC', at: '2024-05-02T10:00:00Z', delta: 4 }] });
  // a later model version: the APU position becomes mandatory
  await must(
    source('PUT', '/v1/configuration-models/A320-214', {
      body: {
        validate: 'enforce',
        positions: [{ path: 'apu', mandatory: true, allowed: [{ partNumber: 'APU-131' }] }],
      },
    }),
  );
  return twins;
}

describe('usage, life and configuration models through a tenant export (twinthread.tenant/4)', () => {
  it('round-trips losslessly: the same export, and the same answers at any (asOf, knownAt)', async () => {
    // Prepare
    const sourceTwins = await maintenanceHistory();
    await must(other('PUT', '/v1/parts/APU-131', { body: { llp: false } }));
    const otherTwin = await aircraft(other, 'O-1');
    const otherBefore = await exported(other, join(directory, 'other-before.ndjson'));
    const first = await exported(source, join(directory, 'source.ndjson'));
    expect(first.lines[0]).toMatchObject({ type: 'header', format: 'twinthread.tenant/4' });
    expect(first.lines.map((line: Json) => line.type)).toEqual([
      'header',
      'usage-parameters',
      'part',
      'configuration-model',
      'twin',
      'twin',
      'twin',
      ...first.lines.filter((line: Json) => line.type === 'usage').map(() => 'usage'),
      'component',
      'component',
      'role-views',
    ]);
    expect(first.job).toMatchObject({
      twins: 3,
      usageParameters: 2,
      parts: 1,
      configurationModels: 1,
      components: 2,
      usageRecords: 10,
    });

    // Act: import it into an empty tenant, then export that one
    const file = join(directory, 'source.ndjson');
    const run = await importer(tenants.target, ['--kind', 'export', file]);
    expect(run.code, run.stderr).toBe(0);
    const copy = await exported(target, join(directory, 'target.ndjson'));

    // Assess: the same lines apart from ids; the same answers at random times
    expect(comparable(copy.lines)).toEqual(comparable(first.lines));
    const mapping = importedTwins(file);
    expect(mapping.size).toBe(3);
    const toSource = (body: unknown) => inSourceIds(mapping, body);
    const recorded = first.lines
      .flatMap((line: Json) => [
        ...(line.records ?? []).map((record: Json) => record.recordedAt),
        ...(line.changeSets ?? []).map((changeSet: Json) => changeSet.recordedAt),
        ...(line.versions ?? []).map((version: Json) => version.recordedAt ?? version.createdAt),
      ])
      .map((at: string) => Date.parse(at));
    const [earliest, latest] = [Math.min(...recorded), Math.max(...recorded) + 1000];
    const asOfs = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: latest });
    const knownAts = fc.oneof(
      fc.constantFrom(...recorded.flatMap((at: number) => [at - 1, at, at + 1])),
      fc.integer({ min: earliest - 1000, max: latest }),
    );
    const reads = (twinId: string) => [
      '/v1/components/APU-131/APU-1/usage',
      '/v1/components/APU-131/APU-2/usage',
      '/v1/components/APU-131/APU-1/life',
      '/v1/components/APU-131/APU-2/life',
      `/v1/twins/${twinId}/llp-status`,
      `/v1/twins/${twinId}/conformance`,
    ];
    await fc.assert(
      fc.asyncProperty(asOfs, knownAts, fc.constantFrom(...sourceTwins), async (asOf, knownAt, twinId) => {
        const query = `?asOf=${new Date(asOf).toISOString()}&knownAt=${new Date(knownAt).toISOString()}`;
        const copyId = mapping.get(twinId)!;
        for (const [index, path] of reads(twinId).entries()) {
          const [original, copied] = await Promise.all([
            source('GET', `${path}${query}`),
            target('GET', `${reads(copyId)[index]}${query}`),
          ]);
          expect(copied.status, `${path}${query}`).toBe(original.status);
          if (original.status === 200)
            expect(toSource(copied.body), `${path}${query}`).toEqual(original.body);
        }
      }),
      { numRuns: 25 },
    );
    // now, too: the stored conformance and the fleet life index
    for (const twinId of sourceTwins)
      expect(toSource(await must(target('GET', `/v1/twins/${mapping.get(twinId)}/conformance`)))).toEqual(
        await must(source('GET', `/v1/twins/${twinId}/conformance`)),
      );
    const fleetLife = async (caller: Caller) => {
      const page = await must(caller('POST', '/v1/fleet/life', { body: { remainingBelow: { FC: 100 } } }));
      return { ...page, items: page.items.map(({ updatedAt: _at, ...entry }: Json) => entry) };
    };
    expect(toSource(await fleetLife(target))).toEqual(await fleetLife(source));

    // a rerun writes nothing twice
    const rerun = await importer(tenants.target, ['--kind', 'export', '--restart', file]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/records: 0 lines imported, \d+ already there, 0 differ/);
    const again = await exported(target, join(directory, 'target-again.ndjson'));
    expect(comparable(again.lines)).toEqual(comparable(copy.lines));

    // a tenant that defines the part master otherwise keeps it: the line is reported, the rest imported
    const intoOther = await importer(tenants.other, ['--kind', 'export', '--restart', file]);
    expect(intoOther.code, intoOther.stderr).toBe(0);
    expect(intoOther.stderr).toMatch(/, 1 differ/);
    expect(jsonLines(`${file}.errors.jsonl`)).toEqual([
      expect.objectContaining({ record: 'part APU-131', problem: expect.stringMatching(/differs/) }),
    ]);
    expect((await must(other('GET', '/v1/parts/APU-131'))).llp).toBe(false);
    expect((await must(other('GET', '/v1/configuration-models/A320-214'))).version).toBe(2);

    // isolation: the source is as it was, the other tenant's own twin untouched
    expect(comparable((await exported(source, join(directory, 'source-after.ndjson'))).lines)).toEqual(
      comparable(first.lines),
    );
    const otherAfter = (await exported(other, join(directory, 'other-after.ndjson'))).lines;
    expect(otherAfter.find((line: Json) => line.source?.twinId === otherTwin)).toEqual({
      ...otherBefore.lines.find((line: Json) => line.source?.twinId === otherTwin),
      exportedAt: expect.any(String),
      asOf: expect.any(String),
      knownAt: expect.any(String),
    });
    expect(readFileSync(`${file}.checkpoint.json`, 'utf8')).toContain('"complete":true');
  }, 240_000);

  it('refuses usage of a twin the tenant has not imported, naming the field', async () => {
    const answer = await target('POST', '/v1/imports/records', {
      body: {
        type: 'usage',
        source: { tenant: 'nowhere', twinId: '01J00000000000000000000000' },
        parameter: 'FH',
        records: [
          {
            id: '01J00000000000000000000001',
            parameter: 'FH',
            at: '2024-01-01T00:00:00Z',
            delta: 1,
            recordedAt: '2024-01-01T00:00:00Z',
          },
        ],
      },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.errors).toEqual([{ path: 'body.source.twinId', message: 'no copy of this twin' }]);
  });
});
