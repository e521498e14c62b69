import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import { type Caller, startApi, type TestApi } from '../support/api';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let acme: Caller;
const tenant = newTenant('docs');

beforeAll(async () => {
  api = await startApi();
  acme = await api.as(tenant, ['engineer']);
});
afterAll(() => api.stop());

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

const bulletin = (content: Buffer, overrides: Record<string, unknown> = {}) => ({
  kind: 'service-bulletin',
  title: 'SB 778-01: FADEC software update',
  contentType: 'text/plain',
  size: content.length,
  sha256: sha256(content),
  effectivity: { partNumber: 'PN-778', softwareVersions: '>=2.0.0 <2.4.0' },
  ...overrides,
});

/** A plain PUT to the presigned URL with the headers it was signed with. */
const upload = async (
  created: { uploadUrl: string; uploadHeaders: Record<string, string> },
  content: Buffer,
) => {
  const response = await fetch(created.uploadUrl, {
    method: 'PUT',
    headers: created.uploadHeaders,
    body: content,
  });
  expect(response.status, await response.text()).toBe(200);
};

const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

const objectPath = (owner: string, id: string, version: number) =>
  `/${config.bucketName()}/tenants/${owner}/documents/${id}/${version}`;

describe('a document uploaded with its presigned URL', () => {
  it('is created pending, then read back with a download URL of exactly what was uploaded', async () => {
    // Prepare
    const content = Buffer.from('Replace FADEC software 2.1 with 2.4.1 before the next flight.\n');
    // Act
    const created = await acme('POST', '/v1/documents', { body: bulletin(content) });
    await upload(created.body, content);
    const read = await acme('GET', `/v1/documents/${created.body.document.id}`);
    // Assess
    expect(created.status).toBe(201);
    expect(created.body.document).toMatchObject({
      kind: 'service-bulletin',
      title: 'SB 778-01: FADEC software update',
      contentType: 'text/plain',
      version: 1,
      status: 'pending',
      effectivity: { partNumber: 'PN-778' },
      createdBy: `user@${tenant}`,
    });
    expect(created.body.document.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(created.headers.get('location')).toBe(`/v1/documents/${created.body.document.id}`);
    expect(read.status).toBe(200);
    expect(read.body.document).toMatchObject({ version: 1, status: 'available', availableVersion: 1 });
    expect(read.body.document.versions).toHaveLength(1);
    expect((await download(read.body.downloadUrl)).equals(content)).toBe(true);
  });

  it('answers 409 while nothing is uploaded, and lists the document without an available version', async () => {
    // Prepare
    const content = Buffer.from('not uploaded');
    const created = await acme('POST', '/v1/documents', { body: bulletin(content, { kind: 'manual' }) });
    // Act
    const read = await acme('GET', `/v1/documents/${created.body.document.id}`);
    const listed = await acme('GET', '/v1/documents?kind=manual');
    // Assess
    expectProblem(read, 409);
    expect(read.body.detail).toContain('Version 1');
    expect(read.body.detail).toContain('not uploaded yet');
    const item = listed.body.items.find((doc: { id: string }) => doc.id === created.body.document.id);
    expect(item).toMatchObject({ status: 'pending' });
    expect(item.availableVersion).toBeUndefined();
  });

  it('keeps a version of another size than declared unavailable (409 on every read)', async () => {
    // Prepare
    const declared = Buffer.from('twelve bytes');
    const created = await acme('POST', '/v1/documents', { body: bulletin(declared) });
    await upload(created.body, Buffer.from('a longer body than declared'));
    // Act
    const first = await acme('GET', `/v1/documents/${created.body.document.id}`);
    const again = await acme('GET', `/v1/documents/${created.body.document.id}?version=1`);
    // Assess
    expectProblem(first, 409);
    expect(first.body.detail).toContain('another size');
    expectProblem(again, 409);
  });
});

describe('downloads', () => {
  const served = async (body: Record<string, unknown>, content: Buffer) => {
    const created = await acme('POST', '/v1/documents', { body: { ...bulletin(content), ...body } });
    await upload(created.body, content);
    const read = await acme('GET', `/v1/documents/${created.body.document.id}`);
    return fetch(read.body.downloadUrl);
  };

  it('hands an HTML upload out as an attachment of bytes, never as a page of the storage origin', async () => {
    // Prepare
    const page = Buffer.from('<script>alert(document.domain)</script>');
    // Act
    const response = await served({ kind: 'manual', title: 'Manual', contentType: 'text/html' }, page);
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="Manual.html"');
    expect(Buffer.from(await response.arrayBuffer()).equals(page)).toBe(true);
  });

  it('keeps an inert type and names the file after its title, RFC 5987 beyond ASCII, no path', async () => {
    // Prepare
    const content = Buffer.from('Prüfung bestanden');
    // Act
    const response = await served({ title: 'Prüfbericht 73/0042', contentType: 'text/plain' }, content);
    // Assess
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Prufbericht 73_0042.txt"; filename*=UTF-8''Pr%C3%BCfbericht%2073_0042.txt`,
    );
  });
});

