import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { documentClient } from './clients';
import { ACTIVE } from './guarded-transaction';
import { keys } from './keys';
import { chunk } from './transact';

/** Items by key, 100 per request, retrying what DynamoDB leaves unprocessed. Missing items are absent. */
export async function batchGetItems(
  itemKeys: Record<string, string>[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const table = config.tableName();
  const items: Record<string, unknown>[] = [];
  for (const batch of chunk(itemKeys, 100)) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }> | undefined = {
      [table]: { Keys: batch, ...(options.consistent ? { ConsistentRead: true } : {}) },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      items.push(...(result.Responses?.[table] ?? []));
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return items;
}

/** Which of these twins are visible (active): a create that never finished leaves pending ones behind. */
export async function activeTwins(tenant: string, twinIds: readonly string[]): Promise<Set<string>> {
  const metas = await batchGetItems([...new Set(twinIds)].map((id) => keys.twinMeta(tenant, id)));
  return new Set(metas.filter((meta) => meta.status === ACTIVE).map((meta) => meta.id as string));
}
