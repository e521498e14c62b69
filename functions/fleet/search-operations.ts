import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { roleViewOf } from '../../shared/http/role-view';
import type { SearchQuery } from '../../shared/schemas/search';
import { searchTenant } from '../../shared/services/search-service';

/** GET /v1/search: the tenant's own index, through the caller's role view if it carries one. */
async function search(request: OperationRequest<object, SearchQuery>) {
  const { q, limit, cursor } = request.query;
  const view = await roleViewOf(request.caller);
  return ok(await searchTenant(request.caller.tenant, q, view, { limit, ...(cursor ? { cursor } : {}) }));
}

export const searchOperations: Record<string, Operation> = { search };
