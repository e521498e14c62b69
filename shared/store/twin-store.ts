import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { FlatConfiguration, InstallationRecord, PositionRecord } from '../domain/configuration';
import { AppError, Conflict, invalidField, NotFound, PreconditionFailed } from '../domain/errors';
import type { TwinRecord } from '../domain/twin';
import type { Component } from '../schemas/twin';
import { documentClient } from './clients';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, withoutKeys } from './keys';
import { INDEXES, type IndexName } from './table';
import {
  chunk,
  MAX_TRANSACTION_ITEMS,
  type TransactEntry,
  TransactionCancelled,
  transactWrite,
} from './transact';

/**
 * How long a twin being written in several transactions may stay pending. Longer than the
 * function timeout (29 s), so a live writer is never overtaken; once it has passed, a crashed
 * writer's guards are taken over by the next attempt.
 */
export const PENDING_LEASE_MS = 120_000;
/** Transactions of one large create written at the same time. */
const PARALLEL_TRANSACTIONS = 4;

interface Guard {
  /** The twin holding the guard now, read from the item DynamoDB returns on a failed condition. */
  holder: (item: Record<string, unknown>) => string | undefined;
  /** The same write, allowed to replace a guard left behind by an abandoned create. */
  takeover: (staleTwinId: string) => TransactEntry;
  conflict: (item: Record<string, unknown>) => AppError;
}

interface Write {
  entry: TransactEntry;
  guard?: Guard;
  /** The error to answer when this entry's condition fails (and it is not a guard). */
  onConditionFailed?: () => AppError;
}

export interface CreateOptions {
  /** Test seam: called after each transaction of a multi-transaction create. */
  afterTransaction?: (count: number) => Promise<void>;
}

const table = () => config.tableName();

const ACTIVE = 'active';
const PENDING = 'pending';

function metaItem(tenant: string, record: TwinRecord, status: 'active' | 'pending', leaseUntil?: string) {
  return {
    ...keys.twinMeta(tenant, record.id),
    entity: 'twin',
    status,
    ...record,
    ...(status === ACTIVE
      ? keys.twinIndexKeys(tenant, { ...record, partNumber: record.product.partNumber })
      : { leaseUntil }),
  };
}