describe('versions', () => {
  it('keep the old one readable until the new one is uploaded, then serve the new one as latest', async () => {
    // Prepare
    const v1 = Buffer.from('job plan, first issue');
    const v2 = Buffer.from('job plan, second issue with torque values');
    const created = await acme('POST', '/v1/documents', {
      body: bulletin(v1, { kind: 'job-plan', contentType: 'text/markdown' }),
    });
    const id = created.body.document.id;
    await upload(created.body, v1);
    // Act
    const next = await acme('POST', `/v1/documents/${id}/versions`, {
      body: { size: v2.length, sha256: sha256(v2) },
    });
    const whilePending = await acme('GET', `/v1/documents/${id}`);
    await upload(next.body, v2);
    const latest = await acme('GET', `/v1/documents/${id}`);
    const first = await acme('GET', `/v1/documents/${id}?version=1`);
    // Assess
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({
      documentId: id,
      version: 2,
      status: 'pending',
      contentType: 'text/markdown',
    });
    expect(new URL(next.body.uploadUrl).pathname).toBe(objectPath(tenant, id, 2));
    expect(whilePending.body.document).toMatchObject({ version: 1, latestVersion: 2, availableVersion: 1 });
    expect((await download(whilePending.body.downloadUrl)).equals(v1)).toBe(true);
    expect(latest.body.document).toMatchObject({ version: 2, status: 'available', availableVersion: 2 });
    expect((await download(latest.body.downloadUrl)).equals(v2)).toBe(true);
    expect(first.body.document.version).toBe(1);
    expect((await download(first.body.downloadUrl)).equals(v1)).toBe(true);
    expect((await acme('GET', `/v1/documents?kind=job-plan`)).body.items[0]).toMatchObject({
      id,
      version: 2,
      size: v2.length,
    });
  });

  it('get distinct numbers when declared concurrently', async () => {
    // Prepare
    const content = Buffer.from('x');
    const id = (await acme('POST', '/v1/documents', { body: bulletin(content) })).body.document.id;
    // Act
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        acme('POST', `/v1/documents/${id}/versions`, { body: { size: 1, sha256: sha256(content) } }),
      ),
    );
    // Assess
    const numbers = answers.filter((answer) => answer.status === 201).map((answer) => answer.body.version);
    for (const answer of answers) expect([201, 409]).toContain(answer.status);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.length).toBeGreaterThan(0);
  });

  it('refuses a content type the kind does not take, and an unknown version (404)', async () => {
    // Prepare
    const content = Buffer.from('y');
    const id = (await acme('POST', '/v1/documents', { body: bulletin(content) })).body.document.id;
    // Act
    const wrongType = await acme('POST', `/v1/documents/${id}/versions`, {
      body: { contentType: 'image/png', size: 1, sha256: sha256(content) },
    });
    const unknownVersion = await acme('GET', `/v1/documents/${id}?version=9`);
    // Assess
    expectProblem(wrongType, 400, 'body.contentType');
    expectProblem(unknownVersion, 404);
  });
});

describe('lists', () => {
  const lister = newTenant('doclist');
  let caller: Caller;
  const ids: Record<string, string[]> = {};

  beforeAll(async () => {
    caller = await api.as(lister, ['admin']);
    const content = Buffer.from('list me');
    const specs = [
      ['service-bulletin', 'PN-1'],
      ['service-bulletin', 'PN-1'],
      ['service-bulletin', 'PN-2'],
      ['manual', 'PN-1'],
      ['cad', undefined],
    ] as const;
    for (const [kind, partNumber] of specs) {
      const body = bulletin(content, {
        kind,
        contentType: kind === 'cad' ? 'model/step' : 'application/pdf',
        effectivity: partNumber ? { partNumber } : undefined,
      });
      const created = await caller('POST', '/v1/documents', { body });
      expect(created.status).toBe(201);
      ids[kind] = [...(ids[kind] ?? []), created.body.document.id];
    }
  });

  it('pages through the documents of a kind', async () => {
    // Act
    const first = await caller('GET', '/v1/documents?kind=service-bulletin&limit=2');
    const second = await caller(
      'GET',
      `/v1/documents?kind=service-bulletin&limit=2&cursor=${first.body.nextCursor}`,
    );
    // Assess
    expect(first.body.items).toHaveLength(2);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    expect([...first.body.items, ...second.body.items].map((doc: { id: string }) => doc.id)).toEqual(
      ids['service-bulletin'],
    );
  });

  it('lists by effectivity part number, optionally by kind, and everything without filters', async () => {
    // Act
    const byPart = await caller('GET', '/v1/documents?partNumber=PN-1&limit=1');
    const byPartNext = await caller('GET', `/v1/documents?partNumber=PN-1&cursor=${byPart.body.nextCursor}`);
    const manuals = await caller('GET', '/v1/documents?partNumber=PN-1&kind=manual');
    const all = await caller('GET', '/v1/documents');
    // Assess
    expect([...byPart.body.items, ...byPartNext.body.items]).toHaveLength(3);
    expect(manuals.body.items.map((doc: { id: string }) => doc.id)).toEqual(ids.manual);
    expect(all.body.items).toHaveLength(5);
  });

  it('refuses a cursor of another query (400)', async () => {
    // Prepare
    const first = await caller('GET', '/v1/documents?kind=service-bulletin&limit=1');
    // Act
    const other = await caller('GET', `/v1/documents?kind=manual&cursor=${first.body.nextCursor}`);
    // Assess
    expectProblem(other, 400, 'query.cursor');
  });
});

