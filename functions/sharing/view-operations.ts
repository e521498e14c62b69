import { invalidField, NotFound } from '../../shared/domain/errors';
import type { View } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { ulid } from '../../shared/ids';
import type { Role } from '../../shared/schemas/common';
import type { ViewBody } from '../../shared/schemas/sharing';
import * as store from '../../shared/store/sharing-store';

type ViewParams = { id: string };

async function existingView(tenant: string, id: string, version?: number): Promise<View> {
  const view = await store.getView(tenant, id, version);
  if (!view) throw new NotFound(`No view ${id}${version === undefined ? '' : ` version ${version}`}`);
  return view;
}

async function createView(request: OperationRequest<object, object, ViewBody>) {
  const view = { ...request.body, id: ulid(), version: 1, createdAt: request.now.toISOString() };
  await store.createView(request.caller.tenant, view);
  return { status: 201, body: view, headers: { location: `/v1/views/${view.id}` } };
}

async function listViews(request: OperationRequest<object, { limit: number; cursor?: string }>) {
  return ok(await store.listViews(request.caller.tenant, request.query));
}

async function getView(request: OperationRequest<ViewParams, { version?: number }>) {
  return ok(await existingView(request.caller.tenant, request.params.id, request.query.version));
}

/** A new version; grants keep the version they pinned, role views follow. */
async function updateView(request: OperationRequest<ViewParams, object, ViewBody>) {
  const current = await existingView(request.caller.tenant, request.params.id);
  const next = {
    ...request.body,
    id: current.id,
    version: current.version + 1,
    createdAt: request.now.toISOString(),
  };
  await store.updateView(request.caller.tenant, next);
  return ok(next);
}

const presentRoleViews = ({ roles, views }: store.RoleViews) => ({ roles, views });

async function getRoleViews(request: OperationRequest) {
  return ok(presentRoleViews(await store.getRoleViews(request.caller.tenant)));
}

async function setRoleView(request: OperationRequest<{ role: Role }, object, { viewId: string | null }>) {
  const { tenant } = request.caller;
  if (request.params.role === 'admin') throw invalidField('path.role', 'admins always see everything');
  const { viewId } = request.body;
  const view = viewId === null ? null : await store.getView(tenant, viewId);
  if (view === undefined) throw invalidField('body.viewId', `no view ${viewId}`);
  return ok(presentRoleViews(await store.setRoleView(tenant, request.params.role, view)));
}

export const viewOperations: Record<string, Operation> = {
  createView,
  listViews,
  getView,
  updateView,
  getRoleViews,
  setRoleView,
};