function plannedWrites(
  tenant: string,
  record: TwinRecord,
  flat: FlatConfiguration,
  status: 'active' | 'pending',
) {
  const writes: Write[] = [];
  const leaseUntil = new Date(Date.parse(record.createdAt) + PENDING_LEASE_MS).toISOString();
  writes.push({
    entry: {
      Put: {
        TableName: table(),
        Item: metaItem(tenant, record, status, leaseUntil),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    onConditionFailed: () => new Conflict('A twin with this id already exists'),
  });
  writes.push(serialGuardWrite(tenant, record));
  const referenced = new Set<string>();
  for (const { path, component } of flat.installations) {
    if (component.serialNumber !== undefined)
      writes.push(componentGuardWrite(tenant, record, path, component));
    if (component.twinId !== undefined && !referenced.has(component.twinId)) {
      referenced.add(component.twinId);
      writes.push(twinReferenceCheck(tenant, path, component.twinId));
    }
  }
  flat.positions.forEach((position) => {
    writes.push({
      entry: {
        Put: {
          TableName: table(),
          Item: {
            ...keys.position(tenant, record.id, position.path),
            entity: 'position',
            ...position,
            validFrom: record.builtAt,
            recordedAt: record.createdAt,
          },
        },
      },
    });
  });
  for (const { path, component } of flat.installations) {
    const installation: InstallationRecord = {
      path,
      component,
      validFrom: record.builtAt,
      validTo: null,
      recordedAt: record.createdAt,
    };
    writes.push({
      entry: {
        Put: {
          TableName: table(),
          Item: {
            ...keys.installation(tenant, record.id, path, record.builtAt, 0),
            entity: 'installation',
            ...installation,
          },
        },
      },
    });
  }
  return writes;
}

function serialGuardWrite(tenant: string, record: TwinRecord): Write {
  const put = (condition: string, values?: Record<string, unknown>): TransactEntry => ({
    Put: {
      TableName: table(),
      Item: {
        ...keys.serialGuard(tenant, record.product.partNumber, record.serialNumber),
        entity: 'serial',
        twinId: record.id,
      },
      ConditionExpression: condition,
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });
  return {
    entry: put('attribute_not_exists(PK)'),
    guard: {
      holder: (item) => (typeof item.twinId === 'string' ? item.twinId : undefined),
      takeover: (stale) => put('attribute_not_exists(PK) OR twinId = :stale', { ':stale': stale }),
      conflict: () =>
        new Conflict(
          `A twin of product ${record.product.partNumber} with serial number ${record.serialNumber} already exists`,
          [{ path: 'body.serialNumber', message: 'already exists for this product' }],
        ),
    },
  };
}

function componentGuardWrite(tenant: string, record: TwinRecord, path: string, component: Component): Write {
  const put = (condition: string, values?: Record<string, unknown>): TransactEntry => ({
    Put: {
      TableName: table(),
      Item: {
        ...keys.component(tenant, component.partNumber, component.serialNumber!),
        entity: 'component',
        partNumber: component.partNumber,
        serialNumber: component.serialNumber,
        installedIn: { twinId: record.id, path, since: record.builtAt },
      },
      ConditionExpression: condition,
      ...(values ? { ExpressionAttributeValues: values } : {}),
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });
  const free = 'attribute_not_exists(PK) OR attribute_not_exists(installedIn)';
  return {
    entry: put(free),
    guard: {
      holder: (item) => (item.installedIn as { twinId?: string } | undefined)?.twinId,
      takeover: (stale) => put(`${free} OR installedIn.twinId = :stale`, { ':stale': stale }),
      conflict: (item) => {
        const at = item.installedIn as { twinId: string; path: string };
        return new Conflict(
          `Component ${component.partNumber} serial ${component.serialNumber} is installed at ${at.path} of twin ${at.twinId}`,
          [{ path: `configuration:${path}`, message: 'component is installed elsewhere' }],
        );
      },
    },
  };
}

function twinReferenceCheck(tenant: string, path: string, twinId: string): Write {
  return {
    entry: {
      ConditionCheck: {
        TableName: table(),
        Key: keys.twinMeta(tenant, twinId),
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': ACTIVE },
      },
    },
    onConditionFailed: () => invalidField(`configuration:${path}.component.twinId`, `no twin ${twinId}`),
  };
}

type HolderState = { state: 'active' } | { state: 'abandoned' } | { state: 'pending'; leaseUntil: string };

/** The twin holding a guard: live, still being created, or a create that died (gone, or past its lease). */
async function holderState(tenant: string, twinId: string, now: Date): Promise<HolderState> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.twinMeta(tenant, twinId), ConsistentRead: true }),
  );
  if (!Item) return { state: 'abandoned' };
  if (Item.status !== PENDING) return { state: 'active' };
  const leaseUntil = String(Item.leaseUntil);
  return leaseUntil < now.toISOString() ? { state: 'abandoned' } : { state: 'pending', leaseUntil };
}

/**
 * One transaction. Guards held by abandoned creates are taken over (all of them at once, then the
 * transaction is sent again); any other refusal is answered with the entry's own error.
 */
async function writeTransaction(tenant: string, writes: Write[], now: Date): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await transactWrite(writes.map((write) => write.entry));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      const failures = error.reasons.filter((reason) => reason.code === 'ConditionalCheckFailed');
      if (failures.length === 0) throw new Conflict('The change conflicts with a concurrent one: retry');
      const states = new Map<string, Promise<HolderState>>();
      for (const failure of failures) {
        const write = writes[failure.index]!;
        if (!write.guard)
          throw write.onConditionFailed?.() ?? new Conflict('The change conflicts with the stored state');
        const item = failure.item ?? {};
        const holder = write.guard.holder(item);
        if (holder === undefined) throw write.guard.conflict(item);
        if (!states.has(holder)) states.set(holder, holderState(tenant, holder, now));
        const holding = await states.get(holder)!;
        if (holding.state === 'pending') throw creationInProgress(holding.leaseUntil, now);
        if (holding.state === 'active' || attempt >= 3) throw write.guard.conflict(item);
        write.entry = write.guard.takeover(holder);
      }
    }
  }
}

