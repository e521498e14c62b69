import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, must, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { jsonLines, runImporter } from '../support/importer';
import { expectProblem } from '../support/problems';
import { exportTenant } from '../support/tenant-export';
import { newTenant } from '../support/tenants';

type Json = ApiResponse['body'];

let api: TestApi;
let sourceTenant: string;
let source: Caller;
let directory: string;
let file: string;
/** Source twin id by serial number, source document id by title. */
const twins: Record<string, string> = {};
const documents: Record<string, string> = {};
/** A knownAt after the AD's first record and before its correction. */
let beforeCorrection: string;

const requirement = (extra: Record<string, unknown> = {}) => ({
  mandatory: true,
  effectiveAt: '2024-06-01T00:00:00Z',
  embodiedWhen: [],
  ...extra,
});

const newDocument = (title: string, body: Record<string, unknown>) =>
  must(
    source('POST', '/v1/documents', {
      body: { title, contentType: 'application/pdf', size: 10, sha256: 'b'.repeat(64), ...body },
    }),
    201,
  ).then((created) => {
    documents[title] = created.document.id;
    return created.document.id as string;
  });

const recordCompliance = (serial: string, body: Record<string, unknown>) =>
  must(source('POST', `/v1/twins/${twins[serial]}/compliance`, { body }), 201);

const importer = async (tenant: string, path: string, ...more: string[]) =>
  runImporter(
    ['--url', api.url, '--quiet', '--kind', 'export', path, ...more],
    await api.issuer.token(tenant, ['admin']),
  );

