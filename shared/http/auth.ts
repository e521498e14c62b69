import { createRemoteJWKSet, decodeJwt, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { config } from '../config';
import { AppError, ServiceUnavailable, Unauthorized } from '../domain/errors';
import { TENANT_PATTERN as TENANT_ID } from '../domain/tenant';
import { ROLES, type Role } from '../schemas/common';

/** Who is calling: the tenant and roles come from the verified token and from nowhere else. */
export interface Caller {
  tenant: string;
  roles: Role[];
  /** The token's subject: the actor recorded on every change. */
  sub: string;
}

/** Tenant ids go into every key, so they are kept to a safe alphabet (no "#"). */
export const TENANT_PATTERN = TENANT_ID;

const ALGORITHMS = ['RS256', 'ES256'];

let jwks: { url: string; keySet: ReturnType<typeof createRemoteJWKSet> } | undefined;

/** The issuer's key set, fetched on first use and cached (jose refreshes it on an unknown `kid`). */
function keySet(url: string) {
  if (jwks?.url !== url) jwks = { url, keySet: createRemoteJWKSet(new URL(url), { timeoutDuration: 3000 }) };
  return jwks.keySet;
}

/**
 * How long a verified token is taken again without checking its signature (never past its `exp`):
 * jose keeps a key set for 10 minutes, so a key taken out of it is honoured about as long either way.
 */
export const VERIFIED_TOKEN_MS = 5 * 60_000;

/**
 * Tokens verified by this instance (a warm Lambda serves one client's requests in a row: each would
 * otherwise pay a signature check, a large part of a small request), with the configuration they were
 * verified under. Only tokens that passed every check are kept; a refused one is checked every time.
 */
const verified = new LRUCache<string, { caller: Caller; until: number; settings: string }>({ max: 1000 });

/**
 * Verifies `Authorization: Bearer <jwt>` and returns the caller it names. A token with `aud` (an ID
 * token) must name AUTH_AUDIENCE; one without (an access token, e.g. Cognito's) must carry a
 * `client_id` listed in AUTH_CLIENT_IDS. Deployed as locally, this is the only check of the token.
 */
export async function authenticate(authorization: string | undefined): Promise<Caller> {
  const settings = config.auth();
  const match = /^Bearer\s+([A-Za-z0-9_.~+/=-]+)\s*$/i.exec(authorization ?? '');
  const token = match?.[1];
  const known = token === undefined ? undefined : verified.get(token);
  const fingerprint = JSON.stringify(settings);
  if (known && known.settings === fingerprint && Date.now() < known.until)
    return { ...known.caller, roles: [...known.caller.roles] };
  const { caller, exp } = await verify(token, settings);
  // verify() refused a missing token
  verified.set(token as string, {
    caller,
    until: Math.min(exp * 1000, Date.now() + VERIFIED_TOKEN_MS),
    settings: fingerprint,
  });
  return { ...caller, roles: [...caller.roles] };
}

/** Every check of the token: its signature against the issuer's keys, its claims, its tenant and subject. */
async function verify(
  token: string | undefined,
  { jwksUrl, issuer, audience, clientIds, tenantClaim, rolesClaim }: ReturnType<typeof config.auth>,
): Promise<{ caller: Caller; exp: number }> {
  if (!jwksUrl || !issuer || !audience) {
    throw new AppError(500, 'Internal error', 'Authentication is not configured');
  }
  if (token === undefined) throw new Unauthorized('An Authorization: Bearer token is required');
  let payload: JWTPayload;
  try {
    // the audience is checked when the token has one: the signature covers what decodeJwt reads
    const withAudience = decodeJwt(token).aud !== undefined;
    ({ payload } = await jwtVerify(token, keySet(jwksUrl), {
      issuer,
      algorithms: ALGORITHMS,
      requiredClaims: ['iss', 'exp'],
      ...(withAudience ? { audience } : {}),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWKSTimeout)
      throw new ServiceUnavailable('The token issuer did not answer');
    if (error instanceof joseErrors.JOSEError)
      throw new Unauthorized(`The token is not valid: ${error.code}`);
    throw new ServiceUnavailable("The token issuer's keys could not be fetched");
  }
  const clientId = payload.client_id;
  if (payload.aud === undefined && !(typeof clientId === 'string' && clientIds.includes(clientId))) {
    throw new Unauthorized('The token has no "aud" and its "client_id" is not an accepted client');
  }
  const tenant = payload[tenantClaim];
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    throw new Unauthorized(`The token has no valid "${tenantClaim}" claim`);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '')
    throw new Unauthorized('The token has no subject');
  // jwtVerify required `exp`
  return { caller: { tenant, roles: rolesOf(payload[rolesClaim]), sub: payload.sub }, exp: payload.exp! };
}

/** Roles from an array claim or a space- or comma-separated string; unknown names are dropped. */
export function rolesOf(claim: unknown): Role[] {
  const names = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  return names.filter((name): name is Role => (ROLES as readonly unknown[]).includes(name));
}
