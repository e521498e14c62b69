/**
 * Conformance benchmark of `npm run bench` (called from `run.ts`, which has started the local stack):
 * (1) a change set on a 500-position unit whose product has a configuration model of 500 positions and
 * 100 rules, against the same change set on a unit without a model (goal p50 ≤ 1.3×), with the DynamoDB
 * requests each sends; (2) `GET /v1/fleet/conformance?status=red` with 100 red units among 1,000 and
 * among 10,000 (goal p50 ratio ≤ 1.2), against the raw Query of the 100 red items. The units of (2) are
 * written straight to the table (their conformance items: what the listing reads), two tenants of their own.
 */

import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../../shared/config';
import { documentClient } from '../../shared/store/clients';
import { conformanceItem } from '../../shared/store/conformance-store';
import { keys } from '../../shared/store/keys';
import { INDEXES } from '../../shared/store/table';
import { wideRecord } from '../support/fixtures';
import type { BenchContext, Row } from './changes';
import { ms, printSummaries, type Summary, summarize, timed } from './stats';

export const CONFORMANCE_BENCH = {
  positions: 500,
  rules: 100,
  iterations: 60,
  warmup: 10,
  fleets: [1_000, 10_000],
  red: 100,
};
export const CONFORMANCE_BENCH_QUICK = { ...CONFORMANCE_BENCH, iterations: 20, warmup: 5 };
const CHANGE_GOAL = 1.3;
const FLEET_GOAL = 1.2;

async function send(
  context: BenchContext,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  authorization = context.authorization,
) {
  const response = await fetch(`${context.url}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 400)}`);
  return { body: JSON.parse(text), etag: response.headers.get('etag') ?? '' };
}

/** 500 positions each allowing two servos, 100 rules "a servo at p-i requires a servo at p-(i+1)". */
const model = (positions: number, rules: number) => ({
  validate: 'warn',
  positions: Array.from({ length: positions }, (_, index) => ({
    path: `p-${index}`,
    allowed: [{ partNumber: 'SERVO', preferred: true }, { partNumber: 'SERVO-2' }],
    interchange: [{ from: 'SERVO', to: 'SERVO-2', kind: 'one-way' }],
  })),
  rules: Array.from({ length: rules }, (_, index) => ({
    id: `r-${index}`,
    when: { path: `p-${index * 5}`, partNumber: 'SERVO-2' },
    requires: { path: `p-${index * 5 + 1}`, partNumber: 'SERVO' },
    level: 'amber',
  })),
});

async function changeSets(
  context: BenchContext,
  productPartNumber: string,
  options: typeof CONFORMANCE_BENCH,
) {
  const record = {
    ...wideRecord(`CONF-${productPartNumber}-${ulid()}`, options.positions),
    product: { partNumber: productPartNumber },
  };
  const twin = (await send(context, 'POST', '/v1/twins', record)).body as { id: string };
  let etag = `"1"`;
  const samples: number[] = [];
  let calls = context.snapshot();
  for (let round = 0; round < options.warmup + options.iterations; round++) {
    if (round === options.warmup) calls = context.snapshot();
    const path = `p-${(round * 5) % options.positions}`;
    const body = {
      reason: 'bench',
      operations: [
        {
          op: 'replace',
          position: path,
          component: { partNumber: 'SERVO-2', serialNumber: `B-${ulid()}`, kind: 'mechanical' },
        },
      ],
    };
    const { ms: took, value } = await timed(() =>
      send(context, 'POST', `/v1/twins/${twin.id}/changes`, body, { 'if-match': etag }),
    );
    etag = value.etag;
    if (round >= options.warmup) samples.push(took);
  }
  const used = context.callsSince(calls);
  return { summary: summarize(samples), callsPerChange: used.total / options.iterations, calls: used };
}

