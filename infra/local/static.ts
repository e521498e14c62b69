import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../shared/config';
import { consoleHeaders, originOf } from '../console-headers';

/** Where `npm run build:web` writes the console. */
export const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

const isFile = (path: string) =>
  stat(path).then(
    (info) => info.isFile(),
    () => false,
  );

/**
 * Serves the built console for a GET or HEAD that no API route took: a file of `root` as it is,
 * and `index.html` for a browser's navigation (Accept: text/html) to any other path, so that the
 * console's own paths (`/twins/…`) reload. API clients asking for a missing path still get a
 * problem, and nothing under /v1 or /dev is ever the console. Answers false when it served nothing.
 */
export async function serveStatic(
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  headers: Record<string, string> = {},
): Promise<boolean> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (/^\/(v1|dev)(\/|$)/.test(pathname)) return false;
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    return false;
  }
  if (relative.split(sep).includes('..')) return false;
  let file = join(root, relative);
  if (relative === '' || !(await isFile(file))) {
    const navigation = /text\/html/.test(request.headers.accept ?? '');
    if (!navigation || extname(relative) !== '') return false;
    file = join(root, 'index.html');
    if (!(await isFile(file))) return false;
  }
  const immutable = relative.startsWith(`assets${sep}`);
  response.writeHead(200, {
    ...headers,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (request.method === 'HEAD') {
    response.end();
    return true;
  }
  await new Promise<void>((resolve, reject) =>
    createReadStream(file).on('error', reject).on('end', resolve).pipe(response),
  );
  return true;
}

/**
 * How the console signs in here: with the dev issuer (a tenant and role picker), or with the
 * configured OIDC issuer (authorization code + PKCE; client id AUTH_CLIENT_ID, else the audience).
 */
export function consoleConfig(devIssuer: boolean): Record<string, string> {
  if (devIssuer) return { signIn: 'dev' };
  const env = process.env;
  return {
    signIn: 'oidc',
    issuer: env[ENV.issuer] ?? '',
    clientId: env.AUTH_CLIENT_ID ?? env[ENV.audience] ?? '',
    scope: env.AUTH_SCOPE ?? 'openid',
    tenantClaim: env[ENV.tenantClaim] ?? 'tenant',
    rolesClaim: env[ENV.rolesClaim] ?? 'roles',
  };
}

/**
 * The console's security headers here: it connects to its own origin, to the local S3 (presigned
 * uploads) and, with an outside issuer, to that issuer.
 */
export function localConsoleHeaders(signIn: Record<string, string>): Record<string, string> {
  return consoleHeaders([originOf(process.env[ENV.s3Endpoint]), originOf(signIn.issuer)]);
}
