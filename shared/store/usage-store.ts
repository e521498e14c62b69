import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import DataLoader from 'dataloader';
import { config } from '../config';
import { invalidField, NotFound, PayloadTooLarge } from '../domain/errors';
import {
  type Meter,
  type PeriodKind,
  recordDeltas,
  type Totals,
  type TotalsMove,
  totalsMoves,
  type YearBucket,
} from '../domain/usage';
import { ulid } from '../ids';
import type { UsageBody, UsageParameterBody, UsageRecord } from '../schemas/usage';
import { batchGetItems, keyId } from './batch-get';
import { documentClient } from './clients';
import { eventItem } from './events';
import { concurrentChange, twinActiveCheck, type Write, writeTransaction } from './guarded-transaction';
import { keys, withoutKeys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';
import { MAX_TRANSACTION_ITEMS } from './transact';

/**
 * Usage records in their own key ranges (docs/usage.md): per twin and parameter one partition with
 * the records (`R#<at>#<id>`, append-only; a void is a record of the opposite delta), running totals
 * per year, month and day (`Y#`, `MT#`, `DT#`) and the meter's last reading. A total up to an instant
 * reads the year items, one month and one day item, and the records of one hour, never every record.
 */

const table = () => config.tableName();
export const USAGE_RECORD = 'usage-record';

export type UsageParameters = Record<string, UsageParameterBody & { updatedAt: string }>;

export async function getUsageParameters(tenant: string): Promise<UsageParameters> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.usageParameters(tenant), ConsistentRead: true }),
  );
  return (Item?.parameters as UsageParameters | undefined) ?? {};
}

export async function putUsageParameter(tenant: string, name: string, body: UsageParameterBody, now: Date) {
  const definition = { ...body, updatedAt: now.toISOString() };
  const parameters = { ...(await getUsageParameters(tenant)), [name]: definition };
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: { ...keys.usageParameters(tenant), entity: 'usage-parameters', parameters },
    }),
  );
  return { name, ...definition };
}

const toRecord = (item: Record<string, unknown>): UsageRecord => {
  const { entity: _entity, ...record } = withoutKeys(item);
  return record as unknown as UsageRecord;
};

/**
 * Checks usage records of a twin as recording them would, writing nothing: unknown parameters (or
 * ones its product does not accrue), negative deltas outside a correction, readings below or before
 * the meter's last: 400 naming the field (`pathOf` says where a record is in the request).
 */
export async function checkUsage(
  tenant: string,
  twin: { id: string; productPartNumber: string },
  records: UsageBody['records'],
  options: { correction: boolean; pathOf?: (index: number) => string },
) {
  const parameters = await getUsageParameters(tenant);
  const known = new Set(
    Object.entries(parameters)
      .filter(
        ([, definition]) => !definition.products || definition.products.includes(twin.productPartNumber),
      )
      .map(([name]) => name),
  );
  const withReadings = [...new Set(records.filter((r) => r.reading !== undefined).map((r) => r.parameter))];
  const meters = new Map<string, Meter>();
  for (const parameter of withReadings.filter((name) => known.has(name))) {
    const meter = await getItem({
      PK: keys.usagePartition(tenant, twin.id, parameter),
      SK: keys.usageMeterSortKey,
    });
    if (meter) meters.set(parameter, { reading: meter.reading as number, at: meter.at as string });
  }
  const deltas = recordDeltas(records, { known, meters, ...options });
  return { deltas, meters, withReadings };
}

/**
 * Records usage on a twin in one transaction: the records, the voids of the records a correction
 * cancels, the running totals they move, the meters, and a `usage.recorded` event. A twin whose
 * product a parameter does not cover refuses it (400 naming the record's parameter).
 */
