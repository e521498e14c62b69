import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { Forbidden, NotFound } from '../domain/errors';
import { ulid } from '../ids';
import { recordRequest } from '../observability/metrics';
import { annotateRequest } from '../observability/tracer';
import { type Route, routeKey } from '../routes';
import { authenticate, type Caller } from './auth';
import { parseInput, type RequestInput } from './input';
import { logger } from './logger';
import { asAasResult, problemOf, withApiHeaders } from './response';

/** What the middlewares learn about a request, for the operation to use. */
export interface RequestContext extends Context {
  requestId?: string;
  startedAt?: number;
  route?: Route;
  caller?: Caller;
  input?: RequestInput;
}

type Middleware = MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  RequestContext
>;

/**
 * Request id on every response (`x-request-id`) and in every log line; one access log line and one
 * EMF metrics line (shared/observability/metrics.ts) per request of function `fn`.
 */
export const requestTracing = (fn: string): Middleware => {
  const finish: Middleware['after'] = (request) => {
    const response = request.response;
    if (!response) return;
    response.headers = { ...response.headers, 'x-request-id': request.context.requestId ?? '' };
    const line = {
      method: request.event.requestContext?.http?.method,
      route: request.context.route?.path,
      status: response.statusCode,
      ms: Date.now() - (request.context.startedAt ?? Date.now()),
    };
    recordRequest({
      function: fn,
      // the route table's key (bounded), never the raw path
      route: request.context.route ? routeKey(request.context.route) : 'unmatched',
      status: response.statusCode ?? 500,
      ms: line.ms,
      ...(request.context.caller ? { tenant: request.context.caller.tenant } : {}),
    });
    if ((response.statusCode ?? 500) >= 500)
      logger.error('request failed', { ...line, error: request.error });
    else logger.info('request', line);
  };
  return {
    before: (request) => {
      request.context.requestId = request.event.requestContext?.requestId || ulid();
      request.context.startedAt = Date.now();
      // Keys of the previous request must not leak into this one's log lines.
      logger.resetKeys();
      logger.appendKeys({ requestId: request.context.requestId });
    },
    after: finish,
    onError: finish,
  };
};

/** `cache-control: no-store` and `x-content-type-options: nosniff` on every answer (see withApiHeaders). */
export const apiHeaders = (): Middleware => {
  const add: Middleware['after'] = (request) => {
    if (request.response) request.response.headers = withApiHeaders(request.response.headers);
  };
  return { after: add, onError: add };
};

/** Every error, from any middleware or operation, becomes an `application/problem+json` answer. */
export const problemResponses = (): Middleware => ({
  onError: (request) => {
    const problem = problemOf(request.error, request.context.requestId ?? 'unknown');
    request.response =
      request.context.route?.errorShape === 'aas-result'
        ? asAasResult(problem, request.context.requestId ?? '')
        : problem;
  },
});

/** Finds the route of the table this request is for (API Gateway's `routeKey`). */
export const routeResolver = (routes: readonly Route[]): Middleware => {
  const byKey = new Map(routes.map((route) => [routeKey(route), route]));
  return {
    before: (request) => {
      const route = byKey.get(request.event.routeKey);
      if (!route) throw new NotFound(`No route ${request.event.routeKey}`);
      request.context.route = route;
      annotateRequest({ route: routeKey(route) });
    },
  };
};

/** Verifies the bearer token of non-public routes and checks the caller's role against the route's. */
export const authorization = (): Middleware => ({
  before: async (request) => {
    const route = request.context.route!;
    if (!route.auth) return;
    const caller = await authenticate(request.event.headers?.authorization);
    logger.appendKeys({ tenant: caller.tenant });
    annotateRequest({ tenant: caller.tenant });
    if (route.roles && !caller.roles.some((role) => route.roles!.includes(role))) {
      throw new Forbidden(`This needs one of the roles ${route.roles.join(', ')}`);
    }
    request.context.caller = caller;
  },
});

/** Validates path, query and body against the route's zod schemas (400 naming each bad field). */
export const inputValidation = (): Middleware => ({
  before: (request) => {
    request.context.input = parseInput(request.context.route!, request.event);
  },
});
