/**
 * Benchmark of `npm run bench` for views and grants (called from `run.ts`, which has started the local
 * stack; or alone: `npx tsx test/bench/sharing.ts [--quick]`, which starts one itself).
 *
 * 1. Shared read vs owner read of the same 500-position twin (10 systems of 49 positions each, every
 *    position with a serialized component): `GET /v1/twins/{id}` as the owner's admin against
 *    `GET /v1/shared/twins/{owner}/{id}` as a grantee's viewer, once through a full view and once through
 *    a view of one subtree (one system, 50 positions). Baselines in the same loop: the partition Query
 *    straight with the DocumentClient, and the raw requests a shared read sends (the grantee-index Query
 *    and the partition Query together, the consistent BatchGet of the grants, the Put of the access event).
 * 2. Installed base over 5 owners × 2,000 units (`--quick`: 5 × 200): each owner grants the OEM tenant a
 *    `paas` grant by product part number through a view of software and two usage attributes;
 *    `GET /v1/installed-base?limit=25` as the OEM, the first page (which also counts the whole installed
 *    base) and a later page (with a cursor), against raw requests: one product-index Query of 25 twins and
 *    their 25 partition Queries, and the counts' index reads (every owner's product index, projected).
 *
 * The units are written with the store (`createTwin` of `asBuiltHistory`, 16 at a time), not through HTTP.
 * Everything runs in one process on dynalite: absolute times are this machine's, ratios and request counts
 * are what carry over.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchGetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { projectThroughView } from '../../shared/domain/view';
import type { AsBuiltNode, CreateTwinBody } from '../../shared/schemas/twin';
import { asBuiltWrites } from '../../shared/store/as-built-writes';
import { documentClient } from '../../shared/store/clients';
import { eventItem } from '../../shared/store/events';
import { keys } from '../../shared/store/keys';
import { INDEXES } from '../../shared/store/table';
import { createTwin } from '../../shared/store/twin-store';
import type { BenchContext, Calls, Row } from './changes';
import { queryPartition } from './partition';
import { ms, printSummaries, type Summary, summarize, timed } from './stats';

export interface SharingBenchOptions {
  read: { iterations: number; warmup: number };
  installedBase: {
    owners: number;
    unitsPerOwner: number;
    iterations: number;
    warmup: number;
    pageSize: number;
    /** The later page measured: reached once with the cursors of the pages before it. */
    laterPage: number;
    /** `createTwin` calls at a time during the setup. */
    concurrency: number;
  };
}

/** `npm run bench`: 5 owners × 2,000 units. */
export const SHARING_BENCH: SharingBenchOptions = {
  read: { iterations: 200, warmup: 20 },
  installedBase: {
    owners: 5,
    unitsPerOwner: 2_000,
    iterations: 20,
    warmup: 3,
    pageSize: 25,
    laterPage: 5,
    concurrency: 16,
  },
};
/** `--quick`: 5 owners × 200 units, fewer iterations. */
export const SHARING_BENCH_QUICK: SharingBenchOptions = {
  read: { iterations: 50, warmup: 10 },
  installedBase: {
    owners: 5,
    unitsPerOwner: 200,
    iterations: 10,
    warmup: 2,
    pageSize: 25,
    laterPage: 5,
    concurrency: 16,
  },
};

const RATIO_GOAL = 1.3;
const SYSTEMS = 10;
const PER_SYSTEM = 49;
const SUBTREE = 'sys-3';
const PRODUCTS = ['HX-200', 'HX-300'];
const FIRMWARE = 'HX-FW';
const BUILT_AT = '2024-01-01T00:00:00Z';

const table = () => config.tableName();
const msPair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const seconds = (elapsed: number) => `${(elapsed / 1000).toFixed(1)} s`;
/** The machine's load average (other processes share its CPUs: the absolute times move with it). */
const load = () =>
  `load average ${os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')} on ${os.cpus().length} CPUs`;