async function devToken(context: BenchContext, tenant: string) {
  const response = await fetch(`${context.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, roles: ['viewer'] }),
  });
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

/** A fleet of `units` conformance items, `red` of them red, the others green, in a tenant of its own. */
async function seedFleet(units: number, red: number) {
  const tenant = `bench-conf-${units}-${ulid().toLowerCase()}`;
  const items = Array.from({ length: units }, (_, index) =>
    conformanceItem(tenant, {
      twinId: ulid(),
      serialNumber: `U-${String(index).padStart(6, '0')}`,
      productPartNumber: 'A320-214',
      status: index % Math.floor(units / red) === 0 ? 'red' : 'green',
      modelVersion: 1,
      findings:
        index % Math.floor(units / red) === 0
          ? [{ path: 'p-1', code: 'part-not-allowed', rule: 'positions[p-1]', level: 'red', message: 'x' }]
          : [],
      judgedAt: new Date().toISOString(),
    }),
  );
  for (let start = 0; start < items.length; start += 25 * 8)
    await Promise.all(
      Array.from({ length: 8 }, (_, batch) => items.slice(start + batch * 25, start + (batch + 1) * 25))
        .filter((batch) => batch.length > 0)
        .map((batch) =>
          documentClient().send(
            new BatchWriteCommand({
              RequestItems: { [config.tableName()]: batch.map((Item) => ({ PutRequest: { Item } })) },
            }),
          ),
        ),
    );
  return tenant;
}

async function fleetReads(context: BenchContext, units: number, options: typeof CONFORMANCE_BENCH) {
  const tenant = await seedFleet(units, options.red);
  const authorization = await devToken(context, tenant);
  const api: number[] = [];
  const raw: number[] = [];
  let total = 0;
  for (let round = 0; round < options.warmup + options.iterations; round++) {
    const answer = await timed(() =>
      send(context, 'GET', '/v1/fleet/conformance?status=red&limit=100', undefined, {}, authorization),
    );
    const rawQuery = await timed(() =>
      documentClient().send(
        new QueryCommand({
          TableName: config.tableName(),
          IndexName: INDEXES.list.name,
          KeyConditionExpression: 'listPK = :pk',
          ExpressionAttributeValues: { ':pk': keys.conformanceList(tenant, 'red') },
        }),
      ),
    );
    total = answer.value.body.total;
    if (round >= options.warmup) {
      api.push(answer.ms);
      raw.push(rawQuery.ms);
    }
  }
  return { api: summarize(api), raw: summarize(raw), total };
}

export async function benchConformance(context: BenchContext, options: typeof CONFORMANCE_BENCH) {
  const PN = `CONF-MODEL-${ulid()}`;
  await send(context, 'PUT', `/v1/configuration-models/${PN}`, model(options.positions, options.rules));
  const withModel = await changeSets(context, PN, options);
  const without = await changeSets(context, `CONF-NONE-${ulid()}`, options);
  const changeRatio = withModel.summary.p50 / without.summary.p50;
  const [small, large] = [
    await fleetReads(context, options.fleets[0]!, options),
    await fleetReads(context, options.fleets[1]!, options),
  ];
  const fleetRatio = large.api.p50 / small.api.p50;
  const summaries: Record<string, Summary> = {
    'change, model 500/100': withModel.summary,
    'change, no model': without.summary,
    [`fleet red of ${options.fleets[0]}`]: small.api,
    [`fleet red of ${options.fleets[1]}`]: large.api,
    [`raw Query red of ${options.fleets[1]}`]: large.raw,
  };
  printSummaries(Object.fromEntries(Object.keys(summaries).map((key) => [key, key])), summaries);
  const rows: Row[] = [
    [
      'change set, model 500 positions/100 rules p50',
      `${ms(withModel.summary.p50)} ms, ${withModel.callsPerChange.toFixed(1)} DynamoDB requests`,
    ],
    [
      'change set, no model p50',
      `${ms(without.summary.p50)} ms, ${without.callsPerChange.toFixed(1)} DynamoDB requests`,
    ],
    [
      'change set with / without model',
      `×${changeRatio.toFixed(2)} (≤ ${CHANGE_GOAL}: ${changeRatio <= CHANGE_GOAL ? 'met' : 'NOT met'})`,
    ],
    [
      `fleet conformance red (100) of ${options.fleets[0]} / ${options.fleets[1]} p50`,
      `${ms(small.api.p50)} / ${ms(large.api.p50)} ms (raw Query ${ms(large.raw.p50)} ms), totals ${small.total} / ${large.total}`,
    ],
    [
      'fleet conformance 10,000 / 1,000',
      `×${fleetRatio.toFixed(2)} (≤ ${FLEET_GOAL}: ${fleetRatio <= FLEET_GOAL ? 'met' : 'NOT met'})`,
    ],
  ];
  return {
    rows,
    results: {
      changeSet: { withModel, without, ratio: changeRatio, goal: CHANGE_GOAL },
      fleet: { small, large, ratio: fleetRatio, goal: FLEET_GOAL },
    },
  };
}
