import { NotFound } from '../../shared/domain/errors';
import type { OperationRequest } from '../../shared/http/handler';
import { idempotencyKey } from '../../shared/http/idempotency-key';
import { ok } from '../../shared/http/response';
import { roleViewOf } from '../../shared/http/role-view';
import type { RecordComplianceBody } from '../../shared/schemas/compliance';
import { recordCompliance as storeRecord, twinComplianceAt } from '../../shared/services/compliance-service';
import { idempotent } from '../../shared/store/idempotency';
import { readTimes } from './responses';
import { loadVisibleTwin } from './twin-operations';

type TimeQuery = { asOf?: string; knownAt?: string };

/** The requirements applicable to a unit and its compliance with each, at (asOf, knownAt). */
export async function twinCompliance(request: OperationRequest<{ id: string }, TimeQuery>) {
  const { tenant } = request.caller;
  const { history } = await loadVisibleTwin(tenant, request.params.id, { timeline: true });
  const at = readTimes(request.now, request.query);
  if (at.knownAt < history.record.createdAt)
    throw new NotFound(`No twin ${request.params.id} was recorded at ${at.knownAt}`);
  return ok({ twinId: history.record.id, ...at, items: await twinComplianceAt(tenant, history, at) });
}

/** A manual compliance record (201), answered with the requirement as judged right after it. */
export async function recordCompliance(
  request: OperationRequest<{ id: string }, object, RecordComplianceBody>,
) {
  const { tenant, sub } = request.caller;
  const key = idempotencyKey(request, false);
  // a role whose view hides compliance records none (its answer would be refused after the write)
  const view = await roleViewOf(request.caller);
  if (view !== undefined && view.conformance !== true) throw new NotFound(`No twin ${request.params.id}`);
  const work = async () => {
    const { history } = await loadVisibleTwin(tenant, request.params.id, { timeline: true });
    const record = await storeRecord(tenant, history.record.id, request.body, {
      now: request.now,
      actor: { sub, tenant },
    });
    const at = readTimes(request.now);
    const items = await twinComplianceAt(tenant, history, at);
    return { record, compliance: items.find((item) => item.documentId === record.documentId) ?? null };
  };
  const answer =
    key === undefined
      ? await work()
      : await idempotent(
          tenant,
          `compliance#${request.params.id}`,
          { key, payload: request.body, startedAt: request.now },
          work,
        );
  return { ...ok(answer), status: 201 };
}
