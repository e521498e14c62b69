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

/** A Lambda context as the runtime would pass it, for a function run in this process. */
export function lambdaContext(name: FunctionName, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `twinthread-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:twinthread-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/twinthread-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
