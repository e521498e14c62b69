/**
 * Benchmarks of `npm run bench` for the digital thread (called from `run.ts`, which has started the local
 * stack; each part mints its own dev token for a tenant of its own, so the other parts' twins and
 * documents stay out of its indexes):
 *
 * - `benchThread`: GET /v1/twins/{id}/thread of a twin of 100 positions with 200 linked documents and 50
 *   applicable bulletins, against the DynamoDB requests it needs, sent directly with `documentClient()`
 *   in the order and with the parallelism of the handler (`threadOf`): the twin partition Query; then,
 *   together, the BatchGet of the serialized components' records and one product-index Query per distinct
 *   part number; then the BatchGet of the linked documents' METAs (100 keys per request, one after the
 *   other, as `batchGetItems` sends them).
 * - `benchApplicability`: GET /v1/documents/{id}/applicability of one bulletin over 1,000 units, then over
 *   10,000 (9,000 more that do not match), the same units matching. The units are written with the store
 *   (`createTwin`), not through the API: 10,000 creates through the gateway would take too long here.
 */

import { createHash } from 'node:crypto';
import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { semverRangeBounds } from '../../shared/domain/versions';
import type { AsBuiltNode, CreateTwinBody } from '../../shared/schemas/twin';
import { asBuiltWrites } from '../../shared/store/as-built-writes';
import { documentClient } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';
import { INDEXES } from '../../shared/store/table';
import { createTwin } from '../../shared/store/twin-store';
import type { BenchContext, Calls, Row } from './changes';
import { ms, printSummaries, type Summary, summarize, timed } from './stats';

const table = () => config.tableName();

