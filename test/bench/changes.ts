/**
 * Benchmarks of `npm run bench` for change sets and bitemporal reads (called from `run.ts`, which has
 * started the local stack and holds a dev token):
 *
 * - `benchChangeSets`: a change set of 5 operations POSTed through the gateway, against the
 *   TransactWriteItems it sends, re-sent directly with `documentClient()` against a second, identically
 *   prepared twin (so that every condition of the transaction holds there too).
 * - `benchAsOfFleet`: GET `?asOf=` of a twin of 1,000 positions and 20,000 installation records, once
 *   alone in the table and once among 10 such twins.
 *
 * Nothing here changes product behaviour: the only hook is a wrapper around `documentClient().send` that
 * keeps a reference to each TransactWriteCommand input while a change set is being timed, removed after.
 */

import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import type { InstallationRecord } from '../../shared/domain/configuration';
import type { Component } from '../../shared/schemas/twin';
import { documentClient } from '../../shared/store/clients';
import { installationItem } from '../../shared/store/items';
import { wideRecord } from '../support/fixtures';
import { queryPartition } from './partition';
import { ms, printSummaries, type Summary, summarize, timed } from './stats';

export type Calls = { total: number; byCommand: Record<string, number> };

export interface BenchContext {
  url: string;
  authorization: string;
  tenant: string;
  snapshot: () => Calls;
  callsSince: (before: Calls) => Calls;
  formatCalls: (calls: Calls) => string;
}

export type Row = [string, string];

/** Issue 13: a change set reads only what it checks, then sends one transaction: at most twice that transaction. */
const RATIO_GOAL = 2;
const FLEET_RATIO_GOAL = 1.2;

const table = () => config.tableName();

const msPair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} ms`;

async function postJson(context: BenchContext, path: string, body: unknown, ifMatch?: string) {
  const response = await fetch(`${context.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: context.authorization,
      'content-type': 'application/json',
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, etag: response.headers.get('etag') };
}

async function createTwin(context: BenchContext, body: unknown): Promise<{ id: string; createdAt: string }> {
  const created = await postJson(context, '/v1/twins', body);
  if (created.status !== 201)
    throw new Error(`POST /v1/twins: ${created.status} ${created.text.slice(0, 500)}`);
  return JSON.parse(created.text) as { id: string; createdAt: string };
}

/** A deep copy of `value` with every string passed through `rewrite`. */
function rewriteStrings<T>(value: T, rewrite: (text: string) => string): T {
  if (typeof value === 'string') return rewrite(value) as T;
  if (Array.isArray(value)) return value.map((entry) => rewriteStrings(entry, rewrite)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, rewriteStrings(entry, rewrite)]),
    ) as T;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// 1. A change set of 5 operations: gateway vs the raw TransactWriteItems it sends

export interface ChangeSetOptions {
  iterations: number;
  warmup: number;
  positions: number;
}

