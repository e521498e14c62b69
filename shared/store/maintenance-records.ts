import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { totalsTouched } from '../domain/usage';
import type { RecordLineOf } from '../schemas/tenant-lines';
import type { UsageRecord } from '../schemas/usage';
import { batchGetItems } from './batch-get';
import { documentClient } from './clients';
import { indexPage } from './index-page';
import { ENTITY } from './items';
import { keys, withoutKeys } from './keys';
import { putNewItems } from './new-items';
import { INDEXES } from './table';
import { TransactionCancelled, transactWrite } from './transact';
import { totalsWrites, type UsageParameters } from './usage-store';

/**
 * The tenant export's reads and the tenant import's writes of what #14 and #15 keep outside a twin's
 * partition: part and model lists, a meter, a serial's component records; usage records and component
 * records written as recorded (ids and times kept), so that a rerun finds them and writes nothing twice.
 */

const table = () => config.tableName();
type Item = Record<string, unknown>;

type Page = { limit: number; cursor?: string };

/** A page of the ids on one of the tenant's list partitions (the list index), read from `field`. */
async function listedIds(
  list: { partition: string; prefix: string; tablePrefix: string; name: string; field: string },
  page: Page,
) {
  const listed = await indexPage(
    {
      index: INDEXES.list,
      partition: list.partition,
      prefix: list.prefix,
      tablePrefix: list.tablePrefix,
      scope: JSON.stringify([list.name, list.partition]),
    },
    page,
  );
  return { ...listed, items: listed.items.map((item) => ({ id: item[list.field] as string })) };
}

/** A page of the tenant's part numbers with a master (list index). */
export const listPartNumbers = (tenant: string, page: Page) =>
  listedIds(
    {
      partition: keys.partList(tenant),
      prefix: 'PART#',
      tablePrefix: keys.partMasterPartition(tenant, ''),
      name: 'parts',
      field: 'partNumber',
    },
    page,
  );

/** A page of the products with a configuration model (list index). */
export const listModelProducts = (tenant: string, page: Page) =>
  listedIds(
    {
      partition: keys.configurationModelList(tenant),
      prefix: 'CMODEL#',
      tablePrefix: keys.configurationModelPartition(tenant, ''),
      name: 'configuration-models',
      field: 'productPartNumber',
    },
    page,
  );

/** The last reading of a twin's meter for a parameter, if it has one. */
export async function usageMeter(tenant: string, twinId: string, parameter: string) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: { PK: keys.usagePartition(tenant, twinId, parameter), SK: keys.usageMeterSortKey },
    }),
  );
  return Item ? { reading: Item.reading as number, at: Item.at as string } : undefined;
}

/** Adds usage parameters to the tenant's definitions, each as it was defined (its `updatedAt` kept). */
export async function addUsageParameters(tenant: string, held: UsageParameters, added: UsageParameters) {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.usageParameters(tenant),
        entity: 'usage-parameters',
        parameters: { ...held, ...added },
      },
    }),
  );
}

/** Items a transaction of the usage import may hold: records plus the year and month totals they move. */
const USAGE_TRANSACTION_ITEMS = 96;
const ATTEMPTS = 3;

const usageRecordKey = (tenant: string, twinId: string, record: UsageRecord) => ({
  PK: keys.usagePartition(tenant, twinId, record.parameter),
  SK: keys.usageRecordSortKey(record.at, record.id),
});

