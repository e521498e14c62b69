import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import viewerFolder from 'swagger-ui-dist/absolute-path';
import { NotFound } from '../../shared/domain/errors';
import { createFunctionHandler, type PublicOperation } from '../../shared/http/handler';
import type { HttpResult } from '../../shared/http/response';
import { DOCS_CSP, DOCS_PAGE, INIT_SCRIPT, VIEWER_FILES } from './assets';

interface Asset {
  type: string;
  bytes: Buffer;
  gzipped: Buffer;
  etag: string;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';

// read and compressed once per container, on first request
const assets = new Map<string, Promise<Asset>>();

function asset(bytes: Buffer, type: string): Asset {
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  return { type, bytes, gzipped: gzipSync(bytes), etag };
}

function loadAsset(name: string): Promise<Asset> {
  if (name === 'init.js') return Promise.resolve(asset(Buffer.from(INIT_SCRIPT), JAVASCRIPT));
  const type = (VIEWER_FILES as Record<string, string>)[name];
  if (!Object.hasOwn(VIEWER_FILES, name) || !type) throw new NotFound(`No asset ${name}`);
  let loading = assets.get(name);
  if (!loading) {
    // locally swagger-ui-dist's own folder; deployed the bundle's folder (infra/bundling.ts copies them)
    loading = readFile(join(viewerFolder(), name)).then((bytes) => asset(bytes, type));
    loading.catch(() => assets.delete(name));
    assets.set(name, loading);
  }
  return loading;
}

const docsPage: PublicOperation = async () => ({
  status: 200,
  body: DOCS_PAGE,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': DOCS_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  },
});

const docsAsset: PublicOperation = async ({ params, headers }): Promise<HttpResult> => {
  const file = await loadAsset(String(params.asset));
  const common = {
    etag: file.etag,
    'cache-control': 'public, max-age=86400',
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
  };
  if (headers['if-none-match'] === file.etag) return { status: 304, headers: common };
  const gzip = /\bgzip\b/.test(headers['accept-encoding'] ?? '');
  return {
    status: 200,
    body: gzip ? file.gzipped : file.bytes,
    headers: { ...common, 'content-type': file.type, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
  };
};

/** The interactive API reference: the page, the viewer's files and its start script. */
export const handler = createFunctionHandler('docs', { docsPage, docsAsset });
