import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as z from 'zod';
import { config } from '../../shared/config';
import { TENANT_PATTERN } from '../../shared/http/auth';
import { Role } from '../../shared/schemas/common';

/** Issuer and audience of local development tokens. */
export const DEV_ISSUER = 'twinthread-local-dev';
export const DEV_AUDIENCE = 'twinthread';

export const DevTokenRequest = z.strictObject({
  tenant: z.string().regex(TENANT_PATTERN, 'letters, digits, ".", "_" or "-", at most 64'),
  roles: z.array(Role).min(1),
  sub: z.string().min(1).max(256).optional(),
});

export interface DevIssuer {
  jwks: { keys: JWK[] };
  /** A 12-hour token for the tenant and roles, with the claim names the functions are configured for. */
  sign(request: z.infer<typeof DevTokenRequest>): Promise<string>;
}

/** A signing key made at start (tokens do not outlive the process), served as a JWKS by the gateway. */
export async function createDevIssuer(): Promise<DevIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `dev-${Date.now().toString(36)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    jwks: { keys: [publicJwk] },
    sign: ({ tenant, roles, sub }) => {
      const { tenantClaim, rolesClaim } = config.auth();
      return new SignJWT({ [tenantClaim]: tenant, [rolesClaim]: roles })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject(sub ?? `dev-user@${tenant}`)
        .setIssuedAt()
        .setExpirationTime('12h')
        .sign(privateKey);
    },
  };
}
