/**
 * `npm run bench` (`-- --quick` skips the 10,000-position create, the asOf-vs-fleet read and the
 * applicability over 10,000 units): starts the local stack in memory and prints how a twin read through
 * the gateway compares with the DynamoDB Query it needs, how many DynamoDB requests each request sends, how
 * a change set through the gateway compares with the TransactWriteItems it sends (`changes.ts`), how long a
 * 10,000-position create takes, what an `asOf` read of a twin with 20,000 installation records costs with 1
 * and 10 such twins in the table, how the thread of a twin with 200 linked documents and 50 bulletins
 * compares with the DynamoDB requests it needs, what a bulletin's applicability costs over 1,000 and
 * 10,000 units (`thread.ts`), what a search costs in 1,000 vs 10,000 twins with the same matches
 * (`search.ts`), and the bundle sizes. It asserts nothing; the numbers also go to
 * `.bench/results.json`.
 *
 * Everything runs in this process (gateway, handlers, embedded DynamoDB), so the absolute times are those
 * of dynalite on this machine, not of AWS; the ratios and request counts are what carry over.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import type { Calls } from './changes';
import { ms, type Summary, summarize, timed } from './stats';

// Before any function module is loaded: their logger reads the level when it is created.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// EMF metric lines (one per request) would drown the numbers.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const { startLocalStack } = await import('../../infra/local/stack');
const { toApiGatewayEvent } = await import('../../infra/local/gateway');
const { lambdaContext, loadFunction } = await import('../../infra/local/functions');
const { routes } = await import('../../shared/routes');
const { closeClients } = await import('../../shared/store/clients');
const { callsSince, formatCalls, snapshot } = await import('./calls');
const { loadTwin } = await import('../../shared/store/twin-store');
const { wideRecord } = await import('../support/fixtures');
const { BUNDLE_GOAL_BYTES, measureBundleSizes } = await import('./bundle-size');
const { benchAsOfFleet, benchChangeSets } = await import('./changes');
const { queryPartition } = await import('./partition');
const { benchApplicability, benchThread } = await import('./thread');
const { benchFleet, FLEET_BENCH, FLEET_BENCH_QUICK } = await import('./fleet');
const { benchIngest, INGEST_BENCH, INGEST_BENCH_QUICK } = await import('./ingest');
const { benchHistory, HISTORY_BENCH, HISTORY_BENCH_QUICK } = await import('./history');
const { benchSharing, SHARING_BENCH, SHARING_BENCH_QUICK } = await import('./sharing');
const { benchUsage, USAGE_BENCH, USAGE_BENCH_QUICK } = await import('./usage');
const { benchSearch, SEARCH_BENCH, SEARCH_BENCH_QUICK } = await import('./search');
const { benchTenantScope, TENANT_SCOPE_BENCH, TENANT_SCOPE_BENCH_QUICK } = await import('./tenant-scope');
const { benchInstalledBase, INSTALLED_BASE_BENCH, INSTALLED_BASE_BENCH_QUICK } = await import(
  './installed-base'
);
const { benchConformance, CONFORMANCE_BENCH, CONFORMANCE_BENCH_QUICK } = await import('./conformance');
const { benchCompliance, COMPLIANCE_BENCH, COMPLIANCE_BENCH_QUICK } = await import('./compliance');

const QUICK = process.argv.includes('--quick');
const TENANT = 'bench';
const ITERATIONS = 200;
const WARMUP = 20;
const GET_POSITIONS = 500;
const POST_SAMPLES = 5;
const LARGE_POSITIONS = 10_000;
const CHANGE_SET = { positions: 50, iterations: 100, warmup: 10 };
const AS_OF_FLEET = { positions: 1_000, intervalsPerPosition: 20, twins: 10, iterations: 30, warmup: 3 };
const THREAD = {
  serializedPositions: 99,
  partNumbers: 10,
  links: { twin: 50, position: 75, component: 75 },
  iterations: 50,
  warmup: 5,
};
const APPLICABILITY = {
  units: 1_000,
  matching: 100,
  extraUnits: 9_000,
  iterations: 20,
  warmup: 10,
  concurrency: 4,
};
const RATIO_GOAL = 1.25;
/** Lambda's response payload limit (and API Gateway's request limit). */
const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** The functions' timeout (API Gateway's integration timeout is 30 s). */
const FUNCTION_TIMEOUT_MS = 29_000;

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

const stack = await startLocalStack({ memory: true, port: 0 });
const url = stack.url!;

