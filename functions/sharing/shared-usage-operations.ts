import { NotFound } from '../../shared/domain/errors';
import { projectComponent } from '../../shared/domain/view';
import type { Operation, OperationRequest } from '../../shared/http/handler';
import { componentLife, llpSheet } from '../../shared/services/life';
import { type SharedTwin, sees, sharedRead, sharedReadTimes } from '../../shared/services/sharing-service';
import { componentUsageAnswer, twinUsageAnswer, type UsageTimes } from '../../shared/services/usage-answers';

type SharedParams = { owner: string; id: string };
type SharedSerial = SharedParams & { partNumber: string; serialNumber: string };
type TimeQuery = { asOf?: string; knownAt?: string };

/** Usage times of a grantee read: time travel only through a view with history; knownAt only when asked. */
function usageTimes(shared: SharedTwin, now: Date, query: TimeQuery): UsageTimes {
  const { asOf, knownAt } = sharedReadTimes(shared, now, query);
  return { asOf, ...(query.knownAt === undefined ? {} : { knownAt }) };
}

/** The serial is installed in the shared twin now, at a position and of a kind the view shows; else 404. */
function installedAndShown(shared: SharedTwin, serial: SharedSerial) {
  const shown = shared.state.current.some(
    ({ position, installation }) =>
      installation?.component.partNumber === serial.partNumber &&
      installation.component.serialNumber === serial.serialNumber &&
      sees(shared, position.path) &&
      projectComponent(shared.view, installation.component) !== undefined,
  );
  if (!shown)
    throw new NotFound(
      `No component ${serial.partNumber} serial ${serial.serialNumber} in twin ${serial.id}`,
    );
}

async function sharedTwinUsage(request: OperationRequest<SharedParams, TimeQuery>) {
  return sharedRead(request, 'usage', {}, (shared) =>
    twinUsageAnswer(shared.owner, shared.history.record.id, usageTimes(shared, request.now, request.query)),
  );
}

async function sharedLlpStatus(request: OperationRequest<SharedParams, TimeQuery>) {
  return sharedRead(request, 'llp-sheet', {}, (shared) =>
    llpSheet(shared.owner, shared.history.record.id, usageTimes(shared, request.now, request.query)),
  );
}

async function sharedComponentUsage(
  request: OperationRequest<SharedSerial, TimeQuery & { parameter?: string }>,
) {
  const { partNumber, serialNumber } = request.params;
  return sharedRead(request, 'component-usage', { current: true }, async (shared) => {
    installedAndShown(shared, request.params);
    const times = usageTimes(shared, request.now, request.query);
    const answer = await componentUsageAnswer(
      shared.owner,
      { partNumber, serialNumber },
      times,
      request.query.parameter,
    );
    return { ...answer, twinId: shared.history.record.id };
  });
}

async function sharedComponentLife(request: OperationRequest<SharedSerial, TimeQuery>) {
  const { partNumber, serialNumber } = request.params;
  return sharedRead(request, 'component-life', { current: true }, (shared) => {
    installedAndShown(shared, request.params);
    return componentLife(
      shared.owner,
      { partNumber, serialNumber },
      usageTimes(shared, request.now, request.query),
    );
  });
}

/** Usage and life of shared twins, through the caller's grants (docs/usage.md, "Grantees"). */
export const sharedUsageOperations: Record<string, Operation> = {
  sharedTwinUsage,
  sharedLlpStatus,
  sharedComponentUsage,
  sharedComponentLife,
};
