import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createFunctionHandler } from '../../shared/http/handler';
import { isRejudgeEvent, runRejudgeStage } from '../../shared/services/conformance-service';
import { createBaseline, diffTwin, getBaseline, listBaselines } from './baseline-operations';
import { changeTwin, componentTrace, twinHistory } from './change-operations';
import { getConfigurationModel, putConfigurationModel, twinConformance } from './conformance-operations';
import { createTwin, getTwin, listTwins, patchTwin } from './twin-operations';
import { getType, listTypes, putType } from './type-operations';

/** Twins: create from an as-built record, list, read (at any time), edit, change, history, component trace. */
const api = createFunctionHandler('twins', {
  createTwin,
  listTwins,
  getTwin,
  patchTwin,
  changeTwin,
  twinHistory,
  componentTrace,
  createBaseline,
  listBaselines,
  getBaseline,
  diffTwin,
  putType,
  getType,
  listTypes,
  putConfigurationModel,
  getConfigurationModel,
  twinConformance,
});

/**
 * The API, and the stages of fleet re-judgements this function hands to itself as asynchronous
 * invocations after a new configuration model version (`{rejudge: {...}}`, never reachable over HTTP).
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
  options: { signal: AbortSignal },
): Promise<APIGatewayProxyStructuredResultV2> {
  if (!isRejudgeEvent(event)) return (await api(event, context, options)) ?? { statusCode: 500 };
  const { tenant, productPartNumber, version } = event.rejudge;
  await runRejudgeStage(tenant, productPartNumber, version, {
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
  return { statusCode: 200 };
}
