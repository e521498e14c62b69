import { Forbidden } from '../../shared/domain/errors';
import type { OperationRequest } from '../../shared/http/handler';
import { createFunctionHandler } from '../../shared/http/handler';
import { idempotencyKey } from '../../shared/http/idempotency-key';
import { ok } from '../../shared/http/response';
import { roleViewOf } from '../../shared/http/role-view';
import type { IngestBody } from '../../shared/schemas/ingest';
import { ingest as ingestObservations } from '../../shared/services/ingest-service';
import { checkIngestUsage } from '../../shared/services/usage-ingest';
import { idempotent } from '../../shared/store/idempotency';

/**
 * `report` writes nothing, not even an idempotency record: it is safe to repeat as it is. `apply` runs
 * once per tenant and key (Powertools idempotency in the table); its answer is replayed on a retry.
 */
async function ingest(request: OperationRequest<object, object, IngestBody>) {
  const { tenant, sub } = request.caller;
  const { mode } = request.body;
  const key = idempotencyKey(request, mode === 'apply');
  // A role view (technicians seeing only their systems) hides positions from ingest as from any read.
  const view = await roleViewOf(request.caller);
  const actor = { sub, tenant };
  const usage = request.body.usage ?? [];
  // a role whose view hides usage records none (as POST /v1/twins/{id}/usage)
  if (usage.length > 0 && view !== undefined && view.usage !== true)
    throw new Forbidden('Your role’s view does not show usage: send no usage records');
  const work = async () => {
    // every usage record is checked before anything is written: a bad one is 400 and nothing changes
    const checked = usage.length > 0 ? await checkIngestUsage(tenant, usage) : undefined;
    const answer = await ingestObservations(tenant, request.body, { mode, now: request.now, actor, view });
    if (!checked) return answer;
    return { ...answer, usage: await checked.run({ mode, now: request.now, ...(key ? { key } : {}) }) };
  };
  if (mode === 'report' || key === undefined) return ok(await work());
  return ok(await idempotent(tenant, 'ingest', { key, payload: request.body, startedAt: request.now }, work));
}

export const handler = createFunctionHandler('ingest', { ingest });
