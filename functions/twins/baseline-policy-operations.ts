import { NotFound } from '../../shared/domain/errors';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { BaselinePolicyBody } from '../../shared/schemas/baseline-policy';
import { presentPolicy, savePolicy } from '../../shared/services/scheduled-baselines';
import * as store from '../../shared/store/baseline-policy-store';

type PolicyParams = { id: string };

async function policyOrNotFound(tenant: string, id: string) {
  const policy = await store.getBaselinePolicy(tenant, id);
  if (!policy) throw new NotFound(`No baseline policy ${id}`);
  return policy;
}

export async function putBaselinePolicy(request: OperationRequest<PolicyParams, object, BaselinePolicyBody>) {
  const { tenant, sub } = request.caller;
  const { policy, created } = await savePolicy(tenant, request.params.id, request.body, {
    now: request.now,
    actor: { sub, tenant },
  });
  return {
    status: created ? 201 : 200,
    body: presentPolicy(policy),
    ...(created ? { headers: { location: `/v1/baseline-policies/${policy.id}` } } : {}),
  };
}

export async function getBaselinePolicy(request: OperationRequest<PolicyParams>) {
  return ok(presentPolicy(await policyOrNotFound(request.caller.tenant, request.params.id)));
}

export async function listBaselinePolicies(
  request: OperationRequest<object, { limit: number; cursor?: string }>,
) {
  const { limit, cursor } = request.query;
  const page = await store.listBaselinePolicies(request.caller.tenant, {
    limit,
    ...(cursor === undefined ? {} : { cursor }),
  });
  return ok({ ...page, items: page.items.map(presentPolicy) });
}

export async function deleteBaselinePolicy(request: OperationRequest<PolicyParams>) {
  await policyOrNotFound(request.caller.tenant, request.params.id);
  await store.deleteBaselinePolicy(request.caller.tenant, request.params.id);
  return { status: 204 };
}
