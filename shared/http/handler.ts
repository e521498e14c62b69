import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError } from '../domain/errors';
import { tracingMiddlewares } from '../observability/tracer';
import { type FunctionName, routeKey, routesOf } from '../routes';
import { loadCursorKey, withCursorBinding } from '../store/cursor';
import { inTenantScope } from '../store/tenant-scope';
import type { Caller } from './auth';
import {
  apiHeaders,
  authorization,
  inputValidation,
  problemResponses,
  type RequestContext,
  requestTracing,
  routeResolver,
} from './middleware';
import { type HttpResult, toProxyResult } from './response';
import { throughRoleView } from './role-view';

/** What an operation receives: validated input and the verified caller. */
export interface OperationRequest<P = Record<string, unknown>, Q = Record<string, unknown>, B = unknown> {
  params: P;
  query: Q;
  body: B;
  headers: Record<string, string | undefined>;
  caller: Caller;
  requestId: string;
  now: Date;
}

// biome-ignore lint/suspicious/noExplicitAny: each operation narrows its own input types
export type Operation = (request: OperationRequest<any, any, any>) => Promise<HttpResult>;
export type PublicOperation = (request: Omit<OperationRequest, 'caller'>) => Promise<HttpResult>;

/**
 * The Lambda handler of one function folder: the middy stack, then the operation named by the
 * route table for this request. Every route of the function must have an operation.
 */
export function createFunctionHandler(
  fn: FunctionName,
  operations: Record<string, Operation | PublicOperation>,
) {
  const routes = routesOf(fn);
  const missing = routes.filter((route) => !operations[route.operationId]).map((route) => route.operationId);
  if (missing.length > 0) throw new Error(`Function ${fn} lacks operations ${missing.join(', ')}`);

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(tracingMiddlewares({ captureResponse: false }))
    .use(apiHeaders())
    .use(requestTracing(fn))
    .use(problemResponses())
    .use(httpHeaderNormalizer())
    .use(routeResolver(routes))
    .use(authorization())
    .use(inputValidation())
    .handler(async (event, lambdaContext) => {
      const context = lambdaContext as RequestContext;
      const route = context.route!;
      const operation = operations[route.operationId] as Operation;
      const input = context.input!;
      if (route.auth && !context.caller) throw new AppError(500, 'Internal error', 'No caller');
      await loadCursorKey();
      // every cursor the operation makes or reads is sealed to this tenant and this route
      const binding = { tenant: context.caller?.tenant ?? '', query: routeKey(route) };
      const run = async () => {
        const result = await withCursorBinding(binding, () =>
          operation({
            ...input,
            headers: event.headers ?? {},
            caller: context.caller!,
            requestId: context.requestId ?? '',
            now: new Date(),
          }),
        );
        return throughRoleView(route, context.caller, result);
      };
      // every DynamoDB and S3 call of the request is scoped to the token's tenant (public routes: none)
      return toProxyResult(context.caller ? await inTenantScope(context.caller.tenant, run) : await run());
    });
}