export async function benchChangeSets(context: BenchContext, options: ChangeSetOptions) {
  const { tenant } = context;
  const { iterations, warmup, positions } = options;
  // Same lengths, so that the re-sent transactions are the same size as the captured ones.
  const serialA = 'BENCH-CS-A';
  const serialB = 'BENCH-CS-B';
  // The same as-built time: it is in the keys of the as-built intervals and stays the transactions close.
  const builtAt = '2024-01-01T00:00:00.000Z';
  const twinA = await createTwin(context, { ...wideRecord(serialA, positions), builtAt });
  const twinB = await createTwin(context, { ...wideRecord(serialB, positions), builtAt });
  const startPartition = await queryPartition(tenant, twinA.id);

  /** 2 replace + 3 update, on 5 positions that move along the twin from one change set to the next. */
  const changeSetBody = (index: number) => {
    const at = (offset: number) => `p-${(index * 5 + offset) % positions}`;
    return {
      reason: `bench change set ${index}`,
      operations: [
        ...[0, 1].map((offset) => ({
          op: 'replace',
          position: at(offset),
          component: {
            partNumber: 'SERVO',
            serialNumber: `${serialA}-R${index}-${offset}`,
            kind: 'mechanical',
          },
        })),
        ...[2, 3, 4].map((offset) => ({
          op: 'update',
          position: at(offset),
          softwareVersion: `2.${index}.${offset}`,
        })),
      ],
    };
  };

  // While a change set is timed, keep what each TransactWriteCommand it sends was given.
  const client = documentClient();
  const originalSend = client.send;
  const ownSend = Object.hasOwn(client, 'send');
  let capturing = false;
  const captured: TransactWriteCommandInput[] = [];
  const wrappedSend = function (this: unknown, command: unknown, ...rest: unknown[]) {
    if (capturing && command instanceof TransactWriteCommand) captured.push(command.input);
    return (originalSend as (...args: unknown[]) => unknown).call(client, command, ...rest);
  };
  client.send = wrappedSend as typeof client.send;

  /** A captured transaction, made to apply to twin B: its id, its components, fresh event and change-set ids. */
  const forTwinB = (input: TransactWriteCommandInput): TransactWriteCommandInput => {
    const replacements = new Map<string, string>([[twinA.id, twinB.id]]);
    for (const entry of input.TransactItems ?? []) {
      const item = entry.Put?.Item;
      if (item?.entity === 'event' && typeof item.SK === 'string') {
        replacements.set(item.SK.slice('EVT#'.length), ulid());
        if (typeof item.changeSetId === 'string') replacements.set(item.changeSetId, ulid());
      }
    }
    return rewriteStrings(input, (text) => {
      const exact = replacements.get(text);
      if (exact !== undefined) return exact;
      let out = text;
      for (const [from, to] of replacements) if (out.includes(from)) out = out.split(from).join(to);
      return out.includes(serialA) ? out.split(serialA).join(serialB) : out;
    });
  };

  let version = 1;
  let sent = 0;
  const pending: TransactWriteCommandInput[] = [];
  const callsSeen = new Map<string, number>();
  let changeCalls: Calls | undefined;
  let transactItems = 0;

  /** One change set through the gateway; its transaction is queued for twin B. */
  const gatewayChange = async () => {
    const body = changeSetBody(sent++);
    const before = context.snapshot();
    captured.length = 0;
    capturing = true;
    const result = await timed(() =>
      postJson(context, `/v1/twins/${twinA.id}/changes`, body, `"${version}"`),
    );
    capturing = false;
    const calls = context.callsSince(before);
    if (result.value.status !== 200)
      throw new Error(`POST changes: ${result.value.status} ${result.value.text.slice(0, 500)}`);
    version = Number(JSON.parse(result.value.etag ?? 'null'));
    if (captured.length !== 1) throw new Error(`expected 1 TransactWriteItems, captured ${captured.length}`);
    transactItems = captured[0]!.TransactItems?.length ?? 0;
    pending.push(forTwinB(captured[0]!));
    const shape = context.formatCalls(calls);
    callsSeen.set(shape, (callsSeen.get(shape) ?? 0) + 1);
    changeCalls ??= calls;
    return result.ms;
  };

  /** The oldest queued transaction, sent directly to twin B (B follows A's versions one change behind). */
  const rawTransact = async () => {
    const input = pending.shift();
    if (!input) throw new Error('no captured transaction to re-send');
    return (await timed(() => client.send(new TransactWriteCommand(input)))).ms;
  };

  /** The Query the handler sends before planning, on twin B's partition (same size as A's): for context. */
  const rawQuery = async () => (await timed(() => queryPartition(tenant, twinB.id))).ms;

  type SeriesName = 'gateway' | 'transact' | 'query';
  const series: Record<SeriesName, () => Promise<number>> = {
    gateway: gatewayChange,
    transact: rawTransact,
    query: rawQuery,
  };
  const samples: Record<SeriesName, number[]> = { gateway: [], transact: [], query: [] };
  console.log(
    `   twins of ${positions} positions; each change set: 2 replace + 3 update of serialized components; ${warmup} warm-up + ${iterations} iterations, interleaved`,
  );
  try {
    // One change set ahead, so that the raw series always has a transaction to re-send, whatever the order.
    await gatewayChange();
    for (let iteration = 0; iteration < warmup + iterations; iteration++) {
      const order: SeriesName[] =
        iteration % 3 === 0
          ? ['gateway', 'transact', 'query']
          : iteration % 3 === 1
            ? ['transact', 'query', 'gateway']
            : ['query', 'gateway', 'transact'];
      for (const name of order) {
        const elapsed = await series[name]();
        if (iteration >= warmup) samples[name].push(elapsed);
      }
    }
    while (pending.length > 0) await rawTransact();
  } finally {
    capturing = false;
    // Without an own property, the prototype's send is used again.
    if (ownSend) client.send = originalSend;
    else delete (client as { send?: unknown }).send;
  }

  const summaries: Record<SeriesName, Summary> = {
    gateway: summarize(samples.gateway),
    transact: summarize(samples.transact),
    query: summarize(samples.query),
  };
  const ratio = {
    p50: summaries.gateway.p50 / summaries.transact.p50,
    p99: summaries.gateway.p99 / summaries.transact.p99,
  };
  const ratioMet = ratio.p50 <= RATIO_GOAL && ratio.p99 <= RATIO_GOAL;
  const floor = summaries.query.p50 + summaries.transact.p50;
  const endPartition = await queryPartition(tenant, twinA.id);
  const twinBPartition = await queryPartition(tenant, twinB.id);
  if (twinBPartition.items !== endPartition.items) {
    console.log(`   !! twin B has ${twinBPartition.items} items, twin A ${endPartition.items}`);
  }

  printSummaries(
    {
      gateway: 'POST changes via gateway',
      transact: 'raw TransactWriteItems',
      query: 'raw Query (for context)',
    },
    summaries,
  );
  console.log(
    `   gateway / raw TransactWriteItems: p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)} (goal ≤ ${RATIO_GOAL}): ${ratioMet ? 'met' : 'NOT met'}`,
  );
  console.log(
    `   gateway p50 / (raw Query p50 + raw TransactWriteItems p50): ×${(summaries.gateway.p50 / floor).toFixed(2)}`,
  );
  console.log(`   transaction: ${transactItems} entries; DynamoDB requests per change set:`);
  for (const [shape, count] of callsSeen) console.log(`     ${shape}: ${count} of ${sent} change sets`);
  console.log(
    `   twin partition grew from ${startPartition.items} to ${endPartition.items} items over ${sent} change sets (${endPartition.pages} Query page(s))`,
  );

  const rows: Row[] = [
    ['change set (5 ops) p50 / p99: gateway', msPair(summaries.gateway)],
    ['change set p50 / p99: raw TransactWriteItems', msPair(summaries.transact)],
    [
      'change set gateway / raw transaction',
      `p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)} (≤ ${RATIO_GOAL}: ${ratioMet ? 'met' : 'NOT met'})`,
    ],
    [
      'change set DynamoDB requests',
      `${context.formatCalls(changeCalls!)}, ${transactItems} transaction entries`,
    ],
  ];
  const results = {
    positions,
    operations: '2 replace + 3 update',
    iterations,
    warmup,
    changeSets: sent,
    transactionEntries: transactItems,
    partitionItems: { start: startPartition.items, end: endPartition.items, pages: endPartition.pages },
    ms: summaries,
    ratio: { ...ratio, goal: RATIO_GOAL, met: ratioMet },
    gatewayOverQueryPlusTransactP50: summaries.gateway.p50 / floor,
    dynamodbCalls: changeCalls,
    dynamodbCallShapes: Object.fromEntries(callsSeen),
  };
  return { rows, results };
}

