import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { feedPage } from '../domain/feed';
import { documentClient } from './clients';
import { keys, withoutKeys } from './keys';
import { INDEXES } from './table';

/** What a page of the feed may be narrowed to. */
export interface EventFilters {
  type?: string;
  twinId?: string;
}

export interface EventRange {
  limit: number;
  /** Start right after this event id. */
  after?: string;
  /** Exclusive upper bound of the ids served (a ULID time prefix): the settle window. */
  before?: string;
}

export interface StoredEvent {
  id: string;
  type: string;
  tenant: string;
  recordedAt: string;
  twinId?: string;
  [field: string]: unknown;
}

const EVENT_PREFIX = 'EVT#';
/** Requests one page may make when a type filter skips most events; the cursor resumes the rest. */
const MAX_REQUESTS = 8;
/** Items read per request when a filter may drop some of them. */
const FILTERED_READ = 200;

const toEvent = (item: Record<string, unknown>): StoredEvent => {
  const { entity: _entity, ...event } = withoutKeys(item);
  return event as StoredEvent;
};

const idOfSortKey = (sortKey: unknown): string => String(sortKey).slice(EVENT_PREFIX.length);

/**
 * A page of the tenant's change feed in id (record) order: one Query of the feed partition, or
 * of the twin's event list (`list` GSI) with `twinId`. Ranges are key conditions (`after` through
 * the start key, `before` as the sort-key bound), the type a filter. `resumeAfter` is the id to
 * continue after when more events may follow.
 */
export async function listEvents(
  tenant: string,
  filters: EventFilters,
  range: EventRange,
): Promise<{ items: StoredEvent[]; resumeAfter?: string }> {
  if (range.after !== undefined && range.before !== undefined && range.after >= range.before) {
    // the client is already past the settled events (DynamoDB refuses a start key out of range)
    return { items: [] };
  }
  const feed = keys.event(tenant, '');
  const byTwin = filters.twinId !== undefined;
  const [pkName, skName] = byTwin ? [INDEXES.list.partitionKey, INDEXES.list.sortKey] : ['PK', 'SK'];
  const partition = byTwin ? keys.twinEvents(tenant, filters.twinId!) : feed.PK;
  const names: Record<string, string> = { '#pk': pkName, '#sk': skName };
  const values: Record<string, unknown> = { ':pk': partition };
  if (range.before === undefined) values[':prefix'] = EVENT_PREFIX;
  else values[':before'] = `${EVENT_PREFIX}${range.before}`;
  if (filters.type !== undefined) {
    names['#type'] = 'type';
    values[':type'] = filters.type;
  }
  const input: QueryCommandInput = {
    TableName: config.tableName(),
    ...(byTwin ? { IndexName: INDEXES.list.name } : { ConsistentRead: true }),
    KeyConditionExpression:
      range.before === undefined ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk AND #sk < :before',
    ...(filters.type === undefined ? {} : { FilterExpression: '#type = :type' }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  let startKey: Record<string, unknown> | undefined;
  if (range.after !== undefined) {
    const sortKey = `${EVENT_PREFIX}${range.after}`;
    startKey = byTwin
      ? { PK: feed.PK, SK: sortKey, [pkName]: partition, [skName]: sortKey }
      : { PK: feed.PK, SK: sortKey };
  }
  const items: Record<string, unknown>[] = [];
  let requests = 0;
  do {
    const result = await documentClient().send(
      new QueryCommand({
        ...input,
        ExclusiveStartKey: startKey,
        Limit: filters.type === undefined ? range.limit + 1 - items.length : FILTERED_READ,
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    requests += 1;
  } while (items.length <= range.limit && startKey !== undefined && requests < MAX_REQUESTS);
  const readPast =
    items.length <= range.limit && startKey !== undefined ? idOfSortKey(startKey[skName]) : undefined;
  return feedPage(items.map(toEvent), range.limit, readPast);
}