/** `task` over every item, at most `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function devToken(context: BenchContext, tenant: string, role: 'viewer' | 'admin'): Promise<string> {
  const response = await fetch(`${context.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, roles: [role], sub: `bench-${role}` }),
  });
  if (response.status !== 200) throw new Error(`POST /dev/token: ${response.status}`);
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

async function call(
  context: BenchContext,
  authorization: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(`${context.url}${path}`, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 600)}`);
  return { status: response.status, text };
}

async function postJson<T>(context: BenchContext, authorization: string, path: string, body: unknown) {
  return JSON.parse((await call(context, authorization, 'POST', path, body)).text) as T;
}

/** Times the series interleaved, their order rotating; `after` sees each timed run of a series. */
async function interleaved<Name extends string>(
  series: Record<Name, () => Promise<unknown>>,
  iterations: number,
  warmup: number,
) {
  const names = Object.keys(series) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let iteration = 0; iteration < warmup + iterations; iteration++) {
    for (let offset = 0; offset < names.length; offset++) {
      const name = names[(iteration + offset) % names.length]!;
      const { ms: elapsed } = await timed(series[name]);
      if (iteration >= warmup) samples[name].push(elapsed);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples[name])])) as Record<Name, Summary>;
}

async function callsOf(context: BenchContext, task: () => Promise<unknown>): Promise<Calls> {
  const before = context.snapshot();
  await task();
  return context.callsSince(before);
}

interface TreeNode {
  path?: string;
  position?: string;
  children?: TreeNode[];
}

/** The positions of a configuration tree (as answered), with their paths. */
function pathsOf(nodes: readonly TreeNode[] | undefined, parent = ''): string[] {
  return (nodes ?? []).flatMap((node) => {
    const path = node.path ?? `${parent}${node.position}`;
    return [path, ...pathsOf(node.children, `${path}/`)];
  });
}

// ---------------------------------------------------------------------------------------------------------
// 1. Shared read vs owner read

/** 10 systems of 49 positions: 500 positions, each with a serialized component and two attributes. */
function systemTwin(serialNumber: string): CreateTwinBody {
  const configuration: AsBuiltNode[] = Array.from({ length: SYSTEMS }, (_, system) => ({
    position: `sys-${system}`,
    component: {
      partNumber: `SYS-${system}`,
      serialNumber: `${serialNumber}-SYS${system}`,
      kind: 'electrical',
      attributes: { zone: `Z${system}`, costCenter: 'CC-7' },
    },
    children: Array.from({ length: PER_SYSTEM }, (_, unit) => ({
      position: `u-${unit}`,
      component: {
        partNumber: `LRU-${unit % 12}`,
        serialNumber: `${serialNumber}-S${system}-U${unit}`,
        kind: unit % 7 === 0 ? 'software' : 'mechanical',
        ...(unit % 7 === 0 ? { softwareVersion: `4.${unit % 3}.1` } : {}),
        attributes: { refrigerant: 'R-134a', unitPrice: 1200 + unit },
      },
    })),
  }));
  return {
    serialNumber,
    product: { partNumber: 'A320' },
    site: 'TLS',
    attributes: { tailNumber: 'F-WBEN', leaseRate: 310_000 },
    configuration,
  };
}

