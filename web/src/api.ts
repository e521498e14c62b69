import { loadSession } from './session';

/** An answer other than 2xx: the problem document (RFC 9457) the API sent, and a message for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(explain(status, title, errors.length > 0 ? labelledErrors(errors) : detail));
  }
}

/** The words a person reads for a field the API names in an error path (`body.contentType`). */
const FIELD_LABELS: Record<string, string> = {
  contentType: 'File type',
  size: 'File size',
  sha256: 'File checksum',
  title: 'Title',
  kind: 'Kind',
  partNumber: 'Part number',
  serialNumber: 'Serial number',
  softwareVersion: 'Software version',
  softwareVersions: 'Software versions',
  revision: 'Revision',
  revisions: 'Revisions',
  reason: 'Reason',
  workOrder: 'Work order',
  effectiveAt: 'Effective at',
  performedAt: 'Performed at',
  inspector: 'Inspector',
  findings: 'Findings',
  observed: 'Positions inspected',
  position: 'Position',
  path: 'Position',
  site: 'Site',
  asOf: 'As of',
  knownAt: 'Known at',
  grantee: 'Party',
  validTo: 'Valid until',
  validFrom: 'Valid from',
  name: 'Name',
  from: 'From',
  to: 'To',
  at: 'At',
  effectivity: 'Effectivity',
};

/** `body.operations[0].component.serialNumber` → "Serial number" (the last named field's label). */
export function fieldLabel(path: string): string {
  const names = path.split(/[.[\]]+/).filter((part) => part && !/^\d+$/.test(part));
  const last = names[names.length - 1] ?? path;
  return FIELD_LABELS[last] ?? last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

const labelledErrors = (errors: { path: string; message: string }[]) =>
  errors.map((error) => `${fieldLabel(error.path)}: ${error.message}`).join('; ');

const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;

/**
 * A refusal that names twins by id ("installed at hvac/controller of twin 01J…") names them as
 * people do: serial number and product. A twin the caller cannot read keeps its id.
 */
async function nameTwins(text: string, headers: Record<string, string>): Promise<string> {
  const ids = [...new Set(text.match(ULID) ?? [])];
  if (ids.length === 0) return text;
  const names = await Promise.all(
    ids.map(async (id) => {
      const response = await fetch(`/v1/twins/${id}`, { headers }).catch(() => undefined);
      if (!response?.ok) return undefined;
      const twin = (await response.json()) as {
        serialNumber: string;
        product: { partNumber: string; name?: string };
      };
      return `${twin.serialNumber} (${twin.product.name ?? twin.product.partNumber})`;
    }),
  );
  return ids.reduce(
    (out, id, index) =>
      names[index] ? out.replaceAll(`twin ${id}`, `twin ${names[index]}`).replaceAll(id, names[index]!) : out,
    text,
  );
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
    const detail =
      response.status === 409
        ? await nameTwins(problem.detail ?? '', {
            accept: 'application/json',
            authorization: headers.authorization ?? '',
          })
        : problem.detail;
    throw new ApiError(response.status, problem.title ?? '', detail ?? '', problem.errors ?? []);
  }
  return parsed as T;
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * For reads a view may hide (usage, life, conformance): the API answers 404 when the view does not
 * show them, and the console then leaves the panel out (null), never shows it broken.
 */
export const nullWhenHidden = (error: unknown): null => {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
};
