import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BUSINESS_METRICS, METRICS_NAMESPACE, REQUEST_METRICS } from '../../shared/observability/metrics';
import { startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

let api: TestApi;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

/** The EMF lines written to stdout while `work` runs. */
async function emfLinesOf(work: () => Promise<unknown>): Promise<EmfLine[]> {
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) {
      written.push(text);
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
  await work();
  return written
    .flatMap((text) => text.split('\n').filter((line) => line.includes('"_aws"')))
    .map((line) => JSON.parse(line));
}

const names = (line: EmfLine) => line._aws.CloudWatchMetrics[0]!.Metrics.map((metric) => metric.Name);

describe('metrics: one EMF line per request, business counters, the tenant as a property', () => {
  it('prints requests, latency, 4xx and 5xx per route, with the tenant as a property and not a dimension', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const tenant = newTenant('metrics');
    const admin = await api.as(tenant, ['admin']);
    // Act
    const lines = await emfLinesOf(async () => {
      const created = await admin('POST', '/v1/twins', { body: aircraftRecord('EMF-1') });
      await admin('GET', `/v1/twins/${created.body.id}`);
      await admin('GET', '/v1/twins/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    });
    // Assess
    const requests = lines.filter((line) => names(line).includes(REQUEST_METRICS.requests));
    expect(requests.map((line) => [line.route, line.status])).toEqual([
      ['POST /v1/twins', '201'],
      ['GET /v1/twins/{id}', '200'],
      ['GET /v1/twins/{id}', '404'],
    ]);
    for (const line of requests) {
      const [metrics] = line._aws.CloudWatchMetrics;
      expect(metrics!.Namespace).toBe(METRICS_NAMESPACE);
      expect(metrics!.Dimensions).toEqual([
        ['service', 'function'],
        ['service', 'route'],
      ]);
      expect(line).toMatchObject({ function: 'twins', tenant, Requests: 1 });
      expect(typeof line.Latency).toBe('number');
      expect(metrics!.Dimensions.flat()).not.toContain('tenant');
    }
    expect(requests.map((line) => [line.ClientErrors, line.ServerErrors])).toEqual([
      [0, 0],
      [0, 0],
      [1, 0],
    ]);
    const byStatus = lines.filter((line) => names(line).includes(REQUEST_METRICS.clientErrorsByStatus));
    expect(byStatus).toHaveLength(1);
    expect(byStatus[0]).toMatchObject({ route: 'GET /v1/twins/{id}', status: '404', tenant });
    expect(byStatus[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([
      ['service', 'function'],
      ['service', 'route', 'status'],
    ]);
  });

  it('counts change sets for the tenant that recorded them', async () => {
    // Prepare
    const tenant = newTenant('metrics-cs');
    const admin = await api.as(tenant, ['admin']);
    const created = await admin('POST', '/v1/twins', { body: aircraftRecord('EMF-2') });
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    // Act
    const lines = await emfLinesOf(() =>
      admin('POST', `/v1/twins/${created.body.id}/changes`, {
        headers: { 'if-match': '"1"' },
        body: { reason: 'metrics', operations: [{ op: 'add-position', position: 'galley' }] },
      }),
    );
    // Assess
    const counted = lines.filter((line) => names(line).includes(BUSINESS_METRICS.changeSets));
    expect(counted).toHaveLength(1);
    expect(counted[0]).toMatchObject({ tenant, [BUSINESS_METRICS.changeSets]: 1 });
  });

  it('prints nothing when POWERTOOLS_METRICS_DISABLED is set', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    // Act
    const lines = await emfLinesOf(() => api.call('GET', '/health'));
    // Assess
    expect(lines).toEqual([]);
  });
});
