import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../../shared/config';
import { documentClient } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';

/** The events of a tenant's change feed, in record order, read straight from the table. */
export const feedOf = async (tenant: string) =>
  (
    await documentClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.event(tenant, 'x').PK },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