// ---------------------------------------------------------------------------------------------------------
// 2. asOf read cost vs history and vs fleet size

export interface FleetOptions {
  positions: number;
  /** Installation intervals per position: the as-built one, then one per software update. */
  intervalsPerPosition: number;
  twins: number;
  iterations: number;
  warmup: number;
}

const HISTORY_START = Date.parse('2020-01-01T00:00:00.000Z');
const HISTORY_STEP_MS = 7 * 24 * 3600 * 1000;
const BATCH_SIZE = 25;
const PARALLEL_BATCHES = 4;

/**
 * Interval `k` of position `p`: from the as-built time (k = 0) then one week apart, position `p` changing
 * `p` seconds into its week; every interval closed by the next but the last. Valid times are back-dated,
 * record times follow the twin's creation: each change was recorded after the one before it.
 */
function installationHistory(
  serialNumber: string,
  createdAt: string,
  positions: number,
  intervals: number,
): InstallationRecord[] {
  const builtAt = new Date(HISTORY_START).toISOString();
  const validFrom = (k: number, p: number) =>
    k === 0 ? builtAt : new Date(HISTORY_START + k * HISTORY_STEP_MS + p * 1000).toISOString();
  const recordedAt = (k: number) => new Date(Date.parse(createdAt) + k).toISOString();
  const records: InstallationRecord[] = [];
  for (let p = 0; p < positions; p++) {
    const asBuilt: Component = {
      partNumber: 'SERVO',
      serialNumber: `${serialNumber}-S${p}`,
      kind: 'mechanical',
    };
    for (let k = 0; k < intervals; k++) {
      const last = k === intervals - 1;
      records.push({
        path: `p-${p}`,
        validFrom: validFrom(k, p),
        validTo: last ? null : validFrom(k + 1, p),
        recordedAt: recordedAt(k),
        ...(last ? {} : { closedAt: recordedAt(k + 1) }),
        seq: k + 1,
        component: k === 0 ? asBuilt : { ...asBuilt, softwareVersion: `1.${k}.0` },
        since: builtAt,
      });
    }
  }
  return records;
}

