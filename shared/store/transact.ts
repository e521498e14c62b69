import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Conflict } from '../domain/errors';
import { documentClient } from './clients';

export type TransactEntry = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit of items in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

export interface CancellationReason {
  /** Index of the entry in the transaction. */
  index: number;
  code: string;
  /** The item as it was, when the entry asked for `ReturnValuesOnConditionCheckFailure: ALL_OLD`. */
  item?: Record<string, unknown>;
}

/** A transaction DynamoDB refused, with the entries that made it fail. */
export class TransactionCancelled extends Error {
  constructor(readonly reasons: CancellationReason[]) {
    super(`Transaction cancelled: ${reasons.map((reason) => `${reason.index}:${reason.code}`).join(', ')}`);
    this.name = 'TransactionCancelled';
  }

  /** The first entry whose condition failed, if any. */
  get conditionFailure(): CancellationReason | undefined {
    return this.reasons.find((reason) => reason.code === 'ConditionalCheckFailed');
  }
}

/**
 * One TransactWriteItems. A refusal is thrown as `TransactionCancelled` naming the failed entries;
 * a conflict with a concurrent transaction on the same items becomes a 409 the client may retry.
 */
export async function transactWrite(entries: TransactEntry[]): Promise<void> {
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: entries }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons: CancellationReason[] = [];
    (error.CancellationReasons ?? []).forEach((reason, index) => {
      if (!reason.Code || reason.Code === 'None') return;
      reasons.push({
        index,
        code: reason.Code,
        ...(reason.Item ? { item: unmarshall(reason.Item) } : {}),
      });
    });
    if (
      reasons.some((reason) => reason.code === 'TransactionConflict') &&
      !reasons.some(isConditionFailure)
    ) {
      throw new Conflict('A concurrent change to the same items is in progress: retry');
    }
    throw new TransactionCancelled(reasons);
  }
}

const isConditionFailure = (reason: CancellationReason) => reason.code === 'ConditionalCheckFailed';

/** Splits a list into runs of at most `size`. */
export function chunk<T>(list: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < list.length; start += size) chunks.push(list.slice(start, start + size));
  return chunks;
}
