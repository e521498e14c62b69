import { recordChangeSet } from '../../shared/change-recording';
import { Forbidden, invalidField } from '../../shared/domain/errors';
import { assembleTwin, assertVersion, etagOf, expectedVersion } from '../../shared/domain/twin';
import { projectComponent, projectThroughView } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { recordInspectionOn } from '../../shared/inspection-recording';
import type { ChangeSetBody } from '../../shared/schemas/change';
import type { InspectionBody } from '../../shared/schemas/inspection';
import {
  auditAccess,
  openSharedTwin,
  requirePermission,
  type SharedTwin,
} from '../../shared/sharing-service';

type SharedParams = { owner: string; id: string };

/** The grantee acts as itself: its tenant and user are on every change set and inspection it records. */
const actorOf = (request: Pick<OperationRequest, 'caller'>) => ({
  sub: request.caller.sub,
  tenant: request.caller.tenant,
});

/** The positions a change set touches, each with the field that names it. */
function changedPositions(body: ChangeSetBody) {
  return body.operations.flatMap((operation, index) =>
    (['position', 'from', 'to'] as const).flatMap((key) => {
      const path = (operation as Record<string, unknown>)[key];
      return operation.op !== 'lifecycle' && typeof path === 'string'
        ? [{ path, field: `body.operations[${index}].${key}` }]
        : [];
    }),
  );
}

/** A grantee installs only components of kinds its view shows. */
function requireVisibleKinds(shared: SharedTwin, body: ChangeSetBody) {
  body.operations.forEach((operation, index) => {
    if (
      'component' in operation &&
      operation.component &&
      !projectComponent(shared.view, operation.component)
    )
      throw new Forbidden(`Your grant does not cover ${operation.component.kind} components`, [
        { path: `body.operations[${index}].component.kind`, message: 'outside your grant' },
      ]);
  });
}

async function changeSharedTwin(request: OperationRequest<SharedParams, object, ChangeSetBody>) {
  const expected = expectedVersion(request.headers['if-match']);
  const shared = await openSharedTwin(request.caller, request.params.owner, request.params.id, request.now);
  requirePermission(shared, 'change', changedPositions(request.body));
  requireVisibleKinds(shared, request.body);
  const changed = await recordChangeSet(shared.owner, shared.history, request.body, {
    expectedVersion: expected,
    now: request.now,
    actor: actorOf(request),
  });
  await auditAccess(shared, request.caller, 'write change set', request.now);
  const at = request.now.toISOString();
  const twin = assembleTwin(changed.history, { asOf: at, knownAt: at });
  return {
    status: 200,
    body: projectThroughView({ shape: 'twin', body: twin }, shared.view),
    headers: { etag: etagOf(twin.version) },
  };
}

async function recordSharedInspection(
  request: OperationRequest<SharedParams, { apply?: string }, InspectionBody>,
) {
  const apply = request.query.apply === 'true';
  const expected = apply ? expectedVersion(request.headers['if-match']) : undefined;
  if (request.body.documents?.length)
    throw invalidField('body.documents', 'documents cannot be attached to an inspection of a shared twin');
  const shared = await openSharedTwin(request.caller, request.params.owner, request.params.id, request.now);
  const observed = request.body.observed.map(({ path }, index) => ({
    path,
    field: `body.observed[${index}].path`,
  }));
  requirePermission(shared, 'inspect', observed);
  if (apply) requirePermission(shared, 'change', observed);
  if (expected !== undefined) assertVersion(shared.history.record, expected);
  const result = await recordInspectionOn(shared.owner, shared.history, request.body, {
    expected,
    now: request.now,
    actor: actorOf(request),
  });
  await auditAccess(
    shared,
    request.caller,
    apply ? 'write inspection and change set' : 'write inspection',
    request.now,
  );
  return { ...result, body: projectThroughView({ shape: 'inspection', body: result.body }, shared.view) };
}

export const sharedWriteOperations: Record<string, Operation> = { changeSharedTwin, recordSharedInspection };
