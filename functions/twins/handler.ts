import type { Context } from 'aws-lambda';
import { createFunctionHandler } from '../../shared/http/handler';
import { logger } from '../../shared/http/logger';
import { isRejudgeEvent, runRejudgeStage } from '../../shared/services/conformance-service';
import { isBaselineJob, runBaselinePolicies } from '../../shared/services/scheduled-baselines';
import { createBaseline, diffTwin, getBaseline, listBaselines } from './baseline-operations';
import {
  deleteBaselinePolicy,
  getBaselinePolicy,
  listBaselinePolicies,
  putBaselinePolicy,
} from './baseline-policy-operations';
import { changeTwin, componentTrace, twinHistory } from './change-operations';
import { recordCompliance, twinCompliance } from './compliance-operations';
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
  putBaselinePolicy,
  getBaselinePolicy,
  listBaselinePolicies,
  deleteBaselinePolicy,
  putConfigurationModel,
  getConfigurationModel,
  twinConformance,
  recordCompliance,
  twinCompliance,
});

/** The scheduled baselines job, as EventBridge Scheduler (or the local timer) invokes it. */
async function baselineJob(context: Context) {
  // a job of no tenant: no request's keys on its log lines
  logger.resetKeys();
  logger.appendKeys({ requestId: context.awsRequestId, job: 'baseline-policies' });
  // leave a few seconds of the function's time: a policy cut short is taken up by the next run
  const runs = await runBaselinePolicies(new Date(), Date.now() + context.getRemainingTimeInMillis() - 5_000);
  const taken = runs.reduce((sum, run) => sum + run.outcomes.taken, 0);
  logger.info('scheduled baselines', { policies: runs.length, taken });
  return { policies: runs.length, taken };
}

/**
 * The API; the scheduled baselines job; and the stages of fleet re-judgements this function hands
 * to itself as asynchronous invocations after a new configuration model version (`{rejudge: {...}}`,
 * never reachable over HTTP).
 */
export const handler = (async (event: unknown, context: Context, options: { signal: AbortSignal }) => {
  if (isBaselineJob(event)) return baselineJob(context);
  if (!isRejudgeEvent(event)) return api(event as never, context, options);
  const { tenant, productPartNumber, version } = event.rejudge;
  await runRejudgeStage(tenant, productPartNumber, version, {
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
  return { statusCode: 200 };
}) as unknown as typeof api;
