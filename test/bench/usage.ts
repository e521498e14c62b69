/**
 * Benchmark of `npm run bench` for usage and life (issue 14), called from `run.ts` with the local stack
 * running, or alone: `npx tsx test/bench/usage.ts [--quick]`.
 *
 * 1. One serial with 20 stays on 20 aircraft (real change sets through the API), the aircraft carrying
 *    10,000 vs 100,000 usage records over the same two years (seeded straight into the table in the
 *    store's layout: record items and the year, month and day totals they move; `--quick`: 1,000 vs 10,000). Measured:
 *    `GET /v1/components/{pn}/{sn}/usage` and `.../life` through the gateway, p50, DynamoDB requests and
 *    items read, beside the raw-SDK baseline of summing the records of every stay (a Query per stay).
 * 2. `POST /v1/fleet/life {remainingBelow: {FC: 500}}` over 1,000 vs 10,000 life-limited parts (their
 *    entries of the fleet life index seeded), the same 100 below the threshold; raw baseline: the
 *    page Query and the COUNT Query the answer needs.
 * The requests compared take turns (one round times each once), so that load or JIT drift during the
 * run weighs on both sides of a ratio alike.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import { remainingSortKey, totalsMoves } from '../../shared/domain/usage';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';
import { INDEXES } from '../../shared/store/table';
import type { BenchContext, Row } from './changes';
import { ms, summarize, timed } from './stats';

export interface UsageBenchOptions {
  records: [number, number];
  parts: [number, number];
  iterations: number;
}
export const USAGE_BENCH: UsageBenchOptions = {
  records: [10_000, 100_000],
  parts: [1_000, 10_000],
  iterations: 30,
};
export const USAGE_BENCH_QUICK: UsageBenchOptions = {
  records: [1_000, 10_000],
  parts: [1_000, 10_000],
  iterations: 10,
};

const STAYS = 20;
const START = Date.parse('2024-01-01T00:00:00.000Z');
const SPAN = 2 * 365 * 86_400_000;
const RATIO_GOAL = 1.2;
const table = () => config.tableName();

async function api(
  context: { url: string; authorization: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${context.url}${path}`, {
    method,
    headers: { authorization: context.authorization, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 400)}`);
  return { body: JSON.parse(text), etag: response.headers.get('etag') };
}

async function batchWrite(items: Record<string, unknown>[], concurrency = 8) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const start = next;
      next += 25;
      let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const result = await documentClient().send(
          new BatchWriteCommand({ RequestItems: { [table()]: requests } }),
        );
        requests = (result.UnprocessedItems?.[table()] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function token(url: string, tenant: string) {
  const response = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, roles: ['admin'] }),
  });
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

/** A tenant with 20 aircraft, one serial that stayed on each in turn, and `records` FH records on them. */
export async function seedSerial(url: string, tenant: string, records: number) {
  const context = { url, authorization: await token(url, tenant) };
  await api(context, 'PUT', '/v1/usage-parameters/FH', { unit: 'h' });
  await api(context, 'PUT', '/v1/parts/APU-131', {
    llp: true,
    lifeLimits: [{ parameter: 'FH', limit: 1e9, effectiveFrom: '2000-01-01T00:00:00Z' }],
  });
  const stays: { twinId: string; from: string; to: string }[] = [];
  const slot = SPAN / STAYS;
  for (let index = 0; index < STAYS; index++) {
    const twin = await api(context, 'POST', '/v1/twins', {
      serialNumber: `BENCH-U-${index}`,
      product: { partNumber: 'A320' },
      builtAt: '2023-01-01T00:00:00Z',
      configuration: [{ position: 'apu' }],
    });
    // stays begin and end at odd hours, so each bound reads part of a day's records
    const from = new Date(START + index * slot + 7.3 * 3_600_000).toISOString();
    const to = new Date(START + (index + 0.9) * slot + 13.1 * 3_600_000).toISOString();
    const component = { partNumber: 'APU-131', serialNumber: 'APU-B1', kind: 'mechanical' };
    const installed = await api(
      context,
      'POST',
      `/v1/twins/${twin.body.id}/changes`,
      {
        reason: 'install',
        effectiveAt: from,
        operations: [
          {
            op: 'install',
            position: 'apu',
            component,
            ...(index === 0 ? { usageAtInstall: { FH: { tsn: 0 } } } : {}),
          },
        ],
      },
      { 'if-match': '"1"' },
    );
    await api(
      context,
      'POST',
      `/v1/twins/${twin.body.id}/changes`,
      { reason: 'remove', effectiveAt: to, operations: [{ op: 'remove', position: 'apu' }] },
      { 'if-match': installed.etag! },
    );
    stays.push({ twinId: twin.body.id, from, to });
  }
  const recordedAt = new Date().toISOString();
  const items: Record<string, unknown>[] = [];
  for (const stay of stays) {
    const entries = Array.from({ length: records / STAYS }, (_, n) => ({
      at: new Date(START + ((n + Math.random()) / (records / STAYS)) * SPAN).toISOString(),
      delta: 1.5,
    }));
    for (const entry of entries) {
      const id = ulid();
      items.push({
        PK: keys.usagePartition(tenant, stay.twinId, 'FH'),
        SK: keys.usageRecordSortKey(entry.at, id),
        ...keys.usageLogKeys(tenant, stay.twinId, 'FH', recordedAt, id),
        entity: 'usage-record',
        id,
        parameter: 'FH',
        ...entry,
        recordedAt,
      });
    }
    // the year, month and day totals the records move, as the store's transactions ADD them
    for (const { kind, period, fields } of totalsMoves(entries))
      items.push({
        PK: keys.usagePartition(tenant, stay.twinId, 'FH'),
        SK: keys.usageTotalsSortKey(kind, period),
        entity: `usage-${kind}`,
        [kind]: period,
        ...fields,
      });
  }
  await batchWrite(items);
  return { context, stays };
}

