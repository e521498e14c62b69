import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { currentScope } from '../store/tenant-scope';

/** The CloudWatch namespace of every twinthread metric (request and business metrics alike). */
export const METRICS_NAMESPACE = 'twinthread';

/**
 * Request metrics, one EMF line per request, in two dimension sets: `[service, function]` (what the
 * alarms watch) and `[service, route]` (a route belongs to one function; `GET /v1/twins/{id}`).
 */
export const REQUEST_METRICS = {
  requests: 'Requests',
  latency: 'Latency',
  clientErrors: 'ClientErrors',
  serverErrors: 'ServerErrors',
  /** 4xx answers by route and status (a line of its own for each 4xx). */
  clientErrorsByStatus: 'ClientErrorsByStatus',
} as const;

/** Business counters, by function (dimension), the tenant as a property. */
export const BUSINESS_METRICS = {
  changeSets: 'ChangeSetsRecorded',
  observationsApplied: 'IngestObservationsApplied',
  documentsUploaded: 'DocumentVersionsUploaded',
  granteeReads: 'GranteeReads',
  exportStages: 'TenantExportStages',
  exportJobsFailed: 'TenantExportJobsFailed',
} as const;

export type BusinessMetric = (typeof BUSINESS_METRICS)[keyof typeof BUSINESS_METRICS];

/** The function's name in the route table (`twins`, ...): set by the stack; one process serves all locally. */
const functionName = () => process.env.TWINTHREAD_FUNCTION ?? 'local';

const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);

/**
 * Powertools' own rule (Metrics.setDisabled): `POWERTOOLS_METRICS_DISABLED` (`true`/`false`) decides;
 * unset, `POWERTOOLS_DEV` (any truthy spelling) disables. Read per document: tests switch it.
 */
export function metricsDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const disabled = env.POWERTOOLS_METRICS_DISABLED;
  if (disabled !== undefined) return disabled.toLowerCase() === 'true';
  return TRUTHY.has((env.POWERTOOLS_DEV ?? '').toLowerCase());
}

/**
 * One EMF document, written to stdout at once (CloudWatch turns it into metrics: no API call).
 * A fresh Metrics per document: the local gateway serves requests concurrently in one process, and
 * a shared store would mix one request's dimensions into another's line. `POWERTOOLS_METRICS_DISABLED`
 * turns them off (the test runs do).
 *
 * The tenant is a property (EMF metadata), never a dimension: each distinct dimension value is a
 * custom metric billed monthly, so per-tenant dimensions would cost tenants × routes × metrics;
 * as a property it is in every line, for Logs Insights and the per-tenant Contributor Insights
 * rules of the stack (infra/monitoring.ts).
 */
function emit(
  dimensions: { function: string; sets?: Record<string, string>[] },
  properties: Record<string, string | undefined>,
  build: (metrics: Metrics) => void,
) {
  // a Metrics costs ~0.2 ms to build (it parses its environment): none when nothing would be written
  if (metricsDisabled()) return;
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'twinthread' });
  metrics.addDimension('function', dimensions.function);
  for (const set of dimensions.sets ?? []) metrics.addDimensions(set);
  for (const [key, value] of Object.entries(properties))
    if (value !== undefined) metrics.addMetadata(key, value);
  build(metrics);
  metrics.publishStoredMetrics();
}

/** The metrics of one answered request: function and route (`GET /v1/twins/{id}`), status, milliseconds, tenant. */
export function recordRequest(request: {
  function: string;
  route: string;
  status: number;
  ms: number;
  tenant?: string;
}) {
  const properties = { tenant: request.tenant, status: String(request.status) };
  emit({ function: request.function, sets: [{ route: request.route }] }, properties, (metrics) => {
    metrics.addMetric(REQUEST_METRICS.requests, MetricUnit.Count, 1);
    metrics.addMetric(REQUEST_METRICS.latency, MetricUnit.Milliseconds, request.ms);
    metrics.addMetric(REQUEST_METRICS.serverErrors, MetricUnit.Count, request.status >= 500 ? 1 : 0);
    metrics.addMetric(
      REQUEST_METRICS.clientErrors,
      MetricUnit.Count,
      request.status >= 400 && request.status < 500 ? 1 : 0,
    );
  });
  // 4xx by status: a line of its own, with the status as a (bounded: the problem statuses) dimension
  if (request.status >= 400 && request.status < 500)
    emit(
      { function: request.function, sets: [{ route: request.route, status: String(request.status) }] },
      properties,
      (metrics) => metrics.addMetric(REQUEST_METRICS.clientErrorsByStatus, MetricUnit.Count, 1),
    );
}

/**
 * A business counter (change sets recorded, observations applied, ...), the tenant of the current
 * scope as a property (or the one named, e.g. the grantee of a grantee read beside the owner).
 */
export function countBusiness(name: BusinessMetric, value = 1, properties: Record<string, string> = {}) {
  if (value <= 0) return;
  emit({ function: functionName() }, { tenant: currentScope()?.tenant, ...properties }, (metrics) =>
    metrics.addMetric(name, MetricUnit.Count, value),
  );
}
