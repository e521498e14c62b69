/**
 * What tenant-scoped credentials add to a request (`npx tsx test/bench/tenant-scope.ts`, also part of
 * `npm run bench`): deployed mode (`TENANT_ROLE_ARN` set) with STS answered in-process, the time a
 * request spends entering its scope, getting its tenant's client and resolving its credentials,
 * against the unscoped client of local mode (the raw-SDK baseline: no scope, one client). Cached =
 * a tenant this container has served; first = a new tenant (client construction; the real STS
 * round trip, typically 10–50 ms once per tenant and hour, is not measurable offline). It makes no
 * DynamoDB request, so no items are read.
 */
import { fileURLToPath } from 'node:url';
import { closeClients, documentClient, SCOPED_CLIENTS_KEPT } from '../../shared/store/clients';
import { useStsClient } from '../../shared/store/scoped-credentials';
import { inTenantScope } from '../../shared/store/tenant-scope';
import { type AssumeRoleInput, fakeSts } from '../support/fake-sts';
import { ms, summarize } from './stats';

const us = (value: number) => `${(value * 1000).toFixed(1)} µs`;

export const TENANT_SCOPE_BENCH = { iterations: 20_000, warmup: 2_000, tenants: 50, firsts: 200 };
export const TENANT_SCOPE_BENCH_QUICK = { iterations: 5_000, warmup: 500, tenants: 50, firsts: 50 };

async function sample(iterations: number, once: (index: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = process.hrtime.bigint();
    await once(index);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

const clientOfScope = (tenant: string) =>
  inTenantScope(tenant, async () => {
    const client = documentClient();
    return client.config.credentials();
  });

export async function benchTenantScope(settings: typeof TENANT_SCOPE_BENCH) {
  const previous = process.env.TENANT_ROLE_ARN;
  const asked: AssumeRoleInput[] = [];
  closeClients();
  // Baseline: local mode, the one client (static local credentials), resolved the same way
  delete process.env.TENANT_ROLE_ARN;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  process.env.DYNAMODB_ENDPOINT ??= 'http://127.0.0.1:9';
  const baseline = async () => documentClient().config.credentials();
  await sample(settings.warmup, baseline);
  const raw = summarize(await sample(settings.iterations, baseline));

  process.env.TENANT_ROLE_ARN = 'arn:aws:iam::123456789012:role/bench-tenant';
  process.env.AWS_REGION ??= 'eu-west-1';
  useStsClient(fakeSts(asked));
  const tenant = (index: number) => `bench-${index % settings.tenants}`;
  await sample(settings.warmup, (index) => clientOfScope(tenant(index)));
  const cached = summarize(await sample(settings.iterations, (index) => clientOfScope(tenant(index))));
  const first = summarize(
    await sample(Math.min(settings.firsts, SCOPED_CLIENTS_KEPT), (index) => clientOfScope(`first-${index}`)),
  );
  const assumed = asked.length;

  closeClients();
  useStsClient(undefined);
  if (previous === undefined) delete process.env.TENANT_ROLE_ARN;
  else process.env.TENANT_ROLE_ARN = previous;
  if (endpoint === undefined) delete process.env.DYNAMODB_ENDPOINT;

  const added = cached.p50 - raw.p50;
  const rows: [string, string][] = [
    [
      'scoped client, cached, p50 / p99',
      `${us(cached.p50)} / ${us(cached.p99)} (raw, unscoped: ${us(raw.p50)} / ${us(raw.p99)})`,
    ],
    [
      'scoped client added p50 (goal ≤ 1 ms)',
      `${us(added)} (${added <= 1 ? 'met' : 'NOT met'}), ${settings.tenants} tenants in turn`,
    ],
    [
      'scoped client, first request of a tenant',
      `${ms(first.p50)} / ${ms(first.p99)} ms p50 / p99 + one STS AssumeRole`,
    ],
    ['STS AssumeRole calls', `${assumed} for ${settings.tenants + first.n} tenants`],
  ];
  for (const [label, value] of rows) console.log(`   ${label}: ${value}`);
  return { rows, results: { raw, cached, first, addedP50Ms: added, assumeRoleCalls: assumed } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchTenantScope(process.argv.includes('--quick') ? TENANT_SCOPE_BENCH_QUICK : TENANT_SCOPE_BENCH);
}