const msPair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} ms`;
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;

/** `task` over every item, at most `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** A context for a tenant of its own: a dev token for it, with the admin role. */
async function tenantContext(context: BenchContext, tenant: string): Promise<BenchContext> {
  const response = await fetch(`${context.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, roles: ['admin'] }),
  });
  if (response.status !== 200)
    throw new Error(`POST /dev/token: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  return { ...context, tenant, authorization: `Bearer ${token}` };
}

async function call(context: BenchContext, method: string, path: string, body?: unknown) {
  const response = await fetch(`${context.url}${path}`, {
    method,
    headers: {
      authorization: context.authorization,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text };
}

async function mustCall(context: BenchContext, method: string, path: string, body?: unknown, expected = 200) {
  const result = await call(context, method, path, body);
  if (result.status !== expected)
    throw new Error(`${method} ${path}: ${result.status} ${result.text.slice(0, 500)}`);
  return JSON.parse(result.text) as Record<string, unknown>;
}

const CONTENT = Buffer.from('%PDF-1.4 twinthread bench document');
const SHA256 = createHash('sha256').update(CONTENT).digest('hex');

interface Effectivity {
  partNumber: string;
  softwareVersions?: string;
  serialNumbers?: { from: string; to: string };
}

async function newDocument(context: BenchContext, kind: string, title: string, effectivity?: Effectivity) {
  const created = await mustCall(
    context,
    'POST',
    '/v1/documents',
    {
      kind,
      title,
      contentType: 'application/pdf',
      size: CONTENT.length,
      sha256: SHA256,
      ...(effectivity ? { effectivity } : {}),
    },
    201,
  );
  return (created.document as { id: string }).id;
}

/** Every item of a Query, page after page, sent directly. */
async function rawQueryAll(input: QueryCommandInput) {
  let items = 0;
  let pages = 0;
  const found: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    pages++;
    items += page.Items?.length ?? 0;
    found.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { items, pages, found };
}

/** A BatchGet of these keys, 100 per request one after the other, sent directly (as `batchGetItems`). */
async function rawBatchGet(itemKeys: readonly Record<string, string>[]) {
  let items = 0;
  let requests = 0;
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < itemKeys.length; start += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [table()]: { Keys: itemKeys.slice(start, start + 100) },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      requests++;
      const page = result.Responses?.[table()] ?? [];
      items += page.length;
      found.push(...page);
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return { items, requests, found };
}

function countShape(shapes: Map<string, number>, shape: string) {
  shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
}

// ---------------------------------------------------------------------------------------------------------
// 1. The thread of a twin with 200 linked documents and 50 applicable bulletins

export interface ThreadOptions {
  /** Positions with a serialized component (part numbers `PN-0` … `PN-{partNumbers-1}`, round robin). */
  serializedPositions: number;
  partNumbers: number;
  links: { twin: number; position: number; component: number };
  iterations: number;
  warmup: number;
}

const SOFTWARE_PART = 'CELL-SW';
const SOFTWARE_VERSION = '2.1.0';

export async function benchThread(parent: BenchContext, options: ThreadOptions) {
  const context = await tenantContext(parent, 'bench-thread');
  const { tenant } = context;
  const { serializedPositions, partNumbers, links, iterations, warmup } = options;
  const partOf = (index: number) => `PN-${index % partNumbers}`;
  const serialOf = (index: number) => `THR-${index}`;
  const positionsOf = (partNumber: number) =>
    Array.from({ length: serializedPositions }, (_, index) => index).filter(
      (index) => index % partNumbers === partNumber,
    );

  // The twin: serialized positions p-0 … p-98 and one software position (through the API).
  const setupStart = performance.now();
  const body: CreateTwinBody = {
    serialNumber: 'BENCH-THREAD-1',
    product: { partNumber: 'LINE-CELL' },
    site: 'LINE-1',
    configuration: [
      ...Array.from(
        { length: serializedPositions },
        (_, index): AsBuiltNode => ({
          position: `p-${index}`,
          component: { partNumber: partOf(index), serialNumber: serialOf(index), kind: 'mechanical' },
        }),
      ),
      {
        position: 'sw',
        component: { partNumber: SOFTWARE_PART, kind: 'software', softwareVersion: SOFTWARE_VERSION },
      },
    ],
  };
  const twinId = (await mustCall(context, 'POST', '/v1/twins', body, 201)).id as string;

  // Linked documents: to the twin, to positions, to serialized components.
  const linkBodies: { kind: string; title: string; link: Record<string, unknown> }[] = [
    ...Array.from({ length: links.twin }, (_, index) => ({
      kind: 'manual',
      title: `Manual ${index}`,
      link: {},
    })),
    ...Array.from({ length: links.position }, (_, index) => ({
      kind: 'job-plan',
      title: `Job plan ${index}`,
      link: { position: `p-${index % serializedPositions}` },
    })),
    ...Array.from({ length: links.component }, (_, index) => {
      const at = (index * 7) % serializedPositions;
      return {
        kind: 'inspection-report',
        title: `Report ${index}`,
        link: { component: { partNumber: partOf(at), serialNumber: serialOf(at) } },
      };
    }),
  ];
  const linked = await pool(linkBodies, 4, async ({ kind, title, link }) => {
    const documentId = await newDocument(context, kind, title);
    await mustCall(context, 'POST', `/v1/twins/${twinId}/links`, { documentId, ...link }, 201);
    return { documentId, component: 'component' in link };
  });

  // Bulletins by effectivity: 50 that apply to what the twin carries, 30 that do not.
  const applicable: Effectivity[] = [
    // by part number alone: every position of that part number (9 or 10 each)
    ...Array.from({ length: 30 }, (_, index) => ({ partNumber: partOf(index) })),
    // by part number and serial range: 3 positions each
    ...Array.from({ length: 10 }, (_, index) => {
      const first = index % partNumbers;
      return {
        partNumber: partOf(first),
        serialNumbers: { from: serialOf(first), to: serialOf(first + 2 * partNumbers) },
      };
    }),
    // by software range: the software position
    ...[
      '>=2.0.0 <2.4.0',
      '^2.0.0',
      '>=2.1.0',
      '2.1.x',
      '~2.1.0',
      '>=1.0.0',
      '<3.0.0',
      '2.x',
      '*',
      '2.1.0',
    ].map((softwareVersions) => ({ partNumber: SOFTWARE_PART, softwareVersions })),
  ];
  const notApplicable: Effectivity[] = [
    // same part numbers (read as candidates), other serials
    ...Array.from({ length: 10 }, (_, index) => ({
      partNumber: partOf(index),
      serialNumbers: { from: 'THR-500', to: 'THR-600' },
    })),
    // same software part number (read as candidates), other versions
    ...Array.from({ length: 10 }, (_, index) => ({
      partNumber: SOFTWARE_PART,
      softwareVersions: `>=${3 + index}.0.0`,
    })),
    // part numbers the twin does not carry (not read)
    ...Array.from({ length: 10 }, (_, index) => ({ partNumber: `PN-OTHER-${index}` })),
  ];
  const bulletins = await pool([...applicable, ...notApplicable], 4, (effectivity) =>
    newDocument(context, 'service-bulletin', `SB ${effectivity.partNumber}`, effectivity),
  );
  const applicableIds = new Set(bulletins.slice(0, applicable.length));
  const setupMs = performance.now() - setupStart;

  // What the handler reads, precomputed for the raw series.
  const componentKeys = Array.from({ length: serializedPositions }, (_, index) =>
    keys.component(tenant, partOf(index), serialOf(index)),
  );
  const documentKeys = [...new Set(linked.map((link) => link.documentId))].map((id) =>
    keys.document(tenant, id),
  );
  const installedParts = [
    ...new Set([...Array.from({ length: serializedPositions }, (_, index) => partOf(index)), SOFTWARE_PART]),
  ];
  const expectedEffectivityEntries =
    Array.from({ length: 30 }, (_, index) => positionsOf(index % partNumbers).length).reduce(
      (a, b) => a + b,
    ) +
    10 * 3 +
    10;

  const path = `/v1/twins/${twinId}/thread`;
  const gateway = async () => {
    const response = await fetch(`${context.url}${path}`, {
      headers: { authorization: context.authorization },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 300)}`);
    return text;
  };

  const raw = async () => {
    const partition = await rawQueryAll({
      TableName: table(),
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId) },
      ConsistentRead: true,
    });
    const [components, candidates] = await Promise.all([
      rawBatchGet(componentKeys),
      Promise.all(
        installedParts.map((partNumber) =>
          rawQueryAll({
            TableName: table(),
            IndexName: INDEXES.product.name,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: {
              '#pk': INDEXES.product.partitionKey,
              '#sk': INDEXES.product.sortKey,
            },
            ExpressionAttributeValues: {
              ':pk': keys.documentsByPartNumber(tenant, partNumber),
              ':prefix': 'DOC#',
            },
          }),
        ),
      ),
    ]);
    const documents = await rawBatchGet(documentKeys);
    return { partition, components, candidates, documents };
  };

  // Once, untimed: what the thread holds and what the raw requests read.
  let before = context.snapshot();
  const text = await gateway();
  const firstCalls = context.callsSince(before);
  const thread = JSON.parse(text) as { documents: { document: { id: string }; via: string }[] };
  const viaLink = thread.documents.filter((entry) => entry.via === 'link').length;
  const viaEffectivity = thread.documents.filter((entry) => entry.via === 'effectivity');
  const effectivityDocuments = new Set(viaEffectivity.map((entry) => entry.document.id));
  const wrong = [...effectivityDocuments].filter((id) => !applicableIds.has(id));
  if (
    viaLink !== linked.length ||
    effectivityDocuments.size !== applicable.length ||
    wrong.length > 0 ||
    viaEffectivity.length !== expectedEffectivityEntries
  ) {
    throw new Error(
      `thread: ${viaLink} linked entries (expected ${linked.length}), ${effectivityDocuments.size} bulletins in ${viaEffectivity.length} entries (expected ${applicable.length} in ${expectedEffectivityEntries}), ${wrong.length} that should not apply`,
    );
  }
  const rawShape = await raw();
  const candidateItems = rawShape.candidates.reduce((sum, query) => sum + query.items, 0);
  const candidatePages = rawShape.candidates.reduce((sum, query) => sum + query.pages, 0);
  const rawRequests =
    rawShape.partition.pages + rawShape.components.requests + candidatePages + rawShape.documents.requests;

  console.log(
    `   twin: ${serializedPositions + 1} positions (${serializedPositions} serialized components of ${partNumbers} part numbers, 1 software ${SOFTWARE_PART} ${SOFTWARE_VERSION}); partition ${rawShape.partition.items} items in ${rawShape.partition.pages} Query page(s)`,
  );
  console.log(
    `   links: ${linked.length} documents (${links.twin} to the twin, ${links.position} to positions, ${links.component} to components); bulletins: ${applicable.length} applicable (30 by part number, 10 by part number + serial range, 10 by software range), ${notApplicable.length} not (10 other serials, 10 other software versions, 10 other part numbers)`,
  );
  console.log(
    `   setup through the API: ${seconds(setupMs)}; thread: ${thread.documents.length} entries (${viaLink} linked, ${viaEffectivity.length} by effectivity from ${effectivityDocuments.size} bulletins), response ${kb(Buffer.byteLength(text))}`,
  );
  console.log(
    `   raw requests: Query partition ${rawShape.partition.pages} page(s); then together BatchGet ${componentKeys.length} component records (${rawShape.components.requests} request(s), ${rawShape.components.items} items) + ${installedParts.length} product-index Queries (${candidatePages} page(s), ${candidateItems} candidates); then BatchGet ${documentKeys.length} document METAs (${rawShape.documents.requests} request(s), one after the other); ${rawRequests} requests`,
  );

  // Gateway and raw set, interleaved, the order alternating.
  const samples = { gateway: [] as number[], raw: [] as number[] };
  const shapes = new Map<string, number>();
  let calls: Calls = firstCalls;
  for (let iteration = 0; iteration < warmup + iterations; iteration++) {
    const steps = [
      async () => {
        before = context.snapshot();
        const elapsed = (await timed(gateway)).ms;
        calls = context.callsSince(before);
        countShape(shapes, context.formatCalls(calls));
        return ['gateway', elapsed] as const;
      },
      async () => ['raw', (await timed(raw)).ms] as const,
    ];
    if (iteration % 2 === 1) steps.reverse();
    for (const step of steps) {
      const [name, elapsed] = await step();
      if (iteration >= warmup) samples[name].push(elapsed);
    }
  }
  const summaries = { gateway: summarize(samples.gateway), raw: summarize(samples.raw) };
  const ratio = {
    p50: summaries.gateway.p50 / summaries.raw.p50,
    p99: summaries.gateway.p99 / summaries.raw.p99,
  };
  console.log(`   ${warmup} warm-up + ${iterations} iterations of each, interleaved`);
  printSummaries(
    { gateway: 'GET thread via gateway', raw: `raw requests (${rawRequests}, same order)` },
    summaries,
  );
  console.log(`   gateway / raw requests: p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)}`);
  console.log('   DynamoDB requests per GET thread:');
  for (const [shape, count] of shapes) console.log(`     ${shape}: ${count} of ${warmup + iterations}`);

  const rows: Row[] = [
    ['GET thread (200 links, 50 SB) p50 / p99: gateway', msPair(summaries.gateway)],
    ['GET thread p50 / p99: raw requests', msPair(summaries.raw)],
    ['GET thread gateway / raw requests', `p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)}`],
    ['GET thread DynamoDB requests', `${context.formatCalls(calls)}`],
  ];
  const results = {
    tenant,
    positions: serializedPositions + 1,
    serializedComponents: serializedPositions,
    partNumbers: installedParts.length,
    links,
    bulletins: { applicable: applicable.length, notApplicable: notApplicable.length },
    setupMs,
    partitionItems: rawShape.partition.items,
    thread: {
      entries: thread.documents.length,
      linked: viaLink,
      byEffectivity: viaEffectivity.length,
      bulletins: effectivityDocuments.size,
      responseBytes: Buffer.byteLength(text),
    },
    rawRequests: {
      total: rawRequests,
      partitionPages: rawShape.partition.pages,
      componentBatchGets: rawShape.components.requests,
      productIndexQueries: candidatePages,
      candidates: candidateItems,
      documentBatchGets: rawShape.documents.requests,
    },
    iterations,
    warmup,
    ms: summaries,
    ratio,
    dynamodbCalls: calls,
    dynamodbCallShapes: Object.fromEntries(shapes),
  };
  return { rows, results };
}

// ---------------------------------------------------------------------------------------------------------
// 2. Reverse applicability of one bulletin: 1,000 units, then 10,000, the same ones matching

export interface ApplicabilityOptions {
  /** Units first written, of which `matching` carry a version in the bulletin's range. */
  units: number;
  matching: number;
  /** Units added afterwards, none of them matching. */
  extraUnits: number;
  iterations: number;
  warmup: number;
  /** `createTwin` calls at a time during the setup. */
  concurrency: number;
}

const BULLETIN = { partNumber: 'FADEC-SW', softwareVersions: '>=2.0.0 <2.4.0' };
const LIMIT = 1000;

/**
 * The FADEC-SW version of unit `index`: in the bulletin's range (2.0.x–2.3.x) when it `matches`; else
 * outside it — below (1.x) or above (2.5–2.9.x, 3.x), never 2.4.0 itself or one of its pre-releases.
 */
function versionOf(index: number, matches: boolean): string {
  if (matches) return `2.${Math.floor(index / 10) % 4}.${index % 7}`;
  if (index % 2 === 0) return `1.${index % 10}.${index % 7}`;
  if (index % 4 === 1) return `2.${5 + (index % 5)}.${index % 3}`;
  return `3.${index % 10}.${index % 7}`;
}

/** A small unit: an ECU-7 controller (serialized) with its FADEC-SW software under it. */
function unitBody(index: number, softwareVersion: string): CreateTwinBody {
  const serialNumber = `APP-${String(index).padStart(5, '0')}`;
  return {
    serialNumber,
    product: { partNumber: 'GEN-SET' },
    site: 'FIELD',
    builtAt: '2024-01-01T00:00:00Z',
    configuration: [
      {
        position: 'ecu',
        component: { partNumber: 'ECU-7', serialNumber: `${serialNumber}-ECU`, kind: 'electrical' },
        children: [
          { position: 'sw', component: { partNumber: 'FADEC-SW', kind: 'software', softwareVersion } },
        ],
      },
    ],
  };
}

export async function benchApplicability(parent: BenchContext, options: ApplicabilityOptions) {
  const context = await tenantContext(parent, 'bench-applicability');
  const { tenant } = context;
  const { units, matching, extraUnits, iterations, warmup, concurrency } = options;
  const stride = Math.floor(units / matching);
  const matches = (index: number) => index < units && index % stride === 0 && index / stride < matching;
  const actor = { sub: 'bench', tenant };

  const history = (index: number) => {
    const body = unitBody(index, versionOf(index, matches(index)));
    const now = new Date();
    const record = newTwinRecord(body, ulid(), now);
    return { history: asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()), now };
  };
  const itemsPerUnit = asBuiltWrites(tenant, history(0).history, 'active').length;

  /** Units `from` … `to - 1`, written with the store, `concurrency` at a time. */
  const writeUnits = async (from: number, to: number) => {
    const before = context.snapshot();
    const start = performance.now();
    await pool(
      Array.from({ length: to - from }, (_, offset) => from + offset),
      concurrency,
      async (index) => {
        const { history: built, now } = history(index);
        await createTwin(tenant, built, now);
      },
    );
    const elapsed = performance.now() - start;
    const calls = context.callsSince(before);
    return { units: to - from, ms: elapsed, items: (to - from) * itemsPerUnit, calls };
  };

  const bulletinId = await newDocument(context, 'service-bulletin', 'SB FADEC-SW 2.0–2.4', BULLETIN);
  const path = `/v1/documents/${bulletinId}/applicability?limit=${LIMIT}`;
  const gateway = async () => {
    const response = await fetch(`${context.url}${path}`, {
      headers: { authorization: context.authorization },
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 300)}`);
    return text;
  };

  // The requests the handler sends, directly: the bulletin's META, the fleet key range, the units' METAs.
  const bounds = semverRangeBounds(BULLETIN.softwareVersions);
  if (bounds.upper === undefined) throw new Error(`${BULLETIN.softwareVersions}: expected an upper bound`);
  const keyRange: QueryCommandInput = {
    TableName: table(),
    IndexName: INDEXES.fleet.name,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
    ExpressionAttributeNames: { '#pk': INDEXES.fleet.partitionKey, '#sk': INDEXES.fleet.sortKey },
    ExpressionAttributeValues: {
      ':pk': keys.fleetPartition(tenant, BULLETIN.partNumber),
      ':lower': bounds.lower,
      ':upper': `${bounds.upper}\uffff`,
    },
  };
  const raw = async () => {
    await rawBatchGet([keys.document(tenant, bulletinId)]);
    const range = await rawQueryAll(keyRange);
    const twinIds = [...new Set(range.found.map((item) => item.twinId as string))];
    const metas = await rawBatchGet(twinIds.map((id) => keys.twinMeta(tenant, id)));
    return { range, metas };
  };

  const measure = async (label: string, fleet: number) => {
    // Once, untimed: the answer, the requests, what the key range reads.
    const before = context.snapshot();
    const text = await gateway();
    const calls = context.callsSince(before);
    const answer = JSON.parse(text) as { total: number; items: unknown[]; nextCursor?: string };
    if (answer.total !== matching || answer.items.length !== matching) {
      throw new Error(`applicability over ${fleet} units: total ${answer.total}, expected ${matching}`);
    }
    const shape = await raw();
    const fleetPartition = await rawQueryAll({
      TableName: table(),
      IndexName: INDEXES.fleet.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEXES.fleet.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.fleetPartition(tenant, BULLETIN.partNumber) },
    });
    const samples = { gateway: [] as number[], raw: [] as number[] };
    const shapes = new Map<string, number>();
    for (let iteration = 0; iteration < warmup + iterations; iteration++) {
      const steps = [
        async () => {
          const start = context.snapshot();
          const elapsed = (await timed(gateway)).ms;
          countShape(shapes, context.formatCalls(context.callsSince(start)));
          return ['gateway', elapsed] as const;
        },
        async () => ['raw', (await timed(raw)).ms] as const,
      ];
      if (iteration % 2 === 1) steps.reverse();
      for (const step of steps) {
        const [name, elapsed] = await step();
        if (iteration >= warmup) samples[name].push(elapsed);
      }
    }
    const summaries = { gateway: summarize(samples.gateway), raw: summarize(samples.raw) };
    console.log(
      `   ${label}: FADEC-SW fleet partition ${fleetPartition.items} installations; the key range reads ${shape.range.items} in ${shape.range.pages} page(s), ${answer.total} match; response ${kb(Buffer.byteLength(text))}`,
    );
    for (const [callShape, count] of shapes)
      console.log(`     DynamoDB requests per GET: ${callShape} (${count} of ${warmup + iterations})`);
    return {
      units: fleet,
      fleetPartitionItems: fleetPartition.items,
      keyRangeItems: shape.range.items,
      queryPages: calls.byCommand.Query ?? 0,
      total: answer.total,
      responseBytes: Buffer.byteLength(text),
      dynamodbCalls: calls,
      dynamodbCallShapes: Object.fromEntries(shapes),
      ms: summaries,
    };
  };

  const base = await writeUnits(0, units);
  const baseVersions = `${matching} in range (2.0.x–2.3.x), ${units - matching} outside (1.x; 2.5–2.9.x; 3.x)`;
  console.log(
    `   bulletin: ${BULLETIN.partNumber} ${BULLETIN.softwareVersions}; units of 2 positions (ecu: ECU-7 serialized, ecu/sw: FADEC-SW), ${itemsPerUnit} items each, written with the store (createTwin, ${concurrency} at a time)`,
  );
  console.log(
    `   ${units} units: ${baseVersions}; setup ${seconds(base.ms)} (${Math.round(base.items / (base.ms / 1000))} items/s, ${context.formatCalls(base.calls)})`,
  );
  console.log(
    `   GET ${path.replace(bulletinId, '{id}')}: ${warmup} warm-up + ${iterations} reads, each with the raw requests, interleaved`,
  );
  const small = await measure(`${units} units`, units);

  const extra = await writeUnits(units, units + extraUnits);
  console.log(
    `   added ${extraUnits} units, none matching: FADEC-SW outside the range (1.x; 2.5–2.9.x; 3.x) and one more ECU-7 each; setup ${seconds(extra.ms)} (${Math.round(extra.items / (extra.ms / 1000))} items/s)`,
  );
  const large = await measure(`${units + extraUnits} units`, units + extraUnits);

  const ratio = {
    p50: large.ms.gateway.p50 / small.ms.gateway.p50,
    p99: large.ms.gateway.p99 / small.ms.gateway.p99,
  };
  const rawRatio = { p50: large.ms.raw.p50 / small.ms.raw.p50, p99: large.ms.raw.p99 / small.ms.raw.p99 };
  printSummaries(
    {
      small: `GET via gateway, ${units} units`,
      large: `GET via gateway, ${units + extraUnits} units`,
      rawSmall: `raw requests, ${units} units`,
      rawLarge: `raw requests, ${units + extraUnits} units`,
    },
    { small: small.ms.gateway, large: large.ms.gateway, rawSmall: small.ms.raw, rawLarge: large.ms.raw },
  );
  console.log(
    `   ${units + extraUnits} / ${units} units: gateway p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)}; raw requests p50 ×${rawRatio.p50.toFixed(2)}, p99 ×${rawRatio.p99.toFixed(2)}`,
  );

  const rows: Row[] = [
    [
      `applicability p50 / p99: ${units} units (${matching} match)`,
      `${msPair(small.ms.gateway)}, ${small.queryPages} Query pages, ${context.formatCalls(small.dynamodbCalls)}`,
    ],
    [
      `applicability p50 / p99: ${units + extraUnits} units`,
      `${msPair(large.ms.gateway)}, ${large.queryPages} Query pages, ${context.formatCalls(large.dynamodbCalls)}`,
    ],
    [
      `applicability ${units + extraUnits} / ${units} units`,
      `p50 ×${ratio.p50.toFixed(2)}, p99 ×${ratio.p99.toFixed(2)} (raw ×${rawRatio.p50.toFixed(2)} / ×${rawRatio.p99.toFixed(2)})`,
    ],
    [
      'applicability setup (createTwin)',
      `${units} units ${seconds(base.ms)}, ${extraUnits} more ${seconds(extra.ms)}`,
    ],
  ];
  const results = {
    tenant,
    bulletin: BULLETIN,
    limit: LIMIT,
    units,
    matching,
    extraUnits,
    versions: {
      base: baseVersions,
      extra: 'FADEC-SW outside the range (1.x; 2.5–2.9.x; 3.x), plus one ECU-7 each',
    },
    itemsPerUnit,
    iterations,
    warmup,
    setup: {
      concurrency,
      base: { ms: base.ms, items: base.items, calls: base.calls },
      extra: { ms: extra.ms, items: extra.items, calls: extra.calls },
    },
    small,
    large,
    ratio,
    rawRatio,
  };
  return { rows, results };
}
