import type { TwinHistory } from '../domain/change-set';
import { Forbidden, NotFound } from '../domain/errors';
import { type GrantRecord, grantsFor, sharedView } from '../domain/grant';
import type { TwinState } from '../domain/records';
import { pathVisible, projectThroughView } from '../domain/view';
import type { Caller } from '../http/auth';
import type { OperationRequest } from '../http/handler';
import { ok } from '../http/response';
import type { TwinDataShape } from '../route-table/route';
import type { ViewBody } from '../schemas/sharing';
import { confirmGrants, grantsTo, recordAccess } from '../store/sharing-store';
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
 * Opens `owner`'s twin for the caller's tenant. The owner comes from the path, the grantee only
 * from the token; access needs a grant of that owner to this tenant, in force now, whose selector
 * covers the twin, confirmed on the table (a revocation counts at once). The grants and the twin
 * are read at the same time; the twin is used only once access is proven. Anything else is the
 * same 404 as a twin that does not exist.
 */
export async function openSharedTwin(
  caller: Caller,
  owner: string,
  twinId: string,
  now: Date,
  parts: TwinParts,
): Promise<SharedTwin> {
  const notShared = new NotFound(`No twin ${twinId} shared by ${owner}`);
  if (owner === caller.tenant) throw notShared;
  const at = now.toISOString();
  const [candidates, twin] = await Promise.all([
    grantsTo(caller.tenant, owner),
    loadTwinParts(owner, twinId, parts),
  ]);
  if (!twin) throw notShared;
  const { history, state } = twin;
  const covering = grantsFor(candidates, history.record, at);
  if (covering.length === 0) throw notShared;
  const grants = grantsFor(await confirmGrants(covering), history.record, at);
  if (grants.length === 0) throw notShared;
  return { owner, history, state, grants, view: sharedView(grants) };
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
  await recordAccess(shared.owner, {
    type: action.startsWith('read') ? 'twin.accessed' : 'twin.written-by-grantee',
    recordedAt: now.toISOString(),
    twinId: shared.history.record.id,
    grantee: caller.tenant,
    actor: { sub: caller.sub, tenant: caller.tenant },
    grantIds: shared.grants.map((grant) => grant.id),
    action,
  });
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
  const shared = await openSharedTwin(request.caller, owner, id, request.now, parts);
  const body = projectThroughView({ shape, body: await answer(shared) }, shared.view);
  if (body === undefined) throw new NotFound(`Not visible through your grant`);
  await auditAccess(shared, request.caller, `read ${shape}`, request.now);
  return ok(body, headers?.(shared));
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
