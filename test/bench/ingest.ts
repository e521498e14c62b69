/**
 * Ingest benchmark of `npm run bench` (called from `run.ts`, which has started the local stack and holds a
 * dev token): observations per second through `POST /v1/ingest` (gateway and handler), in `report` and in
 * `apply` mode, against a raw BatchWriteItem of the same number of items (25 per request, as many requests
 * at once as the service works on twins at once). Apply updates the software version of every observed
 * position, so that each batch writes one change set per twin.
 */

import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import { documentClient } from '../../shared/store/clients';
import { wideRecord } from '../support/fixtures';
import type { BenchContext, Row } from './changes';
import { ms, printSummaries, type Summary, summarize, timed } from './stats';

export interface IngestBenchOptions {
  twins: number;
  positionsPerTwin: number;
  iterations: number;
  warmup: number;
}

export const INGEST_BENCH = { twins: 100, positionsPerTwin: 10, iterations: 10, warmup: 2 };
export const INGEST_BENCH_QUICK = { twins: 100, positionsPerTwin: 10, iterations: 3, warmup: 1 };

/** Requests at once for the raw baseline: as many as the service's twins at once. */
const PARALLEL = 16;

async function post(
  context: BenchContext,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${context.url}${path}`, {
    method: 'POST',
    headers: { authorization: context.authorization, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as { id?: string; counts?: Record<string, number> };
}

async function rawBatchWrite(tenant: string, count: number) {
  const run = ulid();
  const requests = Array.from({ length: Math.ceil(count / 25) }, (_, request) =>
    Array.from({ length: Math.min(25, count - request * 25) }, (_, offset) => ({
      PutRequest: {
        Item: {
          PK: `TENANT#${tenant}#BENCHRAW#${run}`,
          SK: `OBS#${String(request * 25 + offset).padStart(6, '0')}`,
          path: `p-${offset}`,
          component: { partNumber: 'SERVO', serialNumber: `RAW-${offset}`, softwareVersion: '1.0.0' },
        },
      },
    })),
  );
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      let items: Record<string, unknown>[] | undefined = requests[next++];
      while (items && items.length > 0) {
        const result = await documentClient().send(
          new BatchWriteCommand({ RequestItems: { [config.tableName()]: items as never } }),
        );
        items = result.UnprocessedItems?.[config.tableName()] as typeof items;
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

export async function benchIngest(context: BenchContext, options: IngestBenchOptions) {
  const { twins, positionsPerTwin, iterations, warmup } = options;
  const count = twins * positionsPerTwin;
  const ids: string[] = [];
  for (let twin = 0; twin < twins; twin++)
    ids.push((await post(context, '/v1/twins', wideRecord(`BENCH-ING-${twin}`, positionsPerTwin))).id!);
  const observations = (version: string) =>
    ids.flatMap((twinId, twin) =>
      Array.from({ length: positionsPerTwin }, (_, position) => ({
        twinId,
        path: `p-${position}`,
        component: {
          partNumber: 'SERVO',
          serialNumber: `BENCH-ING-${twin}-S${position}`,
          softwareVersion: version,
        },
      })),
    );

  const samples: Record<'report' | 'apply' | 'raw', number[]> = { report: [], apply: [], raw: [] };
  const calls: Partial<Record<'report' | 'apply', string>> = {};
  let round = 0;
  for (let iteration = 0; iteration < warmup + iterations; iteration++) {
    // A new version each round: report finds every observation differing, then apply records them all.
    const version = `1.${round++}.0`;
    const before = context.snapshot();
    const report = await timed(() =>
      post(context, '/v1/ingest', { mode: 'report', observations: observations(version) }),
    );
    const reportCalls = context.callsSince(before);
    const beforeApply = context.snapshot();
    const apply = await timed(() =>
      post(
        context,
        '/v1/ingest',
        { mode: 'apply', observations: observations(version) },
        { 'idempotency-key': ulid() },
      ),
    );
    const applyCalls = context.callsSince(beforeApply);
    if (apply.value.counts?.applied !== count)
      throw new Error(`apply: expected ${count} applied, got ${JSON.stringify(apply.value.counts)}`);
    const raw = await timed(() => rawBatchWrite(context.tenant, count));
    if (iteration < warmup) continue;
    samples.report.push(report.ms);
    samples.apply.push(apply.ms);
    samples.raw.push(raw.ms);
    calls.report ??= context.formatCalls(reportCalls);
    calls.apply ??= context.formatCalls(applyCalls);
  }
  const summaries: Record<'report' | 'apply' | 'raw', Summary> = {
    report: summarize(samples.report),
    apply: summarize(samples.apply),
    raw: summarize(samples.raw),
  };
  const perSecond = (s: Summary) => Math.round((count / s.p50) * 1000);
  printSummaries(
    {
      report: `report ${count} observations`,
      apply: `apply ${count} (${twins} change sets)`,
      raw: `raw BatchWriteItem ${count} items`,
    },
    summaries,
  );
  const ratio = {
    report: summaries.report.p50 / summaries.raw.p50,
    apply: summaries.apply.p50 / summaries.raw.p50,
  };
  console.log(
    `   observations/s at p50: report ${perSecond(summaries.report)}, apply ${perSecond(summaries.apply)}, raw BatchWriteItem ${perSecond(summaries.raw)} items/s`,
  );
  console.log(
    `   handler / raw BatchWriteItem (p50): report ×${ratio.report.toFixed(2)}, apply ×${ratio.apply.toFixed(2)}`,
  );
  console.log(`   DynamoDB requests per batch: report ${calls.report}; apply ${calls.apply}`);
  const rows: Row[] = [
    [`ingest ${count} report p50`, `${ms(summaries.report.p50)} ms (${perSecond(summaries.report)} obs/s)`],
    [`ingest ${count} apply p50`, `${ms(summaries.apply.p50)} ms (${perSecond(summaries.apply)} obs/s)`],
    [`raw BatchWriteItem ${count} p50`, `${ms(summaries.raw.p50)} ms (${perSecond(summaries.raw)} items/s)`],
    ['ingest / raw BatchWriteItem', `report ×${ratio.report.toFixed(2)}, apply ×${ratio.apply.toFixed(2)}`],
  ];
  return { rows, results: { options, ms: summaries, ratio, calls } };
}
