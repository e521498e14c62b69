import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, must, startApi, type TestApi } from '../support/api';
import { importAs, jsonLines } from '../support/importer';
import { comparableExport, exportTenant, importedTwins, inSourceIds } from '../support/tenant-export';
import { newTenant } from '../support/tenants';

/**
 * Nested twins through a tenant export and its import (#14): an engine twin with a life-limited
 * module inside, moved within aircraft A, then to aircraft B, keeps accruing the aircraft's flights
 * in the copies, whichever of the twin lines comes first in the file; a rerun writes nothing twice.
 */
type Json = ApiResponse['body'];

let api: TestApi;
let directory: string;
const tenants = {
  source: newTenant('nest-source'),
  natural: newTenant('nest-natural'),
  reordered: newTenant('nest-reordered'),
  late: newTenant('nest-late'),
};
let source: Caller;
/** The source fleet and its export, made by the first test. */
let exported: { ids: { engine: string; a: string; b: string }; file: string } | undefined;

beforeAll(async () => {
  api = await startApi();
  source = await api.as(tenants.source, ['admin']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-nesting-'));
});
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

const importer = (tenant: string, args: string[]) => importAs(api, tenant, args);

async function change(caller: Caller, id: string, effectiveAt: string, operations: unknown[]) {
  const twin = await caller('GET', `/v1/twins/${id}`);
  return must(
    caller('POST', `/v1/twins/${id}/changes`, {
      body: { reason: 'work order', effectiveAt, operations },
      headers: { 'if-match': twin.headers.get('etag')! },
    }),
  );
}

const fly = (id: string, at: string, hours: number, cycles: number) =>
  must(
    source('POST', `/v1/twins/${id}/usage`, {
      body: {
        records: [
          { parameter: 'FH', at, delta: hours },
          { parameter: 'FC', at, delta: cycles },
        ],
      },
    }),
    201,
  );

const BUILT = '2024-01-01T00:00:00Z';
const engineOn = (twinId: string) => ({
  partNumber: 'CFM56-5B4',
  serialNumber: 'ESN-N1',
  kind: 'mechanical',
  twinId,
});

const twin = async (serialNumber: string, partNumber: string, configuration: unknown[]) =>
  (
    await must(
      source('POST', '/v1/twins', {
        body: { serialNumber, product: { partNumber }, builtAt: BUILT, configuration },
      }),
      201,
    )
  ).id as string;

/** The source fleet: engine E (module HPT-N1 inside) on A (engine-1, then engine-2), then on B. */
async function fleet() {
  for (const [name, unit] of [
    ['FH', 'h'],
    ['FC', 'cycles'],
  ])
    await must(source('PUT', `/v1/usage-parameters/${name}`, { body: { unit } }));
  await must(
    source('PUT', '/v1/parts/HPT-7', {
      body: {
        llp: true,
        lifeLimits: [{ parameter: 'FC', limit: 20_000, effectiveFrom: '2020-01-01T00:00:00Z' }],
      },
    }),
  );
  const engine = await twin('ESN-N1', 'CFM56-5B4', [{ position: 'hpt' }]);
  await change(source, engine, '2024-01-01T12:00:00Z', [
    {
      op: 'install',
      position: 'hpt',
      component: { partNumber: 'HPT-7', serialNumber: 'HPT-N1', kind: 'mechanical' },
      usageAtInstall: { FH: { tsn: 100 }, FC: { tsn: 10 } },
    },
  ]);
  // A is built with the engine on (an as-built arrival), B gets it by a change set
  const a = await twin('NEST-A', 'A320-214', [
    { position: 'engine-1', component: engineOn(engine) },
    { position: 'engine-2' },
  ]);
  const b = await twin('NEST-B', 'A320-214', [{ position: 'engine-1' }]);
  await fly(a, '2024-01-10T10:00:00Z', 5, 2);
  await change(source, a, '2024-02-01T00:00:00Z', [{ op: 'move', from: 'engine-1', to: 'engine-2' }]);
  await fly(a, '2024-02-10T10:00:00Z', 6, 3);
  await change(source, a, '2024-03-01T00:00:00Z', [
    { op: 'remove', position: 'engine-2', removal: { reason: 'scheduled', condition: 'serviceable' } },
  ]);
  await fly(a, '2024-03-02T10:00:00Z', 7, 1);
  await fly(b, '2024-03-03T10:00:00Z', 8, 1);
  await change(source, b, '2024-03-05T00:00:00Z', [
    { op: 'install', position: 'engine-1', component: engineOn(engine) },
  ]);
  await fly(b, '2024-03-10T10:00:00Z', 9, 4);
  return { engine, a, b };
}

/** The answers that must not change through the round trip (the copy's ids given per source twin). */
const reads = (ids: { engine: string; a: string; b: string }) => {
  const times = ['?asOf=2025-06-01T00:00:00Z', '?asOf=2024-02-15T00:00:00Z', '?asOf=2024-03-04T00:00:00Z'];
  return [
    ...times.flatMap((time) => [
      `/v1/components/HPT-7/HPT-N1/usage${time}`,
      `/v1/components/HPT-7/HPT-N1/life${time}`,
      `/v1/components/CFM56-5B4/ESN-N1/usage${time}`,
      `/v1/twins/${ids.engine}/usage${time}`,
      `/v1/twins/${ids.a}/llp-status${time}`,
      `/v1/twins/${ids.b}/llp-status${time}`,
      `/v1/twins/${ids.a}${time}`,
      `/v1/twins/${ids.b}${time}`,
    ]),
    `/v1/twins/${ids.engine}`,
    `/v1/twins/${ids.engine}/history`,
    `/v1/twins/${ids.a}/history`,
    `/v1/twins/${ids.b}/history`,
  ];
};

/** An answer as compared: where the copy came from and the ids of its change sets (new ids) aside. */
function comparable(body: Json) {
  const { importedFrom: _from, ...rest } = body;
  return body.items ? { ...rest, items: body.items.map(({ id: _id, ...item }: Json) => item) } : rest;
}

/** The twin lines of a file in the opposite order (the other lines where they were). */
function reversedTwins(lines: Json[]) {
  const twins = lines.filter((line) => line.type === 'twin').reverse();
  return lines.map((line) => (line.type === 'twin' ? twins.shift() : line));
}

describe('nested twins through a tenant export (an engine twin on aircraft)', () => {
  it('restores both ends in the copies, for either order of the twin lines, once', async () => {
    // Prepare
    const ids = await fleet();
    const file = join(directory, 'natural.ndjson');
    const first = await exportTenant(source, file);
    exported = { ids, file };
    const twinLines = first.lines.filter((line: Json) => line.type === 'twin');
    expect(twinLines).toHaveLength(3);
    const reordered = join(directory, 'reordered.ndjson');
    writeFileSync(
      reordered,
      `${reversedTwins(first.lines)
        .map((line) => JSON.stringify(line))
        .join('\n')}\n`,
    );
    // the engine's line comes before both aircraft in one file and after them in the other
    expect([twinLines[0], twinLines[2]].map((line: Json) => line.source.twinId)).toContain(ids.engine);

    for (const [tenant, path] of [
      [tenants.natural, file],
      [tenants.reordered, reordered],
    ] as const) {
      // Act
      const run = await importer(tenant, ['--kind', 'export', path]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/, 0 not imported/);
      expect(jsonLines(`${path}.results.jsonl`)).toContainEqual(
        expect.objectContaining({ record: `nesting ${ids.engine}`, status: 'imported' }),
      );

      // Assess: the module accrues A's and B's flights through the engine, as in the source
      const target = await api.as(tenant, ['admin']);
      const mapping = importedTwins(path);
      const copy = { engine: mapping.get(ids.engine)!, a: mapping.get(ids.a)!, b: mapping.get(ids.b)! };
      const usage = await must(target('GET', '/v1/components/HPT-7/HPT-N1/usage'));
      expect([usage.parameters.FH.tsn, usage.parameters.FC.tsn]).toEqual([100 + 5 + 6 + 9, 10 + 2 + 3 + 4]);
      const onB = await must(target('GET', `/v1/twins/${copy.b}`));
      expect(onB.configuration[0].component.twinId).toBe(copy.engine);
      const sheet = await must(target('GET', `/v1/twins/${copy.b}/llp-status`));
      expect(sheet.items.map((item: Json) => [item.serialNumber, item.twinId])).toEqual([
        ['HPT-N1', copy.engine],
      ]);
      const ofCopy = reads(copy);
      for (const [index, read] of reads(ids).entries()) {
        const [original, answer] = await Promise.all([source('GET', read), target('GET', ofCopy[index]!)]);
        expect(answer.status, read).toBe(original.status);
        expect(comparable(inSourceIds(mapping, answer.body)), read).toEqual(comparable(original.body));
      }
      // the copy's export is the source's, ids aside
      const again = await exportTenant(target, join(directory, `${tenant}.ndjson`));
      expect(comparableExport(again.lines, Object.values(tenants))).toEqual(
        comparableExport(first.lines, Object.values(tenants)),
      );
    }

    // a rerun writes nothing twice
    const rerun = await importer(tenants.natural, ['--kind', 'export', '--restart', file]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/records: 0 lines imported, \d+ already there, 0 differ/);
    // found linked, not taken for links to other twins
    const nestingResult = jsonLines(`${file}.results.jsonl`).find(
      (line) => line.record === `nesting ${ids.engine}`,
    );
    expect(nestingResult).toMatchObject({ status: 'already' });
    expect(nestingResult.notes ?? []).toEqual([]);
    const target = await api.as(tenants.natural, ['admin']);
    const after = await exportTenant(target, join(directory, 'natural-again.ndjson'));
    expect(comparableExport(after.lines, Object.values(tenants))).toEqual(
      comparableExport(first.lines, Object.values(tenants)),
    );

    // the links hold for what comes next: the engine leaves B's copy and goes back on A's
    const copy = importedTwins(file);
    await change(target, copy.get(ids.b)!, '2024-04-01T00:00:00Z', [{ op: 'remove', position: 'engine-1' }]);
    await change(target, copy.get(ids.a)!, '2024-04-02T00:00:00Z', [
      { op: 'install', position: 'engine-1', component: engineOn(copy.get(ids.engine)!) },
    ]);
    const history = await must(target('GET', `/v1/twins/${copy.get(ids.engine)}/history`));
    expect(history.items[0].operations[0]).toMatchObject({
      op: 'installed-in',
      twinId: copy.get(ids.a),
      position: 'engine-1',
    });
  }, 240_000);

  it('answers time travel with the link even when a read before the nesting line left a checkpoint', async () => {
    // Prepare: the twins imported without the engine's stays (so no nesting line), the aircraft
    // before the engine (so that B's copy cannot name the engine's yet), and a read of B's copy in
    // the past: a full replay, which leaves a checkpoint of B's intervals as they are, unlinked
    const { ids, file } = exported!;
    const lines = jsonLines(file);
    const isEngine = (line: Json) => line.type === 'twin' && line.source.twinId === ids.engine;
    const engineLine = lines.find(isEngine);
    const withoutStays = join(directory, 'without-stays.ndjson');
    writeFileSync(
      withoutStays,
      `${[...lines.filter((line) => !isEngine(line)), { ...engineLine, mounts: [] }]
        .map((line) => JSON.stringify(line))
        .join('\n')}\n`,
    );
    const twinsOnly = await importer(tenants.late, ['--kind', 'export', withoutStays]);
    expect(twinsOnly.code, twinsOnly.stderr).toBe(0);
    const target = await api.as(tenants.late, ['admin']);
    const copy = importedTwins(withoutStays);
    const past = `/v1/twins/${copy.get(ids.b)}?asOf=2025-06-01T00:00:00Z`;
    const before = await must(target('GET', past));
    expect(before.configuration[0].component.twinId).toBeUndefined();

    // Act: the engine's nesting line, as the importer derives it from its twin line
    const nesting = await must(
      target('POST', '/v1/imports/records', {
        body: { type: 'nesting', source: engineLine.source, mounts: engineLine.mounts },
      }),
      201,
    );
    expect(nesting.notes).toEqual([]);

    // Assess: the same read names the engine's copy, as the source's names the engine
    const after = await must(target('GET', past));
    expect(after.configuration[0].component.twinId).toBe(copy.get(ids.engine));
    const original = await must(source('GET', `/v1/twins/${ids.b}?asOf=2025-06-01T00:00:00Z`));
    expect(original.configuration[0].component.twinId).toBe(ids.engine);
  }, 120_000);

  it('refuses the nesting of a twin the tenant has not imported, naming the field', async () => {
    const target = await api.as(tenants.reordered, ['admin']);
    const answer = await target('POST', '/v1/imports/records', {
      body: {
        type: 'nesting',
        source: { tenant: 'nowhere', twinId: '01J00000000000000000000000' },
        mounts: [
          {
            parentId: '01J00000000000000000000001',
            path: 'engine-1',
            validFrom: BUILT,
            validTo: null,
            recordedAt: BUILT,
          },
        ],
      },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.errors).toEqual([{ path: 'body.source.twinId', message: 'no copy of this twin' }]);
  });
});