async function benchSharedRead(context: BenchContext, options: SharingBenchOptions['read']) {
  const suffix = ulid().toLowerCase();
  const owner = `bench-share-owner-${suffix}`;
  const grantees = { full: `bench-share-all-${suffix}`, subtree: `bench-share-hvac-${suffix}` };
  const admin = await devToken(context, owner, 'admin');
  const viewers = {
    full: await devToken(context, grantees.full, 'viewer'),
    subtree: await devToken(context, grantees.subtree, 'viewer'),
  };

  const setup = await timed(async () => {
    const twin = await postJson<{ id: string }>(context, admin, '/v1/twins', systemTwin('BENCH-SHARE-500'));
    const views = {
      full: await postJson<{ id: string }>(context, admin, '/v1/views', { name: 'all' }),
      subtree: await postJson<{ id: string }>(context, admin, '/v1/views', {
        name: 'one system',
        positions: [SUBTREE],
      }),
    };
    for (const which of ['full', 'subtree'] as const) {
      await postJson(context, admin, '/v1/grants', {
        grantee: grantees[which],
        viewId: views[which].id,
        twins: { ids: [twin.id] },
        purpose: 'contractor',
        permissions: ['read'],
      });
    }
    return twin.id;
  });
  const twinId = setup.value;
  const ownerPath = `/v1/twins/${twinId}`;
  const sharedPath = `/v1/shared/twins/${owner}/${twinId}`;
  const get = (authorization: string, path: string) => async () =>
    (await call(context, authorization, 'GET', path)).text;

  /** Per step of the raw shared read, when timed: where its time goes. */
  const steps = { queries: [] as number[], confirm: [] as number[], audit: [] as number[] };
  let recordSteps = false;
  const step = async <T>(name: keyof typeof steps, task: () => Promise<T>) => {
    const { ms: elapsed, value } = await timed(task);
    if (recordSteps) steps[name].push(elapsed);
    return value;
  };
  /** What a shared read sends, straight with the DocumentClient, in the same order. */
  const rawShared = async (grantee: string) => {
    const index = INDEXES.grantee;
    const [grants] = await step('queries', () =>
      Promise.all([
        documentClient().send(
          new QueryCommand({
            TableName: table(),
            IndexName: index.name,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
            ExpressionAttributeValues: {
              ':pk': keys.grantsTo(grantee),
              ':prefix': keys.grantsToFromOwner(owner),
            },
          }),
        ),
        queryPartition(owner, twinId),
      ]),
    );
    const grantKeys = (grants.Items ?? []).map((grant) => keys.grant(owner, grant.id as string));
    await step('confirm', () =>
      documentClient().send(
        new BatchGetCommand({ RequestItems: { [table()]: { Keys: grantKeys, ConsistentRead: true } } }),
      ),
    );
    const at = new Date().toISOString();
    await step('audit', () =>
      documentClient().send(
        new PutCommand({
          TableName: table(),
          Item: eventItem(owner, {
            type: 'twin.accessed',
            recordedAt: at,
            twinId,
            grantee,
            actor: { sub: 'bench-raw', tenant: grantee },
            grantIds: [],
            action: 'read twin',
          }),
        }),
      ),
    );
  };

  // Once, untimed: the answers, their sizes and what they show.
  const answers = {
    owner: await get(admin, ownerPath)(),
    full: await get(viewers.full, sharedPath)(),
    subtree: await get(viewers.subtree, sharedPath)(),
  };
  const positions = Object.fromEntries(
    Object.entries(answers).map(([name, text]) => [
      name,
      pathsOf((JSON.parse(text) as { configuration?: TreeNode[] }).configuration).length,
    ]),
  ) as Record<keyof typeof answers, number>;
  const subtreePaths = pathsOf((JSON.parse(answers.subtree) as { configuration?: TreeNode[] }).configuration);
  const leaks = subtreePaths.filter((path) => path !== SUBTREE && !path.startsWith(`${SUBTREE}/`));
  const partition = await queryPartition(owner, twinId);

  const calls = {
    owner: await callsOf(context, get(admin, ownerPath)),
    full: await callsOf(context, get(viewers.full, sharedPath)),
    subtree: await callsOf(context, get(viewers.subtree, sharedPath)),
    rawShared: await callsOf(context, () => rawShared(grantees.full)),
  };

  console.log(
    `   twin: ${positions.owner} positions (${SYSTEMS} systems × ${PER_SYSTEM + 1}), partition ${partition.items} items in ${partition.pages} Query page(s); setup through the API (twin, 2 views, 2 grants) ${ms(setup.ms)} ms`,
  );
  console.log(
    `   answers: owner ${kb(Buffer.byteLength(answers.owner))}; shared, full view ${kb(Buffer.byteLength(answers.full))} (${positions.full} positions); shared, view of ${SUBTREE} ${kb(Buffer.byteLength(answers.subtree))} (${positions.subtree} positions${leaks.length > 0 ? `, ${leaks.length} OUTSIDE the view!` : ', none outside'})`,
  );
  console.log(
    `   ${options.warmup} warm-up + ${options.iterations} iterations of each, interleaved; ${load()}`,
  );
  const summaries = await interleaved(
    {
      raw: () => queryPartition(owner, twinId),
      rawShared: async () => {
        recordSteps = true;
        await rawShared(grantees.full);
        recordSteps = false;
      },
      owner: get(admin, ownerPath),
      full: get(viewers.full, sharedPath),
      subtree: get(viewers.subtree, sharedPath),
    },
    options.iterations,
    options.warmup,
  );
  printSummaries(
    {
      raw: 'raw partition Query',
      rawShared: 'raw shared-read requests',
      owner: 'GET /v1/twins/{id} (owner)',
      full: 'GET shared, full view',
      subtree: `GET shared, view of ${SUBTREE}`,
    },
    summaries,
  );
  // The projection alone, in process, on the owner's answer (what the shared read adds in CPU).
  const ownerTwin = JSON.parse(answers.owner) as unknown;
  const projection = { full: [] as number[], subtree: [] as number[], serialize: [] as number[] };
  for (let iteration = 0; iteration < options.warmup + options.iterations; iteration++) {
    const keep = iteration >= options.warmup;
    let start = performance.now();
    projectThroughView({ shape: 'twin', body: ownerTwin }, {});
    if (keep) projection.full.push(performance.now() - start);
    start = performance.now();
    projectThroughView({ shape: 'twin', body: ownerTwin }, { positions: [SUBTREE] });
    if (keep) projection.subtree.push(performance.now() - start);
    start = performance.now();
    JSON.stringify(ownerTwin);
    if (keep) projection.serialize.push(performance.now() - start);
  }
  const stepMs = Object.fromEntries(
    Object.entries({ ...steps, ...projection }).map(([name, series]) => [name, summarize(series).p50]),
  ) as Record<keyof typeof steps | keyof typeof projection, number>;
  console.log(
    `   where a shared read's time goes (p50): grants Query ‖ partition Query ${ms(stepMs.queries)} ms, then grants BatchGet ${ms(stepMs.confirm)} ms, then access-event Put ${ms(stepMs.audit)} ms (raw); projectThroughView in process: full view ${ms(stepMs.full)} ms, view of ${SUBTREE} ${ms(stepMs.subtree)} ms; JSON.stringify of the owner's answer ${ms(stepMs.serialize)} ms; ${load()}`,
  );
  const ratioOf = (shared: Summary, base: Summary) => ({
    p50: shared.p50 / base.p50,
    p99: shared.p99 / base.p99,
  });
  const ratio = {
    full: ratioOf(summaries.full, summaries.owner),
    subtree: ratioOf(summaries.subtree, summaries.owner),
  };
  const met = (r: { p50: number; p99: number }) => r.p50 <= RATIO_GOAL && r.p99 <= RATIO_GOAL;
  const verdict = (r: { p50: number; p99: number }) =>
    `p50 ×${r.p50.toFixed(2)}, p99 ×${r.p99.toFixed(2)} (goal ≤ ${RATIO_GOAL}: ${met(r) ? 'met' : 'NOT met'})`;
  console.log(`   shared (full view) / owner: ${verdict(ratio.full)}`);
  console.log(`   shared (view of ${SUBTREE}) / owner: ${verdict(ratio.subtree)}`);
  console.log(
    `   owner / raw partition Query p50 ×${(summaries.owner.p50 / summaries.raw.p50).toFixed(2)}; shared (full) / raw shared-read requests p50 ×${(summaries.full.p50 / summaries.rawShared.p50).toFixed(2)}`,
  );
  console.log(
    `   DynamoDB requests per GET: owner ${context.formatCalls(calls.owner)}; shared, full view ${context.formatCalls(calls.full)}; shared, view of ${SUBTREE} ${context.formatCalls(calls.subtree)}; raw shared read ${context.formatCalls(calls.rawShared)}`,
  );

  const rows: Row[] = [
    ['shared read 500 p50 / p99: owner GET', msPair(summaries.owner)],
    ['shared read 500 p50 / p99: shared, full view', msPair(summaries.full)],
    [`shared read 500 p50 / p99: shared, view of ${SUBTREE}`, msPair(summaries.subtree)],
    ['shared read 500 p50 / p99: raw partition Query', msPair(summaries.raw)],
    ['shared / owner (full view)', verdict(ratio.full)],
    [`shared / owner (view of ${SUBTREE})`, verdict(ratio.subtree)],
    [
      'shared read DynamoDB requests',
      `owner ${context.formatCalls(calls.owner)}; shared ${context.formatCalls(calls.full)}`,
    ],
  ];
  const results = {
    owner,
    positions,
    partition,
    responseBytes: Object.fromEntries(
      Object.entries(answers).map(([name, text]) => [name, Buffer.byteLength(text)]),
    ),
    outsideView: leaks.length,
    iterations: options.iterations,
    warmup: options.warmup,
    ms: summaries,
    ratio: { ...ratio, goal: RATIO_GOAL, met: { full: met(ratio.full), subtree: met(ratio.subtree) } },
    stepsP50Ms: stepMs,
    dynamodbCalls: calls,
  };
  return { rows, results };
}

