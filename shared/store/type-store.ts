import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { Conflict } from '../domain/errors';
import type { TypeRecord } from '../domain/types';
import { documentClient } from './clients';
import { eventItem } from './events';
import { indexPage } from './index-page';
import { ENTITY } from './items';
import { keys, withoutKeys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';
import { chunk, TransactionCancelled, transactWrite } from './transact';

const table = () => config.tableName();

type Item = Record<string, unknown>;

const toType = (item: Item): TypeRecord => {
  const { entity: _entity, ...record } = withoutKeys(item);
  return record as unknown as TypeRecord;
};

/** The latest version of a type (its META item, read consistently: a type just defined is in force), or null. */
export async function latestType(tenant: string, name: string): Promise<TypeRecord | null> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.typeMeta(tenant, name), ConsistentRead: true }),
  );
  return Item ? toType(Item) : null;
}

/** One version of a type, or null. */
export async function typeVersion(tenant: string, name: string, version: number): Promise<TypeRecord | null> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: keys.typeVersion(tenant, name, version),
      ConsistentRead: true,
    }),
  );
  return Item ? toType(Item) : null;
}

/** Every version of a type, oldest first (one consistent Query of its partition); empty when there is none. */
export async function typeVersions(tenant: string, name: string): Promise<TypeRecord[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.typePartition(tenant, name), ':prefix': 'V#' },
    ConsistentRead: true,
  });
  return items.map(toType);
}

/**
 * The latest version of each named type that exists: one GetItem for one name (the common write),
 * one consistent BatchGetItem per 100 names otherwise.
 */
export async function latestTypes(
  tenant: string,
  names: readonly string[],
): Promise<Map<string, TypeRecord>> {
  const distinct = [...new Set(names)];
  const found = new Map<string, TypeRecord>();
  if (distinct.length === 0) return found;
  if (distinct.length === 1) {
    const type = await latestType(tenant, distinct[0]!);
    if (type) found.set(type.name, type);
    return found;
  }
  for (const batch of chunk(distinct, 100)) {
    let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
      [table()]: { Keys: batch.map((name) => keys.typeMeta(tenant, name)), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[table()] ?? []) found.set(item.name as string, toType(item));
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return found;
}

/** Rounds a PUT may lose to concurrent PUTs of the same type before it answers 409. */
const ATTEMPTS = 8;

/**
 * Stores the next version of a type: reads the latest, builds the next one with `prepare`, and writes
 * the new META (conditioned on the version read), the version item (conditioned on being new) and a
 * `type.version.created` event in one transaction. Two concurrent PUTs never get the same number:
 * the loser reads again and takes the next one.
 */
export async function putTypeVersion(
  tenant: string,
  name: string,
  prepare: (latest: TypeRecord | null) => TypeRecord,
): Promise<TypeRecord> {
  for (let attempt = 1; ; attempt++) {
    const latest = await latestType(tenant, name);
    const next = prepare(latest);
    try {
      await transactWrite([
        {
          Put: {
            TableName: table(),
            Item: {
              ...keys.typeMeta(tenant, name),
              ...keys.typeIndexKeys(tenant, name),
              entity: ENTITY.type,
              ...next,
            },
            ConditionExpression: latest ? 'version = :previous' : 'attribute_not_exists(PK)',
            ...(latest ? { ExpressionAttributeValues: { ':previous': latest.version } } : {}),
          },
        },
        {
          Put: {
            TableName: table(),
            Item: { ...keys.typeVersion(tenant, name, next.version), entity: ENTITY.typeVersion, ...next },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: table(),
            Item: eventItem(tenant, {
              type: 'type.version.created',
              recordedAt: next.createdAt,
              typeName: name,
              version: next.version,
              kind: next.kind,
              actor: next.createdBy,
            }),
          },
        },
      ]);
      return next;
    } catch (error) {
      const lostRace = error instanceof TransactionCancelled || error instanceof Conflict;
      if (!lostRace) throw error;
      if (attempt >= ATTEMPTS)
        throw new Conflict(`Other versions of type ${name} were stored at the same time: retry`);
      await sleep(Math.random() * 20 * attempt);
    }
  }
}

/** A page of the tenant's types (latest version of each), by name; optionally of one kind. */
export async function listTypes(
  tenant: string,
  filters: { kind?: string },
  page: { limit: number; cursor?: string },
): Promise<{ items: TypeRecord[]; nextCursor?: string }> {
  const partition = keys.typeList(tenant);
  const result = await indexPage(
    {
      index: INDEXES.list,
      partition,
      prefix: 'TYPE#',
      tablePrefix: keys.typePartition(tenant, ''),
      scope: JSON.stringify(['types', partition, filters]),
      filters: { kind: filters.kind },
    },
    page,
  );
  return { ...result, items: result.items.map(toType) };
}
