import type { FleetFilter } from '../../shared/domain/fleet';
import { purlIdentity } from '../../shared/domain/purl';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { FleetConformanceQuery } from '../../shared/schemas/conformance';
import type { FleetImpactBody, FleetInstallationsQuery } from '../../shared/schemas/fleet';
import { fleetConformance as conformanceOf } from '../../shared/store/conformance-store';
import {
  fleetInstallationsPage,
  fleetImpact as impactOf,
  partNumbersOfPurl,
} from '../../shared/store/fleet-store';

/** Units with a conformance status: only that status's index partition is read (items and count). */
async function fleetConformance(request: OperationRequest<unknown, FleetConformanceQuery>) {
  const { status, limit, cursor } = request.query;
  const page = await conformanceOf(request.caller.tenant, status, {
    limit,
    ...(cursor === undefined ? {} : { cursor }),
  });
  return ok({
    status,
    total: page.total,
    items: page.items.map(({ twinId, serialNumber, productPartNumber, modelVersion, findings }) => ({
      twinId,
      serialNumber,
      productPartNumber,
      modelVersion,
      findings,
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
}

/** The filter as the store compares it: `asOf` in the stored UTC form. A part number no unit carries is an empty answer. */
const filterOf = (input: Omit<FleetImpactBody, 'purl'> & { partNumber: string }): FleetFilter => ({
  partNumber: input.partNumber,
  ...(input.softwareVersion === undefined ? {} : { softwareVersion: input.softwareVersion }),
  ...(input.revision === undefined ? {} : { revision: input.revision }),
  ...(input.asOf === undefined ? {} : { asOf: new Date(input.asOf).toISOString() }),
});

async function listFleetInstallations(request: OperationRequest<unknown, FleetInstallationsQuery>) {
  const { limit, cursor, ...filter } = request.query;
  return ok(
    await fleetInstallationsPage(request.caller.tenant, filterOf(filter), {
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    }),
  );
}

async function fleetImpact(
  request: OperationRequest<unknown, { limit: number; cursor?: string }, FleetImpactBody>,
) {
  const { limit, cursor } = request.query;
  const { purl, partNumber, ...rest } = request.body;
  // a package maps to the software part numbers whose purl attribute names it (none: an empty answer)
  const identity = purl === undefined ? undefined : purlIdentity(purl)!;
  const partNumbers =
    identity === undefined ? undefined : await partNumbersOfPurl(request.caller.tenant, identity);
  const filter = {
    ...filterOf({ ...rest, partNumber: partNumber ?? '' }),
    ...(partNumbers === undefined ? {} : { partNumbers }),
  };
  return ok(
    await impactOf(request.caller.tenant, filter, {
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    }),
  );
}

export const fleetOperations: Record<string, Operation> = {
  listFleetInstallations,
  fleetImpact,
  fleetConformance,
};
