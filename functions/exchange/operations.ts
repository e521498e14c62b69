import { cycloneDxBom } from '../../shared/domain/cyclonedx';
import { assembleTwin } from '../../shared/domain/twin';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { ExportQuery, TwinExportBody } from '../../shared/schemas/exchange';
import type { RecordLine } from '../../shared/schemas/tenant-lines';
import { aasEnvironmentOf } from '../../shared/services/aas-export';
import {
  checkExportTimes,
  importTwin as importExportedTwin,
  jsonExportOf,
  visibleTwin,
} from '../../shared/services/export-service';
import { importRecordLine } from '../../shared/services/record-import';
import {
  dispatchExportStage,
  exportJobAnswer,
  shownExportJob,
  startTenantExport,
} from '../../shared/services/tenant-export';

const actorOf = ({ caller }: Pick<OperationRequest, 'caller'>) => ({
  sub: caller.sub,
  tenant: caller.tenant,
});

/** GET /v1/twins/{id}/export: the lossless JSON (default) or the AAS V3 environment of a twin. */
export async function exportTwin(request: OperationRequest<{ id: string }, ExportQuery>) {
  const { tenant } = request.caller;
  const history = await visibleTwin(tenant, request.params.id);
  checkExportTimes(history, request.query);
  const at = request.now.toISOString();
  const times = {
    asOf: request.query.asOf === undefined ? at : new Date(request.query.asOf).toISOString(),
    knownAt: request.query.knownAt === undefined ? at : new Date(request.query.knownAt).toISOString(),
  };
  if (request.query.format === 'aas') return ok(await aasEnvironmentOf(tenant, history, times));
  if (request.query.format === 'cyclonedx') return ok(cycloneDxBom(assembleTwin(history, times), times));
  return ok(await jsonExportOf(tenant, history, request.now, request.query));
}

/** POST /v1/imports: one exported twin becomes a new twin of the caller's tenant. */
export async function importTwin(request: OperationRequest<object, object, TwinExportBody>) {
  const { status, body } = await importExportedTwin(
    request.caller.tenant,
    request.body,
    actorOf(request),
    request.now,
  );
  return { status, body, ...(status === 201 ? { headers: { location: `/v1/twins/${body.twin.id}` } } : {}) };
}

/** POST /v1/imports/records: one line of a tenant export beside types and twins, restored as recorded. */
export async function importRecords(request: OperationRequest<object, object, RecordLine>) {
  const answer = await importRecordLine(request.caller.tenant, request.body, request.now);
  return { status: answer.written > 0 ? 201 : 200, body: answer };
}

/**
 * POST /v1/exports: records the job, then runs its first stage in an asynchronous invocation of this
 * function (deployed) or in this process once answered (locally); each stage hands on to the next.
 */
export async function startExport(request: OperationRequest) {
  const { tenant } = request.caller;
  const job = await startTenantExport(tenant, actorOf(request), request.now);
  await dispatchExportStage({ tenant, id: job.id, stage: 1 });
  return { status: 202, body: shownExportJob(job), headers: { location: `/v1/exports/${job.id}` } };
}

/** GET /v1/exports/{id}: the job of the caller's tenant, with a download URL once done. */
export async function getExport(request: OperationRequest<{ id: string }>) {
  return ok(await exportJobAnswer(request.caller.tenant, request.params.id, request.now));
}
