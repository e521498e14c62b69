import { NotFound } from '../../shared/domain/errors';
import { assembleTwin, expectedVersion } from '../../shared/domain/twin';
import type { OperationRequest } from '../../shared/http/handler';
import { ok, prefersMinimal } from '../../shared/http/response';
import type { ChangeSetBody, HistoryQuery } from '../../shared/schemas/change';
import type { Validate } from '../../shared/schemas/conformance';
import { recordChangeSet } from '../../shared/services/change-recording';
import { historyAnswer } from '../../shared/services/list-pages';
import { requireChangeInsideView, roleWriterOf } from '../../shared/services/view-writes';
import { componentTrace as traceOf } from '../../shared/store/component-store';
import { minimalChangeResponse, readTimes, twinResponse } from './responses';
import { loadVisibleTwin } from './twin-operations';

/**
 * A change set. Checked against the positions it touches only; the answer is the twin after it
 * (which reads its current configuration), or, with `Prefer: return=minimal`, 204 and the new
 * version as ETag (nothing read beyond what the change is checked against; 200 with the conformance
 * judgement instead when the change introduced warnings).
 */
export async function changeTwin(
  request: OperationRequest<{ id: string }, { validate?: Validate }, ChangeSetBody>,
) {
  const expected = expectedVersion(request.headers['if-match']);
  const { tenant, sub } = request.caller;
  const minimal = prefersMinimal(request.headers);
  // the caller's role view (a read for roles that have one) beside the change's own reads, not before them
  const writer = roleWriterOf(request.caller);
  // minimal: META is read with what the change touches (one round trip); else with the whole configuration
  const twin = { id: request.params.id, whole: !minimal };
  const changed = await recordChangeSet(tenant, twin, request.body, {
    expectedVersion: expected,
    now: request.now,
    actor: { sub, tenant },
    view: writer.then((role) => role?.view),
    // a role with a view changes only what it sees, judged exactly as a grantee's change
    check: async (touched) => {
      const role = await writer;
      if (role) requireChangeInsideView(role, touched, request.body, request.now);
    },
    validate: request.query.validate,
  });
  if (minimal)
    return minimalChangeResponse(
      { id: request.params.id, version: changed.plan.twin.version, conformance: changed.conformance },
      (await writer)?.view,
    );
  const after = assembleTwin(changed.history, readTimes(request.now));
  return twinResponse(changed.conformance ? { ...after, conformance: changed.conformance } : after);
}

export async function twinHistory(request: OperationRequest<{ id: string }, HistoryQuery>) {
  const { limit, cursor, ...filters } = request.query;
  const { tenant } = request.caller;
  const { history } = await loadVisibleTwin(tenant, request.params.id, {});
  const scope = JSON.stringify([request.params.id, filters]);
  return ok(await historyAnswer(tenant, history.record, { scope, filters, limit, cursor }));
}

export async function componentTrace(
  request: OperationRequest<{ partNumber: string; serialNumber: string }>,
) {
  const { partNumber, serialNumber } = request.params;
  const trace = await traceOf(request.caller.tenant, partNumber, serialNumber);
  if (!trace) throw new NotFound(`No component ${partNumber} serial ${serialNumber}`);
  return ok(trace);
}
