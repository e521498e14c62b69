import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/api';
import { expectProblem } from '../support/problems';

/** A GET with exactly these headers (fetch would add accept-encoding and decompress). */
const rawGet = (url: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer }>(
    (resolve, reject) => {
      const outgoing = request(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end();
    },
  );

/** The src and href of the page's scripts and style sheets. */
const referencesOf = (html: string) =>
  [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);

describe('/docs, the interactive API reference', () => {
  let api: TestApi;
  let html: string;

  beforeAll(async () => {
    api = await startApi();
    const page = await api.call('GET', '/docs');
    expect(page.status).toBe(200);
    html = page.body as string;
  });

  afterAll(async () => {
    await api.stop();
  });

  it('serves an HTML page without a token, with the request id and a same-origin content security policy', async () => {
    // Act
    const page = await api.call('GET', '/docs');
    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('x-request-id')).toBeTruthy();
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toMatch(/https?:/);
    expect(html).toMatch(/^<!doctype html>/i);
  });

  it('references only local assets, and no CDN', () => {
    // Prepare
    const references = referencesOf(html).filter((reference) => !reference.startsWith('data:'));
    // Assess
    expect(html).not.toMatch(/https?:\/\//);
    expect(references).toEqual(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']);
  });

  it('starts the viewer on /openapi.json, which is served', async () => {
    // Act
    const init = await api.call('GET', '/docs/init.js');
    const spec = await api.call('GET', '/openapi.json');
    // Assess
    expect(init.status).toBe(200);
    expect(init.body).toContain("url: '/openapi.json'");
    expect(init.body).toContain('validatorUrl: null');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(spec.body.paths['/docs']).toBeDefined();
  });

  it.each([
    ['/docs/swagger-ui-bundle.js', /^text\/javascript/, 'SwaggerUIBundle'],
    ['/docs/swagger-ui.css', /^text\/css/, '.swagger-ui'],
    ['/docs/init.js', /^text\/javascript/, 'SwaggerUIBundle('],
  ])('serves %s with its content type', async (path, type, marker) => {
    // Act
    const asset = await api.call('GET', path);
    // Assess
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(type);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asset.body).toContain(marker);
  });

  it('sends the viewer gzip-encoded to clients that accept it, identical once decoded', async () => {
    // Act
    const plain = await rawGet(`${api.url}/docs/swagger-ui-bundle.js`);
    const gzipped = await rawGet(`${api.url}/docs/swagger-ui-bundle.js`, { 'accept-encoding': 'gzip' });
    // Assess
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.bytes.length).toBeLessThan(plain.bytes.length / 2);
    expect(gunzipSync(gzipped.bytes).equals(plain.bytes)).toBe(true);
    expect(plain.bytes.length).toBeGreaterThan(100_000);
  });

  it('answers 304 to a revalidation with the current ETag', async () => {
    // Prepare
    const first = await rawGet(`${api.url}/docs/swagger-ui.css`);
    const etag = String(first.headers.etag);
    // Act
    const again = await rawGet(`${api.url}/docs/swagger-ui.css`, { 'if-none-match': etag });
    // Assess
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
  });

  it.each(['/docs/index.html', '/docs/package.json', '/docs/..%2Fpackage.json', '/docs/absolute-path.js'])(
    'serves no other file: %s is 404',
    async (path) => {
      // Act
      const response = await api.call('GET', path);
      // Assess
      expectProblem(response, 404);
    },
  );
});
