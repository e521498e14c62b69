import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import {
  installedBaseCountsOf,
  receivedGrant,
  receivedGrants,
  sharedTwinsPage,
} from '../../shared/services/shared-listing';
import * as store from '../../shared/store/sharing-store';

type Page = { limit: number; cursor?: string };

async function listSharedTwins(
  request: OperationRequest<
    object,
    Page & { purpose?: 'contractor' | 'paas' | 'supplier' | 'other'; partNumber?: string; owner?: string }
  >,
) {
  const { limit, cursor, ...filters } = request.query;
  const { grants: _grants, ...page } = await sharedTwinsPage(
    request.caller,
    filters,
    { limit, cursor },
    request.now,
  );
  return ok(page);
}

/**
 * The OEM's installed base: every unit shared with it under a `paas` grant, with its projected
 * configuration; the first page also carries the counts over the whole installed base.
 */
async function installedBase(
  request: OperationRequest<object, Page & { partNumber?: string; owner?: string }>,
) {
  const { limit, cursor, ...filters } = request.query;
  const { grants, ...page } = await sharedTwinsPage(
    request.caller,
    { ...filters, purpose: 'paas', withConfiguration: true },
    { limit, cursor },
    request.now,
  );
  if (cursor !== undefined) return ok(page);
  return ok({ ...page, counts: await installedBaseCountsOf(grants, request.now.toISOString()) });
}

/** What other tenants shared with mine: the grants in force, with the view each pins. */
async function listReceivedGrants(request: OperationRequest<object, { owner?: string }>) {
  return ok({ items: await receivedGrants(request.caller, request.query.owner, request.now) });
}

/** The grantee declines a grant it does not want: no access through it, gone from its lists; the owner sees it declined. */
async function declineGrant(request: OperationRequest<{ id: string }>) {
  const grant = await receivedGrant(request.caller, request.params.id, request.now);
  const declinedAt = request.now.toISOString();
  await store.declineGrant(grant, declinedAt, { sub: request.caller.sub, tenant: request.caller.tenant });
  return ok({ id: grant.id, owner: grant.owner, declinedAt });
}

export const listingOperations: Record<string, Operation> = {
  declineGrant,
  listSharedTwins,
  installedBase,
  listReceivedGrants,
};