// ---------------------------------------------------------------------------------------------------------
// 2. Installed base

/** A firmware version, varied: 2.0.0 … 2.3.2 for most units, 3.0.x for every tenth. */
const firmwareOf = (index: number) =>
  index % 10 === 9 ? `3.0.${index % 2}` : `2.${index % 4}.${Math.floor(index / 4) % 3}`;

/** A unit of 5–10 positions: frame, controller with its firmware, pump, 0–5 sensors. */
function unitBody(owner: number, index: number, product: string): CreateTwinBody {
  const serialNumber = `${product}-${owner}-${String(index).padStart(5, '0')}`;
  const sensors = index % 6;
  return {
    serialNumber,
    product: { partNumber: product },
    site: `SITE-${owner}-${index % 4}`,
    builtAt: BUILT_AT,
    attributes: {
      runHours: (index * 37) % 20_000,
      cycles: (index * 11) % 5_000,
      customerAsset: `ASSET-${owner}-${index}`,
      contractPrice: 1_000 + (index % 97),
    },
    configuration: [
      {
        position: 'frame',
        component: { partNumber: 'FRAME-1', serialNumber: `${serialNumber}-F`, kind: 'mechanical' },
      },
      {
        position: 'ctrl',
        component: { partNumber: 'CTRL-4', serialNumber: `${serialNumber}-C`, kind: 'electrical' },
        children: [
          {
            position: 'fw',
            component: { partNumber: FIRMWARE, kind: 'software', softwareVersion: firmwareOf(index) },
          },
        ],
      },
      {
        position: 'pump',
        component: {
          partNumber: 'PUMP-2',
          serialNumber: `${serialNumber}-P`,
          kind: 'mechanical',
          attributes: { ratedFlow: 120 },
        },
      },
      {
        position: 'sensors',
        children: Array.from({ length: sensors }, (_, sensor) => ({
          position: `s-${sensor}`,
          component: { partNumber: 'SENS-9', serialNumber: `${serialNumber}-S${sensor}`, kind: 'electrical' },
        })),
      },
    ],
  };
}

