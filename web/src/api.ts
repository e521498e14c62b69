import { loadSession } from './session';

/** An answer other than 2xx: the problem document (RFC 9457) the API sent, and a message for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(explain(status, title, detail));
  }
}

/** What a person should read for each status; the API's own detail is kept where it helps. */
export function explain(status: number, title: string, detail: string): string {
  switch (status) {
    case 401:
      return 'Your sign-in has expired or was refused: sign in again.';
    case 403:
      return `Your role may not do this. ${detail}`.trim();
    case 404:
      return 'Not found: it does not exist, or it is not shared with you.';
    case 409:
      return `Conflict: ${detail || title}`;
    case 412:
      return 'Someone changed this unit; reload.';
    case 428:
      return 'This change must name the version it was based on; reload and try again.';
    default:
      return detail || title || `The request failed (${status}).`;
  }
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  ifMatch?: number | string;
}

/** Called on a 401, so that the app can send the user back to sign-in. */
let onUnauthorized: (() => void) | undefined;
export const setUnauthorizedHandler = (handler: () => void) => {
  onUnauthorized = handler;
};

export function withQuery(path: string, query: CallOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** One call to the public API, as the signed-in user; the console uses nothing else. */
export async function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const session = loadSession();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as { title?: string; detail?: string; errors?: ApiError['errors'] };
    if (response.status === 401) onUnauthorized?.();
    throw new ApiError(response.status, problem.title ?? '', problem.detail ?? '', problem.errors ?? []);
  }
  return parsed as T;
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
