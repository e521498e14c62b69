import { describe, expect, it, vi } from 'vitest';
import { metricsDisabled } from '../../shared/observability/metrics';
import { loadTracer, tracingWanted } from '../../shared/observability/tracer';

describe('tracing is loaded only where it traces', () => {
  it('follows Powertools: in Lambda unless turned off, never in SAM local, Amplify mock or outside Lambda', () => {
    const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' };
    expect(tracingWanted(lambda)).toBe(true);
    expect(tracingWanted({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
    expect(tracingWanted({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' })).toBe(false);
    expect(tracingWanted({ ...lambda, AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingWanted({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(false);
  });

  it('loads no tracer (and so no X-Ray context hooks) on the local runtime', async () => {
    expect(tracingWanted()).toBe(false);
    await expect(loadTracer()).resolves.toBeUndefined();
  });

  it('loads the Powertools tracer, enabled, in a Lambda execution environment', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs20.x');
    vi.resetModules();
    try {
      const fresh = await import('../../shared/observability/tracer');
      const tracer = await fresh.loadTracer();
      expect(tracer?.isTracingEnabled()).toBe(true);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

describe('metrics are built only when they would be written', () => {
  it('follows Powertools: POWERTOOLS_METRICS_DISABLED decides, else POWERTOOLS_DEV disables', () => {
    expect(metricsDisabled({})).toBe(false);
    expect(metricsDisabled({ POWERTOOLS_METRICS_DISABLED: 'true' })).toBe(true);
    expect(metricsDisabled({ POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_DEV: 'true' })).toBe(false);
    expect(metricsDisabled({ POWERTOOLS_DEV: 'yes' })).toBe(true);
    expect(metricsDisabled({ POWERTOOLS_DEV: 'false' })).toBe(false);
  });
});
