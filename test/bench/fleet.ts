/**
 * Benchmark of `npm run bench` for the fleet index (called from `run.ts`, which has started the local
 * stack): an OTA impact question, FADEC software `>=2.0.0 <2.4.0`, over a fleet of 10,000 units and over one
 * of 100,000 units (90,000 more whose versions lie below and above the range), the same 5,000 units
 * matching (`--quick`: 1,000 vs 10,000 units, 500 matching). The two fleets are two tenants of the one
 * table, so that both are measured interleaved in one loop (no drift from warm-up or GC between sizes).
 * For each it measures:
 *
 * - the first page of `GET /v1/fleet/installations` (25 items) through the gateway, and the raw Query it
 *   sends (the same key range, `Limit`, straight with the DocumentClient);
 * - `POST /v1/fleet/impact` (exact total, bySite, byProduct, first page) through the gateway, and the raw
 *   requests the same answer needs: the key range read in full (projected, one Query per MB) and the
 *   matching twins' META items (BatchGetItem of 100, 8 in flight), as the store sends them;
 * - a raw `Select: 'COUNT'` of the key range, the floor of any exact count;
 * - DynamoDB requests per fleet page and per impact answer.
 *
 * The units are seeded straight into the table with BatchWriteItem of the store's item builders
 * (`metaItem`, `installationItem`), no API round trip: one FADEC software installation each, and a META
 * item for each unit of the first 10,000 of a fleet (the 90,000 extra units' METAs would never be read
 * by a fleet question, and dynalite writes ~1,000 items/s).
 */

import {
  BatchGetCommand,
  BatchWriteCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import type { InstallationRecord } from '../../shared/domain/configuration';
import type { TwinRecord } from '../../shared/domain/twin';
import { semverKeyIntervals } from '../../shared/domain/versions';
import { metaItem } from '../../shared/store/as-built-writes';
import { documentClient } from '../../shared/store/clients';
import { installationItem } from '../../shared/store/items';
import { keys } from '../../shared/store/keys';
import { INDEXES } from '../../shared/store/table';
import type { BenchContext, Row } from './changes';
import { ms, printSummaries, type Summary, summarize, timed } from './stats';

export interface FleetBenchOptions {
  /** Units in the smaller table, half of them matching. */
  units: number;
  /** Units added for the larger table, none matching. */
  extraUnits: number;
  iterations: number;
  warmup: number;
  pageSize: number;
}

/** `npm run bench`: 10,000 vs 100,000 units, 5,000 matching. */
export const FLEET_BENCH: FleetBenchOptions = {
  units: 10_000,
  extraUnits: 90_000,
  iterations: 20,
  warmup: 3,
  pageSize: 25,
};
/** `npm run bench -- --quick`: 1,000 vs 10,000 units, 500 matching. */
export const FLEET_BENCH_QUICK: FleetBenchOptions = {
  units: 1_000,
  extraUnits: 9_000,
  iterations: 10,
  warmup: 2,
  pageSize: 25,
};

export const RANGE = '>=2.0.0 <2.4.0';
export const PART = 'FADEC-SW';
const RATIO_GOAL = 1.2;
const SITES = ['TLS', 'HAM', 'XFW', 'MOB', 'TNJ'];
export const PRODUCTS = ['A320', 'A321', 'A319'];
const WRITERS = 8;
const BUILT_AT = '2024-01-01T00:00:00.000Z';

const table = () => config.tableName();
const msPair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} ms`;

/** A version inside the range for matching units; below or above it (incl. the fix's release candidates) otherwise. */
function versionOf(index: number, matching: boolean): string {
  if (matching) return `2.${index % 4}.${index % 11}`;
  const outside = ['1.9.4', '1.8.0', '2.4.0', '2.4.0-rc.1', '2.5.2', '3.0.0', '2.4.1+build.9'];
  return outside[index % outside.length]!;
}

/** `task` over every item, at most `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Writes `count` units (one software installation each, META too `withMeta`) with BatchWriteItem, 25 items a request. */
export async function seedUnits(
  tenant: string,
  from: number,
  count: number,
  matching: (index: number) => boolean,
  withMeta: boolean,
) {
  const now = new Date().toISOString();
  const items: Record<string, unknown>[] = [];
  for (let index = from; index < from + count; index++) {
    const id = ulid();
    const record: TwinRecord = {
      id,
      serialNumber: `MSN-${String(index).padStart(6, '0')}`,
      product: { partNumber: PRODUCTS[index % PRODUCTS.length]! },
      site: SITES[index % SITES.length]!,
      lifecycle: 'in-service',
      attributes: {},
      version: 1,
      builtAt: BUILT_AT,
      createdAt: now,
      updatedAt: now,
    } as TwinRecord;
    const installation: InstallationRecord = {
      path: 'engine-1/fadec/sw',
      validFrom: BUILT_AT,
      validTo: null,
      recordedAt: now,
      seq: 1,
      since: BUILT_AT,
      component: { partNumber: PART, kind: 'software', softwareVersion: versionOf(index, matching(index)) },
    };
    if (withMeta) items.push(metaItem(tenant, record, 'active'));
    items.push(installationItem(tenant, id, installation));
  }
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  await pool(batches, WRITERS, async (batch) => {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [table()]: batch.map((Item) => ({ PutRequest: { Item } })),
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient().send(new BatchWriteCommand({ RequestItems: request }));
      request = result.UnprocessedItems as typeof request;
    }
  });
}

