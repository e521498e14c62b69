import type { TwinHistory } from '../domain/change-set';
import { Forbidden, NotFound } from '../domain/errors';
import { type GrantRecord, grantsFor, permits, sharedView } from '../domain/grant';
import type { TwinState } from '../domain/records';
import { nodesInScope } from '../domain/thread';
import { assembleTwin } from '../domain/twin';
import { pathVisible, projectComponent, projectThroughView } from '../domain/view';
import type { Caller } from '../http/auth';
import type { OperationRequest } from '../http/handler';
import { ok } from '../http/response';
import type { TwinDataShape } from '../route-table/route';
import type { ChangeSetBody } from '../schemas/change';
import type { GrantPermission, ViewBody } from '../schemas/sharing';
import type { Component } from '../schemas/twin';
import { confirmGrants, grantsTo, recordAccess } from '../store/sharing-store';
import { loadTwinParts, type TwinParts } from '../store/twin-store';

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

/**
 * A grantee may write only what a grant permits, and only inside that grant's view positions
 * (refused by the view alone, never by what the twin holds there: the answer tells nothing hidden).
 */
export function requirePermission(
  shared: SharedTwin,
  permission: GrantPermission,
  paths: readonly { path: string; field: string }[],
) {
  if (!shared.grants.some((grant) => grant.permissions.includes(permission)))
    throw new Forbidden(`Your grant does not permit ${permission} on this twin`);
  const outside = paths.filter(({ path }) => !permits(shared.grants, permission, [path]));
  if (outside.length > 0 || (paths.length === 0 && !permits(shared.grants, permission, [])))
    throw new Forbidden(
      `Outside the positions your grant lets you ${permission}`,
      outside.map(({ field, path }) => ({ path: field, message: `${path} is outside your grant` })),
    );
}

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

/** The positions a change set touches, each with the field that names it; lifecycle moves touch the twin. */
function changedPositions(body: ChangeSetBody) {
  return body.operations.flatMap((operation, index) =>
    (['position', 'from', 'to'] as const).flatMap((key) => {
      const path = (operation as Record<string, unknown>)[key];
      return typeof path === 'string' ? [{ path, field: `body.operations[${index}].${key}` }] : [];
    }),
  );
}

/**
 * A grantee's change set stays inside what its grants let it change: every position it touches
 * inside a grant with `change`, no lifecycle move unless a grant covers the whole twin, and no
 * component of a kind its view hides — neither one it installs nor one already there.
 */
export function requireChangeInsideGrant(shared: SharedTwin, body: ChangeSetBody, now: Date) {
  requirePermission(shared, 'change', changedPositions(body));
  if (body.operations.some((operation) => operation.op === 'lifecycle'))
    requirePermission(shared, 'change', []);
  const at = now.toISOString();
  const installed = new Map(
    nodesInScope(assembleTwin(shared.history, { asOf: at, knownAt: at }).configuration).map((node) => [
      node.path,
      node.component,
    ]),
  );
  const hidden = (component: Component | null | undefined) =>
    !!component && !projectComponent(shared.view, component);
  body.operations.forEach((operation, index) => {
    const touched = [
      'component' in operation ? operation.component : undefined,
      ...changedPositions({ ...body, operations: [operation] }).map(({ path }) => installed.get(path)),
    ];
    if (touched.some(hidden))
      throw new Forbidden('Your grant does not cover the kind of component this operation touches', [
        { path: `body.operations[${index}]`, message: 'touches a component outside your grant' },
      ]);
  });
}
