import type { Actor, TwinHistory } from '../domain/change-set';
import { currentHistory } from '../domain/current';
import { AppError } from '../domain/errors';
import { correctionChangeSet, type InspectionRecord, newInspection } from '../domain/inspection';
import type { TwinState } from '../domain/records';
import { assembleTwin, etagOf } from '../domain/twin';
import type { HttpResult } from '../http/response';
import { ulid } from '../ids';
import type { InspectionBody } from '../schemas/inspection';
import type { ViewBody } from '../schemas/sharing';
import { recordInspection } from '../store/inspection-store';
import { recordChangeSet } from './change-recording';

/**
 * Records an inspection on a twin (of the caller's tenant, or shared with it). With an expected
 * version (`apply=true`) its discrepancies then become one change set, written through the same
 * path as `POST /v1/twins/{id}/changes`. These are two writes, inspection first: the inspection is
 * what was found on the unit and is kept whatever happens to the change set. A change set refused
 * afterwards (409, or 412 when another change came in between) is answered with that error, whose
 * detail names the recorded inspection, which can be applied by hand (POST .../changes).
 */
/** An inspection is judged at the time it was performed (the intervals) and applied to the twin now. */
export const INSPECTION_PARTS = { current: true, timeline: true };

export async function recordInspectionOn(
  tenant: string,
  twin: { history: TwinHistory; state: TwinState },
  input: InspectionBody,
  context: { expected: number | undefined; now: Date; actor: Actor; view?: ViewBody | undefined },
): Promise<HttpResult> {
  const { expected, now, actor, view } = context;
  const { history } = twin;
  const inspection = newInspection(history, input, { id: ulid(), now, actor });
  await recordInspection(tenant, history.record.id, inspection, now);
  const answer = { inspection, discrepancies: inspection.discrepancies };
  if (expected === undefined) return created(answer);

  const body = correctionChangeSet(history, inspection);
  // Nothing to apply (no discrepancy, or only unknown positions): no empty change set, the twin as it is.
  if (body.operations.length === 0) {
    const current = assembleTwin(currentHistory(twin.state), nowTimes(now));
    return created({ ...answer, twin: current }, etagOf(current.version));
  }
  try {
    const changed = await recordChangeSet(tenant, twin, body, {
      expectedVersion: expected,
      now,
      actor,
      view,
    });
    const current = assembleTwin(changed.history, nowTimes(now));
    const { paths: _paths, ...changeSet } = changed.plan.changeSet;
    return created({ ...answer, twin: current, changeSet }, etagOf(current.version));
  } catch (error) {
    throw recordedAnyway(error, inspection);
  }
}

const nowTimes = (now: Date) => ({ asOf: now.toISOString(), knownAt: now.toISOString() });

const created = (body: unknown, etag?: string): HttpResult => ({
  status: 201,
  body,
  ...(etag === undefined ? {} : { headers: { etag } }),
});

/** A refused change set's error, saying that the inspection itself was recorded. */
function recordedAnyway(error: unknown, inspection: InspectionRecord): unknown {
  if (!(error instanceof AppError)) return error;
  return new AppError(
    error.status,
    error.title,
    `${error.detail} (inspection ${inspection.id} was recorded; its discrepancies were not applied)`,
    error.errors,
    error.headers,
  );
}
