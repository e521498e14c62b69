import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { DocumentComplianceQuery } from '../../shared/schemas/compliance';
import { documentComplianceOf } from '../../shared/services/compliance-service';

/** Fleet compliance with one bulletin or directive: counts by status and the open units, paged. */
export async function documentCompliance(request: OperationRequest<{ id: string }, DocumentComplianceQuery>) {
  const { limit, cursor } = request.query;
  return ok(
    await documentComplianceOf(request.caller.tenant, request.params.id, { limit, cursor }, request.now),
  );
}
