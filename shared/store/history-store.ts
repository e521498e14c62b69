import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { ChangeSetRecord } from '../domain/change-set';
import { invalidField } from '../domain/errors';
import {
  type HistoryEntry,
  type HistoryFilters,
  historyEntries,
  historySortKey,
  matchesHistory,
} from '../domain/history';
import type { InspectionRecord } from '../domain/records';
import type { TwinRecord } from '../domain/twin';
import { documentClient } from './clients';
import { decodeCursor, encodeCursor } from './cursor';
import { ENTITY, toChangeSet, toInspection, toMount } from './items';
import { keys } from './keys';
import { queryAll } from './query';

const table = () => config.tableName();

/** How many items one page request examines at most: a filter that matches little ends a page short, with a cursor. */
const MAX_EXAMINED = 1_000;

/**
 * One key range of a twin's partition, newest (highest sort key) first, read page by page only as
 * the consumer pulls: a page of 25 reads about 25 items whatever the twin's age.
 */
async function* newestFirst(
  tenant: string,
  twinId: string,
  prefix: string,
  startAfter: string | undefined,
  pageSize: number,
): AsyncGenerator<Record<string, unknown>> {
  const PK = keys.twinPartition(tenant, twinId);
  let startKey: Record<string, unknown> | undefined =
    startAfter === undefined ? undefined : { PK, SK: startAfter };
  let size = pageSize;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': prefix },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: size,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
    size = Math.min(size * 2, 200);
  } while (startKey);
}

const isAsBuilt = (entry: HistoryEntry) => entry.operations.some((operation) => operation.op === 'as-built');

/**
 * The positions under `position` that the as-built record created (their version-1 intervals): the
 * as-built entry touches them, though its change set does not list them (it stays small however large
 * the twin). Read only when a position's history reaches the as-built record.
 */
async function asBuiltPathsUnder(tenant: string, twinId: string, position: string): Promise<string[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    FilterExpression: 'seq = :first',
    ExpressionAttributeValues: {
      ':pk': keys.twinPartition(tenant, twinId),
      ':prefix': `${keys.prefixes.position}${position}`,
      ':first': 1,
    },
    ConsistentRead: true,
  });
  return items
    .map((item) => item.path as string)
    .filter((path) => path === position || path.startsWith(`${position}/`));
}

/** Where a history page ended: the last entry shown (its sort key) and the last change set read. */
export interface HistoryPosition {
  after: string;
  seq?: number;
}

/**
 * A page of a twin's history, newest recorded first: its change sets (`CS#`, read newest first and only
 * as far as the page needs) merged with its stays in other twins (`MNT#`, few). `accept` narrows further
 * (a grantee's view). Change sets are recorded in version order, so their sort keys descend with `seq`.
 */
