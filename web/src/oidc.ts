import type { Session } from './session';

/** How this server wants the console to sign in (served at /console-config.json). */
export type ConsoleConfig =
  | { signIn: 'dev' }
  | {
      signIn: 'oidc';
      issuer: string;
      clientId: string;
      scope: string;
      tenantClaim: string;
      rolesClaim: string;
    };

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch('/console-config.json', { headers: { accept: 'application/json' } });
    if (response.ok) return (await response.json()) as ConsoleConfig;
  } catch {
    // no config: the local dev sign-in
  }
  return { signIn: 'dev' };
}

type OidcConfig = Extract<ConsoleConfig, { signIn: 'oidc' }>;

const PENDING = 'twinthread.pkce';
export const CALLBACK_PATH = '/auth/callback';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const random = (size = 32) => base64url(crypto.getRandomValues(new Uint8Array(size)));

async function discover(issuer: string) {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`The sign-in service did not answer (${response.status}).`);
  return (await response.json()) as { authorization_endpoint: string; token_endpoint: string };
}

/** Authorization code + PKCE (S256): off to the issuer, with the verifier kept in this tab. */
export async function startSignIn(config: OidcConfig): Promise<void> {
  const endpoints = await discover(config.issuer);
  const verifier = random(48);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const state = random(16);
  // the ID token must carry it back: a token minted for another sign-in (replayed, injected) is refused
  const nonce = random(16);
  sessionStorage.setItem(
    PENDING,
    JSON.stringify({ verifier, state, nonce, tokenEndpoint: endpoints.token_endpoint }),
  );
  const url = new URL(endpoints.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${location.origin}${CALLBACK_PATH}`,
    scope: config.scope,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const json = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  return JSON.parse(json) as Record<string, unknown>;
}

const rolesOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(/[\s,]+/).filter(Boolean)
      : [];

/** Back from the issuer: checks the state, trades the code and the verifier for tokens, checks the nonce. */
export async function completeSignIn(config: OidcConfig, search: URLSearchParams): Promise<Session> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as {
    verifier: string;
    state: string;
    nonce: string;
    tokenEndpoint: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  if (search.get('error'))
    throw new Error(`Sign-in refused: ${search.get('error_description') ?? search.get('error')}`);
  if (!pending || search.get('state') !== pending.state)
    throw new Error('This sign-in was not started here; try again.');
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: search.get('code') ?? '',
      redirect_uri: `${location.origin}${CALLBACK_PATH}`,
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`The sign-in service refused the code (${response.status}).`);
  const tokens = (await response.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error('The sign-in service sent no ID token.');
  const claims = claimsOf(tokens.id_token);
  if (claims.nonce !== pending.nonce)
    throw new Error('The sign-in service sent a token of another sign-in; try again.');
  return {
    token: tokens.id_token,
    tenant: String(claims[config.tenantClaim] ?? ''),
    roles: rolesOf(claims[config.rolesClaim]),
    sub: String(claims.email ?? claims.sub ?? ''),
  };
}