try {
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
  console.log(
    `twinthread bench: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGB} GB, node ${machine.node}, ${machine.platform}${QUICK ? ', --quick' : ''}`,
  );

  const tokenResponse = await fetch(`${url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: TENANT, roles: ['admin'] }),
  });
  const { token } = (await tokenResponse.json()) as { token: string };
  const authorization = `Bearer ${token}`;

  const postTwin = async (serial: string, positions: number) => {
    const body = JSON.stringify(wideRecord(serial, positions));
    const response = await fetch(`${url}/v1/twins`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    return { status: response.status, text, requestBytes: Buffer.byteLength(body) };
  };

  const getTwin = async (id: string) => {
    const response = await fetch(`${url}/v1/twins/${id}`, { headers: { authorization } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET /v1/twins/${id}: ${response.status} ${text}`);
    return text.length;
  };

  const rawQuery = (id: string) => queryPartition(TENANT, id);

  /** The twins handler called as the Lambda runtime would, without HTTP: gateway and fetch left out. */
  const getRoute = routes.find((route) => route.operationId === 'getTwin')!;
  const invokeGet = async (id: string) => {
    const path = `/v1/twins/${id}`;
    const request = {
      method: 'GET',
      httpVersion: '1.1',
      headers: { host: new URL(url).host, authorization },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const event = toApiGatewayEvent(request, new URL(path, url), Buffer.alloc(0), getRoute, { id }, 'bench');
    const handler = await loadFunction('twins');
    const result = await handler(event, lambdaContext('twins', 'bench'), {
      signal: new AbortController().signal,
    });
    if (result.statusCode !== 200) throw new Error(`handler GET ${path}: ${result.statusCode}`);
    return result.body?.length ?? 0;
  };

  // --- 1. GET of a 500-position twin vs its raw Query -----------------------------------------------------
  const firstPost = await timed(() => postTwin('BENCH-GET-500', GET_POSITIONS));
  if (firstPost.value.status !== 201)
    throw new Error(`POST: ${firstPost.value.status} ${firstPost.value.text}`);
  const twinId = (JSON.parse(firstPost.value.text) as { id: string }).id;

  type SeriesName = 'rawQuery' | 'loadTwin' | 'handler' | 'gateway';
  const series: Record<SeriesName, () => Promise<unknown>> = {
    rawQuery: () => rawQuery(twinId),
    loadTwin: () => loadTwin(TENANT, twinId),
    handler: () => invokeGet(twinId),
    gateway: () => getTwin(twinId),
  };
  const names = Object.keys(series) as SeriesName[];
  const samples: Record<SeriesName, number[]> = { rawQuery: [], loadTwin: [], handler: [], gateway: [] };
  console.log(
    `\n1. GET of a ${GET_POSITIONS}-position twin: ${WARMUP} warm-up + ${ITERATIONS} iterations of each, interleaved`,
  );
  for (let iteration = 0; iteration < WARMUP + ITERATIONS; iteration++) {
    // The order rotates, so that none of them always runs right after the same other one.
    for (let offset = 0; offset < names.length; offset++) {
      const name = names[(iteration + offset) % names.length]!;
      const { ms: elapsed } = await timed(series[name]);
      if (iteration >= WARMUP) samples[name].push(elapsed);
    }
  }
  const get: Record<SeriesName, Summary> = {
    rawQuery: summarize(samples.rawQuery),
    loadTwin: summarize(samples.loadTwin),
    handler: summarize(samples.handler),
    gateway: summarize(samples.gateway),
  };
  const ratio = { p50: get.gateway.p50 / get.rawQuery.p50, p99: get.gateway.p99 / get.rawQuery.p99 };
  const ratioMet = ratio.p50 <= RATIO_GOAL && ratio.p99 <= RATIO_GOAL;
  const partition = await rawQuery(twinId);
  const getBytes = await getTwin(twinId);
  const labels: Record<SeriesName, string> = {
    rawQuery: 'raw Query (documentClient)',
    loadTwin: 'store loadTwin',
    handler: 'handler, no HTTP',
    gateway: 'GET via gateway (fetch)',
  };
  console.log(
    `   partition: ${partition.items} items in ${partition.pages} page(s), response ${kb(getBytes)}`,
  );
  console.log(
    `   ${'ms'.padEnd(28)}${['p50', 'p90', 'p99', 'max', 'mean'].map((h) => h.padStart(8)).join('')}`,
  );
  for (const name of names) {
    const s = get[name];
    console.log(
      `   ${labels[name].padEnd(28)}${[s.p50, s.p90, s.p99, s.max, s.mean].map((v) => ms(v).padStart(8)).join('')}`,
    );
  }
  console.log(
    `   gateway / raw Query: p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)} (goal ≤ ${RATIO_GOAL}): ${ratioMet ? 'met' : 'NOT met'}`,
  );

  // --- 2. DynamoDB requests per API request --------------------------------------------------------------
  console.log('\n2. DynamoDB requests per API request');
  let before = snapshot();
  await getTwin(twinId);
  const getCalls = callsSince(before);
  console.log(
    `   GET twin (${GET_POSITIONS} positions): ${formatCalls(getCalls)}; Query pages needed: ${partition.pages}`,
  );

  const postTimes: number[] = [];
  let postCalls: Calls | undefined;
  for (let sample = 0; sample < POST_SAMPLES; sample++) {
    before = snapshot();
    const post = await timed(() => postTwin(`BENCH-POST-500-${sample}`, GET_POSITIONS));
    if (post.value.status !== 201) throw new Error(`POST: ${post.value.status} ${post.value.text}`);
    postTimes.push(post.ms);
    postCalls ??= callsSince(before);
  }
  const post = summarize(postTimes);
  console.log(`   POST twin (${GET_POSITIONS} positions): ${formatCalls(postCalls!)}`);
  console.log(
    `   POST twin time: first (cold) ${ms(firstPost.ms)} ms, then p50 ${ms(post.p50)} ms / max ${ms(post.max)} ms over ${POST_SAMPLES}`,
  );

  // --- 3. A change set through the gateway vs its raw TransactWriteItems -----------------------------------
  console.log('\n3. Change set of 5 operations via the gateway vs the TransactWriteItems it sends');
  const benchContext = { url, authorization, tenant: TENANT, snapshot, callsSince, formatCalls };
  const changes = await benchChangeSets(benchContext, CHANGE_SET);

  // --- 4. A 10,000-position twin -------------------------------------------------------------------------
  let large:
    | {
        positions: number;
        requestBytes: number;
        status: number;
        createMs: number;
        createCalls: Calls;
        transactWriteItems: number;
        problem?: string;
        get?: { ms: number; status: number; bytes: number; queryPages: number; calls: Calls; items: number };
      }
    | undefined;
  if (QUICK) {
    console.log(`\n4. ${LARGE_POSITIONS}-position twin: skipped (--quick)`);
  } else {
    console.log(`\n4. ${LARGE_POSITIONS}-position twin (every position with a serialized component)`);
    before = snapshot();
    const created = await timed(() => postTwin('BENCH-10K', LARGE_POSITIONS));
    const createCalls = callsSince(before);
    const { status, text, requestBytes } = created.value;
    large = {
      positions: LARGE_POSITIONS,
      requestBytes,
      status,
      createMs: created.ms,
      createCalls,
      transactWriteItems: createCalls.byCommand.TransactWriteItems ?? 0,
      ...(status === 201 ? {} : { problem: text.slice(0, 500) }),
    };
    console.log(
      `   create: ${status} in ${ms(created.ms)} ms (request ${kb(requestBytes)}); ${large.transactWriteItems} transactions; requests ${formatCalls(createCalls)}`,
    );
    if (created.ms > FUNCTION_TIMEOUT_MS) {
      console.log(`   !! longer than the ${FUNCTION_TIMEOUT_MS / 1000} s function timeout`);
    }
    if (status === 201) {
      const id = (JSON.parse(text) as { id: string }).id;
      before = snapshot();
      const response = await timed(async () => {
        const res = await fetch(`${url}/v1/twins/${id}`, { headers: { authorization } });
        return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
      });
      const calls = callsSince(before);
      const raw = await rawQuery(id);
      large.get = {
        ms: response.ms,
        status: response.value.status,
        bytes: response.value.bytes,
        queryPages: calls.byCommand.Query ?? 0,
        calls,
        items: raw.items,
      };
      console.log(
        `   GET: ${response.value.status} in ${ms(response.ms)} ms, ${large.get.queryPages} Query pages (partition ${raw.items} items, ${raw.pages} pages), response ${kb(response.value.bytes)}`,
      );
      if (response.value.bytes > LAMBDA_PAYLOAD_BYTES) {
        console.log(`   !! response larger than Lambda's ${kb(LAMBDA_PAYLOAD_BYTES)} payload limit`);
      }
    } else {
      console.log(`   problem: ${large.problem}`);
    }
  }

  // --- 5. asOf read cost vs history and vs fleet size ------------------------------------------------------
  const asOfTitle = `5. GET ?asOf= of a twin with ${AS_OF_FLEET.positions} positions and ${AS_OF_FLEET.positions * AS_OF_FLEET.intervalsPerPosition} installation records, 1 vs ${AS_OF_FLEET.twins} such twins`;
  let asOfFleet: Awaited<ReturnType<typeof benchAsOfFleet>> | undefined;
  if (QUICK) {
    console.log(`\n${asOfTitle}: skipped (--quick)`);
  } else {
    console.log(`\n${asOfTitle}`);
    asOfFleet = await benchAsOfFleet(benchContext, AS_OF_FLEET);
  }

  // --- 6. The thread of a twin vs the DynamoDB requests it needs -------------------------------------------
  console.log(
    `\n6. GET /v1/twins/{id}/thread of a twin with ${THREAD.links.twin + THREAD.links.position + THREAD.links.component} linked documents and 50 applicable bulletins vs the DynamoDB requests it needs`,
  );
  const thread = await benchThread(benchContext, THREAD);

  // --- 7. Reverse applicability of a bulletin vs fleet size -------------------------------------------------
  const applicabilityTitle = `7. GET /v1/documents/{id}/applicability of one bulletin, ${APPLICABILITY.units} vs ${APPLICABILITY.units + APPLICABILITY.extraUnits} units, ${APPLICABILITY.matching} matching`;
  let applicability: Awaited<ReturnType<typeof benchApplicability>> | undefined;
  if (QUICK) {
    console.log(`\n${applicabilityTitle}: skipped (--quick)`);
  } else {
    console.log(`\n${applicabilityTitle}`);
    applicability = await benchApplicability(benchContext, APPLICABILITY);
  }

  // --- Ingest: observations per second through the handler vs raw BatchWriteItem ----------------------------
  console.log(
    '\nIngest: POST /v1/ingest of 1,000 observations of 100 twins, report and apply, vs raw BatchWriteItem',
  );
  const ingest = await benchIngest(benchContext, QUICK ? INGEST_BENCH_QUICK : INGEST_BENCH);

  // --- Fleet: impact over 10,000 vs 100,000 units, the same 5,000 matching --------------------------------
  console.log(
    '\nFleet: OTA impact and first page, fleet of 10,000 vs 100,000 units, the same 5,000 matching',
  );
  const fleet = await benchFleet(benchContext, QUICK ? FLEET_BENCH_QUICK : FLEET_BENCH);

  console.log('\nHistory growth: 200-position twins with 1,000 vs 10,000 change sets');
  const history = await benchHistory(benchContext, QUICK ? HISTORY_BENCH_QUICK : HISTORY_BENCH);

  console.log('\nSharing: shared vs owner read of a 500-position twin; installed base, 5 owners');
  const sharing = await benchSharing(benchContext, QUICK ? SHARING_BENCH_QUICK : SHARING_BENCH);

  console.log(
    '\nUsage and life: a serial with 20 stays over 10,000 vs 100,000 records; fleet life over 10,000 parts',
  );
  const usage = await benchUsage(benchContext, QUICK ? USAGE_BENCH_QUICK : USAGE_BENCH);
  const searchOptions = QUICK ? SEARCH_BENCH_QUICK : SEARCH_BENCH;
  console.log(
    `\nSearch: GET /v1/search in ${searchOptions.small} vs ${searchOptions.large} twins, the same ${searchOptions.matching} matching`,
  );
  const search = await benchSearch(benchContext, searchOptions);
  console.log('\nTenant-scoped credentials: what the scope and its cached client add to a request');
  const tenantScope = await benchTenantScope(QUICK ? TENANT_SCOPE_BENCH_QUICK : TENANT_SCOPE_BENCH);
  console.log(
    '\nInstalled base: OEM impact over 5 owners × 2,000 vs 5 owners × 20,000 units, the same 500 matching',
  );
  const installedBase = await benchInstalledBase(
    benchContext,
    QUICK ? INSTALLED_BASE_BENCH_QUICK : INSTALLED_BASE_BENCH,
  );
  console.log(
    '\nConformance: change set with a 500-position/100-rule model vs none; red units of 1,000 vs 10,000',
  );
  const conformance = await benchConformance(
    benchContext,
    QUICK ? CONFORMANCE_BENCH_QUICK : CONFORMANCE_BENCH,
  );

  console.log('\nCompliance: fleet counts of a bulletin applicable to 100 vs 1,000 units');
  const compliance = await benchCompliance(benchContext, QUICK ? COMPLIANCE_BENCH_QUICK : COMPLIANCE_BENCH);

  // --- 8. Bundle sizes (last: esbuild would disturb the timings) ------------------------------------------
  console.log(`\n8. Bundle sizes (minified, goal ≤ ${kb(BUNDLE_GOAL_BYTES)} each)`);
  const bundles = (await measureBundleSizes()).map((size) => ({
    ...size,
    withinGoal: size.bytes <= BUNDLE_GOAL_BYTES,
  }));
  for (const bundle of bundles) {
    console.log(
      `   ${bundle.function.padEnd(10)}${kb(bundle.bytes).padStart(10)} (map ${kb(bundle.mapBytes)}) ${bundle.withinGoal ? 'within' : 'OVER'}`,
    );
  }

  // --- Summary ------------------------------------------------------------------------------------------
  const rows: [string, string][] = [
    [`GET ${GET_POSITIONS} p50 / p99: raw Query`, `${ms(get.rawQuery.p50)} / ${ms(get.rawQuery.p99)} ms`],
    [`GET ${GET_POSITIONS} p50 / p99: loadTwin`, `${ms(get.loadTwin.p50)} / ${ms(get.loadTwin.p99)} ms`],
    [`GET ${GET_POSITIONS} p50 / p99: handler`, `${ms(get.handler.p50)} / ${ms(get.handler.p99)} ms`],
    [`GET ${GET_POSITIONS} p50 / p99: gateway`, `${ms(get.gateway.p50)} / ${ms(get.gateway.p99)} ms`],
    [
      'gateway / raw Query',
      `p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)} (≤ ${RATIO_GOAL}: ${ratioMet ? 'met' : 'NOT met'})`,
    ],
    [`GET ${GET_POSITIONS} DynamoDB requests`, `${formatCalls(getCalls)}, pages ${partition.pages}`],
    [`POST ${GET_POSITIONS} DynamoDB requests`, formatCalls(postCalls!)],
    [`POST ${GET_POSITIONS} time p50`, `${ms(post.p50)} ms`],
    ...changes.rows,
    ...(large
      ? ([
          [
            `create ${LARGE_POSITIONS}`,
            `${large.status} in ${ms(large.createMs)} ms, ${large.transactWriteItems} transactions`,
          ],
          ...(large.get
            ? ([
                [
                  `GET ${LARGE_POSITIONS}`,
                  `${large.get.status} in ${ms(large.get.ms)} ms, ${large.get.queryPages} Query pages, ${kb(large.get.bytes)}`,
                ],
              ] as [string, string][])
            : []),
        ] as [string, string][])
      : ([[`create ${LARGE_POSITIONS}`, 'skipped (--quick)']] as [string, string][])),
    ...(asOfFleet
      ? asOfFleet.rows
      : ([['GET asOf vs fleet size', 'skipped (--quick)']] as [string, string][])),
    ...thread.rows,
    ...(applicability
      ? applicability.rows
      : ([['applicability vs fleet size', 'skipped (--quick)']] as [string, string][])),
    ...ingest.rows,
    ...fleet.rows,
    ...sharing.rows,
    ...installedBase.rows,
    ...history.rows,
    ...tenantScope.rows,
    ...usage.rows,
    ...conformance.rows,
    ...compliance.rows,
    ...bundles.map((bundle): [string, string] => [
      `bundle ${bundle.function}`,
      `${kb(bundle.bytes)} (${bundle.withinGoal ? 'within' : 'OVER'} ${kb(BUNDLE_GOAL_BYTES)})`,
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nSummary (${machine.cpus} CPUs, node ${machine.node})`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);

  const results = {
    at: new Date().toISOString(),
    machine,
    quick: QUICK,
    get: {
      positions: GET_POSITIONS,
      iterations: ITERATIONS,
      warmup: WARMUP,
      partitionItems: partition.items,
      queryPages: partition.pages,
      responseBytes: getBytes,
      ms: get,
      ratio: { ...ratio, goal: RATIO_GOAL, met: ratioMet },
    },
    dynamodbCalls: { get: getCalls, post: postCalls },
    post: { positions: GET_POSITIONS, coldMs: firstPost.ms, ms: post },
    large: large ?? null,
    changeSet: changes.results,
    asOfFleet: asOfFleet?.results ?? null,
    thread: thread.results,
    applicability: applicability?.results ?? null,
    ingest: ingest.results,
    fleet: fleet.results,
    sharing: sharing.results,
    search,
    tenantScope: tenantScope.results,
    installedBase: installedBase.results,
    history: history.results,
    usage: usage.results,
    conformance: conformance.results,
    compliance: compliance.results,
    bundles: bundles.map((bundle) => ({ ...bundle, goalBytes: BUNDLE_GOAL_BYTES })),
  };
  const outDir = join(process.cwd(), '.bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWritten to ${join('.bench', 'results.json')}`);
} finally {
  await stack.stop();
  closeClients();
}
