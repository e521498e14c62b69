/**
 * The console's security headers, one definition for both servers: CloudFront's response headers
 * policy deployed (infra/console.ts) and the local gateway (infra/local/static.ts).
 *
 * Only this origin's scripts and styles run (the build has no inline script or style; Preact and
 * Chart.js style through the CSSOM, which style-src does not govern); the console talks to its own
 * origin (API, config), to the document bucket (presigned uploads) and to the sign-in issuer
 * (discovery, token endpoint); it is never framed and sends no Referer (URLs carry twin ids).
 */
export function consoleContentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ['connect-src', "'self'", ...connectOrigins.filter(Boolean)].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONSOLE_FRAME_OPTIONS = 'DENY';
export const CONSOLE_REFERRER_POLICY = 'no-referrer';

/** The headers of every console file, as the local gateway sends them. */
export const consoleHeaders = (connectOrigins: readonly string[]): Record<string, string> => ({
  'content-security-policy': consoleContentSecurityPolicy(connectOrigins),
  'x-frame-options': CONSOLE_FRAME_OPTIONS,
  'referrer-policy': CONSOLE_REFERRER_POLICY,
  'x-content-type-options': 'nosniff',
});

/** `https://idp.example/realms/x` → `https://idp.example`; nothing for an empty or malformed URL. */
export const originOf = (url: string | undefined): string => {
  try {
    return url ? new URL(url).origin : '';
  } catch {
    return '';
  }
};
