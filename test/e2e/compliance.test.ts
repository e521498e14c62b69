import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let admin: Caller;
let technician: Caller;
let viewer: Caller;
let twinId: string;
let bulletinId: string;

const document = (overrides: Record<string, unknown> = {}) => ({
  kind: 'service-bulletin',
  title: 'SB 73-0042 FADEC software 5.3',
  contentType: 'application/pdf',
  size: 10,
  sha256: 'b'.repeat(64),
  effectivity: { partNumber: 'FADEC-SW' },
  requirement: {
    mandatory: true,
    effectiveAt: '2024-01-01T00:00:00Z',
    embodiedWhen: [{ partNumber: 'FADEC-SW', softwareVersions: '>=5.3.0' }],
  },
  ...overrides,
});

async function change(operations: unknown[], effectiveAt: string) {
  const twin = await admin('GET', `/v1/twins/${twinId}`);
  const changed = await admin('POST', `/v1/twins/${twinId}/changes`, {
    body: { reason: 'SB 73-0042', effectiveAt, operations },
    headers: { 'if-match': `"${twin.body.version}"` },
  });
  expect(changed.status).toBe(200);
  return changed;
}

const compliance = async (caller: Caller, query = '') =>
  (await caller('GET', `/v1/twins/${twinId}/compliance${query}`)).body.items.find(
    (item: { documentId: string }) => item.documentId === bulletinId,
  );

const eventsOf = async (type: string) =>
  (await admin('GET', `/v1/events?settled=false&type=${type}&limit=100`)).body.items.filter(
    (event: { twinId?: string; documentId?: string }) =>
      event.twinId === twinId && event.documentId === bulletinId,
  );

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('comply');
  admin = await api.as(tenant, ['admin']);
  technician = await api.as(tenant, ['technician']);
  viewer = await api.as(tenant, ['viewer']);
  twinId = (await admin('POST', '/v1/twins', { body: aircraftRecord('MSN-C1') })).body.id;
  const created = await admin('POST', '/v1/documents', { body: document() });
  expect(created.status).toBe(201);
  expect(created.body.document.requirement.embodiedWhen[0].partNumber).toBe('FADEC-SW');
  bulletinId = created.body.document.id;
});
afterAll(() => api.stop());

describe('requirements on documents', () => {
  it('refuse a requirement on a kind that takes none, or a bad one, naming the field (400)', async () => {
    expectProblem(
      await admin('POST', '/v1/documents', { body: document({ kind: 'manual' }) }),
      400,
      'body.requirement',
    );
    const badRange = document({
      requirement: {
        mandatory: true,
        effectiveAt: '2024-01-01T00:00:00Z',
        embodiedWhen: [{ partNumber: 'X', softwareVersions: 'nope' }],
      },
    });
    expectProblem(
      await admin('POST', '/v1/documents', { body: badRange }),
      400,
      'body.requirement.embodiedWhen[0].softwareVersions',
    );
    const twoIntervals = document({
      requirement: {
        mandatory: true,
        effectiveAt: '2024-01-01T00:00:00Z',
        embodiedWhen: [],
        recurring: { every: { days: 10, FH: 5 } },
      },
    });
    expectProblem(
      await admin('POST', '/v1/documents', { body: twoIntervals }),
      400,
      'body.requirement.recurring.every',
    );
    const unknownSuperseded = document({
      requirement: {
        mandatory: true,
        effectiveAt: '2024-01-01T00:00:00Z',
        embodiedWhen: [],
        supersedes: ['01J00000000000000000000000'],
      },
    });
    expectProblem(
      await admin('POST', '/v1/documents', { body: unknownSuperseded }),
      400,
      'body.requirement.supersedes[0]',
    );
  });

  it('take an airworthiness directive, and a new version may change the requirement (not on other kinds)', async () => {
    const directive = await admin('POST', '/v1/documents', {
      body: document({
        kind: 'airworthiness-directive',
        title: 'AD 2024-0001',
        effectivity: { partNumber: 'NONE-PN' },
      }),
    });
    expect(directive.status).toBe(201);
    const versioned = await admin('POST', `/v1/documents/${directive.body.document.id}/versions`, {
      body: {
        size: 11,
        sha256: 'c'.repeat(64),
        requirement: { mandatory: false, effectiveAt: '2024-02-01T00:00:00Z', embodiedWhen: [] },
      },
    });
    expect(versioned.status).toBe(201);
    const read = await admin('GET', `/v1/documents?kind=airworthiness-directive`);
    expect(read.body.items[0].requirement).toMatchObject({ mandatory: false, embodiedWhen: [] });
    const manual = await admin('POST', '/v1/documents', {
      body: document({ kind: 'manual', requirement: undefined }),
    });
    expectProblem(
      await admin('POST', `/v1/documents/${manual.body.document.id}/versions`, {
        body: {
          size: 1,
          sha256: 'd'.repeat(64),
          requirement: { mandatory: true, effectiveAt: '2024-01-01T00:00:00Z', embodiedWhen: [] },
        },
      }),
      400,
      'body.requirement',
    );
  });
});

