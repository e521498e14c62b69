import { NotFound } from '../../shared/domain/errors';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { idempotencyKey } from '../../shared/http/idempotency-key';
import { ok } from '../../shared/http/response';
import { roleViewOf } from '../../shared/http/role-view';
import type { ComponentUsageQuery, UsageBody, UsageParameterBody } from '../../shared/schemas/usage';
import { knownSerial, refreshLife } from '../../shared/services/life';
import { componentUsageAnswer, twinUsageAnswer } from '../../shared/services/usage-answers';
import { recordUnitUsage } from '../../shared/services/usage-ingest';
import { idempotent } from '../../shared/store/idempotency';
import { recordOverhaul as storeOverhaul } from '../../shared/store/overhaul-store';
import { getUsageParameters, putUsageParameter as storeParameter } from '../../shared/store/usage-store';

/** asOf and knownAt in the stored UTC form, asOf defaulting to now. */
import { lifeOperations } from './life-operations';
import { type Serial, type TimeQuery, timesOf, twinOf } from './usage-common';

async function putUsageParameter(request: OperationRequest<{ name: string }, object, UsageParameterBody>) {
  return ok(await storeParameter(request.caller.tenant, request.params.name, request.body, request.now));
}

async function listUsageParameters(request: OperationRequest) {
  const parameters = await getUsageParameters(request.caller.tenant);
  return ok({ items: Object.entries(parameters).map(([name, definition]) => ({ name, ...definition })) });
}

async function recordUsage(request: OperationRequest<{ id: string }, object, UsageBody>) {
  const { tenant } = request.caller;
  const key = idempotencyKey(request, false);
  // a role whose view hides usage records none (its answer would be refused after the write)
  const view = await roleViewOf(request.caller);
  if (view !== undefined && view.usage !== true) throw new NotFound(`No twin ${request.params.id}`);
  const work = async () => {
    const twin = await twinOf(tenant, request.params.id);
    const records = await recordUnitUsage(
      tenant,
      { id: twin.id, productPartNumber: twin.product.partNumber },
      request.body,
      request.now,
    );
    return { twinId: twin.id, records };
  };
  const answer =
    key === undefined
      ? await work()
      : await idempotent(
          tenant,
          `usage#${request.params.id}`,
          { key, payload: request.body, startedAt: request.now },
          work,
        );
  return { ...ok(answer), status: 201 };
}

async function twinUsage(request: OperationRequest<{ id: string }, TimeQuery>) {
  const { tenant } = request.caller;
  const twin = await twinOf(tenant, request.params.id);
  return ok(await twinUsageAnswer(tenant, twin.id, timesOf(request.query, request.now)));
}

async function componentUsage(request: OperationRequest<Serial, ComponentUsageQuery>) {
  const { tenant } = request.caller;
  const { parameter } = request.query;
  return ok(
    await componentUsageAnswer(tenant, request.params, timesOf(request.query, request.now), parameter),
  );
}

async function recordOverhaul(request: OperationRequest<Serial, object, { at: string }>) {
  const { tenant } = request.caller;
  const { partNumber, serialNumber } = request.params;
  await knownSerial(tenant, partNumber, serialNumber);
  const overhaul = await storeOverhaul(tenant, request.params, request.body, request.now);
  await refreshLife(tenant, [request.params], request.now);
  return { ...ok(overhaul), status: 201 };
}
export const usageOperations: Record<string, Operation> = {
  putUsageParameter,
  listUsageParameters,
  recordUsage,
  twinUsage,
  componentUsage,
  recordOverhaul,
  ...lifeOperations,
};
