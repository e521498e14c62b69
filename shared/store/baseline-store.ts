import { config } from '../config';
import { type BaselineRecord, baselineNameTaken } from '../domain/baseline';
import { Conflict } from '../domain/errors';
import { baselineItem, baselineNameItem } from './items';
import { TransactionCancelled, transactWrite } from './transact';

/**
 * Records a baseline: one metadata item in the twin's partition, read back by the twin's one Query,
 * and in the same transaction the guard of its name, so that of two concurrent takes of one name
 * exactly one is recorded. Its configuration is not stored (it is assembled from the append-only
 * history on read). Neither put overwrites: a baseline is immutable.
 */
export async function putBaseline(tenant: string, twinId: string, baseline: BaselineRecord): Promise<void> {
  const put = (Item: Record<string, unknown>) => ({
    Put: { TableName: config.tableName(), Item, ConditionExpression: 'attribute_not_exists(PK)' },
  });
  try {
    await transactWrite([
      put(baselineItem(tenant, twinId, baseline)),
      put(baselineNameItem(tenant, twinId, baseline)),
    ]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.conditionFailure?.index === 1) throw baselineNameTaken(baseline.name);
    throw new Conflict(`A baseline with id ${baseline.id} already exists`);
  }
}