describe('derived compliance through asOf and knownAt', () => {
  it('is open before the upgrade, complied after, reopened after a downgrade; knownAt before the upgrade was recorded says open', async () => {
    // Prepare
    const open = await compliance(viewer);
    expect(open).toMatchObject({ status: 'open', derived: false, lastDone: null, kind: 'service-bulletin' });
    const beforeUpgrade = new Date().toISOString();
    // Act: the upgrade, back-dated
    await change(
      [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
      '2025-03-01T00:00:00Z',
    );
    const recordedUpgrade = new Date().toISOString();
    // Assess
    expect(await compliance(viewer)).toMatchObject({
      status: 'complied',
      derived: true,
      lastDone: '2025-03-01T00:00:00.000Z',
      embodiedAt: ['engine-1/fadec/sw'],
    });
    expect((await compliance(viewer, '?asOf=2025-02-01T00:00:00Z')).status).toBe('open');
    expect((await compliance(viewer, `?knownAt=${beforeUpgrade}`)).status).toBe('open');
    expect(await eventsOf('compliance.complied')).toHaveLength(1);
    // Act: a later software step keeps it embodied since the first one
    await change(
      [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.4.0' }],
      '2025-04-01T00:00:00Z',
    );
    expect((await compliance(viewer)).lastDone).toBe('2025-03-01T00:00:00.000Z');
    // Act: the pre-mod software back
    await change(
      [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.2.1' }],
      '2025-05-01T00:00:00Z',
    );
    // Assess
    expect(await compliance(viewer)).toMatchObject({ status: 'open', derived: false });
    expect((await compliance(viewer, '?asOf=2025-04-15T00:00:00Z')).status).toBe('complied');
    expect((await compliance(viewer, `?asOf=2025-04-15T00:00:00Z&knownAt=${recordedUpgrade}`)).status).toBe(
      'complied',
    );
    const reopened = await eventsOf('compliance.reopened');
    expect(reopened).toHaveLength(1);
    expect(reopened[0].paths).toEqual(['engine-1/fadec/sw']);
  });
});

describe('manual compliance records', () => {
  let recordId: string;

  it('records a compliance with evidence (201, technicians may), replays the same Idempotency-Key', async () => {
    const body = {
      documentId: bulletinId,
      status: 'complied',
      at: '2025-06-01T00:00:00Z',
      evidence: [bulletinId],
    };
    const first = await technician('POST', `/v1/twins/${twinId}/compliance`, {
      body,
      headers: { 'idempotency-key': 'comply-1' },
    });
    expect(first.status).toBe(201);
    expect(first.body.record).toMatchObject({ status: 'complied', evidence: [bulletinId] });
    expect(first.body.compliance).toMatchObject({
      status: 'complied',
      derived: false,
      lastDone: '2025-06-01T00:00:00.000Z',
    });
    recordId = first.body.record.id;
    const again = await technician('POST', `/v1/twins/${twinId}/compliance`, {
      body,
      headers: { 'idempotency-key': 'comply-1' },
    });
    expect(again.body.record.id).toBe(recordId);
    expect((await admin('GET', `/v1/events?settled=false&type=compliance.recorded`)).body.items).toHaveLength(
      1,
    );
  });

  it('refuses what is not a record (400 naming the field), viewers (403), unknown twins (404)', async () => {
    const url = `/v1/twins/${twinId}/compliance`;
    const at = '2025-06-01T00:00:00Z';
    expectProblem(
      await admin('POST', url, { body: { documentId: bulletinId, status: 'deferred', at } }),
      400,
      'body.reason',
    );
    expectProblem(
      await admin('POST', url, { body: { documentId: bulletinId, status: 'not-applicable', at } }),
      400,
      'body.reason',
    );
    expectProblem(
      await admin('POST', url, { body: { documentId: bulletinId, status: 'done', at } }),
      400,
      'body.status',
    );
    const manual = await admin('POST', '/v1/documents', {
      body: document({ kind: 'manual', requirement: undefined }),
    });
    expectProblem(
      await admin('POST', url, { body: { documentId: manual.body.document.id, status: 'complied', at } }),
      400,
      'body.documentId',
    );
    expectProblem(
      await admin('POST', url, {
        body: { documentId: bulletinId, status: 'complied', at, evidence: ['01J00000000000000000000000'] },
      }),
      400,
      'body.evidence[0]',
    );
    expectProblem(
      await admin('POST', url, {
        body: { documentId: bulletinId, status: 'complied', at, corrects: '01J00000000000000000000000' },
      }),
      400,
      'body.corrects',
    );
    expectProblem(
      await viewer('POST', url, { body: { documentId: bulletinId, status: 'complied', at } }),
      403,
    );
    expectProblem(
      await admin('POST', '/v1/twins/01J00000000000000000000000/compliance', {
        body: { documentId: bulletinId, status: 'complied', at },
      }),
      404,
    );
    expectProblem(await viewer('GET', `/v1/twins/${twinId}/compliance?nope=1`), 400, 'query.nope');
  });

  it('a correction is a new record: now it counts, knownAt before it gives the old answer', async () => {
    const before = new Date().toISOString();
    const corrected = await admin('POST', `/v1/twins/${twinId}/compliance`, {
      body: {
        documentId: bulletinId,
        status: 'not-applicable',
        at: '2025-06-01T00:00:00Z',
        reason: 'wrong unit',
        corrects: recordId,
      },
    });
    expect(corrected.status).toBe(201);
    expect((await compliance(viewer)).status).toBe('not-applicable');
    expect((await compliance(viewer, `?knownAt=${before}`)).status).toBe('complied');
  });

  it('a pre-mod part coming back after a manual compliance reopens it', async () => {
    await admin('POST', `/v1/twins/${twinId}/compliance`, {
      body: { documentId: bulletinId, status: 'complied', at: '2025-07-01T00:00:00Z' },
    });
    expect(await compliance(viewer)).toMatchObject({ status: 'complied', derived: false });
    // a software step that stays pre-mod does not undo it (the same pre-mod run of parts)
    await change(
      [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.2.2' }],
      '2025-07-10T00:00:00Z',
    );
    expect((await compliance(viewer)).status).toBe('complied');
    // the modified part in, then the pre-mod one back: open again
    await change(
      [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
      '2025-07-15T00:00:00Z',
    );
    await change(
      [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.2.2' }],
      '2025-08-01T00:00:00Z',
    );
    expect((await compliance(viewer)).status).toBe('open');
    expect((await compliance(viewer, '?asOf=2025-07-20T00:00:00Z')).derived).toBe(true);
  });
});

describe('work package', () => {
  it('lists the open requirements of the parts in scope, and only those', async () => {
    const engine = await technician('GET', `/v1/twins/${twinId}/work-package?position=engine-1`);
    expect(engine.status).toBe(200);
    expect(engine.body.openRequirements.map((item: { documentId: string }) => item.documentId)).toContain(
      bulletinId,
    );
    const cabin = await technician('GET', `/v1/twins/${twinId}/work-package?position=hvac`);
    expect(cabin.body.openRequirements.map((item: { documentId: string }) => item.documentId)).not.toContain(
      bulletinId,
    );
  });
});

describe('recurring requirements', () => {
  it('by calendar: due inside the last tenth of the interval, overdue past it, complied after a record', async () => {
    const recurring = await admin('POST', '/v1/documents', {
      body: document({
        kind: 'airworthiness-directive',
        title: 'AD repetitive inspection',
        effectivity: { partNumber: 'HVAC-CTL-9' },
        requirement: {
          mandatory: true,
          effectiveAt: '2025-01-01T00:00:00Z',
          embodiedWhen: [],
          recurring: { every: { days: 100 } },
        },
      }),
    });
    const id = recurring.body.document.id;
    const at = async (asOf: string) =>
      (await viewer('GET', `/v1/twins/${twinId}/compliance?asOf=${asOf}`)).body.items.find(
        (item: { documentId: string }) => item.documentId === id,
      );
    expect(await at('2025-02-01T00:00:00Z')).toMatchObject({
      status: 'open',
      nextDue: { at: '2025-04-11T00:00:00.000Z' },
    });
    expect((await at('2025-04-05T00:00:00Z')).status).toBe('due');
    expect((await at('2025-04-12T00:00:00Z')).status).toBe('overdue');
    await technician('POST', `/v1/twins/${twinId}/compliance`, {
      body: { documentId: id, status: 'complied', at: '2025-04-12T00:00:00Z' },
    });
    expect(await at('2025-05-01T00:00:00Z')).toMatchObject({
      status: 'complied',
      lastDone: '2025-04-12T00:00:00.000Z',
      nextDue: { at: '2025-07-21T00:00:00.000Z' },
    });
  });

  it('by flight hours: on the unit accrued usage', async () => {
    await admin('PUT', '/v1/usage-parameters/FH', { body: { unit: 'h' } });
    const recurring = await admin('POST', '/v1/documents', {
      body: document({
        title: 'SB every 600 FH',
        effectivity: { partNumber: 'CFM56-5B4' },
        requirement: {
          mandatory: true,
          effectiveAt: '2025-01-01T00:00:00Z',
          embodiedWhen: [],
          recurring: { every: { FH: 600 } },
        },
      }),
    });
    const id = recurring.body.document.id;
    const recorded = await admin('POST', `/v1/twins/${twinId}/usage`, {
      body: { records: [{ parameter: 'FH', at: '2025-03-01T00:00:00Z', delta: 570 }] },
    });
    expect(recorded.status).toBe(201);
    const item = (await viewer('GET', `/v1/twins/${twinId}/compliance`)).body.items.find(
      (entry: { documentId: string }) => entry.documentId === id,
    );
    expect(item).toMatchObject({ status: 'due', nextDue: { FH: 600 }, usage: { FH: 570 } });
  });
});

describe('tenant export', () => {
  it('carries each unit compliance records as a compliance-records line (corrections included)', async () => {
    const started = await admin('POST', '/v1/exports');
    let job = started;
    for (let attempt = 0; attempt < 200 && job.body.status === 'running'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = await admin('GET', `/v1/exports/${started.body.id}`);
    }
    expect(job.body.status).toBe('done');
    const lines = (await (await fetch(job.body.downloadUrl)).text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const records = lines.filter((line) => line.type === 'compliance-records');
    expect(records.map((line) => line.twinId)).toEqual([twinId]);
    const own = (await admin('GET', `/v1/twins/${twinId}/compliance`)).body.items.length;
    expect(own).toBeGreaterThan(0);
    expect(records[0].records.some((record: { corrects?: string }) => record.corrects !== undefined)).toBe(
      true,
    );
    expect(records[0].records.every((record: { twinId: string }) => record.twinId === twinId)).toBe(true);
  });
});

describe('fleet compliance of a document', () => {
  it('counts units by status exactly and pages the open ones', async () => {
    const second = (await admin('POST', '/v1/twins', { body: aircraftRecord('MSN-C2') })).body.id;
    const upgraded = await admin('POST', '/v1/twins', { body: aircraftRecord('MSN-C3') });
    await admin('POST', `/v1/twins/${upgraded.body.id}/changes`, {
      body: {
        reason: 'SB',
        operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.3.1' }],
      },
      headers: { 'if-match': `"${upgraded.body.version}"` },
    });
    const first = await viewer('GET', `/v1/documents/${bulletinId}/compliance?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 3, counts: { open: 2, complied: 1 } });
    expect(first.body.items).toHaveLength(1);
    const next = await viewer(
      'GET',
      `/v1/documents/${bulletinId}/compliance?limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(
      [...first.body.items, ...next.body.items].map((item: { twinId: string }) => item.twinId).sort(),
    ).toEqual([twinId, second].sort());
    expect(next.body.nextCursor).toBeUndefined();
    expectProblem(
      await viewer('GET', `/v1/documents/${bulletinId}/compliance?cursor=nope`),
      400,
      'query.cursor',
    );
  });

  it('is not visible to another tenant (404)', async () => {
    const other = await api.as(newTenant('comply-other'), ['admin']);
    expectProblem(await other('GET', `/v1/documents/${bulletinId}/compliance`), 404);
    expectProblem(await other('GET', `/v1/twins/${twinId}/compliance`), 404);
    expectProblem(
      await other('POST', `/v1/twins/${twinId}/compliance`, {
        body: { documentId: bulletinId, status: 'complied', at: '2025-01-01T00:00:00Z' },
      }),
      404,
    );
  });
});
