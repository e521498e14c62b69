import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface FakeIdentity {
  tenant: string;
  roles: string[];
  email: string;
}

export interface FakeOidcProvider {
  issuer: string;
  jwksUrl: string;
  clientId: string;
  /** Who signs in next (the provider approves at once, as a signed-in user's IdP would). */
  user: FakeIdentity;
  /** Token requests seen, with the PKCE check's outcome. */
  exchanges: { pkce: boolean; redirectUri: string }[];
  /** The nonce of each authorization request (absent: none was sent). */
  nonces: (string | undefined)[];
  /** The next ID token carries this nonce instead of the one the console sent (a replayed token). */
  forgeNonce?: string;
  stop(): Promise<void>;
}

const base64url = (buffer: Buffer) => buffer.toString('base64url');

/**
 * A minimal OpenID provider on loopback for the console's code + PKCE flow: discovery, authorize
 * (approves at once), token (checks the S256 verifier, answers an RS256 ID token), JWKS.
 */
export async function startFakeOidc(clientId = 'twinthread-console'): Promise<FakeOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const codes = new Map<
    string,
    { challenge: string; redirectUri: string; user: FakeIdentity; nonce: string | undefined }
  >();
  let issuer = '';
  const provider: FakeOidcProvider = {
    issuer: '',
    jwksUrl: '',
    clientId,
    user: { tenant: 'nobody', roles: ['viewer'], email: 'nobody@example.invalid' },
    exchanges: [],
    nonces: [],
    stop: () => new Promise((done) => server.close(() => done())),
  };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks.json`,
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks.json') return json(200, jwks);
    if (url.pathname === '/authorize') {
      const params = url.searchParams;
      const redirectUri = params.get('redirect_uri') ?? '';
      if (params.get('client_id') !== clientId || params.get('code_challenge_method') !== 'S256') {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomUUID();
      const nonce = params.get('nonce') ?? undefined;
      provider.nonces.push(nonce);
      codes.set(code, {
        challenge: params.get('code_challenge') ?? '',
        redirectUri,
        user: provider.user,
        nonce: provider.forgeNonce ?? nonce,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      response.writeHead(302, { location: back.toString() });
      return response.end();
    }
    if (url.pathname === '/token' && request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
      });
      return response.end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      let raw = '';
      request.on('data', (chunk) => {
        raw += chunk;
      });
      request.on('end', async () => {
        const form = new URLSearchParams(raw);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const pkce =
          grant !== undefined &&
          base64url(createHash('sha256').update(verifier).digest()) === grant.challenge;
        provider.exchanges.push({ pkce, redirectUri: form.get('redirect_uri') ?? '' });
        if (!grant || !pkce || form.get('redirect_uri') !== grant.redirectUri)
          return json(400, { error: 'invalid_grant' });
        const idToken = await new SignJWT({
          tenant: grant.user.tenant,
          roles: grant.user.roles,
          email: grant.user.email,
          ...(grant.nonce === undefined ? {} : { nonce: grant.nonce }),
        })
          .setProtectedHeader({ alg: 'RS256', kid })
          .setIssuer(issuer)
          .setAudience(clientId)
          .setSubject(randomUUID())
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey);
        json(200, { id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: 3600 });
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.issuer = issuer;
  provider.jwksUrl = `${issuer}/jwks.json`;
  return provider;
}
