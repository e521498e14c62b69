import { NotFound } from '../../shared/domain/errors';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { idempotencyKey } from '../../shared/http/idempotency-key';
import { ok } from '../../shared/http/response';
import { roleViewOf } from '../../shared/http/role-view';
import type {
  ComponentUsageQuery,
  PartMasterBody,
  UsageBody,
  UsageParameterBody,
} from '../../shared/schemas/usage';
import {
  componentLife,
  fleetLife as fleetLifeOf,
  installedSerials,
  knownSerial,
  llpSheet,
  refreshLife,
} from '../../shared/services/life';
import { fleetRemovals as removalsOf } from '../../shared/services/removals';
import { serialUsage, UsageReads } from '../../shared/services/usage-reads';
import { installationsOf } from '../../shared/store/fleet-store';
import { idempotent } from '../../shared/store/idempotency';
import { recordOverhaul as storeOverhaul } from '../../shared/store/overhaul-store';
import { partMaster, partVersions, putPartMaster } from '../../shared/store/part-store';
import { loadTwinParts } from '../../shared/store/twin-store';
import {
  getUsageParameters,
  putUsageParameter as storeParameter,
  recordUsage as storeUsage,
  twinParameterUsage,
} from '../../shared/store/usage-store';

type TimeQuery = { asOf?: string; knownAt?: string };
type Serial = { partNumber: string; serialNumber: string };

/** asOf and knownAt in the stored UTC form, asOf defaulting to now. */
const timesOf = (query: TimeQuery, now: Date) => ({
  asOf: new Date(query.asOf ?? now).toISOString(),
  ...(query.knownAt === undefined ? {} : { knownAt: new Date(query.knownAt).toISOString() }),
});

async function twinOf(tenant: string, id: string) {
  const twin = await loadTwinParts(tenant, id, {});
  if (!twin) throw new NotFound(`No twin ${id}`);
  return twin.state.record;
}

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
    const records = await storeUsage(
      tenant,
      { id: twin.id, productPartNumber: twin.product.partNumber },
      request.body,
      request.now,
    );
    await refreshLife(tenant, await installedSerials(tenant, twin.id), request.now);
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
  const { asOf, knownAt } = timesOf(request.query, request.now);
  const reads = new UsageReads(tenant, knownAt);
  const parameters: Record<string, { total: number; recent: unknown[] }> = {};
  for (const name of Object.keys(await getUsageParameters(tenant))) {
    const { recent, years } = await twinParameterUsage(tenant, twin.id, name);
    if (years.length === 0) continue;
    parameters[name] = {
      total: await reads.before(twin.id, name, new Date(Date.parse(asOf) + 1).toISOString()),
      recent: recent.filter(
        (record) => record.at <= asOf && (knownAt === undefined || record.recordedAt <= knownAt),
      ),
    };
  }
  return ok({ twinId: twin.id, asOf, parameters });
}

async function componentUsage(request: OperationRequest<Serial, ComponentUsageQuery>) {
  const { tenant } = request.caller;
  const { partNumber, serialNumber } = request.params;
  const { asOf, knownAt } = timesOf(request.query, request.now);
  const serial = await knownSerial(tenant, partNumber, serialNumber, knownAt);
  const names = request.query.parameter
    ? [request.query.parameter]
    : Object.keys(await getUsageParameters(tenant));
  const parameters = await serialUsage(new UsageReads(tenant, knownAt), serial, names, asOf);
  return ok({ partNumber, serialNumber, asOf, ...(knownAt ? { knownAt } : {}), parameters });
}

async function recordOverhaul(request: OperationRequest<Serial, object, { at: string }>) {
  const { tenant } = request.caller;
  const { partNumber, serialNumber } = request.params;
  await knownSerial(tenant, partNumber, serialNumber);
  const overhaul = await storeOverhaul(tenant, request.params, request.body, request.now);
  await refreshLife(tenant, [request.params], request.now);
  return { ...ok(overhaul), status: 201 };
}

async function componentLifeRead(request: OperationRequest<Serial, TimeQuery>) {
  const { tenant } = request.caller;
  const times = timesOf(request.query, request.now);
  const serial = await knownSerial(
    tenant,
    request.params.partNumber,
    request.params.serialNumber,
    times.knownAt,
  );
  return ok(await componentLife(tenant, request.params, times, { serial }));
}

async function llpStatus(request: OperationRequest<{ id: string }, TimeQuery>) {
  const { tenant } = request.caller;
  const twin = await twinOf(tenant, request.params.id);
  return ok(await llpSheet(tenant, twin.id, timesOf(request.query, request.now)));
}

async function putPart(request: OperationRequest<{ partNumber: string }, object, PartMasterBody>) {
  const { tenant } = request.caller;
  const part = await putPartMaster(tenant, request.params.partNumber, request.body, request.now);
  // the serials of this part number now installed get their life under the new limits
  const installed = await installationsOf(tenant, part.partNumber);
  await refreshLife(
    tenant,
    installed
      .filter((installation) => installation.component.serialNumber !== undefined)
      .map((installation) => ({
        partNumber: part.partNumber,
        serialNumber: installation.component.serialNumber!,
        twinId: installation.twinId,
        path: installation.path,
      })),
    request.now,
  );
  return ok(part);
}

async function getPart(request: OperationRequest<{ partNumber: string }, { version?: number }>) {
  const { tenant } = request.caller;
  const { partNumber } = request.params;
  const { version } = request.query;
  const part =
    version === undefined
      ? await partMaster(tenant, partNumber)
      : ((await partVersions(tenant, partNumber)).find((candidate) => candidate.version === version) ?? null);
  if (!part) throw new NotFound(`No part master ${partNumber}${version ? ` version ${version}` : ''}`);
  return ok(part);
}

async function fleetLife(
  request: OperationRequest<
    object,
    { limit: number; cursor?: string },
    { remainingBelow: Record<string, number> }
  >,
) {
  const { limit, cursor } = request.query;
  return ok(await fleetLifeOf(request.caller.tenant, request.body, { limit, ...(cursor ? { cursor } : {}) }));
}

async function fleetRemovals(
  request: OperationRequest<object, { partNumber: string; from: string; to: string; parameter: string }>,
) {
  return ok(await removalsOf(request.caller.tenant, request.query));
}

export const usageOperations: Record<string, Operation> = {
  putUsageParameter,
  listUsageParameters,
  recordUsage,
  twinUsage,
  componentUsage,
  recordOverhaul,
  componentLife: componentLifeRead,
  llpStatus,
  putPart,
  getPart,
  fleetLife,
  fleetRemovals,
};
