import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, startApi, type TestApi } from '../support/api';
import { wideRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let call: Caller;

beforeAll(async () => {
  api = await startApi();
  call = await api.as(newTenant('paging'), ['engineer']);
});
afterAll(() => api.stop());

/** A 3-position twin, then `count` change sets, each updating p-(i mod 3), and `count` inspections of p-0. */
async function livedTwin(count: number) {
  const twin = (await call('POST', '/v1/twins', { body: wideRecord(`PAGING-${Date.now()}-${count}`, 3) }))
    .body;
  let etag = `"${twin.version}"`;
  for (let index = 0; index < count; index++) {
    const changed = await call('POST', `/v1/twins/${twin.id}/changes`, {
      headers: { 'if-match': etag },
      body: {
        reason: `change ${index}`,
        operations: [{ op: 'update', position: `p-${index % 3}`, attributes: { index } }],
      },
    });
    expect(changed.status).toBe(200);
    etag = changed.headers.get('etag')!;
    const inspected = await call('POST', `/v1/twins/${twin.id}/inspections`, {
      body: {
        performedAt: new Date().toISOString(),
        inspector: `inspector ${index}`,
        observed: [{ path: 'p-0' }],
      },
    });
    expect(inspected.status).toBe(201);
  }
  return twin.id as string;
}

/** Follows `next` from a first page until the end, collecting what `items` picks. */
type Body = ApiResponse['body'];

async function allPages(
  first: string,
  items: (body: Body) => string[],
  next: (body: Body) => string | undefined,
  more: (cursor: string) => string,
) {
  const seen: string[] = [];
  let path: string | undefined = first;
  while (path !== undefined) {
    const answer = await call('GET', path);
    expect(answer.status).toBe(200);
    seen.push(...items(answer.body));
    const cursor = next(answer.body);
    path = cursor === undefined ? undefined : more(cursor);
  }
  return seen;
}

describe('pages of a twin that has lived', () => {
  it('pages the thread: inspections and changes a page at a time, each list to its end', async () => {
    // Prepare
    const id = await livedTwin(7);
    // Act
    const first = await call('GET', `/v1/twins/${id}/thread?limit=3`);
    const changes = await allPages(
      `/v1/twins/${id}/thread?limit=3`,
      (body: Body) => body.changes.map((entry: { reason: string }) => entry.reason),
      (body: Body) => body.changesNextCursor,
      (cursor) => `/v1/twins/${id}/thread?limit=3&changesCursor=${encodeURIComponent(cursor)}`,
    );
    const inspections = await allPages(
      `/v1/twins/${id}/thread?limit=3`,
      (body: Body) => body.inspections.map((entry: { inspector: string }) => entry.inspector),
      (body: Body) => body.inspectionsNextCursor,
      (cursor) => `/v1/twins/${id}/thread?limit=3&inspectionsCursor=${encodeURIComponent(cursor)}`,
    );
    // Assess: newest first, every entry once, the as-built record last
    expect(first.body.changes).toHaveLength(3);
    expect(first.body.inspections).toHaveLength(3);
    expect(changes).toEqual([
      ...Array.from({ length: 7 }, (_, index) => `change ${6 - index}`),
      'as-built record',
    ]);
    expect(inspections).toEqual(Array.from({ length: 7 }, (_, index) => `inspector ${6 - index}`));
  });

  it('pages the history by position through the stored change sets, to the as-built record', async () => {
    // Prepare
    const id = await livedTwin(7);
    // Act
    const reasons = await allPages(
      `/v1/twins/${id}/history?limit=2&position=p-1`,
      (body: Body) => body.items.map((entry: { reason: string }) => entry.reason),
      (body: Body) => body.nextCursor,
      (cursor) => `/v1/twins/${id}/history?limit=2&position=p-1&cursor=${encodeURIComponent(cursor)}`,
    );
    // Assess
    expect(reasons).toEqual(['change 4', 'change 1', 'as-built record']);
  });

  it('refuses a thread cursor of another list or another twin', async () => {
    // Prepare
    const id = await livedTwin(4);
    const other = await livedTwin(4);
    const { changesNextCursor } = (await call('GET', `/v1/twins/${id}/thread?limit=2`)).body;
    // Act
    const swapped = await call(
      'GET',
      `/v1/twins/${id}/thread?inspectionsCursor=${encodeURIComponent(changesNextCursor)}`,
    );
    const elsewhere = await call(
      'GET',
      `/v1/twins/${other}/thread?changesCursor=${encodeURIComponent(changesNextCursor)}`,
    );
    // Assess
    expectProblem(swapped, 400, 'query.inspectionsCursor');
    expectProblem(elsewhere, 400, 'query.changesCursor');
  });
});
