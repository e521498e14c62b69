import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { BaselineRecord } from '../domain/baseline';
import { Conflict } from '../domain/errors';
import { documentClient } from './clients';
import { ENTITY } from './items';
import { keys } from './keys';

/**
 * Records a baseline: one metadata item in the twin's partition, read back by the twin's one Query.
 * Its configuration is not stored (it is assembled from the append-only history on read). The put
 * never overwrites: a baseline is immutable.
 */
export async function putBaseline(tenant: string, twinId: string, baseline: BaselineRecord): Promise<void> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.tableName(),
        Item: { ...keys.baseline(tenant, twinId, baseline.id), entity: ENTITY.baseline, twinId, ...baseline },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new Conflict(`A baseline with id ${baseline.id} already exists`);
    throw error;
  }
}
