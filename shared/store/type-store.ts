import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { TypeRecord } from '../domain/types';
import { documentClient } from './clients';
import { eventItem } from './events';
import { indexPage } from './index-page';
import { ENTITY } from './items';
import { keys, withoutKeys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';
import { chunk } from './transact';
import { putNextVersion } from './versioned-put';

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

/** Stores the next version of a type and its `type.version.created` event (shared/store/versioned-put.ts). */
export function putTypeVersion(
  tenant: string,
  name: string,
  prepare: (latest: TypeRecord | null) => TypeRecord,
): Promise<TypeRecord> {
  return putNextVersion({
    what: `type ${name}`,
    latest: () => latestType(tenant, name),
    prepare,
    meta: (next) => ({
      ...keys.typeMeta(tenant, name),
      ...keys.typeIndexKeys(tenant, name),
      entity: ENTITY.type,
      ...next,
    }),
    version: (next) => ({
      ...keys.typeVersion(tenant, name, next.version),
      entity: ENTITY.typeVersion,
      ...next,
    }),
    event: (next) =>
      eventItem(tenant, {
        type: 'type.version.created',
        recordedAt: next.createdAt,
        typeName: name,
        version: next.version,
        kind: next.kind,
        actor: next.createdBy,
      }),
  });
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
