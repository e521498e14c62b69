import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray traces (Powertools Tracer). Deployed, the functions run with active tracing and
 * `POWERTOOLS_TRACE_ENABLED=true`; `false` turns it off. Locally it is off: Powertools traces only
 * inside Lambda (there is no X-Ray daemon to send segments to).
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'twinthread' });

/** An AWS SDK client whose calls become subsegments of the request's trace (as it is when tracing is off). */
export function captured<T>(client: T): T {
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}

/** Searchable annotations of the request's trace: the route and, once the token is verified, the tenant. */
export function annotateRequest(annotations: { route?: string; tenant?: string; function?: string }): void {
  if (!tracer.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(annotations))
    if (value !== undefined) tracer.putAnnotation(key, value);
}
