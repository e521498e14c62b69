import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { documentClient } from './clients';
import { ACTIVE } from './guarded-transaction';
import { keys } from './keys';
import { chunk } from './transact';

/**
 * Items by key, 100 per request, retrying what DynamoDB leaves unprocessed. Missing items are absent.
 * `consistent`: strongly consistent reads (what a write then conditioned on a version must plan on).
 */
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

/** One string per item key (`PK`, `SK`), e.g. to find an item read among others. */
export const keyId = (key: Record<string, unknown>): string => `${key.PK}\u0000${key.SK}`;

/** The item with this key among items read (undefined: it was not among them). */
export const itemAt = (items: readonly Record<string, unknown>[], key: Record<string, unknown>) =>
  items.find((item) => item.PK === key.PK && item.SK === key.SK);

/** Each key once (a BatchGet or TransactGet naming one item twice is refused), in the order first named. */
export function uniqueKeys<K extends Record<string, string>>(itemKeys: readonly K[]): K[] {
  const seen = new Set<string>();
  return itemKeys.filter((key) => {
    const id = keyId(key);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Which of these twins are visible (active): a create that never finished leaves pending ones behind. */
export async function activeTwins(tenant: string, twinIds: readonly string[]): Promise<Set<string>> {
  const metas = await batchGetItems([...new Set(twinIds)].map((id) => keys.twinMeta(tenant, id)));
  return new Set(metas.filter((meta) => meta.status === ACTIVE).map((meta) => meta.id as string));
}
