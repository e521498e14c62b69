import type { TwinHistory } from '../domain/change-set';
import { Forbidden, NotFound } from '../domain/errors';
import { type GrantRecord, grantActive, grantsFor, sharedView } from '../domain/grant';
import type { TwinState } from '../domain/records';
import { pathVisible, projectThroughView } from '../domain/view';
import type { Caller } from '../http/auth';
import type { OperationRequest } from '../http/handler';
import { ok } from '../http/response';
import { BUSINESS_METRICS, countBusiness } from '../observability/metrics';
import type { TwinDataShape } from '../route-table/route';
import type { ViewBody } from '../schemas/sharing';
import { confirmGrants, grantsTo, recordAccess } from '../store/sharing-store';
import { asGrantOwner } from '../store/tenant-scope';
import { loadTwinParts, type TwinParts } from '../store/twin-store';
import { grantWriter, type ViewWriter } from './view-writes';

/** A twin of another tenant, opened through the grants that share it with the caller now. */
export interface SharedTwin {
  owner: string;
  history: TwinHistory;
  /** The twin now (its current items), when the request asked for them. */
  state: TwinState;
  grants: GrantRecord[];
  /** What the caller sees: the union of its grants' views. */
  view: ViewBody;
}

/**
 * Opens `owner`'s twin for the caller's tenant and runs `work` on it in the owner's scope. The
 * owner comes from the path, the grantee only from the token; access needs a grant of that owner
 * to this tenant, in force now, whose selector covers the twin, confirmed on the table (a
 * revocation counts at once). Scopes (shared/store/tenant-scope.ts): the grants are listed from
 * the caller's own grantee index in the caller's scope; only then, and only for an owner that
 * index names, the owner's scope reads the grant items (consistently) and, once they are
 * confirmed, the twin, and `work` runs there. Anything else is the same 404 as a twin that does
 * not exist.
 */
export async function withSharedTwin<T>(
  caller: Caller,
  owner: string,
  twinId: string,
  now: Date,
  parts: TwinParts,
  work: (shared: SharedTwin) => Promise<T>,
): Promise<T> {
  const notShared = new NotFound(`No twin ${twinId} shared by ${owner}`);
  if (owner === caller.tenant) throw notShared;
  const at = now.toISOString();
  const listed = (await grantsTo(caller.tenant, owner)).filter((grant) => grantActive(grant, at));
  if (listed.length === 0) throw notShared;
  const confirmed = (await asGrantOwner(owner, listed, () => confirmGrants(listed))).filter((grant) =>
    grantActive(grant, at),
  );
  if (confirmed.length === 0) throw notShared;
  return asGrantOwner(owner, confirmed, async () => {
    const twin = await loadTwinParts(owner, twinId, parts);
    if (!twin) throw notShared;
    const { history, state } = twin;
    const grants = grantsFor(confirmed, history.record, at);
    if (grants.length === 0) throw notShared;
    return work({ owner, history, state, grants, view: sharedView(grants) });
  });
}

/** A grantee writes through its grants: their permissions, inside their views. */
export const writerOf = (shared: SharedTwin): ViewWriter => grantWriter(shared.grants, shared.view);

/** Is the position inside what the caller sees? */
export const sees = (shared: SharedTwin, path: string) => pathVisible(shared.view, path);

/**
 * Leaves the owner a trace of a grantee's access (who, through which grants, did what, when),
 * in the owner's change feed and under the twin.
 */
export async function auditAccess(shared: SharedTwin, caller: Caller, action: string, now: Date) {
  const read = action.startsWith('read');
  await recordAccess(shared.owner, {
    type: read ? 'twin.accessed' : 'twin.written-by-grantee',
    recordedAt: now.toISOString(),
    twinId: shared.history.record.id,
    grantee: caller.tenant,
    actor: { sub: caller.sub, tenant: caller.tenant },
    grantIds: shared.grants.map((grant) => grant.id),
    action,
  });
  if (read) countBusiness(BUSINESS_METRICS.granteeReads, 1, { tenant: caller.tenant, owner: shared.owner });
}

/** Opens the shared twin, answers `shape` projected through the caller's grants, and leaves the owner a trace. */
export async function sharedRead(
  request: Pick<OperationRequest<{ owner: string; id: string }>, 'caller' | 'params' | 'now'>,
  shape: TwinDataShape,
  parts: TwinParts,
  answer: (shared: SharedTwin) => unknown | Promise<unknown>,
  headers?: (shared: SharedTwin) => Record<string, string>,
) {
  const { owner, id } = request.params;
  return withSharedTwin(request.caller, owner, id, request.now, parts, async (shared) => {
    const body = projectThroughView({ shape, body: await answer(shared) }, shared.view);
    if (body === undefined) throw new NotFound(`Not visible through your grant`);
    await auditAccess(shared, request.caller, `read ${shape}`, request.now);
    return ok(body, headers?.(shared));
  });
}

/** Time travel shows the past: only for grants whose view shows history. */
export function sharedReadTimes(shared: SharedTwin, now: Date, query: { asOf?: string; knownAt?: string }) {
  const at = now.toISOString();
  if ((query.asOf !== undefined || query.knownAt !== undefined) && shared.view.history === false)
    throw new Forbidden('Your grant shows the current configuration only (no asOf or knownAt)');
  return {
    asOf: query.asOf === undefined ? at : new Date(query.asOf).toISOString(),
    knownAt: query.knownAt === undefined ? at : new Date(query.knownAt).toISOString(),
  };
}
