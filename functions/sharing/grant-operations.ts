import { invalidField, NotFound } from '../../shared/domain/errors';
import { type GrantRecord, grantActive, presentGrant } from '../../shared/domain/grant';
import { toUtc } from '../../shared/domain/time';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { ulid } from '../../shared/ids';
import type { GrantBody } from '../../shared/schemas/sharing';
import * as store from '../../shared/store/sharing-store';

type GrantParams = { id: string };

async function createGrant(request: OperationRequest<object, object, GrantBody>) {
  const { tenant, sub } = request.caller;
  const { viewId, validFrom, validTo, ...terms } = request.body;
  if (terms.grantee === tenant) throw invalidField('body.grantee', 'a tenant does not grant to itself');
  const view = await store.getView(tenant, viewId);
  if (!view) throw invalidField('body.viewId', `no view ${viewId}`);
  const createdAt = request.now.toISOString();
  const grant: GrantRecord = {
    ...terms,
    ...(validFrom === undefined ? {} : { validFrom: toUtc(validFrom) }),
    ...(validTo === undefined ? {} : { validTo: toUtc(validTo) }),
    id: ulid(),
    owner: tenant,
    view,
    createdAt,
    createdBy: { sub, tenant },
  };
  await store.createGrant(grant);
  return {
    status: 201,
    body: presentGrant(grant, createdAt),
    headers: { location: `/v1/grants/${grant.id}` },
  };
}

async function listGrants(
  request: OperationRequest<object, { limit: number; cursor?: string; grantee?: string; active?: string }>,
) {
  const { active, ...query } = request.query;
  const now = request.now.toISOString();
  const page = await store.listGrants(request.caller.tenant, query, query);
  const items = page.items
    .filter((grant) => active === undefined || grantActive(grant, now) === (active === 'true'))
    .map((grant) => presentGrant(grant, now));
  return ok({ ...page, items });
}

async function existingGrant(owner: string, id: string) {
  const grant = await store.getGrant(owner, id);
  if (!grant) throw new NotFound(`No grant ${id}`);
  return grant;
}

async function getGrant(request: OperationRequest<GrantParams>) {
  return ok(
    presentGrant(await existingGrant(request.caller.tenant, request.params.id), request.now.toISOString()),
  );
}

async function revokeGrant(request: OperationRequest<GrantParams>) {
  const { tenant, sub } = request.caller;
  await store.revokeGrant(tenant, request.params.id, request.now.toISOString(), { sub, tenant });
  return { status: 204 };
}

export const grantOperations: Record<string, Operation> = { createGrant, listGrants, getGrant, revokeGrant };
