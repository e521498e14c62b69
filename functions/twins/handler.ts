import type { Context } from 'aws-lambda';
import { createFunctionHandler } from '../../shared/http/handler';
import { logger } from '../../shared/http/logger';
import { isBaselineJob, runBaselinePolicies } from '../../shared/services/scheduled-baselines';
import { createBaseline, diffTwin, getBaseline, listBaselines } from './baseline-operations';
import {
  deleteBaselinePolicy,
  getBaselinePolicy,
  listBaselinePolicies,
  putBaselinePolicy,
} from './baseline-policy-operations';
import { changeTwin, componentTrace, twinHistory } from './change-operations';
import { createTwin, getTwin, listTwins, patchTwin } from './twin-operations';
import { getType, listTypes, putType } from './type-operations';

/** Twins: create from an as-built record, list, read (at any time), edit, change, history, component trace. */
const http = createFunctionHandler('twins', {
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

/** HTTP requests through API Gateway, and the scheduled baselines job. */
export const handler = ((event: unknown, context: Context, options: { signal: AbortSignal }) =>
  isBaselineJob(event)
    ? baselineJob(context)
    : http(event as never, context, options)) as unknown as typeof http;
