import { ulid } from 'ulid';
import {
  type BaselineRecord,
  baselineConfiguration,
  baselinePage,
  configurationAt,
  findBaseline,
  newBaseline,
  resolveDiffPoint,
} from '../../shared/domain/baseline';
import type { TwinHistory } from '../../shared/domain/change-set';
import { diffConfigurations } from '../../shared/domain/diff';
import { invalidField } from '../../shared/domain/errors';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { BaselineListQuery, CreateBaselineBody, DiffQuery } from '../../shared/schemas/baseline';
import { requireBaselinesInsideView, roleWriterOf } from '../../shared/services/view-writes';
import { putBaseline } from '../../shared/store/baseline-store';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor';
import { loadVisibleTwin } from './twin-operations';

type TwinParams = { id: string };

/** Baselines and diffs: the baselines and the intervals their configurations are assembled from. */
const BASELINE_PARTS = { timeline: true, baselines: true };

// The configuration is assembled on every read, never stored: see BaselineRecord.
const withConfiguration = (history: TwinHistory, baseline: BaselineRecord) => ({
  ...baseline,
  configuration: baselineConfiguration(history, baseline),
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
    body: withConfiguration(history, baseline),
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
  return ok(withConfiguration(history, findBaseline(history, request.params.baselineId)));
}

export async function diffTwin(request: OperationRequest<TwinParams, DiffQuery>) {
  const { history } = await loadVisibleTwin(request.caller.tenant, request.params.id, BASELINE_PARTS);
  const { now } = request;
  const from = resolveDiffPoint(history, request.query.from, now, 'query.from');
  const to =
    request.query.to === undefined
      ? { asOf: now.toISOString(), knownAt: now.toISOString() }
      : resolveDiffPoint(history, request.query.to, now, 'query.to');
  return ok({
    from,
    to,
    ...diffConfigurations(configurationAt(history, from), configurationAt(history, to)),
  });
}