/** The naive answer with the raw SDK: every record of every stay summed (a Query per stay, one page per MB). */
async function rawSum(tenant: string, stays: { twinId: string; from: string; to: string }[]) {
  let sum = 0;
  for (const stay of stays) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': keys.usagePartition(tenant, stay.twinId, 'FH'),
            ':from': `R#${stay.from}`,
            ':to': `R#${stay.to}`,
          },
          ProjectionExpression: 'delta',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) sum += item.delta as number;
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return sum;
}

interface Measure {
  p50: number;
  requests: number;
  items: number;
}

/**
 * Each task timed `iterations` times, the tasks taking turns (one round runs each once), so that a
 * change of load or of the JIT's state during the run weighs on every task alike.
 */
async function measureInTurns(iterations: number, tasks: (() => Promise<unknown>)[]): Promise<Measure[]> {
  for (const task of tasks) await task();
  const samples = tasks.map(() => ({ ms: [] as number[], requests: 0, items: 0 }));
  for (let i = 0; i < iterations; i++) {
    for (const [index, task] of tasks.entries()) {
      const requests = dynamodbCalls.count;
      const items = dynamodbCalls.itemsRead;
      samples[index]!.ms.push((await timed(task)).ms);
      samples[index]!.requests += dynamodbCalls.count - requests;
      samples[index]!.items += dynamodbCalls.itemsRead - items;
    }
  }
  return samples.map((sample) => ({
    p50: summarize(sample.ms).p50,
    requests: sample.requests / iterations,
    items: sample.items / iterations,
  }));
}

const line = (m: Measure) =>
  `${ms(m.p50)} ms, ${m.requests.toFixed(0)} requests, ${m.items.toFixed(0)} items`;

