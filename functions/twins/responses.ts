import type { Twin } from '../../shared/domain/twin';
import { etagOf } from '../../shared/domain/twin';
import { projectThroughView } from '../../shared/domain/view';
import type { HttpResult } from '../../shared/http/response';
import type { ViewBody } from '../../shared/schemas/sharing';
import type { WriteConformance } from '../../shared/services/conformance-check';

/** A twin answer: its version as ETag; a new one also gets its Location. */
export const twinResponse = (twin: Twin & { conformance?: unknown }, status = 200): HttpResult => ({
  status,
  body: twin,
  headers: { etag: etagOf(twin.version), ...(status === 201 ? { location: `/v1/twins/${twin.id}` } : {}) },
});

/** Valid time and record time of a read: both now unless the client asks for another. */
export const readTimes = (now: Date, query: { asOf?: string; knownAt?: string } = {}) => ({
  asOf: query.asOf === undefined ? now.toISOString() : new Date(query.asOf).toISOString(),
  knownAt: query.knownAt === undefined ? now.toISOString() : new Date(query.knownAt).toISOString(),
});

/**
 * A change answered under `Prefer: return=minimal`: 204 with the new version as ETag, or, when the
 * change introduced conformance warnings the caller may see (through its role view, if any), 200
 * with only `{id, version, conformance}`, so that a warning recorded is never answered silently.
 */
export function minimalChangeResponse(
  changed: { id: string; version: number; conformance?: WriteConformance | undefined },
  view: ViewBody | undefined,
): HttpResult {
  const headers = { etag: etagOf(changed.version), 'preference-applied': 'return=minimal' };
  const body = { id: changed.id, version: changed.version, conformance: changed.conformance };
  const shown =
    view === undefined ? body : (projectThroughView({ shape: 'twin', body }, view) as typeof body);
  if (!shown.conformance?.warnings.length) return { status: 204, headers };
  return { status: 200, body, headers };
}
