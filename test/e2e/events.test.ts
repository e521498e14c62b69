import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config';
import { dynamodbCalls } from '../../shared/store/clients';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

// The settle window is a pure function with its own unit tests (test/unit/feed.test.ts); here every
// committed event is settled at once, except where a test sets a window of its own.
const previousWindow = process.env[ENV.eventsSettleMs];

let api: TestApi;
let planner: Caller;
let viewer: Caller;
let outsider: Caller;
const tenant = newTenant('feed');
let first: { id: string };
let second: { id: string };
let documentId: string;

interface Event {
  id: string;
  type: string;
  tenant: string;
  recordedAt: string;
  twinId?: string;
  [field: string]: unknown;
}

const feed = async (query = '', caller = planner) => {
  const response = await caller('GET', `/v1/events${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { items: Event[]; nextCursor?: string };
};

/** Every page of the feed, following `after=<last id>` like an integration that polls. */
const readAll = async (query: string, limit: number) => {
  const seen: Event[] = [];
  for (let page = 0; page < 50; page++) {
    const last = seen.at(-1);
    const { items } = await feed(`?limit=${limit}${query}${last ? `&after=${last.id}` : ''}`);
    if (items.length === 0) return seen;
    expect(items.length).toBeLessThanOrEqual(limit);
    seen.push(...items);
  }
  throw new Error('the feed did not end');
};

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

beforeAll(async () => {
  process.env[ENV.eventsSettleMs] = '0';
  api = await startApi();
  planner = await api.as(tenant, ['engineer']);
  viewer = await api.as(tenant, ['viewer']);
  outsider = await api.as(newTenant('outsider'), ['admin']);

  first = (await planner('POST', '/v1/twins', { body: aircraftRecord('EVT-1') })).body;
  second = (await planner('POST', '/v1/twins', { body: aircraftRecord('EVT-2') })).body;
  const changed = await planner('POST', `/v1/twins/${first.id}/changes`, {
    body: {
      reason: 'FADEC SB 73-0042',
      workOrder: 'WO-1',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    },
    headers: { 'if-match': '"1"' },
  });
  expect(changed.status).toBe(200);
  const inspected = await planner('POST', `/v1/twins/${second.id}/inspections`, {
    body: {
      performedAt: '2026-02-01T09:00:00Z',
      inspector: 'J. Doe',
      observed: [{ path: 'engine-1/fadec/sw', softwareVersion: '5.2.1' }],
    },
  });
  expect(inspected.status).toBe(201);
  const content = Buffer.from('Replace FADEC software.\n');
  const created = await planner('POST', '/v1/documents', {
    body: {
      kind: 'service-bulletin',
      title: 'SB 1',
      contentType: 'text/plain',
      size: content.length,
      sha256: sha256(content),
    },
  });
  documentId = created.body.document.id;
  const uploaded = await fetch(created.body.uploadUrl, {
    method: 'PUT',
    headers: created.body.uploadHeaders,
    body: content,
  });
  expect(uploaded.status).toBe(200);
  // the first read after the upload makes the version available
  expect((await planner('GET', `/v1/documents/${documentId}`)).status).toBe(200);
});

afterAll(async () => {
  if (previousWindow === undefined) delete process.env[ENV.eventsSettleMs];
  else process.env[ENV.eventsSettleMs] = previousWindow;
  await api.stop();
});

describe('the change feed', () => {
  it('lists twins, change sets, an inspection and a document version in record order', async () => {
    // Act
    const { items, nextCursor } = await feed('', viewer);
    // Assess
    expect(items.map((event) => [event.type, event.twinId])).toEqual([
      ['twin.created', first.id],
      ['twin.created', second.id],
      ['change-set.recorded', first.id],
      ['inspection.recorded', second.id],
      ['document.version.available', undefined],
    ]);
    expect(nextCursor).toBeUndefined();
    const ids = items.map((event) => event.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const event of items) {
      expect(event).toMatchObject({ id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/), tenant });
      expect(Date.parse(event.recordedAt)).not.toBeNaN();
      for (const key of ['PK', 'SK', 'listPK', 'listSK', 'entity']) expect(event).not.toHaveProperty(key);
    }
    expect(items[4]).toMatchObject({ documentId, version: 1 });
    expect(items[0]).toMatchObject({ serialNumber: 'EVT-1', positions: expect.any(Number) });
  });

  it('carries the operations, reason and work order of a change set', async () => {
    // Act
    const { items } = await feed('?type=change-set.recorded');
    // Assess
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      twinId: first.id,
      seq: 2,
      reason: 'FADEC SB 73-0042',
      workOrder: 'WO-1',
      actor: { tenant },
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    });
  });

  it('visits each event exactly once when paged two by two with after=', async () => {
    // Prepare
    const all = (await feed()).items.map((event) => event.id);
    // Act
    const paged = (await readAll('', 2)).map((event) => event.id);
    // Assess
    expect(paged).toEqual(all);
  });

  it('visits each event exactly once when paged two by two with the cursor', async () => {
    // Prepare
    const all = (await feed()).items.map((event) => event.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    // Act
    do {
      const page = await feed(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor);
    // Assess
    expect(seen).toEqual(all);
  });

  it('resumes after the last event seen and answers nothing new once caught up', async () => {
    // Prepare
    const all = (await feed()).items;
    // Act
    const rest = await feed(`?after=${all[2]!.id}`);
    const caughtUp = await feed(`?after=${all.at(-1)!.id}`);
    // Assess
    expect(rest.items.map((event) => event.id)).toEqual(all.slice(3).map((event) => event.id));
    expect(caughtUp).toEqual({ items: [] });
  });

  it('reads a page with one Query, of the feed or of the twin', async () => {
    // Prepare
    const first = (await feed('?limit=2')).items;
    const queries = () => dynamodbCalls.byCommand.QueryCommand ?? 0;
    // Act
    const before = queries();
    await feed(`?limit=2&after=${first[1]!.id}`);
    const plain = queries() - before;
    await feed(`?limit=1&twinId=${second.id}`);
    const byTwin = queries() - before - plain;
    // Assess
    expect([plain, byTwin]).toEqual([1, 1]);
  });

  it('lists only the events of one twin with twinId', async () => {
    // Act
    const events = await readAll(`&twinId=${second.id}`, 1);
    // Assess
    expect(events.map((event) => [event.type, event.twinId])).toEqual([
      ['twin.created', second.id],
      ['inspection.recorded', second.id],
    ]);
  });

  it('filters by type, paged', async () => {
    // Act
    const created = await readAll('&type=twin.created', 1);
    // Assess
    expect(created.map((event) => event.twinId)).toEqual([first.id, second.id]);
  });

  it('holds back events younger than the settle window unless settled=false', async () => {
    // Prepare
    process.env[ENV.eventsSettleMs] = String(24 * 3600_000);
    try {
      // Act
      const settled = await feed();
      const fresh = await feed('?settled=false');
      const ahead = await feed(`?after=${(await feed('?settled=false')).items[0]!.id}`);
      // Assess
      expect(settled.items).toEqual([]);
      expect(fresh.items).toHaveLength(5);
      expect(ahead.items).toEqual([]);
    } finally {
      process.env[ENV.eventsSettleMs] = '0';
    }
  });

  it('refuses a bad after, cursor, limit or type, naming the field', async () => {
    // Act, Assess
    expectProblem(await planner('GET', '/v1/events?after=banana'), 400, 'query.after');
    expectProblem(await planner('GET', '/v1/events?cursor=banana'), 400, 'query.cursor');
    expectProblem(await planner('GET', '/v1/events?limit=0'), 400, 'query.limit');
    expectProblem(await planner('GET', '/v1/events?limit=101'), 400, 'query.limit');
    expectProblem(await planner('GET', '/v1/events?type=Not%20A%20Type'), 400, 'query.type');
    expectProblem(await planner('GET', '/v1/events?twinId=x'), 400, 'query.twinId');
    expectProblem(await planner('GET', '/v1/events?settled=maybe'), 400, 'query.settled');
    const page = await feed('?limit=1');
    const filtered = await planner('GET', `/v1/events?type=twin.created&cursor=${page.nextCursor}`);
    expectProblem(filtered, 400, 'query.cursor');
  });

  it("shows another tenant none of this tenant's events, ids or twins", async () => {
    // Prepare
    const mine = (await feed()).items;
    // Act
    const theirs = await outsider('GET', '/v1/events?settled=false');
    const byTwin = await outsider('GET', `/v1/events?twinId=${first.id}&settled=false`);
    const after = await outsider('GET', `/v1/events?after=${mine[0]!.id}&settled=false`);
    const cursor = await outsider('GET', `/v1/events?cursor=${(await feed('?limit=1')).nextCursor}`);
    // Assess
    expect(theirs.body).toEqual({ items: [] });
    expect(byTwin.body).toEqual({ items: [] });
    expect(after.body).toEqual({ items: [] });
    expectProblem(cursor, 400, 'query.cursor');
    const bodies = JSON.stringify([theirs.body, byTwin.body, after.body, cursor.body]);
    for (const secret of [tenant, first.id, second.id, documentId, ...mine.map((event) => event.id)]) {
      expect(bodies).not.toContain(secret);
    }
  });
});
