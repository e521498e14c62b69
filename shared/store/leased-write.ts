import { BatchWriteCommand, DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { Conflict } from '../domain/errors';
import type { TwinRecord } from '../domain/twin';
import { documentClient } from './clients';
import { reissuedEvent } from './events';
import { ACTIVE, PENDING, type Write, writeTransaction } from './guarded-transaction';
import { ENTITY } from './items';
import { keys } from './keys';
import {
  chunk,
  MAX_TRANSACTION_ITEMS,
  type TransactEntry,
  TransactionCancelled,
  transactWrite,
} from './transact';

const table = () => config.tableName();

/** Transactions of one large write sent at the same time. */
const PARALLEL_TRANSACTIONS = 4;

export interface LeasedWriteOptions {
  /** Test seam: called after each transaction of a multi-transaction write. */
  afterTransaction?: (count: number) => Promise<void>;
  /** What the twin is called in the refusal when the lease ran out ("twin", "copy"). */
  what?: string;
}

/**
 * Writes a new twin's items so that it is never visible half-written. Up to 100 items: one
 * transaction of `writes(ACTIVE, 1)`. Beyond: `writes(PENDING, n)` in `n - 1` transactions — the
 * first holds the guards and a `pending` META that every reader ignores, the rest go in parallel —
 * then META flips to `active` (with its index keys) only while its lease runs, in one transaction
 * with the write's change-feed events. A failure removes
 * what was written; a crash leaves a pending twin nobody sees, whose guards the next attempt takes
 * over once the lease has passed.
 */
export async function writeUnderLease(
  tenant: string,
  record: TwinRecord,
  writes: (status: typeof ACTIVE | typeof PENDING, transactions: number) => Write[],
  now: Date,
  options: LeasedWriteOptions = {},
): Promise<{ transactions: number }> {
  const single = writes(ACTIVE, 1);
  if (single.length <= MAX_TRANSACTION_ITEMS) {
    await writeTransaction(tenant, single, now);
    return { transactions: 1 };
  }
  const total = Math.ceil(single.length / MAX_TRANSACTION_ITEMS) + 1;
  // The write's events go with the activation: a crash midway leaves no event of a twin nobody sees.
  const pending = writes(PENDING, total);
  const events = pending.filter(isEvent).map((write) => write.entry.Put!.Item!);
  const [first, ...rest] = chunk(
    pending.filter((write) => !isEvent(write)),
    MAX_TRANSACTION_ITEMS,
  );
  const written: Write[] = [];
  let transactions = 0;
  try {
    await writeTransaction(tenant, first!, now);
    written.push(...first!);
    await options.afterTransaction?.(++transactions);
    for (const batch of chunk(rest, PARALLEL_TRANSACTIONS)) {
      const results = await Promise.allSettled(
        batch.map((batchWrites) => writeTransaction(tenant, batchWrites, now)),
      );
      results.forEach((result, index) => {
        if (result.status === 'fulfilled') written.push(...batch[index]!);
      });
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      transactions += batch.length;
      await options.afterTransaction?.(transactions);
    }
    await activate(tenant, record, now, options.what ?? 'twin', events);
    return { transactions: transactions + 1 };
  } catch (error) {
    await removeWrites(tenant, record.id, written);
    throw error;
  }
}

const isEvent = (write: Write) => write.entry.Put?.Item?.entity === ENTITY.event;

/**
 * Flips a pending META to active with its index keys, on condition that its lease still runs, and
 * in the same transaction puts the write's events (under ids of now: see reissuedEvent).
 */
async function activate(
  tenant: string,
  record: TwinRecord,
  now: Date,
  what: string,
  events: Record<string, unknown>[],
): Promise<void> {
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
    await transactWrite([
      {
        Update: {
          TableName: table(),
          Key: keys.twinMeta(tenant, record.id),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseUntil`,
          ConditionExpression: '#status = :pending AND leaseUntil > :now',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      ...events.map((event) => ({
        Put: {
          TableName: table(),
          Item: reissuedEvent(event),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      })),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled && error.conditionFailure?.index === 0)
      throw new Conflict(`Writing the ${what} took longer than its lease: nothing was kept, retry`);
    throw error;
  }
}

/**
 * Best-effort undo of a failed write: each write outside the twin's partition says how to undo
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