function creationInProgress(leaseUntil: string, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((Date.parse(leaseUntil) - now.getTime()) / 1000));
  return new AppError(
    409,
    'Conflict',
    `Another request is still creating a twin with the same serial numbers: retry in ${seconds} s`,
    undefined,
    { 'retry-after': String(seconds) },
  );
}

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
  record: TwinRecord,
  flat: FlatConfiguration,
  now: Date,
  options: CreateOptions = {},
): Promise<{ transactions: number }> {
  const single = plannedWrites(tenant, record, flat, ACTIVE);
  if (single.length <= MAX_TRANSACTION_ITEMS) {
    await writeTransaction(tenant, single, now);
    return { transactions: 1 };
  }
  const [first, ...rest] = chunk(plannedWrites(tenant, record, flat, PENDING), MAX_TRANSACTION_ITEMS);
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

/** Best-effort undo of a failed create: guards only where this twin still holds them. */
async function removeWrites(tenant: string, twinId: string, written: Write[]): Promise<void> {
  const partition = keys.twinPartition(tenant, twinId);
  const ownKeys: Record<string, unknown>[] = [];
  const guards: Promise<unknown>[] = [];
  for (const { entry } of written) {
    const item = entry.Put?.Item;
    if (!item) continue;
    const key = { PK: item.PK, SK: item.SK };
    if (item.PK === partition) {
      ownKeys.push(key);
      continue;
    }
    const owned =
      item.entity === 'component'
        ? 'installedIn.twinId = :twin'
        : item.entity === 'serial'
          ? 'twinId = :twin'
          : null;
    if (owned === null) continue;
    guards.push(
      documentClient()
        .send(
          new DeleteCommand({
            TableName: table(),
            Key: key,
            ConditionExpression: owned,
            ExpressionAttributeValues: { ':twin': twinId },
          }),
        )
        .catch(() => undefined),
    );
  }
  await Promise.all(guards);
  // The META item goes last, so that guards never point at a twin that looks finished.
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

export interface LoadedTwin {
  record: TwinRecord;
  positions: PositionRecord[];
  installations: InstallationRecord[];
}

/** A twin with all its records: one Query of its partition (one request per MB). Pending twins are absent. */
export async function loadTwin(tenant: string, twinId: string): Promise<LoadedTwin | null> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId) },
    ConsistentRead: true,
  });
  let meta: Record<string, unknown> | undefined;
  const positions: PositionRecord[] = [];
  const installations: InstallationRecord[] = [];
  for (const item of items) {
    if (item.entity === 'twin') meta = item;
    else if (item.entity === 'position') positions.push(toPosition(item));
    else if (item.entity === 'installation') installations.push(toInstallation(item));
  }
  if (!meta || meta.status !== ACTIVE) return null;
  return { record: toTwinRecord(meta), positions, installations };
}

async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function toTwinRecord(item: Record<string, unknown>): TwinRecord {
  const { entity: _entity, status: _status, leaseUntil: _lease, ...record } = withoutKeys(item);
  return record as unknown as TwinRecord;
}

function toPosition(item: Record<string, unknown>): PositionRecord {
  return {
    path: item.path as string,
    ...(item.name === undefined ? {} : { name: item.name as string }),
    order: item.order as number,
  };
}

function toInstallation(item: Record<string, unknown>): InstallationRecord {
  return {
    path: item.path as string,
    component: item.component as Component,
    validFrom: item.validFrom as string,
    validTo: (item.validTo as string | null | undefined) ?? null,
    recordedAt: item.recordedAt as string,
  };
}

/**
 * Replaces a twin's META item with `next`, if the stored version is still `expectedVersion`.
 * Index keys are rebuilt (a new site moves the twin in the site index).
 */
export async function saveTwinRecord(
  tenant: string,
  next: TwinRecord,
  expectedVersion: number,
): Promise<void> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: table(),
        Item: metaItem(tenant, next, ACTIVE),
        ConditionExpression: '#status = :active AND version = :expected',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': ACTIVE, ':expected': expectedVersion },
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
  if (startKey !== undefined && !isKeyOf(startKey, tenant, index, partition)) {
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
  const nextCursor =
    hasNext && last
      ? encodeCursor(scope, {
          PK: last.PK,
          SK: last.SK,
          [index.partitionKey]: last[index.partitionKey],
          [index.sortKey]: last[index.sortKey],
        })
      : undefined;
  return { items: pageItems.map(toTwinRecord), ...(nextCursor ? { nextCursor } : {}) };
}

function isKeyOf(
  key: Record<string, unknown>,
  tenant: string,
  index: { partitionKey: string; sortKey: string },
  partition: string,
): boolean {
  const names = Object.keys(key).sort();
  const expected = ['PK', 'SK', index.partitionKey, index.sortKey].sort();
  return (
    names.length === expected.length &&
    names.every((name, position) => name === expected[position]) &&
    key[index.partitionKey] === partition &&
    typeof key.PK === 'string' &&
    key.PK.startsWith(keys.twinPartition(tenant, ''))
  );
}
