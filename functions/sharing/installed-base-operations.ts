import type { Operation, OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type {
  InstalledBaseImpactBody,
  InstalledBaseInstallationsQuery,
} from '../../shared/schemas/installed-base-impact';
import {
  installedBaseImpact as impactOf,
  installedBaseInstallations as installationsOf,
} from '../../shared/services/installed-base-impact';

type Page = { limit: number; cursor?: string };
const pageOf = ({ limit, cursor }: Page): Page => ({ limit, ...(cursor === undefined ? {} : { cursor }) });

/** OTA or bulletin impact across the owners that shared units with my tenant (paas or supplier). */
async function installedBaseImpact(request: OperationRequest<object, Page, InstalledBaseImpactBody>) {
  return ok(await impactOf(request.caller, request.body, pageOf(request.query), request.now));
}

async function installedBaseInstallations(
  request: OperationRequest<object, InstalledBaseInstallationsQuery>,
) {
  const { limit, cursor, ...filter } = request.query;
  return ok(await installationsOf(request.caller, filter, pageOf({ limit, cursor }), request.now));
}

export const installedBaseOperations: Record<string, Operation> = {
  installedBaseImpact,
  installedBaseInstallations,
};