async function batchWrite(items: Record<string, unknown>[]): Promise<number> {
  let requests = 0;
  const batches: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += BATCH_SIZE)
    batches.push(items.slice(start, start + BATCH_SIZE));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      let requestItems: NonNullable<BatchWriteCommandInput['RequestItems']> = {
        [table()]: batch.map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; Object.keys(requestItems).length > 0; attempt++) {
        if (attempt > 10) throw new Error('BatchWrite: items left unprocessed');
        requests++;
        const result = await documentClient().send(new BatchWriteCommand({ RequestItems: requestItems }));
        requestItems = result.UnprocessedItems ?? {};
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_BATCHES }, worker));
  return requests;
}

/** A twin created through the API (1 META, positions, as-built installations, guards), then its history. */
async function buildHistoryTwin(context: BenchContext, serialNumber: string, options: FleetOptions) {
  const start = performance.now();
  const created = await createTwin(context, {
    ...wideRecord(serialNumber, options.positions),
    builtAt: new Date(HISTORY_START).toISOString(),
  });
  const createMs = performance.now() - start;
  const history = installationHistory(
    serialNumber,
    created.createdAt,
    options.positions,
    options.intervalsPerPosition,
  );
  // Interval 0 of each position has the key of the as-built installation: it is rewritten, closed.
  const requests = await batchWrite(
    history.map((record) => installationItem(context.tenant, created.id, record)),
  );
  return {
    id: created.id,
    createMs,
    historyMs: performance.now() - start - createMs,
    batchRequests: requests,
    installations: history.length,
    closed: history.filter((record) => record.validTo !== null).length,
  };
}