/** Cuts one parameter's records into runs whose records and the totals they move fit one transaction. */
function usageChunks(records: readonly UsageRecord[]): UsageRecord[][] {
  const chunks: UsageRecord[][] = [];
  let chunk: UsageRecord[] = [];
  for (const record of records) {
    const next = [...chunk, record];
    if (
      chunk.length > 0 &&
      next.length + totalsTouched(next.map((r) => r.at)).size > USAGE_TRANSACTION_ITEMS
    ) {
      chunks.push(chunk);
      chunk = [record];
    } else chunk = next;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Writes usage records of a twin as recorded, with the year, month and day totals they move: in
 * transactions that fit ({@link usageChunks}), each writing only the records not there yet (read first), so that a rerun
 * (or an overlapping export) moves no total twice. The meter keeps the latest reading.
 */
export async function importUsageRecords(
  tenant: string,
  twinId: string,
  records: readonly UsageRecord[],
  meter?: { reading: number; at: string },
): Promise<{ written: number; already: number }> {
  let written = 0;
  for (const chunk of usageChunks(records)) {
    for (let attempt = 1; ; attempt++) {
      const present = await batchGetItems(
        chunk.map((record) => usageRecordKey(tenant, twinId, record)),
        { consistent: true },
      );
      const there = new Set(present.map((item) => item.SK as string));
      const missing = chunk.filter((record) => !there.has(usageRecordKey(tenant, twinId, record).SK));
      if (missing.length === 0) break;
      try {
        await transactWrite([
          ...missing.map((record) => ({
            Put: {
              TableName: table(),
              Item: {
                ...usageRecordKey(tenant, twinId, record),
                ...keys.usageLogKeys(tenant, twinId, record.parameter, record.recordedAt, record.id),
                entity: 'usage-record',
                ...record,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          })),
          ...totalsWrites(tenant, twinId, missing[0]!.parameter, missing).map((write) => write.entry),
        ]);
        written += missing.length;
        break;
      } catch (error) {
        // another import wrote some of them meanwhile: read again
        if (!(error instanceof TransactionCancelled) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
  if (meter) {
    const parameter = records[0]!.parameter;
    await documentClient()
      .send(
        new PutCommand({
          TableName: table(),
          Item: {
            PK: keys.usagePartition(tenant, twinId, parameter),
            SK: keys.usageMeterSortKey,
            entity: 'usage-meter',
            ...meter,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': meter.at },
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      });
  }
  return { written, already: records.length - written };
}

type ComponentLine = RecordLineOf<'component'>;

/**
 * A serial's component records as a tenant export writes them (twin ids are the source tenant's), or
 * null when it has none beyond the open installation its twin's line holds.
 */
export function componentLineOf(items: readonly Item[]): Omit<ComponentLine, 'type' | 'source'> | null {
  const meta = items.find((item) => item.entity === ENTITY.component);
  if (!meta) return null;
  const plain = (item: Item) => {
    const { entity: _e, partNumber: _p, serialNumber: _s, ...rest } = withoutKeys(item);
    return rest;
  };
  const of = (prefix: string) => items.filter((item) => String(item.SK).startsWith(prefix)).map(plain);
  const records = ['STAY#', 'OPENBAL#', 'OVERHAUL#', 'REMOVAL#'].map(of);
  // a serial that only ever sat where it sits: its twin's line carries all of it
  if (records.every((list) => list.length === 0) && typeof meta.freeSince !== 'string') return null;
  return {
    partNumber: meta.partNumber as string,
    serialNumber: meta.serialNumber as string,
    component: meta.component as ComponentLine['component'],
    ...(typeof meta.freeSince === 'string' ? { freeSince: meta.freeSince } : {}),
    stays: of('STAY#') as ComponentLine['stays'],
    balances: of('OPENBAL#') as ComponentLine['balances'],
    overhauls: of('OVERHAUL#') as ComponentLine['overhauls'],
    removals: of('REMOVAL#') as ComponentLine['removals'],
  };
}

/**
 * Writes a serial's component records into the tenant, twin ids already mapped to the copies: its
 * record (created if the twin imports did not, with when it became free), each finished stay,
 * opening balance, overhaul and removal (on the fleet's removal list) as recorded, each only once.
 * Answers how many items were written and found, and where the serial is installed now.
 */
export async function importComponentRecords(
  tenant: string,
  line: Omit<ComponentLine, 'type' | 'source'>,
): Promise<{ written: number; already: number; installedIn?: { twinId: string; path: string } }> {
  const serial = { partNumber: line.partNumber, serialNumber: line.serialNumber };
  const { Attributes } = await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.component(tenant, serial.partNumber, serial.serialNumber),
      UpdateExpression: `SET entity = if_not_exists(entity, :entity), partNumber = :pn, serialNumber = :sn, #component = if_not_exists(#component, :component)${line.freeSince ? ', freeSince = :free' : ''}`,
      ExpressionAttributeNames: { '#component': 'component' },
      ExpressionAttributeValues: {
        ':entity': ENTITY.component,
        ':pn': serial.partNumber,
        ':sn': serial.serialNumber,
        ':component': line.component,
        ...(line.freeSince ? { ':free': line.freeSince } : {}),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const items: Item[] = [
    ...line.stays.map((stay) => ({
      ...keys.componentStay(tenant, serial, stay),
      entity: ENTITY.stay,
      ...stay,
    })),
    ...line.balances.map((balance) => ({
      ...keys.componentBalance(tenant, serial, balance.at, balance.id),
      entity: 'opening-balance',
      ...balance,
    })),
    ...line.overhauls.map((overhaul) => ({
      ...keys.componentOverhaul(tenant, serial, overhaul.at, overhaul.id),
      entity: 'overhaul',
      ...serial,
      ...overhaul,
    })),
    ...line.removals.map((removal) => ({
      ...keys.componentRemoval(tenant, serial, removal.at, removal.id),
      ...keys.removalIndexKeys(tenant, serial.partNumber, removal.at, removal.id),
      entity: 'removal',
      ...serial,
      ...removal,
    })),
  ];
  const written = await putNewItems(items);
  const installedIn = Attributes?.installedIn as { twinId: string; path: string } | undefined;
  return {
    written,
    already: items.length - written,
    ...(installedIn ? { installedIn: { twinId: installedIn.twinId, path: installedIn.path } } : {}),
  };
}
