/** Who is signed in: the token lives in this tab's sessionStorage only, never in localStorage. */
export interface Session {
  token: string;
  tenant: string;
  roles: string[];
  sub: string;
}

const KEY = 'twinthread.session';

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

export const ROLES = ['admin', 'engineer', 'technician', 'viewer'] as const;
