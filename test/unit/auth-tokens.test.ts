import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../shared/config';
import { Unauthorized } from '../../shared/domain/errors';
import { authenticate } from '../../shared/http/auth';
import { createIssuer, type TestIssuer } from '../support/api';

let issuer: TestIssuer;
let server: Server;

beforeAll(async () => {
  ({ issuer, server } = await createIssuer());
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  vi.stubEnv(ENV.jwksUrl, issuer.jwksUrl);
  vi.stubEnv(ENV.issuer, issuer.issuer);
  vi.stubEnv(ENV.audience, issuer.audience);
});
afterEach(() => vi.unstubAllEnvs());

const bearer = (token: string) => `Bearer ${token}`;

describe('authenticate: ID tokens and access tokens', () => {
  it('takes an ES256 ID token as an RS256 one', async () => {
    // Act
    const caller = await authenticate(bearer(await issuer.es256Token('acme', ['viewer'])));
    // Assess
    expect(caller).toEqual({ tenant: 'acme', roles: ['viewer'], sub: 'user@acme' });
  });

  it('takes an access token whose client_id AUTH_CLIENT_IDS lists (comma or space separated)', async () => {
    // Prepare
    vi.stubEnv(ENV.clientIds, `console-app, ${issuer.clientId} other`);
    const token = await issuer.accessToken('acme', ['engineer']);
    // Act
    const caller = await authenticate(bearer(token));
    // Assess
    expect(caller).toEqual({ tenant: 'acme', roles: ['engineer'], sub: 'user@acme' });
  });

  it('refuses an access token when no client id is configured', async () => {
    // Prepare
    const token = await issuer.accessToken('acme', ['admin']);
    // Act
    const refused = await authenticate(bearer(token)).catch((error: unknown) => error);
    // Assess
    expect(refused).toBeInstanceOf(Unauthorized);
    expect((refused as Unauthorized).detail).toMatch(/client_id/);
  });

  it('refuses an access token of another client', async () => {
    // Prepare
    vi.stubEnv(ENV.clientIds, issuer.clientId);
    const token = await issuer.accessToken('acme', ['admin'], 'someone-else');
    // Act, Assess
    await expect(authenticate(bearer(token))).rejects.toBeInstanceOf(Unauthorized);
  });

  it('still checks an aud that is present, whatever its client_id', async () => {
    // Prepare
    vi.stubEnv(ENV.clientIds, issuer.clientId);
    const token = await issuer.token('acme', ['admin'], { aud: 'another-app', client_id: issuer.clientId });
    // Act
    const refused = await authenticate(bearer(token)).catch((error: unknown) => error);
    // Assess
    expect(refused).toBeInstanceOf(Unauthorized);
    expect((refused as Unauthorized).detail).toContain('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });
});

describe('authenticate: a token verified once', () => {
  afterEach(() => vi.useRealTimers());

  it('is refused once it has expired, though this instance verified it before', async () => {
    // Prepare
    const token = await issuer.token('acme', ['admin'], { exp: Math.floor(Date.now() / 1000) + 2 });
    expect(await authenticate(bearer(token))).toEqual({ tenant: 'acme', roles: ['admin'], sub: 'user@acme' });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    // Act
    const refused = await authenticate(bearer(token)).catch((error: unknown) => error);
    // Assess
    expect(refused).toBeInstanceOf(Unauthorized);
    expect((refused as Unauthorized).detail).toContain('ERR_JWT_EXPIRED');
  });

  it('is checked again when the accepted audience changes', async () => {
    // Prepare
    const token = await issuer.token('acme', ['viewer']);
    await authenticate(bearer(token));
    vi.stubEnv(ENV.audience, 'another-app');
    // Act
    const refused = await authenticate(bearer(token)).catch((error: unknown) => error);
    // Assess
    expect(refused).toBeInstanceOf(Unauthorized);
    expect((refused as Unauthorized).detail).toContain('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('gives each request its own caller, which a handler may change without touching the next', async () => {
    // Prepare
    const token = await issuer.token('acme', ['engineer']);
    const first = await authenticate(bearer(token));
    first.roles.push('admin');
    // Act
    const again = await authenticate(bearer(token));
    // Assess
    expect(again.roles).toEqual(['engineer']);
  });
});
