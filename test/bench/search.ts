/**
 * Benchmark of `npm run bench` for search (called from `run.ts`, which has started the local stack):
 * `GET /v1/search?q=needle` in a tenant of 1,000 twins and in one of 10,000 twins, the same 50 twins
 * matching (`--quick`: 200 vs 2,000). Both tenants live in the one table and are measured interleaved.
 * For each: latency through the gateway, DynamoDB requests and items read per search, and the raw
 * requests the same answer needs (the index Query of the token, the matched twins' METAs by BatchGet).
 *
 * The twins are seeded straight into the table with BatchWriteItem of the store's own item builders
 * (`metaItem`, `searchItem` of `twinEntries`): no configuration, which search never reads.
 */

import { BatchGetCommand, BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import type { TwinRecord } from '../../shared/domain/records';
import { twinEntries } from '../../shared/domain/search';
import { metaItem } from '../../shared/store/as-built-writes';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';
import { searchItem } from '../../shared/store/search-store';
import { INDEXES } from '../../shared/store/table';
import { chunk } from '../../shared/store/transact';
import type { BenchContext } from './changes';
import { ms, type Summary, summarize, timed } from './stats';

export interface SearchBenchOptions {
  small: number;
  large: number;
  matching: number;
  iterations: number;
  warmup: number;
}

export const SEARCH_BENCH: SearchBenchOptions = {
  small: 1_000,
  large: 10_000,
  matching: 50,
  iterations: 30,
  warmup: 5,
};
export const SEARCH_BENCH_QUICK: SearchBenchOptions = {
  small: 200,
  large: 2_000,
  matching: 50,
  iterations: 10,
  warmup: 2,
};

const RATIO_GOAL = 1.2;
const Q = 'needle';
const table = () => config.tableName();

async function seed(tenant: string, count: number, matching: number) {
  const now = new Date().toISOString();
  const items: Record<string, unknown>[] = [];
  for (let index = 0; index < count; index++) {
    const record = {
      id: ulid(),
      serialNumber: index < matching ? `NEEDLE-${index}` : `MSN-${String(index).padStart(6, '0')}`,
      product: { partNumber: 'A320-214', name: 'Airbus A320' },
      site: ['TLS', 'HAM', 'XFW'][index % 3],
      lifecycle: 'in-service',
      attributes: {},
      version: 1,
      builtAt: now,
      createdAt: now,
      updatedAt: now,
    } as TwinRecord;
    items.push(metaItem(tenant, record, 'active'));
    items.push(...twinEntries(record, []).map((entry) => searchItem(tenant, entry)));
  }
  const batches = chunk(items, 25);
  let next = 0;
  const writer = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
        [table()]: batch.map((Item) => ({ PutRequest: { Item } })),
      };
      while (request && Object.keys(request).length > 0) {
        const result = await documentClient().send(new BatchWriteCommand({ RequestItems: request }));
        request = result.UnprocessedItems as typeof request;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
}

/** The raw requests of the same answer: the token's index range, then the matched twins' METAs. */
async function rawSearch(tenant: string) {
  const found = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: INDEXES.search.name,
      KeyConditionExpression: 'searchPK = :pk AND begins_with(searchSK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.searchPartition(tenant, 'I', Q), ':prefix': Q },
    }),
  );
  const ids = [...new Set((found.Items ?? []).map((item) => item.twinId as string))];
  for (const batch of chunk(ids, 100))
    await documentClient().send(
      new BatchGetCommand({
        RequestItems: { [table()]: { Keys: batch.map((id) => keys.twinMeta(tenant, id)) } },
      }),
    );
  return ids.length;
}

async function devToken(context: BenchContext, tenant: string) {
  const response = await fetch(`${context.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, roles: ['viewer'] }),
  });
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

export async function benchSearch(context: BenchContext, options: SearchBenchOptions) {
  const sizes = [options.small, options.large];
  const tenants = sizes.map((size) => `${context.tenant}-search-${size}`);
  const seeded = await timed(() =>
    Promise.all(tenants.map((tenant, index) => seed(tenant, sizes[index]!, options.matching))),
  );
  console.log(`  seeded ${sizes.join(' + ')} twins in ${ms(seeded.ms)} ms`);
  const tokens = await Promise.all(tenants.map((tenant) => devToken(context, tenant)));
  const samples = tenants.map(() => ({
    api: [] as number[],
    raw: [] as number[],
    calls: 0,
    items: 0,
    hits: 0,
  }));
  for (let round = 0; round < options.warmup + options.iterations; round++) {
    for (const [index, tenant] of tenants.entries()) {
      const sample = samples[index]!;
      const before = { calls: dynamodbCalls.count, items: dynamodbCalls.itemsRead };
      const api = await timed(async () => {
        const response = await fetch(`${context.url}/v1/search?q=${Q}&limit=25`, {
          headers: { authorization: tokens[index]! },
        });
        if (response.status !== 200) throw new Error(`GET /v1/search: ${response.status}`);
        return (await response.json()) as { total: number };
      });
      const calls = dynamodbCalls.count - before.calls;
      const items = dynamodbCalls.itemsRead - before.items;
      const raw = await timed(() => rawSearch(tenant));
      if (round < options.warmup) continue;
      sample.api.push(api.ms);
      sample.raw.push(raw.ms);
      sample.calls = calls;
      sample.items = items;
      sample.hits = api.value.total;
    }
  }
  const summaries = samples.map((sample) => ({ api: summarize(sample.api), raw: summarize(sample.raw) }));
  const line = (label: string, summary: Summary) =>
    `${label} p50 ${ms(summary.p50)} ms, p99 ${ms(summary.p99)} ms`;
  for (const [index, size] of sizes.entries()) {
    const { api, raw } = summaries[index]!;
    const sample = samples[index]!;
    console.log(
      `  ${size} twins, ${sample.hits} hits: ${line('API', api)}; ${line('raw SDK', raw)}; ${sample.calls} DynamoDB requests, ${sample.items} items read per search`,
    );
  }
  const ratio = summaries[1]!.api.p50 / summaries[0]!.api.p50;
  const itemsSame = samples[0]!.items === samples[1]!.items;
  console.log(
    `  ${options.large} vs ${options.small} twins: p50 ratio ${ratio.toFixed(2)} (goal ≤ ${RATIO_GOAL}), items read ${samples[0]!.items} vs ${samples[1]!.items}${itemsSame ? ' (the same)' : ''}`,
  );
  return {
    sizes,
    matching: options.matching,
    perSize: sizes.map((size, index) => ({
      twins: size,
      hits: samples[index]!.hits,
      api: summaries[index]!.api,
      raw: summaries[index]!.raw,
      dynamodbRequests: samples[index]!.calls,
      itemsRead: samples[index]!.items,
    })),
    ratio,
    ratioGoal: RATIO_GOAL,
    withinGoal: ratio <= RATIO_GOAL,
    itemsReadSame: itemsSame,
  };
}
