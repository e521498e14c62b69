import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import {
  type Checkpoint,
  checkpointOf,
  checkpointServes,
  endsTimeline,
  entriesToApply,
  mattersAt,
  nextCheckpoint,
  type ReadAt,
  type TimelineChange,
  type TimelineEntry,
  type TimelineMark,
  type TimelineParts,
  timelineAt,
  timelineEntry,
} from '../domain/timeline';
import { batchGetItems } from './batch-get';
import { documentClient } from './clients';
import { concurrentChange, type Write } from './guarded-transaction';
import { ENTITY } from './items';
import { keys } from './keys';
import { queryAll } from './query';

/**
 * The timeline items of a twin's partition (docs/store.md "Time travel from checkpoints"): one
 * `TL#<seq>` per change set, written in its transaction, a `BACK#<seq>` beside each late one, and
 * checkpoints (`CKPT#<validUntil>#<seq>` heads, their intervals in `CKPTP#<seq>#<n>` parts), written
 * by the reads that replay far (deterministic, so two readers write the same items).
 */

const table = () => config.tableName();
type Item = Record<string, unknown>;

/** A checkpoint every CHECKPOINT_EVERY change sets, written by the first read that replays past it. */
export const CHECKPOINT_EVERY = 64;
/** Bytes of intervals per checkpoint part: well under DynamoDB's 400 KB per item. */
const PART_BYTES = 300_000;

/** META's timeline mark (absent on twins written before timelines). */
export const markOf = (meta: Item): TimelineMark | undefined => meta.timeline as TimelineMark | undefined;

/**
 * The items a change set adds to its transaction (its entry, and the pointer when it is late) and
 * META's mark after it.
 */
