/**
 * Compliance benchmark of `npm run bench` (called from `run.ts`, which has started the local stack):
 * `GET /v1/documents/{id}/compliance` (exact counts by status and the first page of open units) of a
 * bulletin applicable to 100 and to 1,000 units, each in a tenant of its own, with the DynamoDB items
 * each read reads, against the raw-SDK baseline (one Query of the fleet index partition of the part).
 * A tenth of the units embody the bulletin (complied, derived); the others are open.
 */

import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';
import { INDEXES } from '../../shared/store/table';
import type { BenchContext, Row } from './changes';
import { ms, type Summary, summarize, timed } from './stats';

export const COMPLIANCE_BENCH = { fleets: [100, 1_000], iterations: 30, warmup: 5 };
export const COMPLIANCE_BENCH_QUICK = { ...COMPLIANCE_BENCH, iterations: 10, warmup: 2 };

async function call(url: string, authorization: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function tokenFor(url: string, tenant: string) {
  const { token } = await call(url, '', 'POST', '/dev/token', { tenant, roles: ['admin'] });
  return `Bearer ${token}`;
}

/** A tenant with `units` one-position units carrying FADEC-SW and a bulletin on it; a tenth embody it. */
async function seed(context: BenchContext, units: number) {
  const tenant = `bench-comply-${units}-${ulid().toLowerCase()}`;
  const authorization = await tokenFor(context.url, tenant);
  for (let start = 0; start < units; start += 20)
    await Promise.all(
      Array.from({ length: Math.min(20, units - start) }, (_, offset) => start + offset).map((index) =>
        call(context.url, authorization, 'POST', '/v1/twins', {
          serialNumber: `U-${String(index).padStart(6, '0')}`,
          product: { partNumber: 'BENCH-UNIT' },
          configuration: [
            {
              position: 'sw',
              component: {
                partNumber: 'FADEC-SW',
                kind: 'software',
                softwareVersion: index % 10 === 0 ? '5.3.0' : '5.2.1',
              },
            },
          ],
        }),
      ),
    );
  const created = await call(context.url, authorization, 'POST', '/v1/documents', {
    kind: 'service-bulletin',
    title: 'bench bulletin',
    contentType: 'application/pdf',
    size: 1,
    sha256: 'a'.repeat(64),
    effectivity: { partNumber: 'FADEC-SW' },
    requirement: {
      mandatory: true,
      effectiveAt: '2024-01-01T00:00:00Z',
      embodiedWhen: [{ partNumber: 'FADEC-SW', softwareVersions: '>=5.3.0' }],
    },
  });
  return { tenant, authorization, documentId: created.document.id as string };
}

async function fleetOf(context: BenchContext, units: number, options: typeof COMPLIANCE_BENCH) {
  const { tenant, authorization, documentId } = await seed(context, units);
  const api: number[] = [];
  const raw: number[] = [];
  let itemsRead = 0;
  let answer: { total: number; counts: Record<string, number> } = { total: 0, counts: {} };
  for (let round = 0; round < options.warmup + options.iterations; round++) {
    const before = dynamodbCalls.itemsRead;
    const read = await timed(() =>
      call(context.url, authorization, 'GET', `/v1/documents/${documentId}/compliance?limit=25`),
    );
    itemsRead = dynamodbCalls.itemsRead - before;
    answer = read.value;
    const baseline = await timed(() =>
      documentClient().send(
        new QueryCommand({
          TableName: config.tableName(),
          IndexName: INDEXES.fleet.name,
          KeyConditionExpression: 'fleetPK = :pk',
          ExpressionAttributeValues: { ':pk': keys.fleetPartition(tenant, 'FADEC-SW') },
        }),
      ),
    );
    if (round >= options.warmup) {
      api.push(read.ms);
      raw.push(baseline.ms);
    }
  }
  return { api: summarize(api), raw: summarize(raw), itemsRead, answer };
}

export async function benchCompliance(context: BenchContext, options: typeof COMPLIANCE_BENCH) {
  const [small, large] = [
    await fleetOf(context, options.fleets[0]!, options),
    await fleetOf(context, options.fleets[1]!, options),
  ];
  const rows: Row[] = options.fleets.map((units, index) => {
    const measured = [small, large][index]!;
    return [
      `document compliance, ${units} applicable units p50`,
      `${ms(measured.api.p50)} ms (raw Query of the part's fleet partition ${ms(measured.raw.p50)} ms), ${measured.itemsRead} items read, counts ${JSON.stringify(measured.answer.counts)}`,
    ];
  });
  rows.push([
    'document compliance 1,000 / 100 units',
    `×${(large.api.p50 / small.api.p50).toFixed(2)} time, ×${(large.itemsRead / small.itemsRead).toFixed(2)} items (follows the applicable units)`,
  ]);
  const summaries: Record<string, Summary> = { small: small.api, large: large.api };
  return { rows, results: { small, large, summaries } };
}
