import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { FunctionName } from '../../shared/routes';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
  options: { signal: AbortSignal },
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The handlers the Lambdas run, loaded on first use like a cold start. */
export const functionLoaders: Record<FunctionName, () => Promise<{ handler: Handler }>> = {
  system: () => import('../../functions/system/handler'),
  twins: () => import('../../functions/twins/handler'),
  thread: () => import('../../functions/thread/handler'),
  sharing: () => import('../../functions/sharing/handler'),
  fleet: () => import('../../functions/fleet/handler'),
  ingest: () => import('../../functions/ingest/handler'),
  events: () => import('../../functions/events/handler'),
  exchange: () => import('../../functions/exchange/handler'),
  docs: () => import('../../functions/docs/handler'),
  aas: () => import('../../functions/aas/handler'),
  usage: () => import('../../functions/usage/handler'),
};

const loaded = new Map<FunctionName, Promise<Handler>>();

export function loadFunction(name: FunctionName): Promise<Handler> {
  let handler = loaded.get(name);
  if (!handler) {
    handler = functionLoaders[name]().then((module) => module.handler);
    loaded.set(name, handler);
  }
  return handler;
}

/**
 * How long a locally run function may take. Deployed it is 29 s (API Gateway's limit); locally the
 * embedded DynamoDB serves one request at a time, a few hundred times slower than DynamoDB, so the
 * largest writes (a 10,000-position as-built record) get more room here.
 */
const LOCAL_TIMEOUT_MS = 300_000;

/** A Lambda context as the runtime would pass it, for a function run in this process. */
export function lambdaContext(name: FunctionName, requestId: string): Context {
  const deadline = Date.now() + LOCAL_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `twinthread-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:twinthread-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/twinthread-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
