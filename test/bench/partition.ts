import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../shared/config';
import { documentClient } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';

/** The raw Query `loadTwin` sends: the whole partition, consistent, page after page (items and pages counted). */
export async function queryPartition(
  tenant: string,
  twinId: string,
): Promise<{ items: number; pages: number }> {
  let items = 0;
  let pages = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    pages++;
    items += page.Items?.length ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { items, pages };
}
