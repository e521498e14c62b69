import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { ulid } from 'ulid';
import { expect } from 'vitest';
import { createGateway } from '../../infra/local/gateway';
import { ENV } from '../../shared/config';
import type { Role } from '../../shared/schemas/common';

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** An outside OIDC-like issuer: an RSA and an EC key pair whose public halves are served as a JWKS. */
export interface TestIssuer {
  issuer: string;
  audience: string;
  /** The client id accepted in access tokens (AUTH_CLIENT_IDS). */
  clientId: string;
  jwksUrl: string;
  /** An RS256 ID token signed by this issuer; `claims` override the defaults (e.g. `exp`). */
  token(tenant: string, roles: Role[], claims?: JWTPayload & { sub?: string }): Promise<string>;
  /** The same, signed with the issuer's ES256 key. */
  es256Token(tenant: string, roles: Role[], claims?: JWTPayload & { sub?: string }): Promise<string>;
  /** An access token as Cognito issues it: `client_id` and `token_use`, no `aud`. */
  accessToken(tenant: string, roles: Role[], clientId?: string): Promise<string>;
  /** A token signed by a key the JWKS does not have. */
  forgedToken(tenant: string, roles: Role[]): Promise<string>;
}

export interface TestApi {
  url: string;
  issuer: TestIssuer;
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  /** Shorthand: a caller of `tenant` with `roles`. */
  as(tenant: string, roles?: Role[]): Promise<Caller>;
  stop(): Promise<void>;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are checked field by field
  body: any;
  /** The body as received (decoded by fetch), before parsing. */
  text: string;
}

/** The body of an answer that must have `status` (200 unless told); the test fails with the body otherwise. */
export async function must(response: Promise<ApiResponse>, status = 200): Promise<ApiResponse['body']> {
  const answer = await response;
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
}

export type Caller = (
  method: string,
  path: string,
  options?: Omit<CallOptions, 'token'>,
) => Promise<ApiResponse>;

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** Starts an outside issuer on a free loopback port (its JWKS at `jwksUrl`). */
export async function createIssuer(): Promise<{ issuer: TestIssuer; server: Server }> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const kids = { RS256: ulid(), ES256: ulid() };
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: kids.RS256, alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: kids.ES256, alg: 'ES256', use: 'sig' },
    ],
  };
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(jwks));
  });
  const base = await listen(server);
  const issuer = `${base}/issuer`;
  const audience = 'twinthread-e2e';
  const clientId = 'twinthread-e2e-machine';
  const sign = (
    key: SigningKey,
    alg: keyof typeof kids,
    tenant: string,
    roles: Role[],
    claims: JWTPayload = {},
    withAudience = true,
  ) => {
    const jwt = new SignJWT({ tenant, roles, ...claims })
      .setProtectedHeader({ alg, kid: kids[alg] })
      .setIssuer(claims.iss ?? issuer)
      .setSubject(claims.sub ?? `user@${tenant}`)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '1h');
    return (withAudience ? jwt.setAudience(claims.aud ?? audience) : jwt).sign(key);
  };
  return {
    server,
    issuer: {
      issuer,
      audience,
      clientId,
      jwksUrl: `${base}/jwks.json`,
      token: (tenant, roles, claims) => sign(rsa.privateKey, 'RS256', tenant, roles, claims),
      es256Token: (tenant, roles, claims) => sign(ec.privateKey, 'ES256', tenant, roles, claims),
      accessToken: (tenant, roles, client = clientId) =>
        sign(rsa.privateKey, 'RS256', tenant, roles, { client_id: client, token_use: 'access' }, false),
      forgedToken: (tenant, roles) => sign(other.privateKey, 'RS256', tenant, roles),
    },
  };
}

/**
 * The API as a client sees it: the local gateway (the very handlers the Lambdas run) on a free
 * port, accepting tokens of an outside issuer, over the run's embedded DynamoDB and S3.
 */
export async function startApi(): Promise<TestApi> {
  const { issuer, server: issuerServer } = await createIssuer();
  process.env[ENV.jwksUrl] = issuer.jwksUrl;
  process.env[ENV.issuer] = issuer.issuer;
  process.env[ENV.audience] = issuer.audience;
  process.env[ENV.clientIds] = issuer.clientId;
  const gateway = createGateway();
  const url = await listen(gateway);
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  return {
    url,
    issuer,
    call,
    as: async (tenant, roles = ['admin']) => {
      const token = await issuer.token(tenant, roles);
      return (method, path, options = {}) => call(method, path, { ...options, token });
    },
    stop: async () => {
      await close(gateway);
      await close(issuerServer);
    },
  };
}

/** The body of a successful (2xx) answer; any other status fails the test with the answer. */
export async function succeeded(response: Promise<ApiResponse>) {
  const answer = await response;
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body;
}