export function timelineWrites(
  tenant: string,
  twinId: string,
  change: TimelineChange,
  mark: TimelineMark | undefined,
  recordedAt: string,
): { writes: Write[]; mark: TimelineMark } {
  const { entry, mark: next } = timelineEntry(change, mark, recordedAt);
  const put = (Item: Item): Write => ({
    entry: { Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: concurrentChange,
  });
  const summary = {
    seq: entry.seq,
    earliestAt: entry.earliestAt,
    earliestRecordedAt: entry.earliestRecordedAt,
  };
  const writes = [
    put({
      ...keys.timelineEntry(tenant, twinId, entry.seq),
      entity: ENTITY.timelineEntry,
      ...summary,
      late: entry.late,
      // one string: smaller than a map of attributes, and read back whole
      entry: JSON.stringify(entry),
    }),
  ];
  if (entry.late)
    writes.push(put({ ...keys.lateEntry(tenant, twinId, entry.seq), entity: ENTITY.lateEntry, ...summary }));
  return { writes, mark: next };
}

type PartKind = 'position' | 'installation' | 'twinFields' | 'lifecycle';
const PART_LISTS = {
  position: 'positions',
  installation: 'installations',
  twinFields: 'twinFields',
} as const;

const toEntry = (item: Item) => JSON.parse(item.entry as string) as TimelineEntry;

/** A checkpoint's items: its parts, then its head (what a reader finds it by). */
export function checkpointItems(tenant: string, twinId: string, checkpoint: Checkpoint): Item[] {
  const { positions, installations, twinFields, lifecycle, ...head } = checkpoint;
  const records: unknown[] = [
    ...positions.map((record) => ['position', record]),
    ...installations.map((record) => ['installation', record]),
    ...twinFields.map((record) => ['twinFields', record]),
    ...(lifecycle ? [['lifecycle', lifecycle]] : []),
  ];
  const parts: string[] = [];
  let part: string[] = [];
  let bytes = 0;
  for (const record of records) {
    const text = JSON.stringify(record);
    const size = Buffer.byteLength(text);
    if (part.length > 0 && bytes + size > PART_BYTES) {
      parts.push(`[${part.join(',')}]`);
      part = [];
      bytes = 0;
    }
    part.push(text);
    bytes += size + 1;
  }
  if (part.length > 0 || parts.length === 0) parts.push(`[${part.join(',')}]`);
  return [
    ...parts.map((records, index) => ({
      ...keys.checkpointPart(tenant, twinId, checkpoint.seq, index),
      entity: ENTITY.checkpointPart,
      records,
    })),
    {
      ...keys.checkpoint(tenant, twinId, checkpoint),
      entity: ENTITY.checkpoint,
      ...head,
      parts: parts.length,
    },
  ];
}

function checkpointFrom(head: Item, parts: Item[]): Checkpoint | null {
  // fewer parts than the head names: a checkpoint still being written (or its writer died)
  if (parts.length !== head.parts) return null;
  const checkpoint: Checkpoint = {
    seq: head.seq as number,
    validUntil: head.validUntil as string,
    recordedUntil: head.recordedUntil as string,
    positions: [],
    installations: [],
    twinFields: [],
  };
  for (const part of parts) {
    for (const [kind, record] of JSON.parse(part.records as string) as [PartKind, never][]) {
      if (kind === 'lifecycle') checkpoint.lifecycle = record;
      else checkpoint[PART_LISTS[kind]].push(record);
    }
  }
  return checkpoint;
}

/**
 * Writes a checkpoint, best effort, its head first: a head already there means a reader wrote it (the
 * same: checkpoints are deterministic), and the parts are not sent again. A reader meeting a head
 * whose parts are not all there yet skips it.
 */
async function putCheckpoint(tenant: string, twinId: string, checkpoint: Checkpoint): Promise<void> {
  const client = documentClient();
  const put = (Item: Item) =>
    client
      .send(new PutCommand({ TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' }))
      .then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          return false;
        },
      );
  const items = checkpointItems(tenant, twinId, checkpoint);
  if (await put(items.at(-1)!)) await Promise.all(items.slice(0, -1).map(put));
}

/**
 * After a full replay: the checkpoint of what it read, when no change came in between (META's
 * version the same after the read as before it). Best effort: a failure only leaves the next read
 * to replay again.
 */
export async function rememberCheckpoint(
  tenant: string,
  twinId: string,
  meta: Item,
  timeline: TimelineParts,
  versionAfter: () => Promise<number | undefined>,
): Promise<void> {
  try {
    if ((await versionAfter()) !== meta.version) return;
    await putCheckpoint(tenant, twinId, checkpointOf(timeline, meta.version as number));
  } catch {
    // the answer is already right: a checkpoint only saves later reads the replay
  }
}

const partition = (tenant: string, twinId: string) => keys.twinPartition(tenant, twinId);

/** The latest checkpoint that serves (asOf, knownAt) and that the entries written since follow. */
async function findCheckpoint(
  tenant: string,
  twinId: string,
  meta: Item,
  at: ReadAt,
): Promise<Checkpoint | null> {
  const mark = markOf(meta);
  const usable = (seq: number) => seq === meta.version || (mark !== undefined && mark.from <= seq + 1);
  let startKey: Item | undefined;
  do {
    // heads sort by their latest valid time; it grows with seq, so the first that serves is the latest
    const page = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': partition(tenant, twinId),
          ':from': keys.prefixes.checkpoint,
          ':to': `${keys.prefixes.checkpoint}${at.asOf}#~`,
        },
        ScanIndexForward: false,
        Limit: 2,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const head of page.Items ?? []) {
      if (!checkpointServes(head as Checkpoint, at.asOf, at.knownAt) || !usable(head.seq as number)) continue;
      const parts = await queryAll({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': partition(tenant, twinId),
          ':prefix': keys.checkpointPartPrefix(head.seq as number),
        },
        ConsistentRead: true,
      });
      const checkpoint = checkpointFrom(head, parts);
      if (checkpoint) return checkpoint;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return null;
}

/**
 * The entries after `seq` in seq order, read in growing pages until the one that ends the timeline at
 * (asOf, knownAt) or the last; null on a gap (a change set written without its entry).
 */
async function entriesAfter(
  tenant: string,
  twinId: string,
  seq: number,
  version: number,
  at: ReadAt,
): Promise<TimelineEntry[] | null> {
  const entries: TimelineEntry[] = [];
  let startKey: Item | undefined;
  let limit = 16;
  while (seq + entries.length < version) {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': partition(tenant, twinId),
          ':from': keys.timelineEntrySortKey(seq + 1),
          ':to': keys.timelineEntrySortKey(version),
        },
        Limit: limit,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const entry = toEntry(item);
      if (entry.seq !== seq + entries.length + 1) return null;
      entries.push(entry);
      if (endsTimeline(entry, at.asOf, at.knownAt)) return entries;
    }
    startKey = page.LastEvaluatedKey;
    if (!startKey) break;
    limit = Math.min(limit * 4, 1_000);
  }
  return seq + entries.length === version ? entries : null;
}