export async function benchAsOfFleet(context: BenchContext, options: FleetOptions) {
  const { positions, intervalsPerPosition, twins, iterations, warmup } = options;
  // Mid-history: every position in its interval number intervals / 2.
  const middle = Math.floor(intervalsPerPosition / 2);
  const asOf = new Date(HISTORY_START + middle * HISTORY_STEP_MS + HISTORY_STEP_MS / 2).toISOString();
  const expectedVersion = `1.${middle}.0`;
  const path = (id: string) => `/v1/twins/${id}?asOf=${encodeURIComponent(asOf)}`;

  const read = async (id: string) => {
    const response = await fetch(`${context.url}${path(id)}`, {
      headers: { authorization: context.authorization },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path(id)}: ${response.status} ${text.slice(0, 300)}`);
    return text;
  };

  /** Once, untimed: the read answers the mid-history configuration, in how many Query pages. */
  const check = async (id: string) => {
    const before = context.snapshot();
    const text = await read(id);
    const calls = context.callsSince(before);
    const twin = JSON.parse(text) as { configuration: { component: Component | null }[] };
    const right = twin.configuration.filter(
      (node) => node.component?.softwareVersion === expectedVersion,
    ).length;
    if (twin.configuration.length !== positions || right !== positions) {
      throw new Error(
        `GET asOf: ${twin.configuration.length} positions, ${right} with software ${expectedVersion}; expected ${positions}`,
      );
    }
    return { pages: calls.byCommand.Query ?? 0, calls, bytes: Buffer.byteLength(text) };
  };

  /** GET asOf, interleaved with the raw Query of the same partition (for context: the DynamoDB part alone). */
  const measure = async (id: string) => {
    const get: number[] = [];
    const query: number[] = [];
    for (let i = 0; i < warmup + iterations; i++) {
      const pair = [
        async () => get.push((await timed(() => read(id))).ms),
        async () => query.push((await timed(() => queryPartition(context.tenant, id))).ms),
      ];
      if (i % 2 === 1) pair.reverse();
      for (const step of pair) await step();
    }
    const heapMB = process.memoryUsage().heapUsed / 1024 ** 2;
    return { get: summarize(get.slice(warmup)), query: summarize(query.slice(warmup)), heapMB };
  };

  const setupStart = performance.now();
  const first = await buildHistoryTwin(context, 'BENCH-ASOF-00', options);
  const firstSetupMs = performance.now() - setupStart;
  const partition = await queryPartition(context.tenant, first.id);
  console.log(
    `   twin 1: ${positions} positions, ${first.installations} installation records (${first.closed} closed, ${first.installations - first.closed} open), partition ${partition.items} items in ${partition.pages} Query page(s)`,
  );
  console.log(
    `   setup: create via API ${ms(first.createMs)} ms + history ${ms(first.historyMs)} ms (${first.batchRequests} BatchWriteItem)`,
  );
  const shape = await check(first.id);
  console.log(
    `   GET ?asOf=${asOf}: ${shape.pages} Query page(s) per read, response ${(shape.bytes / 1024).toFixed(1)} KB; ${warmup} warm-up + ${iterations} reads`,
  );
  const aloneRun = await measure(first.id);
  const alone = aloneRun.get;

  const fleetStart = performance.now();
  const extra = [];
  for (let index = 1; index < twins; index++) {
    const twin = await buildHistoryTwin(context, `BENCH-ASOF-${String(index).padStart(2, '0')}`, options);
    extra.push(twin);
  }
  const fleetSetupMs = performance.now() - fleetStart;
  const extraInstallations = extra.reduce((sum, twin) => sum + twin.installations, 0);
  console.log(
    `   added ${extra.length} twins of the same shape (${positions} positions, ${extra[0]?.installations ?? 0} installation records each; ${extraInstallations} in all) in ${(fleetSetupMs / 1000).toFixed(1)} s`,
  );
  const shapeFleet = await check(first.id);
  const fleetRun = await measure(first.id);
  const fleet = fleetRun.get;
  const ratio = { p50: fleet.p50 / alone.p50, p99: fleet.p99 / alone.p99 };
  const queryRatio = {
    p50: fleetRun.query.p50 / aloneRun.query.p50,
    p99: fleetRun.query.p99 / aloneRun.query.p99,
  };
  const ratioMet = ratio.p50 <= FLEET_RATIO_GOAL && ratio.p99 <= FLEET_RATIO_GOAL;

  printSummaries(
    {
      alone: 'GET asOf, 1 twin in table',
      fleet: `GET asOf, ${twins} twins in table`,
      queryAlone: 'raw Query, 1 twin in table',
      queryFleet: `raw Query, ${twins} twins in table`,
    },
    { alone, fleet, queryAlone: aloneRun.query, queryFleet: fleetRun.query },
  );
  console.log(
    `   ${twins} twins / 1 twin: p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)} (goal ≤ ${FLEET_RATIO_GOAL}): ${ratioMet ? 'met' : 'NOT met'}; Query pages per read ${shape.pages} → ${shapeFleet.pages}`,
  );
  console.log(
    `   raw Query ${twins} twins / 1 twin: p50 ×${queryRatio.p50.toFixed(2)}, p99 ×${queryRatio.p99.toFixed(2)}; this process's heap ${aloneRun.heapMB.toFixed(0)} → ${fleetRun.heapMB.toFixed(0)} MB (the embedded DynamoDB lives in it)`,
  );

  const built = `${positions} pos, ${positions * intervalsPerPosition} inst`;
  const rows: Row[] = [
    [`GET asOf (${built}) p50 / p99: 1 twin`, `${msPair(alone)}, ${shape.pages} Query pages`],
    [`GET asOf p50 / p99: ${twins} twins`, `${msPair(fleet)}, ${shapeFleet.pages} Query pages`],
    [
      `GET asOf ${twins} twins / 1 twin`,
      `p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)} (≤ ${FLEET_RATIO_GOAL}: ${ratioMet ? 'met' : 'NOT met'})`,
    ],
    [
      'GET asOf setup',
      `1 twin ${(firstSetupMs / 1000).toFixed(1)} s, ${extra.length} more ${(fleetSetupMs / 1000).toFixed(1)} s`,
    ],
  ];
  const results = {
    positions,
    installationsPerTwin: first.installations,
    closedPerTwin: first.closed,
    twins,
    asOf,
    iterations,
    warmup,
    partitionItems: partition.items,
    queryPages: { alone: shape.pages, fleet: shapeFleet.pages },
    responseBytes: shape.bytes,
    ms: { alone, fleet, rawQueryAlone: aloneRun.query, rawQueryFleet: fleetRun.query },
    ratio: { ...ratio, goal: FLEET_RATIO_GOAL, met: ratioMet },
    rawQueryRatio: queryRatio,
    heapMB: { alone: aloneRun.heapMB, fleet: fleetRun.heapMB },
    setupMs: {
      first: { total: firstSetupMs, create: first.createMs, history: first.historyMs },
      extraTwins: fleetSetupMs,
      perExtraTwin: extra.map((twin) => ({ create: twin.createMs, history: twin.historyMs })),
    },
  };
  return { rows, results };
}
