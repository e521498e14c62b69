import type { Tracer } from '@aws-lambda-powertools/tracer';
import type middy from '@middy/core';

/**
 * X-Ray traces (Powertools Tracer). Deployed, the functions run with active tracing and
 * `POWERTOOLS_TRACE_ENABLED=true`; `false` turns it off. Locally it is off: Powertools traces only
 * inside Lambda (there is no X-Ray daemon to send segments to).
 *
 * Why the tracer is loaded only where it traces: importing it loads the X-Ray SDK, whose context
 * (cls-hooked) installs an async hook with a destroy callback on every promise of the process. That
 * makes each promise ~30× dearer (measured: 300,000 awaits 20 ms → 630 ms), about 1.5 ms of a change
 * set's 13 ms on the local runtime, where tracing is off anyway.
 */
export function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  // Powertools' own rule (Tracer.setTracingEnabled): off when told, outside Lambda, in SAM local or Amplify mock.
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return (
    env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false' &&
    executionEnv !== '' &&
    executionEnv !== 'AWS_Lambda_amplify-mock' &&
    env.AWS_SAM_LOCAL === undefined
  );
}

let loaded: Tracer | undefined;
let loading: Promise<Tracer | undefined> | undefined;

/** The process's tracer, loaded on first use where tracing is wanted; `undefined` elsewhere. */
export function loadTracer(): Promise<Tracer | undefined> {
  loading ??= tracingWanted()
    ? import('@aws-lambda-powertools/tracer').then(({ Tracer: PowertoolsTracer }) => {
        loaded = new PowertoolsTracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'twinthread' });
        return loaded;
      })
    : Promise.resolve(undefined);
  return loading;
}
// started with the module, so that a cold start has it before its first request
void loadTracer();

/** An AWS SDK client whose calls become subsegments of the request's trace (as it is when tracing is off). */
export function captured<T>(client: T): T {
  if (loaded) return loaded.isTracingEnabled() ? loaded.captureAWSv3Client(client) : client;
  if (tracingWanted()) void loadTracer().then((tracer) => tracer?.captureAWSv3Client(client));
  return client;
}

/** Searchable annotations of the request's trace: the route and, once the token is verified, the tenant. */
export function annotateRequest(annotations: { route?: string; tenant?: string; function?: string }): void {
  if (!loaded?.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(annotations))
    if (value !== undefined) loaded.putAnnotation(key, value);
}

type Middleware = middy.MiddlewareObj<unknown, unknown, Error>;

/**
 * Powertools' `captureLambdaHandler` (the handler's segment, cold start annotation, errors), once the
 * tracer is loaded, as a list for middy's `use`: empty where tracing is off (decided once, when the
 * handler is built, as `loadTracer` decides once), so that a request does not wait on it there.
 */
export function tracingMiddlewares(options: { captureResponse: boolean }): Middleware[] {
  return tracingWanted() ? [tracingMiddleware(options)] : [];
}

function tracingMiddleware(options: { captureResponse: boolean }): Middleware {
  let inner: Promise<Middleware | undefined> | undefined;
  const middleware = () => {
    inner ??= loadTracer().then(async (tracer) => {
      if (!tracer) return undefined;
      const { captureLambdaHandler } = await import('@aws-lambda-powertools/tracer/middleware');
      return captureLambdaHandler(tracer, options) as Middleware;
    });
    return inner;
  };
  return {
    before: async (request) => {
      await (await middleware())?.before?.(request);
    },
    after: async (request) => {
      await (await middleware())?.after?.(request);
    },
    onError: async (request) => {
      await (await middleware())?.onError?.(request);
    },
  };
}
