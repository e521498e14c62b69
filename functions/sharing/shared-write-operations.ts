import { invalidField } from '../../shared/domain/errors';
import { assembleTwin, assertVersion, etagOf, expectedVersion } from '../../shared/domain/twin';
import { projectThroughView } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import type { ChangeSetBody } from '../../shared/schemas/change';
import type { InspectionBody } from '../../shared/schemas/inspection';
import { recordChangeSet } from '../../shared/services/change-recording';
import { INSPECTION_PARTS, recordInspectionOn } from '../../shared/services/inspection-recording';
import { auditAccess, withSharedTwin, writerOf } from '../../shared/services/sharing-service';
import { requireChangeInsideView, requireInspectionInsideView } from '../../shared/services/view-writes';

type SharedParams = { owner: string; id: string };

/** The grantee acts as itself: its tenant and user are on every change set and inspection it records. */
const actorOf = (request: Pick<OperationRequest, 'caller'>) => ({
  sub: request.caller.sub,
  tenant: request.caller.tenant,
});

async function changeSharedTwin(request: OperationRequest<SharedParams, object, ChangeSetBody>) {
  const expected = expectedVersion(request.headers['if-match']);
  const { owner, id } = request.params;
  return withSharedTwin(request.caller, owner, id, request.now, { current: true }, async (shared) => {
    requireChangeInsideView(writerOf(shared), shared.history, request.body, request.now);
    const changed = await recordChangeSet(shared.owner, shared, request.body, {
      expectedVersion: expected,
      now: request.now,
      actor: actorOf(request),
      view: shared.view,
    });
    await auditAccess(shared, request.caller, 'write change set', request.now);
    const at = request.now.toISOString();
    const twin = assembleTwin(changed.history, { asOf: at, knownAt: at });
    return {
      status: 200,
      body: projectThroughView({ shape: 'twin', body: twin }, shared.view),
      headers: { etag: etagOf(twin.version) },
    };
  });
}

async function recordSharedInspection(
  request: OperationRequest<SharedParams, { apply?: string }, InspectionBody>,
) {
  const apply = request.query.apply === 'true';
  const expected = apply ? expectedVersion(request.headers['if-match']) : undefined;
  if (request.body.documents?.length)
    throw invalidField('body.documents', 'documents cannot be attached to an inspection of a shared twin');
  const { owner, id } = request.params;
  return withSharedTwin(request.caller, owner, id, request.now, INSPECTION_PARTS, async (shared) => {
    requireInspectionInsideView(writerOf(shared), shared.history, request.body, { apply, now: request.now });
    if (expected !== undefined) assertVersion(shared.history.record, expected);
    const result = await recordInspectionOn(shared.owner, shared, request.body, {
      expected,
      now: request.now,
      actor: actorOf(request),
      view: shared.view,
    });
    await auditAccess(
      shared,
      request.caller,
      apply ? 'write inspection and change set' : 'write inspection',
      request.now,
    );
    return { ...result, body: projectThroughView({ shape: 'inspection', body: result.body }, shared.view) };
  });
}

export const sharedWriteOperations: Record<string, Operation> = { changeSharedTwin, recordSharedInspection };
