import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { SharedSearchQuery } from '../../shared/schemas/search';
import { searchShared as searchGranted } from '../../shared/services/search-service';

/** GET /v1/shared/search: the twins shared with the caller's tenant, each match through its grants' view. */
async function searchShared(request: OperationRequest<object, SharedSearchQuery>) {
  const { q, owner, limit, cursor } = request.query;
  return ok(
    await searchGranted(request.caller, q, owner, { limit, ...(cursor ? { cursor } : {}) }, request.now),
  );
}

export const sharedSearchOperations: Record<string, Operation> = { searchShared };