export async function devToken(
  context: BenchContext,
  tenant: string,
  role: 'viewer' | 'admin',
): Promise<string> {
  const response = await fetch(`${context.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, roles: [role] }),
  });
  if (response.status !== 200) throw new Error(`POST /dev/token: ${response.status}`);
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

/** The Query of the range's one key interval, as the store builds it. */
function rangeQuery(tenant: string): QueryCommandInput {
  const [interval, ...rest] = semverKeyIntervals(RANGE);
  if (!interval?.upper || rest.length > 0) throw new Error(`${RANGE} should be one bounded key interval`);
  return {
    TableName: table(),
    IndexName: INDEXES.fleet.name,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
    ExpressionAttributeNames: { '#pk': INDEXES.fleet.partitionKey, '#sk': INDEXES.fleet.sortKey },
    ExpressionAttributeValues: {
      ':pk': keys.fleetPartition(tenant, PART),
      ':lower': interval.lower,
      ':upper': interval.upper,
    },
  };
}

/** The raw requests of an impact answer: the range in full (projected), then the twins' METAs. */
export async function rawImpact(tenant: string): Promise<number> {
  const query = rangeQuery(tenant);
  const twinIds: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        ...query,
        ProjectionExpression: 'twinId, #path, component, validFrom, PK, SK, fleetPK, fleetSK',
        ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#path': 'path' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) twinIds.push(item.twinId as string);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const batches: string[][] = [];
  for (let start = 0; start < twinIds.length; start += 100) batches.push(twinIds.slice(start, start + 100));
  let metas = 0;
  await pool(batches, 8, async (batch) => {
    const result = await documentClient().send(
      new BatchGetCommand({
        RequestItems: {
          [table()]: {
            Keys: batch.map((id) => keys.twinMeta(tenant, id)),
            ProjectionExpression: 'id, serialNumber, site, product, #status',
            ExpressionAttributeNames: { '#status': 'status' },
          },
        },
      }),
    );
    metas += result.Responses?.[table()]?.length ?? 0;
  });
  return metas;
}

/** The floor of any exact count: `Select: 'COUNT'` over the key range, page by page. */
async function rawCount(tenant: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({ ...rangeQuery(tenant), Select: 'COUNT', ExclusiveStartKey: startKey }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

type Series = 'rawPage' | 'page' | 'rawCount' | 'rawImpact' | 'impact';
const LABELS: Record<Series, string> = {
  rawPage: 'raw Query, first page',
  page: 'GET installations, first page',
  rawCount: "raw Select 'COUNT' of the range",
  rawImpact: 'raw impact requests (range + METAs)',
  impact: 'POST impact (exact counts)',
};

/** Samples per iteration: the cheap requests more often, so that their p50 is not noise. */
const REPEATS: Record<Series, number> = { rawPage: 5, page: 5, rawCount: 2, rawImpact: 1, impact: 1 };

type Impact = {
  total: number;
  bySite: Record<string, number>;
  byProduct: Record<string, number>;
};

/** One fleet: a tenant of its own, with a viewer token (the usual reader) and an admin token. */
interface Fleet {
  tenant: string;
  units: number;
  viewer: string;
  admin: string;
}

function requests(context: BenchContext, fleet: Fleet, options: FleetBenchOptions) {
  const get = async (authorization = fleet.viewer) => {
    const response = await fetch(
      `${context.url}/v1/fleet/installations?partNumber=${PART}&softwareVersion=${encodeURIComponent(RANGE)}&limit=${options.pageSize}`,
      { headers: { authorization } },
    );
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET installations: ${response.status} ${body}`);
    return JSON.parse(body) as { items: unknown[]; nextCursor?: string };
  };
  const post = async (authorization = fleet.viewer) => {
    const response = await fetch(`${context.url}/v1/fleet/impact?limit=${options.pageSize}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ partNumber: PART, softwareVersion: RANGE }),
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`POST impact: ${response.status} ${body}`);
    return JSON.parse(body) as Impact & { affected: unknown[] };
  };
  const series: Record<Series, () => Promise<unknown>> = {
    rawPage: () =>
      documentClient().send(new QueryCommand({ ...rangeQuery(fleet.tenant), Limit: options.pageSize })),
    page: () => get(),
    rawCount: () => rawCount(fleet.tenant),
    rawImpact: () => rawImpact(fleet.tenant),
    impact: () => post(),
  };
  return { get, post, series };
}

async function callsOf(context: BenchContext, fleet: Fleet, options: FleetBenchOptions) {
  const { get, post } = requests(context, fleet, options);
  const count = async (task: () => Promise<unknown>) => {
    const before = context.snapshot();
    await task();
    return context.callsSince(before);
  };
  return {
    pageAsViewer: await count(() => get()),
    pageAsAdmin: await count(() => get(fleet.admin)),
    impactAsAdmin: await count(() => post(fleet.admin)),
    rawImpact: await count(() => rawImpact(fleet.tenant)),
    impact: await post(),
  };
}

export async function benchFleet(context: BenchContext, options: FleetBenchOptions) {
  const fleets: Fleet[] = [];
  const seeding: { units: number; items: number; ms: number }[] = [];
  for (const extra of [0, options.extraUnits]) {
    const tenant = `bench-fleet-${ulid().toLowerCase()}`;
    const seeded = await timed(async () => {
      await seedUnits(tenant, 0, options.units, (index) => index % 2 === 0, true);
      await seedUnits(tenant, options.units, extra, () => false, false);
    });
    const items = options.units * 2 + extra;
    seeding.push({ units: options.units + extra, items, ms: seeded.ms });
    console.log(
      `   seeded ${options.units + extra} units (${items} items, BatchWriteItem) in ${ms(seeded.ms)} ms (${Math.round(items / (seeded.ms / 1000))} items/s)`,
    );
    fleets.push({
      tenant,
      units: options.units + extra,
      viewer: await devToken(context, tenant, 'viewer'),
      admin: await devToken(context, tenant, 'admin'),
    });
  }
  // Both fleets in one loop, series and fleets in rotating order.
  const names = Object.keys(LABELS) as Series[];
  const runs = fleets.flatMap((fleet, index) =>
    names.flatMap((name) =>
      Array.from({ length: REPEATS[name] }, () => ({
        index,
        name,
        task: requests(context, fleet, options).series[name],
      })),
    ),
  );
  const samples = fleets.map(
    () => Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Series, number[]>,
  );
  for (let iteration = 0; iteration < options.warmup + options.iterations; iteration++) {
    for (let offset = 0; offset < runs.length; offset++) {
      const run = runs[(iteration + offset) % runs.length]!;
      const { ms: elapsed } = await timed(run.task);
      if (iteration >= options.warmup) samples[run.index]![run.name].push(elapsed);
    }
  }
  const summaries = samples.map(
    (series) =>
      Object.fromEntries(names.map((name) => [name, summarize(series[name])])) as Record<Series, Summary>,
  );
  const calls: Awaited<ReturnType<typeof callsOf>>[] = [];
  for (const fleet of fleets) calls.push(await callsOf(context, fleet, options));
  const [small, large] = [0, 1].map((index) => ({
    units: fleets[index]!.units,
    ms: summaries[index]!,
    calls: calls[index]!,
  })) as [
    { units: number; ms: Record<Series, Summary>; calls: Awaited<ReturnType<typeof callsOf>> },
    { units: number; ms: Record<Series, Summary>; calls: Awaited<ReturnType<typeof callsOf>> },
  ];
  for (const size of [small, large]) {
    const { total } = size.calls.impact;
    console.log(
      `\n   ${size.units} units in the fleet, ${total} installations matching: ${options.warmup} warm-up + ${options.iterations} iterations (pages ×${REPEATS.page}, counts ×${REPEATS.rawCount})`,
    );
    printSummaries(LABELS, size.ms);
    console.log(
      `   DynamoDB requests: installations page ${context.formatCalls(size.calls.pageAsAdmin)} (as viewer ${context.formatCalls(size.calls.pageAsViewer)}: the role-view check); impact ${context.formatCalls(size.calls.impactAsAdmin)}; raw impact ${context.formatCalls(size.calls.rawImpact)}`,
    );
  }
  const ratio = (name: Series) => large.ms[name].p50 / small.ms[name].p50;
  const pageRatio = ratio('page');
  const impactRatio = ratio('impact');
  const met = pageRatio <= RATIO_GOAL && impactRatio <= RATIO_GOAL;
  const answer = (impact: Impact) => JSON.stringify([impact.total, impact.bySite, impact.byProduct]);
  const sameAnswer = answer(small.calls.impact) === answer(large.calls.impact);
  console.log(
    `\n   p50 ${large.units} / ${small.units} units: first page ×${pageRatio.toFixed(2)}, impact ×${impactRatio.toFixed(2)}, raw impact ×${ratio('rawImpact').toFixed(2)}, raw count ×${ratio('rawCount').toFixed(2)} (goal ≤ ${RATIO_GOAL}: ${met ? 'met' : 'NOT met'}); same counts at both sizes: ${sameAnswer}`,
  );
  console.log(
    `   ${large.units} units: impact / raw impact requests p50 ×${(large.ms.impact.p50 / large.ms.rawImpact.p50).toFixed(2)}; first page / raw Query p50 ×${(large.ms.page.p50 / large.ms.rawPage.p50).toFixed(2)}`,
  );
  const rows: Row[] = [
    [
      `fleet first page p50 ${small.units} / ${large.units}`,
      `${ms(small.ms.page.p50)} / ${ms(large.ms.page.p50)} ms (×${pageRatio.toFixed(2)}), raw Query ${ms(large.ms.rawPage.p50)} ms`,
    ],
    [
      `fleet impact p50 ${small.units} / ${large.units}`,
      `${ms(small.ms.impact.p50)} / ${ms(large.ms.impact.p50)} ms (×${impactRatio.toFixed(2)}, ≤ ${RATIO_GOAL}: ${met ? 'met' : 'NOT met'}), raw ${ms(large.ms.rawImpact.p50)} ms`,
    ],
    [`fleet impact p50 / p99 ${large.units}`, msPair(large.ms.impact)],
    [
      'fleet DynamoDB requests',
      `page ${context.formatCalls(large.calls.pageAsAdmin)}; impact of ${large.calls.impact.total} ${context.formatCalls(large.calls.impactAsAdmin)}`,
    ],
  ];
  return {
    rows,
    results: {
      range: RANGE,
      pageSize: options.pageSize,
      seeding,
      sizes: [small, large].map(({ units, ms: summary, calls: counted }) => ({
        units,
        ms: summary,
        calls: { ...counted, impact: undefined },
        impact: { total: counted.impact.total, bySite: counted.impact.bySite },
      })),
      ratio: { page: pageRatio, impact: impactRatio, goal: RATIO_GOAL, met },
      sameAnswer,
    },
  };
}
