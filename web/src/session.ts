/**
 * Who is signed in. The token lives in sessionStorage (never localStorage: it does not outlive
 * the browser); another tab of the console gets it from an open tab over a BroadcastChannel,
 * so a link opened in a new tab does not ask to sign in again. Signing out signs out every tab.
 */
export interface Session {
  token: string;
  tenant: string;
  roles: string[];
  sub: string;
}

const KEY = 'twinthread.session';

type Message = { type: 'ask' } | { type: 'session'; session: Session } | { type: 'signed-out' };

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(KEY) : undefined;
const signedOutListeners = new Set<() => void>();

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  const message = event.data;
  if (message.type === 'ask') {
    const session = loadSession();
    if (session) channel.postMessage({ type: 'session', session } satisfies Message);
  } else if (message.type === 'signed-out') {
    sessionStorage.removeItem(KEY);
    for (const listener of signedOutListeners) listener();
  }
});

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
  else {
    sessionStorage.removeItem(KEY);
    channel?.postMessage({ type: 'signed-out' } satisfies Message);
  }
}

/** Calls `listener` when another tab signs out. */
export function onSignedOutElsewhere(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => void signedOutListeners.delete(listener);
}

/** The session of another open tab of the console, if one answers within `waitMs`. */
export function sessionFromOtherTabs(waitMs = 400): Promise<Session | undefined> {
  if (!channel) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const listener = (event: MessageEvent<Message>) => {
      if (event.data.type !== 'session') return;
      channel.removeEventListener('message', listener);
      clearTimeout(timer);
      sessionStorage.setItem(KEY, JSON.stringify(event.data.session));
      resolve(event.data.session);
    };
    const timer = setTimeout(() => {
      channel.removeEventListener('message', listener);
      resolve(undefined);
    }, waitMs);
    channel.addEventListener('message', listener);
    channel.postMessage({ type: 'ask' } satisfies Message);
  });
}

export const ROLES = ['admin', 'engineer', 'technician', 'viewer'] as const;