export async function benchUsage(context: Pick<BenchContext, 'url'>, options: UsageBenchOptions) {
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const serials = [];
  for (const records of options.records) {
    const tenant = `bench-usage-${records}-${ulid().slice(-6).toLowerCase()}`;
    serials.push({ records, tenant, ...(await seedSerial(context.url, tenant, records)) });
  }
  const tasks = serials.flatMap((serial) => [
    () => api(serial.context, 'GET', '/v1/components/APU-131/APU-B1/usage?parameter=FH'),
    () => api(serial.context, 'GET', '/v1/components/APU-131/APU-B1/life'),
    () => rawSum(serial.tenant, serial.stays),
  ]);
  const timings = await measureInTurns(options.iterations, tasks);
  const measured = [];
  for (const [index, serial] of serials.entries()) {
    const [usage, life, raw] = timings.slice(index * 3, index * 3 + 3) as [Measure, Measure, Measure];
    const answer = await api(serial.context, 'GET', '/v1/components/APU-131/APU-B1/usage?parameter=FH');
    console.log(
      `   ${serial.records} records: usage ${line(usage)}; life ${line(life)}; raw sum of every record ${line(raw)} (TSN ${answer.body.parameters.FH.tsn})`,
    );
    measured.push({ records: serial.records, usage, life, raw });
  }
  const [small, large] = measured as [(typeof measured)[0], (typeof measured)[0]];
  const ratio = large.usage.p50 / small.usage.p50;
  const lifeRatio = large.life.p50 / small.life.p50;
  console.log(
    `   ratio ${large.records}/${small.records}: usage ×${ratio.toFixed(2)}, life ×${lifeRatio.toFixed(2)} (goal ≤ ${RATIO_GOAL}); raw ×${(large.raw.p50 / small.raw.p50).toFixed(2)}; load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  rows.push([
    `serial usage, 20 stays, ${small.records} vs ${large.records} records`,
    `${ms(small.usage.p50)} vs ${ms(large.usage.p50)} ms (×${ratio.toFixed(2)}), items ${small.usage.items.toFixed(0)} vs ${large.usage.items.toFixed(0)}; raw sum ${ms(small.raw.p50)} vs ${ms(large.raw.p50)} ms`,
  ]);
  results.serial = measured;

  // 2. fleet life: the same 100 parts below 500 FC among 1,000 vs 10,000, then 1,000 of 10,000
  const fleets = [];
  const cases = [
    ...options.parts.map((parts) => ({ parts, matches: 100 })),
    { parts: options.parts[1], matches: 1_000 },
  ];
  for (const { parts, matches } of cases) {
    const tenant = `bench-life-${parts}-${ulid().slice(-6).toLowerCase()}`;
    const items = Array.from({ length: parts }, (_, n) => {
      const component = { partNumber: 'DISK-7', serialNumber: `DSK-${n}` };
      const remaining = n < matches ? Math.floor((n * 400) / matches) : 600 + n;
      return {
        ...keys.lifeEntry(tenant, component, 'FC'),
        ...keys.lifeIndexKeys(tenant, 'FC', remainingSortKey(remaining), component),
        entity: 'life-entry',
        ...component,
        parameter: 'FC',
        limit: 20_000,
        remaining,
        status: remaining <= 0 ? 'expired' : 'ok',
        twinId: null,
        path: null,
        updatedAt: new Date().toISOString(),
      };
    });
    await batchWrite(items);
    fleets.push({
      parts,
      matches,
      tenant,
      context: { url: context.url, authorization: await token(context.url, tenant) },
    });
  }
  const lifeTasks = fleets.flatMap((fleet) => {
    const condition = {
      TableName: table(),
      IndexName: INDEXES.list.name,
      KeyConditionExpression: 'listPK = :pk AND listSK < :below',
      ExpressionAttributeValues: {
        ':pk': keys.lifeIndex(fleet.tenant, 'FC'),
        ':below': remainingSortKey(500),
      },
    };
    return [
      () => api(fleet.context, 'POST', '/v1/fleet/life?limit=25', { remainingBelow: { FC: 500 } }),
      () =>
        Promise.all([
          documentClient().send(new QueryCommand({ ...condition, Limit: 25 })),
          documentClient().send(new QueryCommand({ ...condition, Select: 'COUNT' })),
        ]),
    ];
  });
  const lifeTimings = await measureInTurns(options.iterations, lifeTasks);
  const lifeMeasured = [];
  for (const [index, fleet] of fleets.entries()) {
    const [gateway, raw] = lifeTimings.slice(index * 2, index * 2 + 2) as [Measure, Measure];
    const answer = await api(fleet.context, 'POST', '/v1/fleet/life?limit=25', {
      remainingBelow: { FC: 500 },
    });
    console.log(
      `   ${fleet.parts} parts, ${answer.body.total} below 500 FC: gateway ${line(gateway)}; raw ${line(raw)}`,
    );
    lifeMeasured.push({ parts: fleet.parts, matches: fleet.matches, gateway, raw });
  }
  const [few, many, more] = lifeMeasured as [
    (typeof lifeMeasured)[0],
    (typeof lifeMeasured)[0],
    (typeof lifeMeasured)[0],
  ];
  rows.push([
    `fleet life, 100 matches among ${few.parts} vs ${many.parts} parts`,
    `${ms(few.gateway.p50)} vs ${ms(many.gateway.p50)} ms (×${(many.gateway.p50 / few.gateway.p50).toFixed(2)}), items ${few.gateway.items.toFixed(0)} vs ${many.gateway.items.toFixed(0)}; raw ${ms(few.raw.p50)} vs ${ms(many.raw.p50)} ms`,
  ]);
  // the exact count reads the matches (a COUNT Query still reads each item it counts): cost follows them
  rows.push([
    `fleet life, 100 vs 1,000 matches among ${many.parts} parts`,
    `${ms(many.gateway.p50)} vs ${ms(more.gateway.p50)} ms, items ${many.gateway.items.toFixed(0)} vs ${more.gateway.items.toFixed(0)}`,
  ]);
  results.fleetLife = lifeMeasured;
  return { rows, results: { ...results, ratio, lifeRatio, met: ratio <= RATIO_GOAL } };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // as run.ts: no metrics lines on stdout inside the timings
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const quick = process.argv.includes('--quick');
  const { startLocalStack } = await import('../../infra/local/stack');
  const { closeClients } = await import('../../shared/store/clients');
  const stack = await startLocalStack({ memory: true, port: 0 });
  try {
    console.log(`Usage and life${quick ? ' (--quick)' : ''}`);
    await benchUsage({ url: stack.url! }, quick ? USAGE_BENCH_QUICK : USAGE_BENCH);
  } finally {
    await stack.stop();
    closeClients();
  }
}
