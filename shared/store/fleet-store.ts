import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { invalidField } from '../domain/errors';
import {
  compareOrderKeys,
  type FleetFilter,
  type FleetMatch,
  type FleetTwin,
  type ImpactSummary,
  inForceAt,
  matchesFleetFilter,
  type OrderKey,
  pageAfter,
  summarizeImpact,
} from '../domain/fleet';
import { SEMVER_KEYS_END, semverKeyIntervals, semverRangeBounds } from '../domain/versions';
import type { Component } from '../schemas/twin';
import { activeTwins } from './batch-get';
import { documentClient } from './clients';
import { decodeCursor, encodeCursor } from './cursor';
import { ACTIVE } from './guarded-transaction';
import { isIndexKeyOf } from './index-cursor';
import { keys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';
import { chunk } from './transact';

export interface FleetInstallation {
  twinId: string;
  path: string;
  component: Component;
}

/**
 * What the tenant's units carry now under a part number: one Query of the fleet index, narrowed to
 * the key range of a software version range when one is given, so the cost follows the matching
 * installations, not the fleet. Installations of twins still being created are left out.
 */
export async function installationsOf(
  tenant: string,
  partNumber: string,
  softwareVersions?: string,
): Promise<FleetInstallation[]> {
  return (await openInstallationsOf(tenant, partNumber, softwareVersions)).map(
    ({ validFrom: _validFrom, ...installation }) => installation,
  );
}

/** The same, with when each installation interval began (compliance reads it). */
export async function openInstallationsOf(
  tenant: string,
  partNumber: string,
  softwareVersions?: string,
): Promise<(FleetInstallation & { validFrom: string })[]> {
  const index = INDEXES.fleet;
  const bounds = softwareVersions === undefined ? undefined : semverRangeBounds(softwareVersions);
  const range = bounds
    ? bounds.upper === undefined
      ? { condition: '#sk BETWEEN :lower AND :sw', values: { ':lower': bounds.lower, ':sw': 'S#\uffff' } }
      : {
          condition: '#sk BETWEEN :lower AND :upper',
          values: { ':lower': bounds.lower, ':upper': bounds.upper },
        }
    : undefined;
  const items = await queryAll({
    TableName: config.tableName(),
    IndexName: index.name,
    KeyConditionExpression: `#pk = :pk${range ? ` AND ${range.condition}` : ''}`,
    ExpressionAttributeNames: { '#pk': index.partitionKey, ...(range ? { '#sk': index.sortKey } : {}) },
    ExpressionAttributeValues: { ':pk': keys.fleetPartition(tenant, partNumber), ...range?.values },
  });
  const installations = items.map((item) => ({
    twinId: item.twinId as string,
    path: item.path as string,
    component: item.component as Component,
    validFrom: item.validFrom as string,
  }));
  const live = await activeTwins(
    tenant,
    installations.map((installation) => installation.twinId),
  );
  return installations.filter((installation) => live.has(installation.twinId));
}

/** One key range of the fleet index that a fleet question reads: a partition, optionally a sort-key interval. */
interface FleetSegment {
  partition: string;
  /** The partition of closed installations (read only for `asOf`). */
  history: boolean;
  interval?: { lower: string; upper: string };
}

/**
 * The key ranges a fleet question reads, in answer order: the open installations' partition (and,
 * with `asOf`, the history partition after it), each narrowed to the sort-key intervals of the
 * software range: one interval for `>=2.0.0 <2.4.0`, one per disjoint `||` alternative. A revision
 * alone reads the hardware keys of that revision and the software keys (which may carry revisions too).
 */
function fleetSegments(tenant: string, filter: FleetFilter): FleetSegment[] {
  let intervals: ({ lower: string; upper: string } | undefined)[];
  if (filter.softwareVersion !== undefined) {
    intervals = semverKeyIntervals(filter.softwareVersion).map((interval) => ({
      lower: interval.lower,
      upper: interval.upper ?? SEMVER_KEYS_END,
    }));
  } else if (filter.revision !== undefined) {
    intervals = [
      { lower: `R#${filter.revision}#`, upper: `R#${filter.revision}#\uffff` },
      { lower: 'S#', upper: 'S#\uffff' },
    ];
  } else {
    intervals = [undefined];
  }
  const partitions = (filter.partNumbers ?? [filter.partNumber]).flatMap((partNumber) => [
    { partition: keys.fleetPartition(tenant, partNumber), history: false },
    ...(filter.asOf === undefined
      ? []
      : [{ partition: keys.fleetHistoryPartition(tenant, partNumber), history: true }]),
  ]);
  return partitions.flatMap((partition) =>
    intervals.map((interval) => (interval ? { ...partition, interval } : partition)),
  );
}

const PROJECTED = ['twinId', 'path', 'component', 'validFrom', 'validTo', 'PK', 'SK', 'fleetPK', 'fleetSK'];

/** The Query of one segment, with the filters DynamoDB can apply itself (revision, valid time). */
function segmentQuery(segment: FleetSegment, filter: FleetFilter): QueryCommandInput {
  const index = INDEXES.fleet;
  const names: Record<string, string> = { '#pk': index.partitionKey };
  const values: Record<string, unknown> = { ':pk': segment.partition };
  let keyCondition = '#pk = :pk';
  if (segment.interval) {
    names['#sk'] = index.sortKey;
    values[':lower'] = segment.interval.lower;
    values[':upper'] = segment.interval.upper;
    keyCondition += ' AND #sk BETWEEN :lower AND :upper';
  }
  const filters: string[] = [];
  if (filter.revision !== undefined) {
    names['#component'] = 'component';
    names['#revision'] = 'revision';
    values[':revision'] = filter.revision;
    filters.push('#component.#revision = :revision');
  }
  if (filter.asOf !== undefined) {
    names['#validFrom'] = 'validFrom';
    values[':asOf'] = filter.asOf;
    filters.push('#validFrom <= :asOf');
    if (segment.history) {
      names['#validTo'] = 'validTo';
      filters.push('#validTo > :asOf');
    }
  }
  PROJECTED.forEach((name, position) => {
    names[`#p${position}`] = name;
  });
  return {
    TableName: config.tableName(),
    IndexName: index.name,
    KeyConditionExpression: keyCondition,
    ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
    ProjectionExpression: PROJECTED.map((_, position) => `#p${position}`).join(', '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

const toMatch = (item: Record<string, unknown>): FleetMatch => ({
  twinId: item.twinId as string,
  path: item.path as string,
  component: item.component as Component,
  validFrom: item.validFrom as string,
  ...(typeof item.validTo === 'string' ? { validTo: item.validTo } : {}),
});

/** Items of a segment that really answer the question (the key range may hold a few more versions). */
const exactMatches = (items: Record<string, unknown>[], filter: FleetFilter) =>
  items.filter(
    (item) =>
      matchesFleetFilter(item.component as Component, filter) && inForceAt(toMatch(item), filter.asOf),
  );

const cursorScope = (operation: string, tenant: string, filter: FleetFilter) =>
  JSON.stringify([
    operation,
    tenant,
    filter.partNumbers ?? filter.partNumber,
    filter.softwareVersion ?? null,
    filter.revision ?? null,
    filter.asOf ?? null,
  ]);

/** A cursor's segment number, refused unless it names one of this question's segments. */
function segmentOf(raw: string | undefined, segments: readonly FleetSegment[]): number {
  const number = Number(raw);
  if (!Number.isInteger(number) || number < 0 || number >= segments.length) throw notIssued();
  return number;
}

const notIssued = () => invalidField('query.cursor', 'is not a cursor this API issued');

/**
 * One page of the installations carrying a part number: exactly one Query of one key range. A page
 * may hold fewer than `limit` items (what the filters left of the range's next `limit` items), even
 * none; `nextCursor` says whether the answer goes on.
 */
export async function fleetInstallationsPage(
  tenant: string,
  filter: FleetFilter,
  page: { limit: number; cursor?: string },
): Promise<{ items: FleetMatch[]; nextCursor?: string }> {
  const segments = fleetSegments(tenant, filter);
  const scope = cursorScope('installations', tenant, filter);
  const decoded = decodeCursor(scope, page.cursor);
  const { g, ...startKey } = decoded ?? { g: '0' };
  const number = segmentOf(g, segments);
  const segment = segments[number]!;
  const resumes = Object.keys(startKey).length > 0;
  if (resumes && !isResumeKey(startKey, tenant, segment)) throw notIssued();
  const result = await documentClient().send(
    new QueryCommand({
      ...segmentQuery(segment, filter),
      Limit: page.limit,
      ...(resumes ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  const items = exactMatches(result.Items ?? [], filter).map(toMatch);
  let next: Record<string, unknown> | undefined;
  if (result.LastEvaluatedKey) next = { g: String(number), ...result.LastEvaluatedKey };
  else if (number + 1 < segments.length) next = { g: String(number + 1) };
  return { items, ...(next ? { nextCursor: encodeCursor(scope, next) } : {}) };
}

/** A decoded start key: a key of this segment's index partition and range, in the tenant's twins. */
function isResumeKey(key: Record<string, string>, tenant: string, segment: FleetSegment): boolean {
  if (!isIndexKeyOf(key, INDEXES.fleet, segment.partition, keys.twinPartition(tenant, ''))) return false;
  const sortKey = key[INDEXES.fleet.sortKey]!;
  return !segment.interval || (sortKey >= segment.interval.lower && sortKey <= segment.interval.upper);
}

export interface FleetImpactPage extends ImpactSummary {
  affected: (FleetMatch & { serialNumber: string })[];
  nextCursor?: string;
}

/** A match with its place in the answer's order (segment, fleet sort key, item key). */
export type Found = FleetMatch & { order: OrderKey };

/**
 * Every installation of the tenant that answers a fleet question, in answer order, with the twins
 * (active ones only) it groups by: each key range read in full (one Query per MB, projected), the
 * twins' META items by BatchGetItem. The cost follows the matching installations, never the fleet.
 */
export async function matchingInstallations(
  tenant: string,
  filter: FleetFilter,
): Promise<{ found: Found[]; twins: Map<string, FleetTwin> }> {
  const segments = fleetSegments(tenant, filter);
  const perSegment = await Promise.all(
    segments.map(async (segment, number) =>
      exactMatches(await queryAll(segmentQuery(segment, filter)), filter).map(
        (item): Found => ({
          ...toMatch(item),
          order: [number, item.fleetSK as string, item.PK as string, item.SK as string],
        }),
      ),
    ),
  );
  const twins = await fleetTwins(tenant, [...new Set(perSegment.flat().map((found) => found.twinId))]);
  const found = perSegment
    .flat()
    .filter((match) => twins.has(match.twinId))
    .sort((a, b) => compareOrderKeys(a.order, b.order));
  return { found, twins };
}

/**
 * Which units a release or a bulletin reaches, with exact counts: every key range of the question is
 * read in full (one Query per MB, projected), the twins' current site and product come from their
 * META items (100 per BatchGetItem, concurrently), twins still being created are left out. The cost
 * follows the matching installations, never the size of the fleet.
 */
export async function fleetImpact(
  tenant: string,
  filter: FleetFilter,
  page: { limit: number; cursor?: string },
): Promise<FleetImpactPage> {
  const scope = cursorScope('impact', tenant, filter);
  const decoded = decodeCursor(scope, page.cursor);
  let after: OrderKey | undefined;
  if (decoded) {
    const { g, sk, pk, tk } = decoded;
    if (sk === undefined || pk === undefined || tk === undefined || Number.isNaN(Number(g)))
      throw notIssued();
    after = [Number(g), sk, pk, tk];
  }
  const { found, twins } = await matchingInstallations(tenant, filter);
  const { items, more } = pageAfter(found, (match) => match.order, page.limit, after);
  const last = items[items.length - 1];
  return {
    ...summarizeImpact(found, twins),
    affected: items.map(({ order: _order, ...match }) => ({
      ...match,
      serialNumber: twins.get(match.twinId)!.serialNumber,
    })),
    ...(more && last
      ? {
          nextCursor: encodeCursor(scope, {
            g: String(last.order[0]),
            sk: last.order[1],
            pk: last.order[2],
            tk: last.order[3],
          }),
        }
      : {}),
  };
}

/** BatchGetItem requests in flight at once for one impact question. */
const PARALLEL_BATCH_GETS = 8;

/** The visible (active) twins among these, with what an impact answer groups by. */
async function fleetTwins(tenant: string, twinIds: readonly string[]): Promise<Map<string, FleetTwin>> {
  const table = config.tableName();
  const batches = chunk(
    twinIds.map((id) => keys.twinMeta(tenant, id)),
    100,
  );
  const twins = new Map<string, FleetTwin>();
  const read = async (batch: Record<string, string>[]) => {
    let request: BatchGetCommandInput['RequestItems'] = {
      [table]: {
        Keys: batch,
        ProjectionExpression: '#id, #serialNumber, #site, #product, #status',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#serialNumber': 'serialNumber',
          '#site': 'site',
          '#product': 'product',
          '#status': 'status',
        },
      },
    };
    while (request && Object.keys(request).length > 0) {
      const result: BatchGetCommandOutput = await documentClient().send(
        new BatchGetCommand({ RequestItems: request }),
      );
      for (const meta of result.Responses?.[table] ?? []) {
        if (meta.status !== ACTIVE) continue;
        twins.set(meta.id as string, {
          serialNumber: meta.serialNumber as string,
          productPartNumber: (meta.product as { partNumber: string }).partNumber,
          ...(typeof meta.site === 'string' ? { site: meta.site } : {}),
        });
      }
      request = result.UnprocessedKeys;
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await read(batches[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCH_GETS, batches.length) }, worker));
  return twins;
}

/**
 * The software part numbers a package maps to: those whose installations (open or closed) name it
 * in their `purl` attribute. One Query of the package's partition of the product index.
 */
export async function partNumbersOfPurl(tenant: string, identity: string): Promise<string[]> {
  const index = INDEXES.product;
  const items = await queryAll({
    TableName: config.tableName(),
    IndexName: index.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
    ExpressionAttributeValues: { ':pk': keys.purlPartition(tenant, identity) },
    ProjectionExpression: '#sk',
  });
  const partNumbers = items.map((item) => String(item[index.sortKey]).split('#')[1] ?? '');
  return [...new Set(partNumbers)].filter((partNumber) => partNumber !== '').sort();
}