type InstalledBasePage = {
  items: {
    owner: string;
    twin: { id: string; attributes?: Record<string, unknown>; configuration?: TreeNode[] };
  }[];
  counts?: { byProduct: Record<string, number>; bySoftwareVersion: Record<string, Record<string, number>> };
  nextCursor?: string;
};

async function benchInstalledBase(context: BenchContext, options: SharingBenchOptions['installedBase']) {
  const { owners: ownerCount, unitsPerOwner, pageSize, concurrency } = options;
  const suffix = ulid().toLowerCase();
  const oem = `bench-oem-${suffix}`;
  const owners = Array.from({ length: ownerCount }, (_, index) => ({
    tenant: `bench-ib-owner-${index}-${suffix}`,
    product: PRODUCTS[index % PRODUCTS.length]!,
  }));
  const total = ownerCount * unitsPerOwner;

  // Units with the store, `concurrency` at a time, as POST /v1/twins writes them.
  const jobs = owners.flatMap((owner, ownerIndex) =>
    Array.from({ length: unitsPerOwner }, (_, index) => ({ owner, ownerIndex, index })),
  );
  let items = 0;
  const seeded = await timed(() =>
    pool(jobs, concurrency, async ({ owner, ownerIndex, index }) => {
      const body = unitBody(ownerIndex, index, owner.product);
      const now = new Date();
      const record = newTwinRecord(body, ulid(), now);
      const history = asBuiltHistory(
        record,
        flattenAsBuilt(body.configuration),
        { sub: 'bench', tenant: owner.tenant },
        ulid(),
      );
      items += asBuiltWrites(owner.tenant, history, 'active').length;
      await createTwin(owner.tenant, history, now);
    }),
  );
  console.log(
    `   seeded ${ownerCount} owners × ${unitsPerOwner} units (5–10 positions, one ${FIRMWARE} each) with the store, ${concurrency} at a time: ${total} twins, ${items} items in ${seconds(seeded.ms)} (${Math.round(total / (seeded.ms / 1000))} twins/s, ${Math.round(items / (seeded.ms / 1000))} items/s)`,
  );

  // Each owner: a view of software and two usage attributes, a paas grant of its product to the OEM.
  const setup = await timed(async () => {
    for (const owner of owners) {
      const admin = await devToken(context, owner.tenant, 'admin');
      const view = await postJson<{ id: string }>(context, admin, '/v1/views', {
        name: 'OEM installed base',
        kinds: ['software'],
        twinAttributes: ['runHours', 'cycles'],
        componentAttributes: [],
        history: false,
      });
      await postJson(context, admin, '/v1/grants', {
        grantee: oem,
        viewId: view.id,
        twins: { partNumber: owner.product },
        purpose: 'paas',
        permissions: ['read'],
      });
    }
  });
  const viewer = await devToken(context, oem, 'viewer');
  const pagePath = (cursor?: string) =>
    `/v1/installed-base?limit=${pageSize}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
  const page = async (cursor?: string) =>
    JSON.parse((await call(context, viewer, 'GET', pagePath(cursor))).text) as InstalledBasePage;

  // Once, untimed: the first page, then the pages up to the later one (its cursor kept).
  const first = await page();
  let cursor = first.nextCursor;
  for (let index = 2; index < options.laterPage && cursor !== undefined; index++)
    cursor = (await page(cursor)).nextCursor;
  if (cursor === undefined) throw new Error(`the installed base has fewer than ${options.laterPage} pages`);
  const laterCursor = cursor;
  const later = await page(laterCursor);

  const counts = first.counts;
  const counted = Object.values(counts?.byProduct ?? {}).reduce((sum, count) => sum + count, 0);
  const firmware = counts?.bySoftwareVersion[FIRMWARE] ?? {};
  const firmwareUnits = Object.values(firmware).reduce((sum, count) => sum + count, 0);
  const shown = first.items[0]?.twin;
  const shownPaths = pathsOf(shown?.configuration);
  const shownAttributes = Object.keys(shown?.attributes ?? {}).sort();
  console.log(
    `   grants: ${ownerCount} (paas, by product ${[...new Set(owners.map((owner) => owner.product))].join('/')}, view: kinds software, attributes runHours and cycles, no history), set up in ${ms(setup.ms)} ms`,
  );
  console.log(
    `   first page: ${first.items.length} units; counts: byProduct ${JSON.stringify(counts?.byProduct ?? {})} (${counted} of ${total}), ${FIRMWARE} in ${Object.keys(firmware).length} versions over ${firmwareUnits} units${firmwareUnits === 0 ? ' — EMPTY: no softwareSummary on the METAs?' : ''}`,
  );
  console.log(
    `   a unit as the OEM sees it: positions [${shownPaths.join(', ')}], attributes [${shownAttributes.join(', ')}]; page ${options.laterPage}: ${later.items.length} units`,
  );

  // The raw requests: a product-index page of 25 twins and their partitions; the counts' index reads.
  const owner0 = owners[0]!;
  const productQuery = (owner: { tenant: string; product: string }): QueryCommandInput => ({
    TableName: table(),
    IndexName: INDEXES.product.name,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': INDEXES.product.partitionKey, '#sk': INDEXES.product.sortKey },
    ExpressionAttributeValues: {
      ':pk': keys.twinsByProduct(owner.tenant, owner.product),
      ':prefix': keys.twinIndexSortPrefix(),
    },
  });
  const rawPage = async () => {
    const result = await documentClient().send(
      new QueryCommand({ ...productQuery(owner0), Limit: pageSize }),
    );
    await Promise.all((result.Items ?? []).map((item) => queryPartition(owner0.tenant, item.id as string)));
  };
  const rawCounts = () =>
    Promise.all(
      owners.map(async (owner) => {
        const query = productQuery(owner);
        let startKey: Record<string, unknown> | undefined;
        let read = 0;
        do {
          const result = await documentClient().send(
            new QueryCommand({
              ...query,
              ProjectionExpression: 'id, #site, product, softwareSummary',
              ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#site': 'site' },
              ExclusiveStartKey: startKey,
            }),
          );
          read += result.Items?.length ?? 0;
          startKey = result.LastEvaluatedKey;
        } while (startKey);
        return read;
      }),
    );
  const rawCountPages = await callsOf(context, rawCounts);

  const calls = {
    first: await callsOf(context, () => page()),
    later: await callsOf(context, () => page(laterCursor)),
    rawPage: await callsOf(context, rawPage),
    rawCounts: rawCountPages,
  };
  console.log(
    `   ${options.warmup} warm-up + ${options.iterations} iterations of each, interleaved; ${load()}`,
  );
  const summaries = await interleaved(
    {
      rawPage,
      rawCounts,
      rawFirst: async () => {
        await rawPage();
        await rawCounts();
      },
      first: () => page(),
      later: () => page(laterCursor),
    },
    options.iterations,
    options.warmup,
  );
  printSummaries(
    {
      rawPage: `raw: index Query ${pageSize} + ${pageSize} partitions`,
      rawCounts: `raw: counts' index reads (${ownerCount} owners)`,
      rawFirst: 'raw: page, then counts',
      first: 'GET installed-base, first page',
      later: `GET installed-base, page ${options.laterPage}`,
    },
    summaries,
  );
  console.log(
    `   first page / raw (page, then counts) p50 ×${(summaries.first.p50 / summaries.rawFirst.p50).toFixed(2)}; page ${options.laterPage} / raw page p50 ×${(summaries.later.p50 / summaries.rawPage.p50).toFixed(2)}`,
  );
  console.log(
    `   DynamoDB requests: first page ${context.formatCalls(calls.first)}; page ${options.laterPage} ${context.formatCalls(calls.later)}; raw page ${context.formatCalls(calls.rawPage)}; raw counts ${context.formatCalls(calls.rawCounts)}`,
  );

  const rows: Row[] = [
    [
      `installed base ${ownerCount}×${unitsPerOwner} first page p50 / p99`,
      `${msPair(summaries.first)}, ${context.formatCalls(calls.first)}`,
    ],
    [
      `installed base page ${options.laterPage} p50 / p99`,
      `${msPair(summaries.later)}, ${context.formatCalls(calls.later)}`,
    ],
    [
      'installed base raw p50: page / counts',
      `${ms(summaries.rawPage.p50)} / ${ms(summaries.rawCounts.p50)} ms (${calls.rawPage.total} / ${calls.rawCounts.total} requests)`,
    ],
    ['installed base seeding (createTwin)', `${total} twins in ${seconds(seeded.ms)}`],
  ];
  const results = {
    oem,
    owners: ownerCount,
    unitsPerOwner,
    pageSize,
    laterPage: options.laterPage,
    seeding: { twins: total, items, ms: seeded.ms, concurrency },
    counts,
    countedUnits: counted,
    firmwareUnits,
    shown: { positions: shownPaths, attributes: shownAttributes },
    iterations: options.iterations,
    warmup: options.warmup,
    ms: summaries,
    dynamodbCalls: calls,
  };
  return { rows, results };
}