export async function recordUsage(
  tenant: string,
  twin: { id: string; productPartNumber: string },
  body: UsageBody,
  now: Date,
): Promise<UsageRecord[]> {
  const recordedAt = now.toISOString();
  const voids = body.voids ?? [];
  const { deltas, meters, withReadings } = await checkUsage(tenant, twin, body.records, {
    correction: voids.length > 0,
  });
  const records: UsageRecord[] = deltas.map((delta) => ({ id: ulid(), ...delta, recordedAt }));
  const writes: Write[] = [
    { entry: twinActiveCheck(tenant, twin.id), onConditionFailed: () => new NotFound() },
  ];
  for (const [index, target] of voids.entries()) {
    const key = {
      PK: keys.usagePartition(tenant, twin.id, target.parameter),
      SK: keys.usageRecordSortKey(new Date(target.at).toISOString(), target.id),
    };
    const original = await getItem(key);
    if (!original || original.voids !== undefined)
      throw invalidField(`body.voids[${index}]`, 'names no usage record of this twin');
    if (original.voidedAt !== undefined) throw invalidField(`body.voids[${index}]`, 'is voided already');
    writes.push({
      entry: {
        Update: {
          TableName: table(),
          Key: key,
          UpdateExpression: 'SET voidedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(voidedAt)',
          ExpressionAttributeValues: { ':now': recordedAt },
        },
      },
      onConditionFailed: concurrentChange,
    });
    records.push({
      id: ulid(),
      parameter: target.parameter,
      at: original.at as string,
      delta: -(original.delta as number),
      recordedAt,
      voids: target.id,
    });
  }
  for (const record of records) {
    writes.push({
      entry: {
        Put: {
          TableName: table(),
          Item: {
            PK: keys.usagePartition(tenant, twin.id, record.parameter),
            SK: keys.usageRecordSortKey(record.at, record.id),
            ...keys.usageLogKeys(tenant, twin.id, record.parameter, recordedAt, record.id),
            entity: USAGE_RECORD,
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: concurrentChange,
    });
  }
  for (const parameter of new Set(records.map((record) => record.parameter))) {
    writes.push(
      ...totalsWrites(
        tenant,
        twin.id,
        parameter,
        records.filter((r) => r.parameter === parameter),
      ),
    );
  }
  for (const parameter of withReadings) {
    const last = [...records].reverse().find((r) => r.parameter === parameter && r.reading !== undefined);
    if (last)
      writes.push(
        meterWrite(
          tenant,
          twin.id,
          parameter,
          { reading: last.reading!, at: last.at },
          meters.get(parameter),
        ),
      );
  }
  writes.push({
    entry: {
      Put: {
        TableName: table(),
        Item: eventItem(tenant, {
          type: 'usage.recorded',
          twinId: twin.id,
          recordedAt,
          records: records.length,
          parameters: [...new Set(records.map((record) => record.parameter))],
          ...(voids.length > 0 ? { voids: voids.length } : {}),
        }),
      },
    },
  });
  if (writes.length > MAX_TRANSACTION_ITEMS)
    throw new PayloadTooLarge(
      `These records need ${writes.length} writes; one request is one transaction of at most ${MAX_TRANSACTION_ITEMS}: split it`,
      [{ path: 'body.records', message: `too many writes (${writes.length} > ${MAX_TRANSACTION_ITEMS})` }],
    );
  await writeTransaction(tenant, writes, now);
  return records;
}

const getItem = async (Key: Record<string, string>) =>
  (await documentClient().send(new GetCommand({ TableName: table(), Key, ConsistentRead: true }))).Item;

/** The running-totals writes (year, month and day items) one parameter's records move. */
export function totalsWrites(
  tenant: string,
  twinId: string,
  parameter: string,
  entries: readonly { at: string; delta: number }[],
): Write[] {
  return totalsMoves(entries).map((move) => ({ entry: totalsUpdate(tenant, twinId, parameter, move) }));
}

/** A running-totals item moved by `move` (DynamoDB ADD), created by the first record of its period. */
function totalsUpdate(
  tenant: string,
  twinId: string,
  parameter: string,
  { kind, period, fields }: TotalsMove,
) {
  const moved = Object.entries(fields);
  return {
    Update: {
      TableName: table(),
      Key: totalsKey(tenant, twinId, parameter, kind, period),
      UpdateExpression: `SET entity = :entity, #period = :period ADD ${moved.map((_, i) => `#f${i} :v${i}`).join(', ')}`,
      ExpressionAttributeNames: {
        '#period': kind,
        ...Object.fromEntries(moved.map(([field], i) => [`#f${i}`, field])),
      },
      ExpressionAttributeValues: {
        ':entity': `usage-${kind}`,
        ':period': period,
        ...Object.fromEntries(moved.map(([, value], i) => [`:v${i}`, value])),
      },
    },
  };
}

const totalsKey = (tenant: string, twinId: string, parameter: string, kind: PeriodKind, period: string) => ({
  PK: keys.usagePartition(tenant, twinId, parameter),
  SK: keys.usageTotalsSortKey(kind, period),
});

function meterWrite(
  tenant: string,
  twinId: string,
  parameter: string,
  next: Meter,
  previous: Meter | undefined,
): Write {
  return {
    entry: {
      Put: {
        TableName: table(),
        Item: {
          PK: keys.usagePartition(tenant, twinId, parameter),
          SK: keys.usageMeterSortKey,
          entity: 'usage-meter',
          ...next,
        },
        ConditionExpression: previous ? 'reading = :reading AND #at = :at' : 'attribute_not_exists(PK)',
        ...(previous
          ? {
              ExpressionAttributeNames: { '#at': 'at' },
              ExpressionAttributeValues: { ':reading': previous.reading, ':at': previous.at },
            }
          : {}),
      },
    },
    onConditionFailed: concurrentChange,
  };
}

/** The latest records of a twin and parameter (newest first), and its year totals. */
export async function twinParameterUsage(tenant: string, twinId: string, parameter: string, limit = 10) {
  const pk = keys.usagePartition(tenant, twinId, parameter);
  const [recent, years] = await Promise.all([
    documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :r)',
        ExpressionAttributeValues: { ':pk': pk, ':r': 'R#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    ),
    yearBuckets(tenant, twinId, parameter),
  ]);
  return { recent: (recent.Items ?? []).map(toRecord), years };
}

export const yearBuckets = async (tenant: string, twinId: string, parameter: string): Promise<YearBucket[]> =>
  (await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :y)',
    ExpressionAttributeValues: { ':pk': keys.usagePartition(tenant, twinId, parameter), ':y': 'Y#' },
    ConsistentRead: true,
  })) as YearBucket[];

