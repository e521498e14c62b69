import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { AppError, Conflict } from '../domain/errors';
import { documentClient } from './clients';
import { keys } from './keys';
import { type TransactEntry, TransactionCancelled, transactWrite } from './transact';

/** A uniqueness guard a crashed create may have left behind, and how to take it over. */
export interface Guard {
  /** The twin holding the guard now, read from the item DynamoDB returns on a failed condition. */
  holder: (item: Record<string, unknown>) => string | undefined;
  /** The same write, allowed to replace a guard left behind by an abandoned create. */
  takeover: (staleTwinId: string) => TransactEntry;
  conflict: (item: Record<string, unknown>) => AppError;
}

/** One entry of a transaction, with the answer to give when its condition fails. */
export interface Write {
  entry: TransactEntry;
  guard?: Guard;
  /** The error to answer when this entry's condition fails (`item`: the item as it was, if returned). */
  onConditionFailed?: (item: Record<string, unknown> | undefined) => AppError;
  /** How to take this write back if a multi-transaction create fails after it (best effort). */
  undo?: TransactEntry;
}

export const PENDING = 'pending';
export const ACTIVE = 'active';

type HolderState = { state: 'active' } | { state: 'abandoned' } | { state: 'pending'; leaseUntil: string };

/** The twin holding a guard: live, still being created, or a create that died (gone, or past its lease). */
async function holderState(tenant: string, twinId: string, now: Date): Promise<HolderState> {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: config.tableName(),
      Key: keys.twinMeta(tenant, twinId),
      ConsistentRead: true,
    }),
  );
  if (!Item) return { state: 'abandoned' };
  if (Item.status !== PENDING) return { state: 'active' };
  const leaseUntil = String(Item.leaseUntil);
  return leaseUntil < now.toISOString() ? { state: 'abandoned' } : { state: 'pending', leaseUntil };
}

/**
 * One transaction. Guards held by abandoned creates are taken over (all of them at once, then the
 * transaction is sent again); any other refusal is answered with the failing entry's own error.
 */
export async function writeTransaction(tenant: string, writes: Write[], now: Date): Promise<void> {
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
        if (!write.guard) {
          throw (
            write.onConditionFailed?.(failure.item) ??
            new Conflict('The change conflicts with the stored state')
          );
        }
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

/** A condition that held when the twin was read failed at write time: another writer came first. */
export const concurrentChange = () =>
  new AppError(412, 'Precondition failed', 'The twin changed concurrently: read it again');

/** A transaction entry that holds only while the twin exists and is visible (not pending). */
export const twinActiveCheck = (tenant: string, twinId: string): TransactEntry => ({
  ConditionCheck: {
    TableName: config.tableName(),
    Key: keys.twinMeta(tenant, twinId),
    ConditionExpression: '#status = :active',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':active': ACTIVE },
  },
});