/** The late entries after `seq` that matter at (asOf, knownAt): their pointers, then the entries. */
async function lateEntriesAfter(
  tenant: string,
  twinId: string,
  seq: number,
  version: number,
  at: ReadAt,
): Promise<TimelineEntry[] | null> {
  // up to the version META was read at: a change committed since is not part of this read
  if (seq >= version) return [];
  const pointers = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': partition(tenant, twinId),
      ':from': keys.lateEntrySortKey(seq + 1),
      ':to': keys.lateEntrySortKey(version),
    },
    ConsistentRead: true,
  });
  const wanted = pointers.filter((pointer) =>
    mattersAt(pointer as { earliestAt: string; earliestRecordedAt: string }, at.asOf, at.knownAt),
  );
  if (wanted.length === 0) return [];
  const items = await batchGetItems(
    wanted.map((pointer) => keys.timelineEntry(tenant, twinId, pointer.seq as number)),
    { consistent: true },
  );
  // a pointer is written with its entry: one missing is a gap
  return items.length === wanted.length ? items.map(toEntry) : null;
}

/**
 * The intervals a read at (asOf, knownAt) needs, from the latest checkpoint that serves it and the
 * entries after it; null when the twin has no such checkpoint or its entries have a gap (the caller
 * replays every interval). A read that read CHECKPOINT_EVERY entries or more leaves a checkpoint at
 * each multiple of it that it passed, for the reads after it.
 */
export async function readTimelineAt(
  tenant: string,
  twinId: string,
  meta: Item,
  at: ReadAt,
): Promise<TimelineParts | null> {
  const checkpoint = await findCheckpoint(tenant, twinId, meta, at);
  if (!checkpoint) return null;
  const version = meta.version as number;
  const [ordered, late] = await Promise.all([
    entriesAfter(tenant, twinId, checkpoint.seq, version, at),
    lateEntriesAfter(tenant, twinId, checkpoint.seq, version, at),
  ]);
  if (!ordered || !late) return null;
  await leaveCheckpoints(tenant, twinId, checkpoint, ordered);
  return timelineAt(checkpoint, entriesToApply(ordered, late, at), at);
}

/** The checkpoints at each multiple of CHECKPOINT_EVERY among `ordered` (contiguous after `from`). */
async function leaveCheckpoints(
  tenant: string,
  twinId: string,
  from: Checkpoint,
  ordered: readonly TimelineEntry[],
): Promise<void> {
  if (ordered.length < CHECKPOINT_EVERY) return;
  let previous = from;
  let start = 0;
  const writes: Promise<void>[] = [];
  ordered.forEach((entry, index) => {
    if (entry.seq % CHECKPOINT_EVERY !== 0) return;
    previous = nextCheckpoint(previous, ordered.slice(start, index + 1));
    start = index + 1;
    writes.push(putCheckpoint(tenant, twinId, previous));
  });
  // best effort: the answer does not depend on them
  await Promise.all(writes).catch(() => undefined);
}

/**
 * Drops every checkpoint of a twin (heads first, so no reader takes one whose parts are going):
 * for a write that changes intervals in place, outside a change set (a tenant import linking a
 * nested twin's copy sets `component.twinId` on its parent's intervals). The next time-travel read
 * replays the intervals as they are now and leaves a new checkpoint.
 */
export async function dropCheckpoints(tenant: string, twinId: string): Promise<void> {
  const items = (prefix: string) =>
    queryAll({
      TableName: table(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': partition(tenant, twinId), ':prefix': prefix },
      ProjectionExpression: 'PK, SK',
      ConsistentRead: true,
    });
  const drop = (found: Item[]) =>
    Promise.all(
      found.map(({ PK, SK }) =>
        documentClient().send(new DeleteCommand({ TableName: table(), Key: { PK, SK } })),
      ),
    );
  await drop(await items(keys.prefixes.checkpoint));
  await drop(await items(keys.prefixes.checkpointPart));
}