describe('bad input and roles', () => {
  const content = Buffer.from('z');

  it.each([
    ['kind', { kind: 'poster' }, 'body.kind'],
    ['content type for the kind', { kind: 'cad', contentType: 'application/pdf' }, 'body.contentType'],
    ['malformed content type', { contentType: 'pdf' }, 'body.contentType'],
    ['sha256', { sha256: 'abc' }, 'body.sha256'],
    ['empty size', { size: 0 }, 'body.size'],
    ['size above 5 GiB', { size: 5 * 1024 ** 3 + 1 }, 'body.size'],
    ['title', { title: '' }, 'body.title'],
    [
      'effectivity range',
      { effectivity: { partNumber: 'PN-1', softwareVersions: 'soon' } },
      'body.effectivity.softwareVersions',
    ],
  ])('refuses a bad %s (400)', async (_, overrides, field) => {
    // Act
    const response = await acme('POST', '/v1/documents', { body: bulletin(content, overrides) });
    // Assess
    expectProblem(response, 400, field);
  });

  it('answers an unknown document with 404', async () => {
    expectProblem(await acme('GET', `/v1/documents/${ulid()}`), 404);
    expectProblem(
      await acme('POST', `/v1/documents/${ulid()}/versions`, { body: { size: 1, sha256: sha256(content) } }),
      404,
    );
  });

  it('lets a viewer read but not create (403)', async () => {
    // Prepare
    const viewer = await api.as(tenant, ['viewer']);
    // Act
    const create = await viewer('POST', '/v1/documents', { body: bulletin(content) });
    const list = await viewer('GET', '/v1/documents');
    // Assess
    expectProblem(create, 403);
    expect(list.status).toBe(200);
  });
});

describe('isolation', () => {
  it("never shows a document to another tenant, and keeps objects under the owner's prefix", async () => {
    // Prepare
    const content = Buffer.from('confidential');
    const created = await acme('POST', '/v1/documents', {
      body: bulletin(content, { effectivity: { partNumber: 'PN-SECRET' } }),
    });
    const id = created.body.document.id;
    await upload(created.body, content);
    const owned = await acme('GET', `/v1/documents/${id}`);
    const other = await api.as(newTenant('other'), ['admin']);
    // Act
    const read = await other('GET', `/v1/documents/${id}`);
    const version = await other('POST', `/v1/documents/${id}/versions`, {
      body: { size: content.length, sha256: sha256(content) },
    });
    const list = await other('GET', '/v1/documents');
    const byPart = await other('GET', '/v1/documents?partNumber=PN-SECRET');
    const withCursor = await other('GET', `/v1/documents?kind=service-bulletin`);
    // Assess
    expectProblem(read, 404);
    expectProblem(version, 404);
    expect(list.body.items).toEqual([]);
    expect(byPart.body.items).toEqual([]);
    expect(withCursor.body.items).toEqual([]);
    expect(new URL(created.body.uploadUrl).pathname).toBe(objectPath(tenant, id, 1));
    expect(new URL(owned.body.downloadUrl).pathname).toBe(objectPath(tenant, id, 1));
    expect((await acme('GET', `/v1/documents/${id}`)).body.document.latestVersion).toBe(1);
  });

  it("refuses another tenant's cursor (400)", async () => {
    // Prepare
    const owner = await api.as(newTenant('cursor'), ['admin']);
    const content = Buffer.from('c');
    for (let index = 0; index < 2; index++) await owner('POST', '/v1/documents', { body: bulletin(content) });
    const page = await owner('GET', '/v1/documents?limit=1');
    const other = await api.as(newTenant('thief'), ['admin']);
    // Act
    const stolen = await other('GET', `/v1/documents?limit=1&cursor=${page.body.nextCursor}`);
    // Assess
    expectProblem(stolen, 400, 'query.cursor');
  });
});