export async function historyPageOf(
  tenant: string,
  record: Pick<TwinRecord, 'id'>,
  options: {
    filters: HistoryFilters;
    limit: number;
    from?: HistoryPosition;
    accept?: (entry: HistoryEntry) => boolean;
  },
): Promise<{ items: Omit<HistoryEntry, 'paths'>[]; next?: HistoryPosition }> {
  const { filters, limit, from, accept } = options;
  const mountItems = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.twinPartition(tenant, record.id),
      ':prefix': keys.prefixes.mount,
    },
    ConsistentRead: true,
  });
  const stays = historyEntries({
    record: record as TwinRecord,
    positions: [],
    installations: [],
    changeSets: [],
    mounts: mountItems.filter((item) => item.entity === ENTITY.mount).map(toMount),
  })
    .map((entry) => ({ entry, key: historySortKey(entry) }))
    .filter(({ key }) => from === undefined || key < from.after)
    .sort((a, b) => (a.key < b.key ? 1 : -1));
  const changeSets = newestFirst(
    tenant,
    record.id,
    keys.prefixes.changeSet,
    from?.seq === undefined ? undefined : keys.changeSetSortKey(from.seq),
    limit + 1,
  );
  const items: Omit<HistoryEntry, 'paths'>[] = [];
  let position: HistoryPosition | undefined = from;
  let examined = 0;
  let lastSeq = from?.seq;
  let pendingChangeSet: { entry: HistoryEntry; key: string } | undefined;
  let changeSetsDone = false;
  const nextChangeSet = async () => {
    if (pendingChangeSet || changeSetsDone) return;
    const { value, done } = await changeSets.next();
    if (done) changeSetsDone = true;
    else {
      const entry: HistoryEntry = toChangeSet(value) as ChangeSetRecord;
      pendingChangeSet = { entry, key: historySortKey(entry) };
    }
  };
  while (examined < MAX_EXAMINED) {
    await nextChangeSet();
    const stay = stays[0];
    const takeStay =
      stay !== undefined && (pendingChangeSet === undefined || stay.key > pendingChangeSet.key);
    const next = takeStay ? stays.shift() : pendingChangeSet;
    if (next === undefined) return { items };
    if (!takeStay) {
      pendingChangeSet = undefined;
      lastSeq = next.entry.seq;
    }
    examined++;
    if (filters.position !== undefined && isAsBuilt(next.entry))
      next.entry = { ...next.entry, paths: await asBuiltPathsUnder(tenant, record.id, filters.position) };
    if (!matchesHistory(next.entry, filters) || (accept && !accept(next.entry))) {
      position = { after: next.key, ...(lastSeq === undefined ? {} : { seq: lastSeq }) };
      continue;
    }
    // One more match than the page holds: more follow, and the page ends at the last one shown.
    if (items.length === limit) {
      await changeSets.return(undefined);
      return { items, ...(position ? { next: position } : {}) };
    }
    const { paths: _paths, ...shown } = next.entry;
    items.push(shown);
    position = { after: next.key, ...(lastSeq === undefined ? {} : { seq: lastSeq }) };
  }
  await changeSets.return(undefined);
  return { items, ...(position ? { next: position } : {}) };
}

/** Where an inspection page ended. */
export interface InspectionPosition {
  performedAt: string;
  id: string;
}

/**
 * A page of a twin's inspections, last performed first (`INSP#<performedAt>#<id>`, read newest first
 * as far as the page needs); `accept` narrows (a position's subtree, a grantee's view).
 */
export async function inspectionPageOf(
  tenant: string,
  twinId: string,
  options: { limit: number; from?: InspectionPosition; accept?: (inspection: InspectionRecord) => boolean },
): Promise<{ items: InspectionRecord[]; next?: InspectionPosition }> {
  const { limit, from, accept } = options;
  const items: InspectionRecord[] = [];
  const source = newestFirst(
    tenant,
    twinId,
    keys.prefixes.inspection,
    from === undefined ? undefined : keys.inspection(tenant, twinId, from).SK,
    limit + 1,
  );
  let position = from;
  let examined = 0;
  for await (const item of source) {
    if (++examined > MAX_EXAMINED) break;
    const inspection = toInspection(item);
    if (accept && !accept(inspection)) {
      position = { performedAt: inspection.performedAt, id: inspection.id };
      continue;
    }
    if (items.length === limit) return { items, ...(position ? { next: position } : {}) };
    items.push(inspection);
    position = { performedAt: inspection.performedAt, id: inspection.id };
  }
  return { items, ...(examined > MAX_EXAMINED && position ? { next: position } : {}) };
}

/** History cursors: where the page ended, bound to the query (`scope`) like every cursor. */
export function decodeHistoryCursor(scope: string, cursor: string | undefined, field = 'query.cursor') {
  const key = decodeCursor(scope, cursor, field);
  if (key === undefined) return undefined;
  if (key.after === undefined || (key.seq !== undefined && !/^\d+$/.test(key.seq)))
    throw invalidField(field, 'is not a cursor this API issued');
  return { after: key.after, ...(key.seq === undefined ? {} : { seq: Number(key.seq) }) };
}

export const encodeHistoryCursor = (scope: string, position: HistoryPosition) =>
  encodeCursor(scope, { ...position });

/** Inspection cursors: the last inspection of the page. */
export function decodeInspectionCursor(scope: string, cursor: string | undefined, field = 'query.cursor') {
  const key = decodeCursor(scope, cursor, field);
  if (key === undefined) return undefined;
  if (key.performedAt === undefined || key.id === undefined)
    throw invalidField(field, 'is not a cursor this API issued');
  return { performedAt: key.performedAt, id: key.id };
}

export const encodeInspectionCursor = (scope: string, position: InspectionPosition) =>
  encodeCursor(scope, { ...position });
