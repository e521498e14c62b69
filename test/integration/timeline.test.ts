import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import {
  asBuiltHistory,
  assembleTwin,
  newTwinRecord,
  patchTwinRecord,
  planTwinEdit,
} from '../../shared/domain/twin';
import type { ChangeSetBody } from '../../shared/schemas/change';
import { recordChangeSet } from '../../shared/services/change-recording';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';
import { CHECKPOINT_EVERY } from '../../shared/store/timeline-store';
import { createTwin, loadTwinParts, saveTwinEdit } from '../../shared/store/twin-store';
import { wideRecord } from '../support/fixtures';
import { partitionRange } from '../support/partition';
import { newTenant } from '../support/tenants';

const table = () => config.tableName();
const actor = { sub: 'test', tenant: 'test' };
const MINUTE = 60_000;
const CREATED = Date.parse('2025-01-01T00:00:00.000Z');
const POSITIONS = 8;
const iso = (ms: number) => new Date(ms).toISOString();
/** Change set n is recorded n minutes after the twin. */
const recordTime = (n: number) => CREATED + n * MINUTE;

async function newTwin(tenant: string) {
  const body = { ...wideRecord(`TL-${ulid()}`, POSITIONS), builtAt: '2024-12-31T00:00:00Z' };
  const record = newTwinRecord(body, ulid(), new Date(CREATED));
  await createTwin(
    tenant,
    asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()),
    new Date(CREATED),
  );
  return record.id;
}

/**
 * Change sets 2..count+1: each updates one position (in turn), every 5th back-dated by 5 minutes
 * (before the change sets just recorded elsewhere: late), every 20th edits the twin's site instead,
 * and one moves the lifecycle, back-dated too.
 */
async function grow(tenant: string, twinId: string, from: number, count: number) {
  for (let n = from; n < from + count; n++) {
    const now = new Date(recordTime(n));
    const back = n % 5 === 0;
    const effectiveAt = iso(recordTime(n) - (back ? 5 * MINUTE : 0));
    const twin = (await loadTwinParts(tenant, twinId, { current: true, fields: true }))!;
    const version = twin.state.record.version;
    if (n % 20 === 0) {
      const body = { site: `SITE-${n}`, effectiveAt };
      const context = { now, actor, changeSetId: ulid() };
      const plan = planTwinEdit(twin.history, patchTwinRecord(twin.history.record, body, now), body, context);
      await saveTwinEdit(tenant, plan, version, now, [], twin.state.timeline);
      continue;
    }
    const body: ChangeSetBody =
      n === from + 30
        ? { reason: 'delivered', effectiveAt, operations: [{ op: 'lifecycle', to: 'delivered' }] }
        : {
            reason: 'reading',
            effectiveAt,
            operations: [{ op: 'update', position: `p-${n % POSITIONS}`, attributes: { reading: n } }],
          };
    await recordChangeSet(tenant, twin, body, { expectedVersion: version, now, actor });
  }
}

/** The twin at (asOf, knownAt) read from checkpoints, and from the full replay, with the items each read. */
async function bothReads(tenant: string, twinId: string, at: { asOf: string; knownAt: string }) {
  const before = dynamodbCalls.itemsRead;
  const fast = (await loadTwinParts(tenant, twinId, { timeline: true, at }))!;
  const fastItems = dynamodbCalls.itemsRead - before;
  const full = (await loadTwinParts(tenant, twinId, { timeline: true }))!;
  return { fast: assembleTwin(fast.history, at), full: assembleTwin(full.history, at), fastItems };
}

/** Sampled times: around every 7th change set, and the knownAt of the same, of now, and in between. */
function sampledTimes(last: number) {
  const times: { asOf: string; knownAt: string }[] = [];
  for (let n = 1; n <= last + 1; n += 7) {
    for (const knownAt of [recordTime(n), recordTime(Math.ceil((n + last) / 2)), recordTime(last + 10)])
      for (const shift of [-1, 0]) times.push({ asOf: iso(recordTime(n) + shift), knownAt: iso(knownAt) });
  }
  return times;
}

describe('time travel from checkpoints, against the store', () => {
  it(`answers every sampled (asOf, knownAt) as the full replay, and leaves a checkpoint every ${CHECKPOINT_EVERY} change sets`, async () => {
    // Prepare
    const tenant = newTenant();
    const twinId = await newTwin(tenant);
    const count = CHECKPOINT_EVERY * 2 + 10;
    await grow(tenant, twinId, 2, count);
    const last = count + 1;
    const late = await partitionRange(tenant, twinId, keys.prefixes.late);
    // Act
    const reads = [];
    for (const at of sampledTimes(last)) reads.push({ at, ...(await bothReads(tenant, twinId, at)) });
    // Assess
    expect(late.length).toBeGreaterThan(10);
    for (const { at, fast, full } of reads) expect(fast, `${at.asOf} / ${at.knownAt}`).toEqual(full);
    const heads = await partitionRange(tenant, twinId, keys.prefixes.checkpoint);
    expect(heads.map((head) => head.seq).sort((a, b) => Number(a) - Number(b))).toEqual([
      1,
      CHECKPOINT_EVERY,
      2 * CHECKPOINT_EVERY,
    ]);
    // a read late in the twin's life reads about its positions, not its change sets
    const { fastItems } = await bothReads(tenant, twinId, {
      asOf: iso(recordTime(last)),
      knownAt: iso(recordTime(last)),
    });
    expect(fastItems).toBeLessThan(POSITIONS * 2 + 40);
  });

  it('answers a twin written without timeline entries by the full replay, then from the checkpoint it leaves', async () => {
    // Prepare: as an older writer (or an import) leaves a twin: intervals, no entries, no checkpoints
    const tenant = newTenant();
    const twinId = await newTwin(tenant);
    await grow(tenant, twinId, 2, 40);
    const timelineItems = (
      await Promise.all(
        [keys.prefixes.timeline, keys.prefixes.late, keys.prefixes.checkpoint, 'CKPTP#'].map((prefix) =>
          partitionRange(tenant, twinId, prefix),
        ),
      )
    ).flat();
    for (let start = 0; start < timelineItems.length; start += 25)
      await documentClient().send(
        new BatchWriteCommand({
          RequestItems: {
            [table()]: timelineItems
              .slice(start, start + 25)
              .map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
          },
        }),
      );
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.twinMeta(tenant, twinId),
        UpdateExpression: 'REMOVE timeline',
      }),
    );
    const at = { asOf: iso(recordTime(20)), knownAt: iso(recordTime(50)) };
    // Act
    const old = await bothReads(tenant, twinId, at);
    const left = await partitionRange(tenant, twinId, keys.prefixes.checkpoint);
    await grow(tenant, twinId, 42, 5);
    const later = { asOf: iso(recordTime(46)), knownAt: iso(recordTime(60)) };
    const after = await bothReads(tenant, twinId, later);
    const before = await bothReads(tenant, twinId, at);
    // Assess
    expect(old.fast).toEqual(old.full);
    expect(left.map((head) => head.seq)).toEqual([41]);
    expect(after.fast).toEqual(after.full);
    expect(after.fastItems).toBeLessThan(POSITIONS * 2 + 20);
    expect(before.fast).toEqual(before.full);
  });
});
