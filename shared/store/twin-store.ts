import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { BaselineRecord } from '../domain/baseline';
import type { ChangeSetRecord, MountRecord, TwinHistory } from '../domain/change-set';
import type { InstallationRecord, PositionRecord } from '../domain/configuration';
import { Conflict, invalidField, NotFound, PreconditionFailed } from '../domain/errors';
import type { InspectionRecord } from '../domain/inspection';
import type { LinkRecord } from '../domain/thread';
import type { TwinRecord } from '../domain/twin';
import { asBuiltWrites, metaItem, PENDING_LEASE_MS } from './as-built-writes';
import { documentClient } from './clients';
import { decodeCursor, encodeCursor } from './cursor';
import { ACTIVE, PENDING, type Write, writeTransaction } from './guarded-transaction';
import { indexKeyOf, isIndexKeyOf } from './index-cursor';
import {
  ENTITY,
  toBaseline,
  toChangeSet,
  toInspection,
  toInstallation,
  toLink,
  toMount,
  toPosition,
  toTwinRecord,
} from './items';
import { keys } from './keys';
import { queryAll } from './query';
import { INDEXES, type IndexName } from './table';
import { chunk, MAX_TRANSACTION_ITEMS, type TransactEntry } from './transact';

export { PENDING_LEASE_MS };

/** Transactions of one large create written at the same time. */
const PARALLEL_TRANSACTIONS = 4;

export interface CreateOptions {
  /** Test seam: called after each transaction of a multi-transaction create. */
  afterTransaction?: (count: number) => Promise<void>;
}

const table = () => config.tableName();

/**
 * Writes a new twin with its positions, installations and uniqueness guards.
 *
 * Up to 100 items it is one transaction. Larger twins are written in several, under a META item
 * marked `pending` that every reader ignores (and without the index keys that lists query);
 * the last write flips it to `active`, conditioned on the lease still running. A writer that
 * fails removes what it wrote; one that crashes leaves a pending twin nobody sees, whose guards
 * the next attempt takes over once the lease has passed.
 */
export async function createTwin(
  tenant: string,
  history: TwinHistory,
  now: Date,
  options: CreateOptions = {},
): Promise<{ transactions: number }> {
  const { record } = history;
  const single = asBuiltWrites(tenant, history, ACTIVE);
  if (single.length <= MAX_TRANSACTION_ITEMS) {
    await writeTransaction(tenant, single, now);
    return { transactions: 1 };
  }
  const [first, ...rest] = chunk(asBuiltWrites(tenant, history, PENDING), MAX_TRANSACTION_ITEMS);
  const written: Write[] = [];
  let transactions = 0;
  try {
    await writeTransaction(tenant, first!, now);
    written.push(...first!);
    await options.afterTransaction?.(++transactions);
    for (const batch of chunk(rest, PARALLEL_TRANSACTIONS)) {
      const results = await Promise.allSettled(batch.map((writes) => writeTransaction(tenant, writes, now)));
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') written.push(...batch[index]!);
      });
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      transactions += batch.length;
      await options.afterTransaction?.(transactions);
    }
    await activate(tenant, record, now);
    return { transactions: transactions + 1 };
  } catch (error) {
    await removeWrites(tenant, record.id, written);
    throw error;
  }
}

