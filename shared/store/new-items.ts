import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { documentClient } from './clients';

/**
 * Puts each item unless one with its key exists (one conditional put each, in parallel): how a
 * restore of recorded items stays idempotent. Answers how many were new.
 */
export async function putNewItems(items: readonly Record<string, unknown>[]): Promise<number> {
  const outcomes = await Promise.all(
    items.map((Item) =>
      documentClient()
        .send(
          new PutCommand({
            TableName: config.tableName(),
            Item,
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        )
        .then(
          () => true,
          (error: unknown) => {
            if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
            throw error;
          },
        ),
    ),
  );
  return outcomes.filter(Boolean).length;
}
