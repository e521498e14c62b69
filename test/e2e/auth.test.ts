import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/config';
import { type FunctionName, routes } from '../../shared/routes';
import { startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
const tenant = newTenant('auth');
let twinId: string;

beforeAll(async () => {
  api = await startApi();
  const admin = await api.as(tenant, ['admin']);
  twinId = (await admin('POST', '/v1/twins', { body: aircraftRecord('AUTH-1') })).body.id;
});
afterAll(() => api.stop());

const getWith = (token?: string) => api.call('GET', `/v1/twins/${twinId}`, token ? { token } : {});

describe('tokens', () => {
  it('accepts a token of the configured outside issuer', async () => {
    expect((await getWith(await api.issuer.token(tenant, ['viewer']))).status).toBe(200);
  });

  it('accepts an ES256 token of the issuer as well as an RS256 one', async () => {
    const response = await getWith(await api.issuer.es256Token(tenant, ['viewer']));
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(twinId);
  });

  it('accepts an access token (client_id, no aud) of a client listed in AUTH_CLIENT_IDS', async () => {
    const token = await api.issuer.accessToken(tenant, ['engineer']);
    const response = await getWith(token);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(twinId);
    // an access token acts like any other: a write records its subject
    const created = await api.call('POST', '/v1/twins', { token, body: aircraftRecord('AUTH-ACCESS') });
    expect(created.status).toBe(201);
  });

  it.each([
    ['no Authorization header', async () => undefined],
    ['a malformed header', async () => 'not a jwt'],
    ['a key the issuer does not publish', () => api.issuer.forgedToken(tenant, ['admin'])],
    [
      'an expired token',
      () => api.issuer.token(tenant, ['admin'], { exp: Math.floor(Date.now() / 1000) - 60 }),
    ],
    ['another audience', () => api.issuer.token(tenant, ['admin'], { aud: 'someone-else' })],
    ['another issuer', () => api.issuer.token(tenant, ['admin'], { iss: 'https://evil.example' })],
    ['an ES256 token for another audience', () => api.issuer.es256Token(tenant, ['admin'], { aud: 'nope' })],
    ['an access token of an unknown client_id', () => api.issuer.accessToken(tenant, ['admin'], 'stranger')],
    [
      'an accepted client_id beside an aud that is not ours',
      () => api.issuer.token(tenant, ['admin'], { aud: 'someone-else', client_id: api.issuer.clientId }),
    ],
    ['no tenant claim', () => api.issuer.token('', ['admin'], { tenant: undefined })],
    ['a tenant with "#"', () => api.issuer.token('acme#TWIN', ['admin'])],
    [
      'an HS256 token',
      () =>
        new SignJWT({ tenant, roles: ['admin'] })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(api.issuer.issuer)
          .setAudience(api.issuer.audience)
          .setSubject('x')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!!')),
    ],
  ])('refuses %s with 401', async (_label, makeToken) => {
    const token = await makeToken();
    const response = await api.call(
      'GET',
      `/v1/twins/${twinId}`,
      token ? { headers: { authorization: token.includes(' ') ? token : `Bearer ${token}` } } : {},
    );
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('answers a missing token the same way from every function that verifies tokens', async () => {
    // one route of each function that needs a token; its path parameters filled with anything
    const firstRoutes = new Map<FunctionName, (typeof routes)[number]>();
    for (const route of routes)
      if (route.auth && !firstRoutes.has(route.function)) firstRoutes.set(route.function, route);
    expect(firstRoutes.size).toBeGreaterThan(5);
    for (const route of firstRoutes.values()) {
      const response = await api.call(route.method, route.path.replace(/\{[^}]+\}/g, 'x'));
      // the AAS API answers its own Result shape (application/json)
      if (route.errorShape === 'aas-result') {
        expect(response.status).toBe(401);
        expect(response.body.messages[0].code).toBe('401');
      } else expectProblem(response, 401);
      expect(response.headers.get('x-request-id'), route.function).toMatch(/.+/);
    }
  });

  describe('with claim names configured for Cognito', () => {
    afterEach(() => {
      delete process.env[ENV.tenantClaim];
      delete process.env[ENV.rolesClaim];
    });

    it('reads the tenant and roles from custom:tenant and cognito:groups', async () => {
      process.env[ENV.tenantClaim] = 'custom:tenant';
      process.env[ENV.rolesClaim] = 'cognito:groups';
      const token = await api.issuer.token('ignored', [], {
        'custom:tenant': tenant,
        'cognito:groups': ['viewer'],
      });
      expect((await getWith(token)).status).toBe(200);
      const plain = await api.issuer.token(tenant, ['admin']);
      expectProblem(await getWith(plain), 401);
    });
  });
});

describe('roles', () => {
  it('lets every role read', async () => {
    for (const role of ['admin', 'engineer', 'technician', 'viewer'] as const) {
      expect((await getWith(await api.issuer.token(tenant, [role]))).status).toBe(200);
    }
  });

  it('lets only admins and engineers create and edit (403 for the others)', async () => {
    for (const role of ['technician', 'viewer'] as const) {
      const call = await api.as(tenant, [role]);
      expectProblem(await call('POST', '/v1/twins', { body: aircraftRecord(`ROLE-${role}`) }), 403);
      expectProblem(
        await call('PATCH', `/v1/twins/${twinId}`, { body: { site: 'X' }, headers: { 'if-match': '"1"' } }),
        403,
      );
    }
    const engineer = await api.as(tenant, ['engineer']);
    expect((await engineer('POST', '/v1/twins', { body: aircraftRecord('ROLE-engineer') })).status).toBe(201);
  });

  it('refuses a token with no known role (403)', async () => {
    expectProblem(await getWith(await api.issuer.token(tenant, [])), 403);
  });
});
