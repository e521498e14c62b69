import type { Twin } from '../../shared/domain/twin';
import { etagOf } from '../../shared/domain/twin';
import type { HttpResult } from '../../shared/http/response';

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