/** The usage of a twin's records of a parameter in [from, to) (one Query of them). */
export async function usageRecordsBetween(
  tenant: string,
  twinId: string,
  parameter: string,
  from: string,
  to: string,
) {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.usagePartition(tenant, twinId, parameter),
      ':from': keys.usageRecordSortKey(from, ''),
      ':to': keys.usageRecordSortKey(to, ''),
    },
    ProjectionExpression: 'delta, #at',
    ExpressionAttributeNames: { '#at': 'at' },
    ConsistentRead: true,
  });
  return items.reduce((sum, item) => sum + (item.at === to ? 0 : (item.delta as number)), 0);
}

/**
 * The month and day totals items of the instants a request asks about, read in batches (one
 * consistent BatchGet for every bound asked in the same tick, not one GetItem each): create one per
 * request, since it caches what it read.
 */
export function usageTotalsReader(tenant: string) {
  const loader = new DataLoader<Record<string, string>, Totals | undefined, string>(
    async (itemKeys) => {
      const items = new Map(
        (await batchGetItems([...itemKeys], { consistent: true })).map((item) => [keyId(item), item]),
      );
      return itemKeys.map((key) => items.get(keyId(key)) as Totals | undefined);
    },
    { cacheKeyFn: keyId },
  );
  return async (twinId: string, parameter: string, t: string) => {
    const [month, day] = await Promise.all([
      loader.load(totalsKey(tenant, twinId, parameter, 'month', t.slice(0, 7))),
      loader.load(totalsKey(tenant, twinId, parameter, 'day', t.slice(0, 10))),
    ]);
    return { month, day };
  };
}

/** Records (and voids) recorded after `knownAt`: what a knownAt read takes back from today's totals. */
export async function recordedAfter(tenant: string, twinId: string, parameter: string, knownAt: string) {
  const items = await queryAll({
    TableName: table(),
    IndexName: INDEXES.list.name,
    KeyConditionExpression: 'listPK = :pk AND listSK > :after',
    ExpressionAttributeValues: {
      ':pk': keys.usageLogPartition(tenant, twinId, parameter),
      ':after': `${knownAt}#~`,
    },
    ProjectionExpression: 'delta, #at',
    ExpressionAttributeNames: { '#at': 'at' },
  });
  return items.map((item) => ({ at: item.at as string, delta: item.delta as number }));
}

/** Every record of a twin and parameter, oldest first (export only). */
export const allUsageRecords = async (tenant: string, twinId: string, parameter: string) =>
  (
    await queryAll({
      TableName: table(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :r)',
      ExpressionAttributeValues: { ':pk': keys.usagePartition(tenant, twinId, parameter), ':r': 'R#' },
    })
  ).map(toRecord);