export async function benchSharing(context: BenchContext, options: SharingBenchOptions) {
  console.log('   1. shared read vs owner read of one 500-position twin');
  const read = await benchSharedRead(context, options.read);
  const { owners, unitsPerOwner } = options.installedBase;
  console.log(`\n   2. installed base over ${owners} owners × ${unitsPerOwner} units`);
  const installedBase = await benchInstalledBase(context, options.installedBase);
  return {
    rows: [...read.rows, ...installedBase.rows],
    results: { read: read.results, installedBase: installedBase.results },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Alone: `npx tsx test/bench/sharing.ts [--quick]`

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const quick = process.argv.includes('--quick');
  const { startLocalStack } = await import('../../infra/local/stack');
  const { closeClients } = await import('../../shared/store/clients');
  const { callsSince, formatCalls, snapshot } = await import('./calls');
  const stack = await startLocalStack({ memory: true, port: 0 });
  try {
    console.log(`Sharing: views and grants${quick ? ' (--quick)' : ''}`);
    const { rows, results } = await benchSharing(
      { url: stack.url!, authorization: '', tenant: 'bench', snapshot, callsSince, formatCalls },
      quick ? SHARING_BENCH_QUICK : SHARING_BENCH,
    );
    const width = Math.max(...rows.map(([label]) => label.length));
    console.log('\nSummary');
    for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
    mkdirSync(join(process.cwd(), '.bench'), { recursive: true });
    writeFileSync(
      join(process.cwd(), '.bench', 'sharing.json'),
      `${JSON.stringify({ at: new Date().toISOString(), quick, ...results }, null, 2)}\n`,
    );
  } finally {
    await stack.stop();
    closeClients();
  }
}
