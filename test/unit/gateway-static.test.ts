import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../infra/local/gateway';
import { routes } from '../../shared/routes';

const root = mkdtempSync(join(tmpdir(), 'twinthread-web-'));
// A file beside the web root, which no request may reach.
const secret = join(dirname(root), `${basename(root)}.secret.txt`);
let base: string;
const gateway = createGateway({
  webRoot: root,
  invoke: async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"api":true}',
  }),
  routes,
});

beforeAll(async () => {
  mkdirSync(join(root, 'assets'));
  writeFileSync(secret, 'TOP-SECRET');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(root, 'assets', 'app-1.js'), 'export {};');
  writeFileSync(join(root, 'assets', 'app-1.css'), 'body{}');
  await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});

afterAll(async () => {
  gateway.closeAllConnections();
  await new Promise((done) => gateway.close(done));
  rmSync(root, { recursive: true, force: true });
  rmSync(secret, { force: true });
});

const html = { accept: 'text/html,application/xhtml+xml' };

describe('gateway: the built console', () => {
  it('serves files with their content types and index.html for a navigation to a console path', async () => {
    const script = await fetch(`${base}/assets/app-1.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(await script.text()).toBe('export {};');
    expect((await fetch(`${base}/assets/app-1.css`)).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    for (const path of ['/', '/twins/01J0000000000000000000000']) {
      const page = await fetch(`${base}${path}`, { headers: html });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<title>console</title>');
    }
  });

  it('sends the console with a content security policy, no framing, no referrer, no sniffing', async () => {
    for (const path of ['/', '/twins/01J0000000000000000000000', '/assets/app-1.js']) {
      const answer = await fetch(`${base}${path}`, { headers: html });
      const policy = answer.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('leaves API routes first, and answers a problem to non-navigations, missing files and escapes', async () => {
    const api = await fetch(`${base}/v1/twins`, { headers: html });
    expect(await api.json()).toEqual({ api: true });
    const missingApi = await fetch(`${base}/v1/nothing-here`, { headers: html });
    expect(missingApi.status).toBe(404);
    expect(missingApi.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(`${base}/twins/x`)).status).toBe(404);
    expect((await fetch(`${base}/assets/missing.js`, { headers: html })).status).toBe(404);
    const outside = await fetch(`${base}/assets/..%2f..%2f${basename(secret)}`, { headers: html });
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('TOP-SECRET');
    expect((await fetch(`${base}/`, { method: 'POST', headers: html })).status).toBe(404);
  });

  it('tells the console how to sign in: the configured OIDC issuer when there is no dev issuer', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AUTH_ISSUER: 'https://issuer.example.invalid/pool',
      AUTH_AUDIENCE: 'console-client',
      AUTH_TENANT_CLAIM: 'custom:tenant',
    });
    delete process.env.AUTH_CLIENT_ID;
    try {
      const answer = await fetch(`${base}/console-config.json`);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({
        signIn: 'oidc',
        issuer: 'https://issuer.example.invalid/pool',
        clientId: 'console-client',
        scope: 'openid',
        tenantClaim: 'custom:tenant',
        rolesClaim: process.env.AUTH_ROLES_CLAIM ?? 'roles',
      });
    } finally {
      for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_TENANT_CLAIM']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});
