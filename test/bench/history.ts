/**
 * Benchmark of `npm run bench` for history growth (issue 13: "a twin never gets slower with age"): two
 * 200-position twins with the same current configuration, one with 1,000 change sets in its history and
 * one with 10,000, and the requests a planner, a crew, a grantee and an OEM send, timed through the
 * gateway with the DynamoDB items each one reads (counted by the SDK middleware of `clients.ts`).
 *
 * The history is seeded as the store wrote it before current items existed (change sets and intervals,
 * written with BatchWriteItem), with the timeline entries each change set writes today (`TL#`, what time
 * travel replays from a checkpoint): the first request on each twin brings it to the current layout, and
 * that first request is left out of the timings, as is the first `asOf` read (warm-up), which replays
 * from the as-built record's checkpoint and leaves one every 64 change sets.
 *
 * Alone: `npx tsx test/bench/history.ts [--quick]` (`--quick`: 100 vs 1,000 change sets).
 */

import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { BatchWriteCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import type { InstallationRecord } from '../../shared/domain/configuration';
import type { TimelineMark } from '../../shared/domain/records';
import type { Component } from '../../shared/schemas/twin';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { changeSetItem, inspectionItem, installationItem } from '../../shared/store/items';
import { keys } from '../../shared/store/keys';
import { forgetAllTwins } from '../../shared/store/planning-cache';
import { timelineWrites } from '../../shared/store/timeline-store';
import { wideRecord } from '../support/fixtures';
import type { BenchContext, Row } from './changes';
import { ms, type Summary, summarize, timed } from './stats';

export interface HistoryBenchOptions {
  positions: number;
  /** Change sets in the history of the short-lived and of the long-lived twin. */
  lengths: [number, number];
  iterations: number;
  warmup: number;
}

export const HISTORY_BENCH: HistoryBenchOptions = {
  positions: 200,
  lengths: [1_000, 10_000],
  iterations: 30,
  warmup: 5,
};
export const HISTORY_BENCH_QUICK: HistoryBenchOptions = {
  positions: 200,
  lengths: [100, 1_000],
  iterations: 15,
  warmup: 3,
};

const RATIO_GOAL = 1.2;
const BUILT_AT = Date.parse('2020-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const table = () => config.tableName();
const at = (minutes: number) => new Date(BUILT_AT + minutes * MINUTE).toISOString();

async function devToken(url: string, tenant: string, roles: string[]): Promise<string> {
  const response = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, roles, sub: 'bench-history' }),
  });
  if (response.status !== 200) throw new Error(`POST /dev/token: ${response.status}`);
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