beforeAll(async () => {
  api = await startApi();
  sourceTenant = newTenant('comply-export');
  source = await api.as(sourceTenant, ['admin']);
  directory = mkdtempSync(join(tmpdir(), 'twinthread-compliance-import-'));
  file = join(directory, 'tenant.ndjson');
  for (const serial of ['MSN-R1', 'MSN-R2', 'MSN-R3'])
    twins[serial] = (await must(source('POST', '/v1/twins', { body: aircraftRecord(serial) }), 201)).id;
  // an SB complied by embodiment, linked to two twins
  const bulletin = await newDocument('SB 73-0042 FADEC software 5.3', {
    kind: 'service-bulletin',
    effectivity: { partNumber: 'FADEC-SW' },
    requirement: requirement({ embodiedWhen: [{ partNumber: 'FADEC-SW', softwareVersions: '>=5.3.0' }] }),
  });
  for (const serial of ['MSN-R1', 'MSN-R2'])
    await must(
      source('POST', `/v1/twins/${twins[serial]}/links`, {
        body: { documentId: bulletin, position: 'engine-2' },
      }),
      201,
    );
  const upgraded = await must(source('GET', `/v1/twins/${twins['MSN-R1']}`));
  await must(
    source('POST', `/v1/twins/${twins['MSN-R1']}/changes`, {
      headers: { 'if-match': `"${upgraded.version}"` },
      body: {
        reason: 'SB 73-0042',
        effectiveAt: '2025-06-01T00:00:00Z',
        operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.3.1' }],
      },
    }),
  );
  // an AD applying by effectivity, linked to no twin, recurring every 365 days; its evidence a work order
  const directive = await newDocument('AD 2025-0007 FADEC inspection', {
    kind: 'airworthiness-directive',
    effectivity: { partNumber: 'FADEC-3' },
    requirement: requirement({ recurring: { every: { days: 365 } } }),
  });
  const workOrder = await newDocument('WO 4711', { kind: 'certificate' });
  const first = await recordCompliance('MSN-R2', {
    documentId: directive,
    status: 'complied',
    at: '2025-02-01T00:00:00Z',
    evidence: [workOrder],
  });
  beforeCorrection = first.record.recordedAt;
  await new Promise((resolve) => setTimeout(resolve, 5));
  await recordCompliance('MSN-R2', {
    documentId: directive,
    status: 'complied',
    at: '2025-03-01T00:00:00Z',
    evidence: [workOrder],
    corrects: first.record.id,
  });
  await recordCompliance('MSN-R3', {
    documentId: bulletin,
    status: 'not-applicable',
    at: '2025-01-15T00:00:00Z',
    reason: 'engine-2 runs the military software branch',
  });
  await exportTenant(source, file);
}, 120_000);
afterAll(async () => {
  await api.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** Ids of the source tenant replaced by those of their copies, so that answers compare as JSON. */
function copiedIds(mapping: Record<string, string>) {
  return (answer: unknown): unknown => {
    let text = JSON.stringify(answer);
    for (const [from, to] of Object.entries(mapping)) text = text.replaceAll(from, to);
    return JSON.parse(text);
  };
}

/** The copies of the source's twins (by serial) and documents (by title) in `caller`'s tenant. */
async function copiesIn(caller: Caller) {
  const mapping: Record<string, string> = {};
  for (const twin of (await must(caller('GET', '/v1/twins?limit=100'))).items)
    mapping[twins[twin.serialNumber]!] = twin.id;
  const listed = (await must(caller('GET', '/v1/documents?limit=100'))).items;
  for (const document of listed) mapping[documents[document.title]!] = document.id;
  return { mapping, documents: listed as { title: string; kind: string }[] };
}

describe('compliance through a tenant export (twinthread.tenant/4)', () => {
  it('writes documents before twins, and compliance lines naming their source', async () => {
    const lines = jsonLines(file);
    expect(lines[0]).toMatchObject({ type: 'header', format: 'twinthread.tenant/4' });
    const types = lines.map((line) => line.type);
    expect(types.lastIndexOf('document')).toBeLessThan(types.indexOf('twin'));
    expect(types.indexOf('compliance-records')).toBeGreaterThan(types.lastIndexOf('twin'));
    expect(lines.find((line) => line.type === 'compliance-records')).toMatchObject({
      source: { tenant: sourceTenant },
    });
  });

  it('round-trips the compliance of every unit and document, one copy per document, and a rerun changes nothing', async () => {
    // Prepare
    const target = newTenant('comply-import');
    const admin = await api.as(target, ['admin']);
    // Act
    const run = await importer(target, file);
    // Assess
    expect(run.code, run.stderr).toBe(0);
    const { mapping, documents: copies } = await copiesIn(admin);
    expect(copies.map((document) => document.title).sort()).toEqual(Object.keys(documents).sort());
    expect(copies.filter((document) => document.kind === 'service-bulletin')).toHaveLength(1);
    const mapped = copiedIds(mapping);
    // every read at explicit times (an answer names them): now, two dates, now as known before the correction
    const now = new Date().toISOString();
    const reads = [
      `?asOf=${now}&knownAt=${now}`,
      `?asOf=2025-02-15T00:00:00Z&knownAt=${now}`,
      `?asOf=2025-07-01T00:00:00Z&knownAt=${now}`,
      `?asOf=${now}&knownAt=${beforeCorrection}`,
    ];
    const answersOf = async (caller: Caller, ids: (id: string) => string) => {
      const answers: unknown[] = [];
      for (const serial of Object.keys(twins))
        for (const read of reads)
          answers.push(await must(caller('GET', `/v1/twins/${ids(twins[serial]!)}/compliance${read}`)));
      for (const title of Object.keys(documents).filter((title) => !title.startsWith('WO'))) {
        // the fleet page answers now: its times aside, the counts and units compare
        const {
          asOf: _asOf,
          knownAt: _knownAt,
          ...fleet
        } = await must(caller('GET', `/v1/documents/${ids(documents[title]!)}/compliance`));
        answers.push(fleet);
      }
      return answers;
    };
    const expected = mapped(await answersOf(source, (id) => id));
    const copied = await answersOf(admin, (id) => mapping[id]!);
    expect(copied).toEqual(expected);
    // the reads are not trivially equal: the correction, the embodiment and the not-applicable show
    const directive = (answer: Json) =>
      answer.items.find(
        (item: Json) => item.documentId === mapping[documents['AD 2025-0007 FADEC inspection']!],
      );
    expect(directive(copied[4] as Json)).toMatchObject({ lastDone: '2025-03-01T00:00:00.000Z' });
    expect(directive(copied[7] as Json)).toMatchObject({ lastDone: '2025-02-01T00:00:00.000Z' });
    expect((copied[0] as Json).items.find((item: Json) => item.derived)).toMatchObject({
      status: 'complied',
    });
    expect(JSON.stringify(copied[8])).toContain('not-applicable');

    // Act: the same file again
    const again = await importer(target, file, '--restart');
    // Assess
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('0 imported, 3 imported before (replayed)');
    expect((await copiesIn(admin)).documents).toEqual(copies);
    expect(await answersOf(admin, (id) => mapping[id]!)).toEqual(copied);
    // every record line (documents, compliance records) found everything there
    expect(again.stderr).toMatch(/records: 0 lines imported, [1-9]\d* already there, 0 differ/);
  }, 120_000);

  it('reads a twinthread.tenant/3 file (documents last, no source on their lines) to the same result', async () => {
    // Prepare: the same export in the former order and shape
    const lines = jsonLines(file);
    const strip = ({ source: _source, ...line }: Json) => line;
    const old = [
      { ...lines[0], format: 'twinthread.tenant/3' },
      ...lines.slice(1).filter((line) => line.type !== 'document' && line.type !== 'compliance-records'),
    ];
    const viewsAt = old.findIndex(
      (line) => line.type === 'view' || line.type === 'role-views' || line.type === 'grant',
    );
    const tail = viewsAt < 0 ? [] : old.splice(viewsAt);
    old.push(
      ...lines.filter((line) => line.type === 'compliance-records').map(strip),
      ...lines.filter((line) => line.type === 'document').map(strip),
      ...tail,
    );
    const oldFile = join(directory, 'tenant-3.ndjson');
    writeFileSync(oldFile, `${old.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const target = newTenant('comply-import-3');
    const admin = await api.as(target, ['admin']);
    // Act
    const run = await importer(target, oldFile);
    // Assess
    expect(run.code, run.stderr).toBe(0);
    const { mapping, documents: copies } = await copiesIn(admin);
    expect(copies).toHaveLength(Object.keys(documents).length);
    const unit = twins['MSN-R2']!;
    const now = new Date().toISOString();
    const read = `compliance?asOf=${now}&knownAt=${now}`;
    expect(await must(admin('GET', `/v1/twins/${mapping[unit]}/${read}`))).toEqual(
      copiedIds(mapping)(await must(source('GET', `/v1/twins/${unit}/${read}`))),
    );
  }, 120_000);
});

describe('compliance-records and document lines (POST /v1/imports/records)', () => {
  const complianceLine = (records: unknown[]) => ({
    type: 'compliance-records',
    source: { tenant: sourceTenant },
    twinId: twins['MSN-R3'],
    records,
  });
  const sourceRecords = async () =>
    jsonLines(file).find((line) => line.type === 'compliance-records' && line.twinId === twins['MSN-R3'])
      .records as Json[];

  it('refuse a line before its twin line (409 naming body.twinId), writing nothing', async () => {
    const admin = await api.as(newTenant('comply-early'), ['admin']);
    expectProblem(
      await admin('POST', '/v1/imports/records', { body: complianceLine(await sourceRecords()) }),
      409,
      'body.twinId',
    );
  });

  it('refuse a malformed line naming the field (400)', async () => {
    const admin = await api.as(newTenant('comply-bad'), ['admin']);
    const [record] = await sourceRecords();
    expectProblem(
      await admin('POST', '/v1/imports/records', { body: complianceLine([{ ...record, status: 'done' }]) }),
      400,
      'body.records[0].status',
    );
    const { reason: _reason, ...withoutReason } = record;
    expectProblem(
      await admin('POST', '/v1/imports/records', { body: complianceLine([withoutReason]) }),
      400,
      'body.records[0].reason',
    );
    expectProblem(
      await admin('POST', '/v1/imports/records', {
        body: complianceLine([{ ...record, twinId: twins['MSN-R1'] }]),
      }),
      400,
      'body.records[0].twinId',
    );
    const documentLine = jsonLines(file).find((line) => line.type === 'document');
    expectProblem(
      await admin('POST', '/v1/imports/records', {
        body: { ...documentLine, document: { ...documentLine.document, requirement: { mandatory: 'yes' } } },
      }),
      400,
      'body.document.requirement.mandatory',
    );
  });

  it('two twin imports sharing a bulletin at the same time end with one copy of it, linked from both', async () => {
    // Prepare
    const admin = await api.as(newTenant('comply-race'), ['admin']);
    const twinLines = jsonLines(file)
      .filter((line) => line.type === 'twin' && line.links.length > 0)
      .map(({ type: _type, ...line }) => line);
    expect(twinLines).toHaveLength(2);
    // Act
    const answers = await Promise.all(
      twinLines.map((body) => must(admin('POST', '/v1/imports', { body }), 201)),
    );
    // Assess
    const bulletins = (await must(admin('GET', '/v1/documents?kind=service-bulletin'))).items;
    expect(bulletins).toHaveLength(1);
    expect(answers.map((answer) => Object.values(answer.mapping.documents))).toEqual([
      [bulletins[0].id],
      [bulletins[0].id],
    ]);
  });

  it('touch only the caller tenant: another tenant naming the source gets its own copy, the source is unchanged', async () => {
    // Prepare
    const other = await api.as(newTenant('comply-other'), ['admin']);
    const sourceDocuments = await must(source('GET', '/v1/documents?limit=100'));
    const now = new Date().toISOString();
    const read = `/v1/twins/${twins['MSN-R3']}/compliance?asOf=${now}&knownAt=${now}`;
    const sourceCompliance = await must(source('GET', read));
    const documentLine = jsonLines(file).find((line) => line.type === 'document');
    // Act
    const copied = await must(other('POST', '/v1/imports/records', { body: documentLine }), 201);
    const again = await must(other('POST', '/v1/imports/records', { body: documentLine }));
    // Assess
    expect(copied).toMatchObject({ status: 'imported', written: 1 });
    expect(again).toMatchObject({ status: 'already', documentId: copied.documentId });
    expect(copied.documentId).not.toBe(documentLine.document.id);
    expect((await must(other('GET', '/v1/documents'))).items.map((document: Json) => document.id)).toEqual([
      copied.documentId,
    ]);
    expectProblem(
      await other('POST', '/v1/imports/records', { body: complianceLine(await sourceRecords()) }),
      409,
      'body.twinId',
    );
    expect(await must(source('GET', '/v1/documents?limit=100'))).toEqual(sourceDocuments);
    expect(await must(source('GET', read))).toEqual(sourceCompliance);
  });
});
