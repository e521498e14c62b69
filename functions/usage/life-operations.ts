import { NotFound } from '../../shared/domain/errors';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { PartMasterBody } from '../../shared/schemas/usage';
import {
  componentLife,
  fleetLife as fleetLifeOf,
  knownSerial,
  llpSheet,
  refreshLife,
} from '../../shared/services/life';
import { fleetRemovals as removalsOf } from '../../shared/services/removals';
import { installationsOf } from '../../shared/store/fleet-store';
import { partMaster, partVersions, putPartMaster } from '../../shared/store/part-store';

/** asOf and knownAt in the stored UTC form, asOf defaulting to now. */
import { type Serial, type TimeQuery, timesOf, twinOf } from './usage-common';

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

/** Life: component life, LLP sheets, part masters, the fleet's life and removals. */
export const lifeOperations: Record<string, Operation> = {
  componentLife: componentLifeRead,
  llpStatus,
  putPart,
  getPart,
  fleetLife,
  fleetRemovals,
};