async function call(
  url: string,
  authorization: string,
  method: string,
  path: string,
  body?: unknown,
  ifMatch?: string,
  prefer?: string,
) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
      ...(prefer === undefined ? {} : { prefer }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 600)}`);
  return { text, etag: response.headers.get('etag') };
}

async function batchWrite(items: Record<string, unknown>[], concurrency = 8) {
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) chunks.push(items.slice(start, start + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let requests = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
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

/**
 * `changeSets - 1` change sets after the as-built record, as the old store wrote them: each updates one
 * attribute of one position (position i mod 200), so that each splits one installation interval; and
 * one inspection every 10 change sets (of position p-<n>, the n-th inspection; every other one finds
 * the position empty), as the old store wrote them too (no last judgements).
 */
async function seedHistory(tenant: string, twinId: string, changeSets: number): Promise<void> {
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :inst)',
      ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId), ':inst': 'INST#' },
    }),
  );
  const open = new Map<string, InstallationRecord>();
  for (const item of Items) {
    open.set(item.path as string, {
      path: item.path as string,
      validFrom: item.validFrom as string,
      validTo: null,
      recordedAt: item.recordedAt as string,
      seq: item.seq as number,
      component: item.component as Component,
      since: item.since as string,
    });
  }
  const paths = [...open.keys()].sort();
  const items: Record<string, unknown>[] = [];
  const actor = { sub: 'bench-history', tenant };
  let mark: TimelineMark | undefined;
  for (let seq = 2; seq <= changeSets; seq++) {
    const path = paths[seq % paths.length]!;
    const time = at(seq);
    const before = open.get(path)!;
    items.push(installationItem(tenant, twinId, { ...before, validTo: time, closedAt: time }));
    const attributes = { reading: seq };
    const next: InstallationRecord = {
      path,
      validFrom: time,
      validTo: null,
      recordedAt: time,
      seq,
      component: { ...before.component, attributes },
      since: before.since,
    };
    open.set(path, next);
    const timeline = timelineWrites(
      tenant,
      twinId,
      { seq, closeInstallations: [{ ...before, validTo: time, closedAt: time }], openInstallations: [next] },
      mark,
      time,
    );
    mark = timeline.mark;
    items.push(...timeline.writes.map((write) => write.entry.Put!.Item as Record<string, unknown>));
    items.push(
      changeSetItem(tenant, twinId, {
        id: ulid(),
        seq,
        reason: 'telematics',
        effectiveAt: time,
        recordedAt: time,
        actor,
        operations: [{ op: 'update', position: path, attributes }],
        paths: [path],
      }),
    );
  }
  for (let seq = 10; seq <= changeSets; seq += 10) {
    const inspected = `p-${(seq / 10) % paths.length}`;
    const empty = (seq / 10) % 2 === 1;
    items.push(
      inspectionItem(tenant, twinId, {
        id: ulid(),
        performedAt: at(seq),
        recordedAt: at(seq),
        inspector: 'bench',
        observed: [{ path: inspected, ...(empty ? { serialNumber: null } : {}) }],
        actor,
        discrepancies: empty ? [{ path: inspected, kind: 'missing', expected: null, observed: null }] : [],
      }),
    );
  }
  // The open intervals last, so that they overwrite the as-built ones of the same key.
  for (const installation of open.values()) items.push(installationItem(tenant, twinId, installation));
  const closed = new Map(items.map((item) => [`${item.SK}`, item]));
  await batchWrite([...closed.values()]);
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.twinMeta(tenant, twinId),
      // as the old writer left META: no layout mark, so the first request migrates the twin
      UpdateExpression:
        'SET version = :version, updatedAt = :now, timeline = :timeline REMOVE layout, nextOrder, positionCount',
      ExpressionAttributeValues: { ':version': changeSets, ':now': at(changeSets), ':timeline': mark },
    }),
  );
}

type SeriesName =
  | 'getNow'
  | 'changeSet'
  | 'changeSetMinimal'
  | 'changeSetMinimalRead'
  | 'history'
  | 'workPackage'
  | 'thread'
  | 'shared'
  | 'installedBase'
  | 'asOf';

const LABELS: Record<SeriesName, string> = {
  getNow: 'GET twin (now)',
  changeSet: 'POST change set (answer: the twin)',
  changeSetMinimal: 'POST change set (return=minimal)',
  changeSetMinimalRead: '  the same, read fresh (cold)',
  history: 'GET history?limit=25',
  workPackage: 'GET work-package?position=',
  thread: 'GET thread (first page)',
  shared: 'GET shared twin (grantee)',
  installedBase: 'GET installed-base?limit=25',
  asOf: 'GET twin ?asOf= mid-life',
};

const PAGED: SeriesName[] = [
  'getNow',
  'changeSet',
  'changeSetMinimal',
  'changeSetMinimalRead',
  'history',
  'workPackage',
  'thread',
  'shared',
  'installedBase',
];

interface Measured {
  changeSets: number;
  /** The TransactWriteItems a minimal change set sends, timed inside the same requests. */
  transact: Summary;
  /** The same for the minimal change sets planned on a fresh read. */
  transactRead: Summary;
  ms: Record<SeriesName, Summary>;
  itemsRead: Record<SeriesName, number>;
  requests: Record<SeriesName, number>;
  /** DynamoDB round trips: requests sent while none was in flight (parallel ones count once). */
  roundTrips: Record<SeriesName, number>;
}

async function measureTwin(
  context: BenchContext,
  options: HistoryBenchOptions,
  changeSets: number,
  index: number,
): Promise<Measured> {
  const { url, tenant } = context;
  const owner = context.authorization;
  const grantee = `bench-history-oem-${index}-${ulid().toLowerCase()}`;
  const created = JSON.parse(
    (
      await call(url, owner, 'POST', '/v1/twins', {
        ...wideRecord(`BENCH-HIST-${changeSets}-${index}`, options.positions),
        product: { partNumber: `HIST-${index}` },
        oem: grantee,
        builtAt: at(0),
      })
    ).text,
  ) as { id: string };
  const twinId = created.id;
  const seeded = await timed(() => seedHistory(tenant, twinId, changeSets));
  const view = JSON.parse((await call(url, owner, 'POST', '/v1/views', { name: 'all' })).text) as {
    id: string;
  };
  await call(url, owner, 'POST', '/v1/grants', {
    grantee,
    viewId: view.id,
    twins: { ids: [twinId] },
    purpose: 'paas',
    permissions: ['read'],
  });
  const oem = await devToken(url, grantee, ['viewer']);
  let version = changeSets;
  // The first read brings the twin written by the old layout to the current one (left out of the timings).
  const migrated = await timed(() => call(url, owner, 'GET', `/v1/twins/${twinId}`));
  console.log(
    `   ${changeSets} change sets: seeded in ${ms(seeded.ms)} ms, first read ${ms(migrated.ms)} ms`,
  );
  let changeIndex = 0;
  let measuredTransact = 0;
  const change = async (prefer?: string) => {
    const position = `p-${changeIndex++ % options.positions}`;
    const result = await call(
      url,
      owner,
      'POST',
      `/v1/twins/${twinId}/changes`,
      { reason: 'bench', operations: [{ op: 'update', position, attributes: { bench: changeIndex } }] },
      `"${version}"`,
      prefer,
    );
    version = Number(JSON.parse(result.etag ?? 'null'));
  };
  // The raw floor of a change set: the TransactWriteItems it sends, timed where the store sends it.
  const client = documentClient();
  const originalSend = client.send;
  const ownSend = Object.hasOwn(client, 'send');
  let transactMs: number[] = [];
  client.send = async function (this: unknown, command: unknown, ...rest: unknown[]) {
    const started = performance.now();
    try {
      return await (originalSend as (...args: unknown[]) => Promise<unknown>).call(client, command, ...rest);
    } finally {
      if (command instanceof TransactWriteCommand) transactMs.push(performance.now() - started);
    }
  } as typeof client.send;
  const minimalChange = async (before?: () => void) => {
    before?.();
    transactMs = [];
    await change('return=minimal');
    if (transactMs.length !== 1) throw new Error(`expected 1 TransactWriteItems, saw ${transactMs.length}`);
    measuredTransact = transactMs[0]!;
  };
  const transactSamples: Record<string, number[]> = { changeSetMinimal: [], changeSetMinimalRead: [] };
  const series: Record<SeriesName, () => Promise<unknown>> = {
    getNow: () => call(url, owner, 'GET', `/v1/twins/${twinId}`),
    changeSet: () => change(),
    changeSetMinimal: () => minimalChange(),
    // as the first change of the twin in a process (or after another process changed it): read fresh
    changeSetMinimalRead: () => minimalChange(forgetAllTwins),
    history: () => call(url, owner, 'GET', `/v1/twins/${twinId}/history?limit=25`),
    workPackage: () => call(url, owner, 'GET', `/v1/twins/${twinId}/work-package?position=p-7`),
    thread: () => call(url, owner, 'GET', `/v1/twins/${twinId}/thread`),
    shared: () => call(url, oem, 'GET', `/v1/shared/twins/${tenant}/${twinId}`),
    installedBase: () => call(url, oem, 'GET', '/v1/installed-base?limit=25'),
    asOf: () => call(url, owner, 'GET', `/v1/twins/${twinId}?asOf=${encodeURIComponent(at(changeSets / 2))}`),
  };
  const names = Object.keys(series) as SeriesName[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    SeriesName,
    number[]
  >;
  const itemsRead = {} as Record<SeriesName, number>;
  const requests = {} as Record<SeriesName, number>;
  const roundTrips = {} as Record<SeriesName, number>;
  try {
    for (let iteration = 0; iteration < options.warmup + options.iterations; iteration++) {
      for (let offset = 0; offset < names.length; offset++) {
        const name = names[(iteration + offset) % names.length]!;
        const items = dynamodbCalls.itemsRead;
        const count = dynamodbCalls.count;
        const trips = dynamodbCalls.roundTrips;
        const { ms: elapsed } = await timed(series[name]);
        if (iteration >= options.warmup) {
          samples[name].push(elapsed);
          transactSamples[name]?.push(measuredTransact);
        }
        itemsRead[name] = dynamodbCalls.itemsRead - items;
        requests[name] = dynamodbCalls.count - count;
        roundTrips[name] = dynamodbCalls.roundTrips - trips;
      }
    }
  } finally {
    // Without an own property, the prototype's send is used again.
    if (ownSend) client.send = originalSend;
    else delete (client as { send?: unknown }).send;
  }
  return {
    changeSets,
    transact: summarize(transactSamples.changeSetMinimal!),
    transactRead: summarize(transactSamples.changeSetMinimalRead!),
    ms: Object.fromEntries(names.map((name) => [name, summarize(samples[name])])) as Record<
      SeriesName,
      Summary
    >,
    itemsRead,
    requests,
    roundTrips,
  };
}

const load = () =>
  `load average ${os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')} on ${os.cpus().length} CPUs`;

export async function benchHistory(context: BenchContext, options: HistoryBenchOptions) {
  const [short, long] = options.lengths;
  const small = await measureTwin(context, options, short, 0);
  const large = await measureTwin(context, options, long, 1);
  const header = `   ${'p50 ms, items read (requests/round trips)'.padEnd(34)}${`${short} CS`.padStart(22)}${`${long} CS`.padStart(22)}${'×'.padStart(8)}`;
  console.log(header);
  const rows: Row[] = [];
  const ratios: Record<string, number> = {};
  for (const name of Object.keys(LABELS) as SeriesName[]) {
    const ratio = large.ms[name].p50 / small.ms[name].p50;
    ratios[name] = ratio;
    const cell = (measured: Measured) =>
      `${ms(measured.ms[name].p50)} ms, ${measured.itemsRead[name]} (${measured.requests[name]}/${measured.roundTrips[name]})`;
    console.log(
      `   ${LABELS[name].padEnd(34)}${cell(small).padStart(22)}${cell(large).padStart(22)}${`×${ratio.toFixed(2)}`.padStart(8)}`,
    );
    rows.push([
      `history ${short}→${long}: ${LABELS[name]}`,
      `p50 ${ms(small.ms[name].p50)} → ${ms(large.ms[name].p50)} ms (×${ratio.toFixed(2)}), items ${small.itemsRead[name]} → ${large.itemsRead[name]}`,
    ]);
  }
  const met = PAGED.every((name) => (ratios[name] ?? Number.POSITIVE_INFINITY) <= RATIO_GOAL);
  const transactRatios: Record<string, number[]> = {};
  for (const [series, label, transactOf] of [
    ['changeSetMinimal', 'planned on what the process knows', (measured: Measured) => measured.transact],
    ['changeSetMinimalRead', 'read fresh (cold)', (measured: Measured) => measured.transactRead],
  ] as const) {
    const ratiosOf = [small, large].map((measured) => measured.ms[series].p50 / transactOf(measured).p50);
    transactRatios[series] = ratiosOf;
    console.log(
      `   change set (return=minimal, ${label}) vs the TransactWriteItems it sends, p50: ${[small, large]
        .map(
          (measured, index) =>
            `${measured.changeSets} CS ${ms(measured.ms[series].p50)} vs ${ms(transactOf(measured).p50)} ms (×${ratiosOf[index]!.toFixed(2)})`,
        )
        .join(
          '; ',
        )} (goal ≤ 2); ${large.itemsRead[series]} items read, ${large.requests[series]} DynamoDB requests in ${large.roundTrips[series]} round trips (the transaction included)`,
    );
    rows.push([
      `history ${short}→${long}: change set (return=minimal, ${label}) / its TransactWriteItems, p50`,
      `${ratiosOf.map((ratio) => `×${ratio.toFixed(2)}`).join(' → ')}, ${large.itemsRead[series]} items, ${large.roundTrips[series]} round trips`,
    ]);
  }
  const asOfVsNow = large.ms.asOf.p50 / large.ms.getNow.p50;
  console.log(
    `   p50 ratio ≤ ${RATIO_GOAL} for every request but asOf: ${met ? 'met' : 'NOT met'}; asOf / GET now at ${long}: ×${asOfVsNow.toFixed(2)} (stretch ≤ 3); ${load()}`,
  );
  rows.push([`history ${short}→${long}: ratio ≤ ${RATIO_GOAL}`, met ? 'met' : 'NOT met']);
  return {
    rows,
    results: { options, small, large, ratios, met, asOfVsNow, transactRatios, load: os.loadavg() },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Alone: `npx tsx test/bench/history.ts [--quick]`

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // as run.ts: no metrics lines on stdout inside the timings
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const quick = process.argv.includes('--quick');
  const { startLocalStack } = await import('../../infra/local/stack');
  const { closeClients } = await import('../../shared/store/clients');
  const { benchChangeSets } = await import('./changes');
  const { callsSince, formatCalls, snapshot } = await import('./calls');
  const stack = await startLocalStack({ memory: true, port: 0 });
  try {
    const url = stack.url!;
    const authorization = await devToken(url, 'bench', ['admin']);
    const context = { url, authorization, tenant: 'bench', snapshot, callsSince, formatCalls };
    console.log('Change set of 5 operations via the gateway vs the TransactWriteItems it sends');
    await benchChangeSets(context, { positions: 50, iterations: quick ? 30 : 100, warmup: 10 });
    console.log(`\nHistory growth${quick ? ' (--quick)' : ''}`);
    await benchHistory(context, quick ? HISTORY_BENCH_QUICK : HISTORY_BENCH);
  } finally {
    await stack.stop();
    closeClients();
  }
}