async function activate(tenant: string, record: TwinRecord, now: Date): Promise<void> {
  const indexKeys = keys.twinIndexKeys(tenant, { ...record, partNumber: record.product.partNumber });
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':active': ACTIVE,
    ':pending': PENDING,
    ':now': now.toISOString(),
  };
  const sets = ['#status = :active'];
  for (const [name, value] of Object.entries(indexKeys)) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.twinMeta(tenant, record.id),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseUntil`,
        ConditionExpression: '#status = :pending AND leaseUntil > :now',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new Conflict('Writing the twin took longer than its lease: nothing was kept, retry');
    }
    throw error;
  }
}

/**
 * Best-effort undo of a failed create: each write outside the twin's partition says how to undo
 * itself (only where this twin still holds the guard); the partition's own items go, META last,
 * so that guards never point at a twin that looks finished.
 */
async function removeWrites(tenant: string, twinId: string, written: Write[]): Promise<void> {
  const partition = keys.twinPartition(tenant, twinId);
  const ownKeys: Record<string, unknown>[] = [];
  const undos: Promise<unknown>[] = [];
  for (const write of written) {
    const item = write.entry.Put?.Item;
    if (item?.PK === partition) ownKeys.push({ PK: item.PK, SK: item.SK });
    else if (write.undo) undos.push(sendUndo(write.undo).catch(() => undefined));
  }
  await Promise.all(undos);
  const meta = ownKeys.filter((key) => key.SK === keys.prefixes.meta);
  const others = ownKeys.filter((key) => key.SK !== keys.prefixes.meta);
  for (const batch of [...chunk(others, 25), meta]) {
    if (batch.length === 0) continue;
    await documentClient()
      .send(
        new BatchWriteCommand({
          RequestItems: { [table()]: batch.map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      )
      .catch(() => undefined);
  }
}

const sendUndo = (undo: TransactEntry) =>
  undo.Delete
    ? documentClient().send(new DeleteCommand(undo.Delete))
    : undo.Update
      ? documentClient().send(new UpdateCommand(undo.Update))
      : Promise.resolve();

/**
 * A twin with everything it ever was: one Query of its partition (one request per MB), so the cost
 * grows with this twin's history, not with the fleet. Pending twins are absent.
 */
export async function loadTwin(tenant: string, twinId: string): Promise<TwinHistory | null> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId) },
    ConsistentRead: true,
  });
  let meta: Record<string, unknown> | undefined;
  const positions: PositionRecord[] = [];
  const installations: InstallationRecord[] = [];
  const changeSets: ChangeSetRecord[] = [];
  const baselines: BaselineRecord[] = [];
  const mounts: MountRecord[] = [];
  const links: LinkRecord[] = [];
  const inspections: InspectionRecord[] = [];
  for (const item of items) {
    if (item.entity === ENTITY.twin) meta = item;
    else if (item.entity === ENTITY.position) positions.push(toPosition(item));
    else if (item.entity === ENTITY.installation) installations.push(toInstallation(item));
    else if (item.entity === ENTITY.changeSet) changeSets.push(toChangeSet(item));
    else if (item.entity === ENTITY.baseline) baselines.push(toBaseline(item));
    else if (item.entity === ENTITY.mount) mounts.push(toMount(item));
    else if (item.entity === ENTITY.inspection) inspections.push(toInspection(item));
    else if (item.entity === ENTITY.link) links.push(toLink(item));
  }
  if (!meta || meta.status !== ACTIVE) return null;
  const mountedIn = meta.mountedIn as TwinHistory['mountedIn'];
  return {
    record: toTwinRecord(meta),
    positions,
    installations,
    changeSets,
    baselines,
    mounts,
    links,
    inspections,
    ...(mountedIn ? { mountedIn } : {}),
  };
}

/** Twin fields that may be absent: removed from the item when the new record lacks them. */
const OPTIONAL_TWIN_ATTRIBUTES = ['site', 'type', 'typeVersion', 'oem', 'sitePK', 'siteSK'];

/**
 * Writes a twin's new record over its META item, if the stored version is still `expectedVersion`.
 * An update, not a put, so that what other writers keep there (where the twin is installed) stays;
 * index keys are rebuilt (a new site moves the twin in the site index).
 */
export async function saveTwinRecord(
  tenant: string,
  next: TwinRecord,
  expectedVersion: number,
): Promise<void> {
  const { PK: _pk, SK: _sk, ...item } = metaItem(tenant, next, ACTIVE) as Record<string, unknown>;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':active': ACTIVE, ':expected': expectedVersion };
  const sets = Object.entries(item).map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    return `#a${index} = :a${index}`;
  });
  const removes = OPTIONAL_TWIN_ATTRIBUTES.filter((name) => !(name in item)).map((name, index) => {
    names[`#r${index}`] = name;
    return `#r${index}`;
  });
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.twinMeta(tenant, next.id),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#status = :active AND version = :expected',
        ExpressionAttributeNames: { ...names, '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (!error.Item) throw new NotFound();
    throw new PreconditionFailed(`The twin changed since version ${expectedVersion}: read it again`);
  }
}

export interface TwinFilters {
  site?: string;
  partNumber?: string;
  serialNumber?: string;
  lifecycle?: string;
}

/**
 * A page of a tenant's twins, sorted by serial number. The most selective index serves the
 * query (site, else product, else the tenant list); the other filters apply on the way.
 */
export async function listTwins(
  tenant: string,
  filters: TwinFilters,
  page: { limit: number; cursor?: string },
): Promise<{ items: TwinRecord[]; nextCursor?: string }> {
  const [indexName, partition]: [IndexName, string] =
    filters.site !== undefined
      ? ['site', keys.twinsBySite(tenant, filters.site)]
      : filters.partNumber !== undefined
        ? ['product', keys.twinsByProduct(tenant, filters.partNumber)]
        : ['list', keys.twinList(tenant)];
  const index = INDEXES[indexName];
  const names: Record<string, string> = { '#pk': index.partitionKey, '#sk': index.sortKey };
  const values: Record<string, unknown> = {
    ':pk': partition,
    ':prefix': keys.twinIndexSortPrefix(filters.serialNumber),
  };
  const conditions: string[] = [];
  if (filters.lifecycle !== undefined) {
    names['#lifecycle'] = 'lifecycle';
    values[':lifecycle'] = filters.lifecycle;
    conditions.push('#lifecycle = :lifecycle');
  }
  if (indexName === 'site' && filters.partNumber !== undefined) {
    names['#product'] = 'product';
    names['#pn'] = 'partNumber';
    values[':pn'] = filters.partNumber;
    conditions.push('#product.#pn = :pn');
  }
  const scope = JSON.stringify([indexName, partition, filters]);
  let startKey: Record<string, unknown> | undefined = decodeCursor(scope, page.cursor);
  if (startKey !== undefined && !isIndexKeyOf(startKey, index, partition, keys.twinPartition(tenant, ''))) {
    throw invalidField('query.cursor', 'is not a cursor this API issued');
  }
  const items: Record<string, unknown>[] = [];
  let more = false;
  do {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        Limit: page.limit + 1 - items.length,
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    more = startKey !== undefined;
  } while (items.length <= page.limit && more);
  const pageItems = items.slice(0, page.limit);
  const last = pageItems.at(-1);
  const hasNext = items.length > page.limit || (more && last !== undefined);
  const nextCursor = hasNext && last ? encodeCursor(scope, indexKeyOf(last, index)) : undefined;
  return { items: pageItems.map(toTwinRecord), ...(nextCursor ? { nextCursor } : {}) };
}

/** The twins this one is installed in, innermost first (an engine → its aircraft → ...), bounded. */
export async function ancestorsOf(tenant: string, mountedIn: TwinHistory['mountedIn']): Promise<string[]> {
  const ancestors: string[] = [];
  let current = mountedIn;
  while (current && ancestors.length < 16 && !ancestors.includes(current.twinId)) {
    ancestors.push(current.twinId);
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: table(),
        Key: keys.twinMeta(tenant, current.twinId),
        ProjectionExpression: 'mountedIn',
        ConsistentRead: true,
      }),
    );
    current = Item?.mountedIn as TwinHistory['mountedIn'];
  }
  return ancestors;
}
