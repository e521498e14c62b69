import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { invalidField } from '../domain/errors';
import { documentClient } from './clients';
import { decodeCursor, encodeCursor } from './cursor';
import { indexKeyOf, isIndexKeyOf } from './index-cursor';
import type { IndexDefinition } from './table';

type Item = Record<string, unknown>;

export interface IndexPageQuery {
  index: IndexDefinition;
  /** The index partition read: always one of the tenant's. */
  partition: string;
  /** Sort-key prefix within the partition. */
  prefix: string;
  /** Table keys a cursor may name (the tenant's partitions of this kind), so it cannot steer elsewhere. */
  tablePrefix: string;
  /** Binds cursors to this query: the partition and the filters. */
  scope: string;
  /** Equality filters on attributes (`a.b` for a nested one), applied by DynamoDB. */
  filters?: Record<string, unknown>;
}

/**
 * One page of an index partition with optional filters: reads until `limit` items pass the
 * filters (or the partition ends), so a filtered page is full whenever more items exist; the
 * cursor continues after its last item.
 */
export async function indexPage(
  query: IndexPageQuery,
  page: { limit: number; cursor?: string },
): Promise<{ items: Item[]; nextCursor?: string }> {
  const { index, partition } = query;
  let startKey: Item | undefined = decodeCursor(query.scope, page.cursor);
  if (startKey !== undefined && !isIndexKeyOf(startKey, index, partition, query.tablePrefix))
    throw invalidField('query.cursor', 'is not a cursor this API issued');
  const names: Record<string, string> = { '#pk': index.partitionKey, '#sk': index.sortKey };
  const values: Item = { ':pk': partition, ':prefix': query.prefix };
  const conditions = Object.entries(query.filters ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([attribute, value], position) => {
      const path = attribute.split('.').map((part, depth) => {
        names[`#f${position}_${depth}`] = part;
        return `#f${position}_${depth}`;
      });
      values[`:f${position}`] = value;
      return `${path.join('.')} = :f${position}`;
    });
  const items: Item[] = [];
  let more = false;
  do {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        Limit: page.limit + 1 - items.length,
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    more = startKey !== undefined;
  } while (items.length <= page.limit && more);
  const pageItems = items.slice(0, page.limit);
  const last = pageItems.at(-1);
  const hasNext = items.length > page.limit || (more && last !== undefined);
  return {
    items: pageItems,
    ...(hasNext && last ? { nextCursor: encodeCursor(query.scope, indexKeyOf(last, index)) } : {}),
  };
}
