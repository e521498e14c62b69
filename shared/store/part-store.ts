import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { Conflict } from '../domain/errors';
import type { LifeStatus, PartMaster, PartMasterBody } from '../schemas/usage';
import { batchGetItems, keyId, uniqueKeys } from './batch-get';
import { documentClient } from './clients';
import { eventItem } from './events';
import { keys, withoutKeys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';
import { TransactionCancelled, transactWrite } from './transact';

const table = () => config.tableName();
type Item = Record<string, unknown>;

const toPart = (item: Item): PartMaster => {
  const { entity: _entity, ...record } = withoutKeys(item);
  return record as unknown as PartMaster;
};

/** The part master in force at a record time: the latest version (META), or the last recorded by `knownAt`. */
export async function partMaster(
  tenant: string,
  partNumber: string,
  knownAt?: string,
): Promise<PartMaster | null> {
  if (knownAt === undefined) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: table(), Key: keys.partMaster(tenant, partNumber), ConsistentRead: true }),
    );
    return Item ? toPart(Item) : null;
  }
  const versions = await partVersions(tenant, partNumber);
  return versions.filter((version) => version.recordedAt <= knownAt).at(-1) ?? null;
}

export async function partVersions(tenant: string, partNumber: string): Promise<PartMaster[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :v)',
    ExpressionAttributeValues: { ':pk': keys.partMasterPartition(tenant, partNumber), ':v': 'V#' },
    ConsistentRead: true,
  });
  return items.map(toPart);
}

/** The latest masters of several part numbers (BatchGet, 100 per request). */
export async function partMasters(
  tenant: string,
  partNumbers: readonly string[],
): Promise<Map<string, PartMaster>> {
  if (partNumbers.length === 0) return new Map();
  return (await partMastersWith(tenant, partNumbers, [])).masters;
}

/**
 * The same, strongly consistent, with other items read in the same BatchGet (`also`, by key: those
 * that exist). What a write then relies on (a change set checking the serials it installs). `read`:
 * items already read for these `keys` (with the twin the change is planned on): only the others are
 * read now, if any.
 */
export async function partMastersWith(
  tenant: string,
  partNumbers: readonly string[],
  also: readonly Record<string, string>[],
  read?: { keys: readonly Record<string, string>[]; items: readonly Item[] },
): Promise<{ masters: Map<string, PartMaster>; also: Item[] }> {
  const masterKeys = [...new Set(partNumbers)].map((pn) => keys.partMaster(tenant, pn));
  const wanted = uniqueKeys([...masterKeys, ...also]);
  if (wanted.length === 0) return { masters: new Map(), also: [] };
  const readBefore = new Set((read?.keys ?? []).map(keyId));
  const missing = wanted.filter((key) => !readBefore.has(keyId(key)));
  const wantedIds = new Set(wanted.map(keyId));
  const items = [
    ...(read?.items ?? []).filter((item) => wantedIds.has(keyId(item))),
    ...(missing.length > 0 ? await batchGetItems(missing, { consistent: true }) : []),
  ];
  const masterIds = new Set(masterKeys.map(keyId));
  const isMaster = (item: Item) => masterIds.has(keyId(item));
  return {
    masters: new Map(items.filter(isMaster).map((item) => [item.partNumber as string, toPart(item)])),
    also: items.filter((item) => !isMaster(item)),
  };
}

/** A new version of a part master (versioned like types: every PUT is one), with a `part.defined` event. */
export async function putPartMaster(
  tenant: string,
  partNumber: string,
  body: PartMasterBody,
  now: Date,
  recordedAt = now.toISOString(),
): Promise<PartMaster> {
  const latest = await partMaster(tenant, partNumber);
  const record: PartMaster = { partNumber, ...body, version: (latest?.version ?? 0) + 1, recordedAt };
  try {
    await transactWrite([
      {
        Put: {
          TableName: table(),
          Item: {
            ...keys.partMaster(tenant, partNumber),
            listPK: keys.partList(tenant),
            listSK: `PART#${partNumber}`,
            entity: 'part',
            ...record,
          },
          ConditionExpression: latest ? 'version = :v' : 'attribute_not_exists(PK)',
          ...(latest ? { ExpressionAttributeValues: { ':v': latest.version } } : {}),
        },
      },
      {
        Put: {
          TableName: table(),
          Item: {
            ...keys.partMasterVersion(tenant, partNumber, record.version),
            entity: 'part-version',
            ...record,
          },
        },
      },
      {
        Put: {
          TableName: table(),
          Item: eventItem(tenant, { type: 'part.defined', recordedAt, partNumber, version: record.version }),
        },
      },
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled)
      throw new Conflict('The part master changed concurrently: retry');
    throw error;
  }
  return record;
}

/** Every part number with a master (tenant export). */
export const partNumbersWithMasters = async (tenant: string) =>
  (
    await queryAll({
      TableName: table(),
      IndexName: INDEXES.list.name,
      KeyConditionExpression: 'listPK = :pk',
      ExpressionAttributeValues: { ':pk': keys.partList(tenant) },
    })
  ).map((item) => item.partNumber as string);

/** One entry of the fleet life index: a serial's remaining life for one limit, as last computed. */
export interface LifeEntry {
  partNumber: string;
  serialNumber: string;
  parameter: string;
  limit: number;
  remaining: number;
  status: LifeStatus;
  twinId: string | null;
  path: string | null;
  updatedAt: string;
}

export async function getLifeEntry(
  tenant: string,
  entry: Pick<LifeEntry, 'partNumber' | 'serialNumber' | 'parameter'>,
) {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.lifeEntry(tenant, entry, entry.parameter) }),
  );
  return Item ? (withoutKeys(Item) as unknown as LifeEntry) : null;
}

/** Writes an entry; one of unknown life is kept out of the sorted index (it has no remaining to sort by). */
export async function putLifeEntry(tenant: string, entry: LifeEntry, sortKey: string) {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.lifeEntry(tenant, entry, entry.parameter),
        ...(entry.status === 'unknown' ? {} : keys.lifeIndexKeys(tenant, entry.parameter, sortKey, entry)),
        entity: 'life-entry',
        ...entry,
      },
    }),
  );
}
