import { configurationAt, modelInForce, nextModelVersion } from '../../shared/domain/conformance';
import { NotFound } from '../../shared/domain/errors';
import type { OperationRequest } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import type { GetModelQuery, PutConfigurationModelBody } from '../../shared/schemas/conformance';
import {
  conformanceNow,
  dispatchRejudgeStage,
  judgedWith,
  newRejudgeJob,
  shownJob,
} from '../../shared/services/conformance-service';
import * as store from '../../shared/store/conformance-store';
import { readParts } from '../../shared/store/twin-store';
import { readTimes } from './responses';
import { loadVisibleTwin } from './twin-operations';

type ModelParams = { productPartNumber: string };

/** Each PUT stores a new version (201 for the first, 200 after) and starts re-judging the product's fleet. */
export async function putConfigurationModel(
  request: OperationRequest<ModelParams, object, PutConfigurationModelBody>,
) {
  const { tenant, sub } = request.caller;
  const { productPartNumber } = request.params;
  const stored = await store.putModelVersion(
    tenant,
    productPartNumber,
    (latest) =>
      nextModelVersion(productPartNumber, request.body, latest, { now: request.now, actor: { sub, tenant } }),
    (next) => [store.rejudgeJobItem(tenant, newRejudgeJob(next))],
  );
  await dispatchRejudgeStage(tenant, productPartNumber, stored.version);
  return {
    status: stored.version === 1 ? 201 : 200,
    body: { ...stored, rejudge: shownJob(newRejudgeJob(stored)) },
    headers: { etag: `"${stored.version}"` },
  };
}

export async function getConfigurationModel(request: OperationRequest<ModelParams, GetModelQuery>) {
  const { tenant } = request.caller;
  const { productPartNumber } = request.params;
  const { version } = request.query;
  const model =
    version === undefined
      ? await store.latestModel(tenant, productPartNumber)
      : await store.modelVersion(tenant, productPartNumber, version);
  if (!model)
    throw new NotFound(
      version === undefined
        ? `No configuration model of ${productPartNumber}`
        : `No version ${version} of the configuration model of ${productPartNumber}`,
    );
  const rejudge = await store.rejudgeJob(tenant, productPartNumber, model.version);
  return ok({ ...model, ...(rejudge ? { rejudge: shownJob(rejudge) } : {}) }, { etag: `"${model.version}"` });
}

/** A unit's conformance now (as stored, or judged now while a new model version is re-judged), or at a past time. */
export async function twinConformance(
  request: OperationRequest<{ id: string }, { asOf?: string; knownAt?: string }>,
) {
  const { tenant } = request.caller;
  const past = request.query.asOf !== undefined || request.query.knownAt !== undefined;
  const { history, state } = await loadVisibleTwin(
    tenant,
    request.params.id,
    past ? readParts(request.query) : {},
  );
  if (!past) return ok(await conformanceNow(tenant, state.record));
  const at = readTimes(request.now, request.query);
  if (at.knownAt < history.record.createdAt)
    throw new NotFound(`No twin ${request.params.id} was recorded at ${at.knownAt}`);
  const versions = await store.modelVersions(tenant, history.record.product.partNumber);
  const model = modelInForce(versions, at);
  return ok({ ...judgedWith(tenant, history.record, model, configurationAt(history, at)), ...at });
}
