import {
  type BaselineRecord,
  baselineConfiguration,
  baselinePage,
  configurationAt,
  findBaseline,
  newBaseline,
  resolveDiffPoint,
} from '../../shared/domain/baseline';
import { diffConfigurations } from '../../shared/domain/diff';
import { invalidField } from '../../shared/domain/errors';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { ulid } from '../../shared/ids';
import type { BaselineListQuery, CreateBaselineBody, DiffQuery } from '../../shared/schemas/baseline';
import { requireBaselinesInsideView, roleWriterOf } from '../../shared/services/view-writes';
import { putBaseline } from '../../shared/store/baseline-store';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { loadVisibleTwin } from './twin-operations';

type TwinParams = { id: string };

/** Baselines and diffs read the baselines first, then the intervals at each point they answer at. */
const BASELINE_PARTS = { baselines: true };

/** The twin's intervals for a read at one point (from a checkpoint where there is one). */
const timelineAt = async (tenant: string, twinId: string, at: { asOf: string; knownAt: string }) =>
  (await loadVisibleTwin(tenant, twinId, { timeline: true, at })).history;

// The configuration is assembled on every read, never stored: see BaselineRecord.
const withConfiguration = async (tenant: string, twinId: string, baseline: BaselineRecord) => ({
  ...baseline,
  configuration: baselineConfiguration(
    await timelineAt(tenant, twinId, { asOf: baseline.at, knownAt: baseline.knownAt }),
    baseline,
  ),
});

export async function createBaseline(request: OperationRequest<TwinParams, object, CreateBaselineBody>) {
  const { tenant, sub } = request.caller;
  const [{ history }, writer] = await Promise.all([
    loadVisibleTwin(tenant, request.params.id, BASELINE_PARTS),
    roleWriterOf(request.caller),
  ]);
  requireBaselinesInsideView(writer);
  const baseline = newBaseline(history, request.body, {
    id: ulid(),
    now: request.now,
    actor: { sub, tenant },
  });
  await putBaseline(tenant, history.record.id, baseline);
  return {
    status: 201,
    body: await withConfiguration(tenant, history.record.id, baseline),
    headers: { location: `/v1/twins/${history.record.id}/baselines/${baseline.id}` },
  };
}

export async function listBaselines(request: OperationRequest<TwinParams, BaselineListQuery>) {
  const { history } = await loadVisibleTwin(request.caller.tenant, request.params.id, BASELINE_PARTS);
  // Bound to the twin: a cursor of another twin's list (or of any other list) is refused.
  const scope = JSON.stringify(['baselines', request.params.id]);
  const after = decodeCursor(scope, request.query.cursor);
  if (after !== undefined && (after.createdAt === undefined || after.id === undefined))
    throw invalidField('query.cursor', 'is not a cursor this API issued');
  const page = baselinePage(history.baselines ?? [], {
    limit: request.query.limit,
    ...(after ? { after: { createdAt: after.createdAt!, id: after.id! } } : {}),
  });
  return ok({
    items: page.items,
    ...(page.last ? { nextCursor: encodeCursor(scope, page.last) } : {}),
  });
}

export async function getBaseline(request: OperationRequest<TwinParams & { baselineId: string }>) {
  const { history } = await loadVisibleTwin(request.caller.tenant, request.params.id, BASELINE_PARTS);
  const baseline = findBaseline(history, request.params.baselineId);
  return ok(await withConfiguration(request.caller.tenant, history.record.id, baseline));
}

export async function diffTwin(request: OperationRequest<TwinParams, DiffQuery>) {
  const { history } = await loadVisibleTwin(request.caller.tenant, request.params.id, BASELINE_PARTS);
  const { now } = request;
  const from = resolveDiffPoint(history, request.query.from, now, 'query.from');
  const to =
    request.query.to === undefined
      ? { asOf: now.toISOString(), knownAt: now.toISOString() }
      : resolveDiffPoint(history, request.query.to, now, 'query.to');
  const [before, after] = await Promise.all(
    [from, to].map((point) => timelineAt(request.caller.tenant, history.record.id, point)),
  );
  return ok({
    from,
    to,
    ...diffConfigurations(configurationAt(before!, from), configurationAt(after!, to)),
  });
}
