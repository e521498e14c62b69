import { config } from '../../shared/config';
import { keys } from '../../shared/store/keys';
import { queryAll } from '../../shared/store/query';

/** The items of a twin's partition under one sort-key prefix, as the store wrote them (every page). */
export const partitionRange = (tenant: string, twinId: string, prefix: string) =>
  queryAll({
    TableName: config.tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId), ':prefix': prefix },
    ConsistentRead: true,
  });
