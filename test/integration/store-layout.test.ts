import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { currentStateOf } from '../../shared/domain/current';
import { PreconditionFailed } from '../../shared/domain/errors';
import { newInspection } from '../../shared/domain/inspection';
import { lastJudgements } from '../../shared/domain/judgement';
import type { InspectionRecord, TwinState } from '../../shared/domain/records';
import { asBuiltHistory, assembleTwin, newTwinRecord } from '../../shared/domain/twin';
import type { ChangeSetBody } from '../../shared/schemas/change';
import { recordChangeSet } from '../../shared/services/change-recording';
import { documentClient } from '../../shared/store/clients';
import { recordInspection } from '../../shared/store/inspection-store';
import { toJudgement } from '../../shared/store/items';
import { keys } from '../../shared/store/keys';
import { createTwin, loadTwin, loadTwinParts, migrateAllTwins } from '../../shared/store/twin-store';
import { wideRecord } from '../support/fixtures';
import { partitionRange } from '../support/partition';
import { newTenant } from '../support/tenants';

const table = () => config.tableName();
const actor = { sub: 'test', tenant: 'test' };

async function newTwin(tenant: string, positions: number) {
  const body = { ...wideRecord(`LAYOUT-${ulid()}`, positions), builtAt: '2024-01-01T00:00:00Z' };
  const record = newTwinRecord(body, ulid(), new Date());
  await createTwin(
    tenant,
    asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()),
    new Date(),
  );
  return record.id;
}

/** A change set as POST .../changes records it: the twin read whole (or, `minimal`, only META), then the change. */
async function change(tenant: string, twinId: string, body: ChangeSetBody, minimal = false) {
  const twin = await loadTwinParts(tenant, twinId, minimal ? {} : { current: true });
  return recordChangeSet(tenant, twin!, body, {
    expectedVersion: twin!.state.record.version,
    now: new Date(),
    actor,
  });
}

/** The partition as the store wrote it before current items existed: no CUR#, GONE#, LIFE#, JUDGED#, no layout on META. */
async function asTheOldWriterLeftIt(tenant: string, twinId: string) {
  for (const prefix of ['CUR#', 'GONE#', 'LIFE#', 'JUDGED#']) {
    for (const item of await partitionRange(tenant, twinId, prefix))
      await documentClient().send(
        new DeleteCommand({ TableName: table(), Key: { PK: item.PK, SK: item.SK } }),
      );
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.twinMeta(tenant, twinId),
      UpdateExpression: 'REMOVE layout, nextOrder, lifecycleChangedAt, positionCount',
    }),
  );
}

/** The current state, in path order; META's timeline mark is bookkeeping of the writes, not derived from the history. */
const sortedState = ({ timeline: _timeline, ...state }: TwinState) => ({
  ...state,
  vacated: {},
  current: [...state.current].sort((a, b) => (a.position.path < b.position.path ? -1 : 1)),
});

/** A few changes of every kind: replace, update, a position added and one removed, a lifecycle move. */
async function liveALittle(tenant: string, twinId: string) {
  await change(tenant, twinId, {
    reason: 'replace and update',
    operations: [
      {
        op: 'replace',
        position: 'p-0',
        component: { partNumber: 'SERVO', serialNumber: `R-${ulid()}`, kind: 'mechanical' },
      },
      { op: 'update', position: 'p-1', attributes: { hours: 12 } },
    ],
  });
  await change(tenant, twinId, {
    reason: 'rework',
    operations: [
      { op: 'remove', position: 'p-2' },
      { op: 'remove-position', position: 'p-2' },
      { op: 'add-position', position: 'p-9' },
      { op: 'lifecycle', to: 'delivered' },
    ],
  });
}

/** Inspections of p-0 and p-1 at several times, recorded as the store records them. */
async function inspectALittle(tenant: string, twinId: string) {
  const inspections: InspectionRecord[] = [];
  const observed = [
    [{ path: 'p-0', serialNumber: null }],
    [{ path: 'p-1', serialNumber: 'OTHER' }],
    [{ path: 'p-0' }],
  ];
  for (const [index, observations] of observed.entries()) {
    const { history } = (await loadTwinParts(tenant, twinId, { current: true, timeline: true }))!;
    const inspection = newInspection(
      history,
      { performedAt: `2025-0${3 - index}-01T00:00:00Z`, inspector: 'I', observed: observations },
      { id: ulid(), now: new Date(), actor },
    );
    await recordInspection(tenant, twinId, inspection, new Date());
    inspections.push(inspection);
  }
  return inspections;
}

const judgedItems = async (tenant: string, twinId: string) =>
  (await partitionRange(tenant, twinId, 'JUDGED#')).map(toJudgement);

describe('store layout 3: current items and last judgements beside the history', () => {
  it('builds the last judgement of each inspected position when it migrates an old twin', async () => {
    // Prepare: p-0 was last inspected by the first inspection (performed latest), p-1 by the second
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 3);
    const inspections = await inspectALittle(tenant, twinId);
    expect(await judgedItems(tenant, twinId)).toEqual(lastJudgements(inspections));
    await asTheOldWriterLeftIt(tenant, twinId);
    expect(await partitionRange(tenant, twinId, 'JUDGED#')).toEqual([]);
    // Act
    await loadTwinParts(tenant, twinId, {});
    // Assess
    const judged = await judgedItems(tenant, twinId);
    expect(judged).toEqual(lastJudgements(inspections));
    expect(judged.map(({ path, inspectionId, discrepancy }) => [path, inspectionId, discrepancy])).toEqual([
      ['p-0', inspections[0]!.id, true],
      ['p-1', inspections[1]!.id, true],
    ]);
  });

  it('migrates a twin of layout 2 (current items, no judgements) with the one-off job', async () => {
    // Prepare
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 3);
    const inspections = await inspectALittle(tenant, twinId);
    for (const item of await partitionRange(tenant, twinId, 'JUDGED#'))
      await documentClient().send(
        new DeleteCommand({ TableName: table(), Key: { PK: item.PK, SK: item.SK } }),
      );
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.twinMeta(tenant, twinId),
        UpdateExpression: 'SET layout = :two REMOVE positionCount',
        ExpressionAttributeValues: { ':two': 2 },
      }),
    );
    // Act
    const seen: string[] = [];
    await migrateAllTwins(({ twinId: id }) => seen.push(id));
    // Assess
    expect(seen).toContain(twinId);
    expect(await judgedItems(tenant, twinId)).toEqual(lastJudgements(inspections));
  });

  it('keeps the last judgement of each position under 20 concurrent inspections', async () => {
    // Prepare: inspections of overlapping positions, performed at times in no order, recorded at once
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 4);
    const { history } = (await loadTwinParts(tenant, twinId, { current: true, timeline: true }))!;
    const inspections = Array.from({ length: 20 }, (_, index) =>
      newInspection(
        history,
        {
          performedAt: `2025-01-${String(1 + ((index * 7) % 5)).padStart(2, '0')}T00:00:00Z`,
          inspector: `I-${index}`,
          observed: [
            { path: `p-${index % 4}`, serialNumber: index % 3 === 0 ? null : `P-${index % 4}` },
            { path: `p-${(index + 1) % 4}` },
          ],
        },
        { id: ulid(), now: new Date(), actor },
      ),
    );
    // Act
    await Promise.all(
      inspections.map((inspection) => recordInspection(tenant, twinId, inspection, new Date())),
    );
    // Assess
    expect(await judgedItems(tenant, twinId)).toEqual(lastJudgements(inspections));
  });

  it('brings a twin written by the old layout to the new one on its first read', async () => {
    // Prepare
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 5);
    await liveALittle(tenant, twinId);
    const whole = (await loadTwin(tenant, twinId))!;
    await asTheOldWriterLeftIt(tenant, twinId);
    expect(await partitionRange(tenant, twinId, 'CUR#')).toEqual([]);
    // Act
    const read = (await loadTwinParts(tenant, twinId, { current: true }))!;
    const again = (await loadTwinParts(tenant, twinId, { current: true }))!;
    // Assess: the answer now is the whole history's, and the current items are there for the next reads
    const now = new Date().toISOString();
    expect(assembleTwin(again.history, { asOf: now, knownAt: now })).toEqual(
      assembleTwin(whole, { asOf: now, knownAt: now }),
    );
    expect(sortedState(again.state)).toEqual(sortedState(currentStateOf(whole)));
    expect(read.state.record.lifecycle).toBe('delivered');
    expect((await partitionRange(tenant, twinId, 'CUR#')).map((item) => item.path)).toEqual([
      'p-0',
      'p-1',
      'p-3',
      'p-4',
      'p-9',
    ]);
    expect((await partitionRange(tenant, twinId, 'GONE#')).map((item) => item.path)).toEqual(['p-2']);
    expect(await partitionRange(tenant, twinId, 'LIFE#')).toHaveLength(1);
  });

  it('takes a change set on a twin of the old layout, checked against its whole past', async () => {
    // Prepare: p-2 was removed; its vacated time must still refuse a change back-dated before it
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 5);
    await liveALittle(tenant, twinId);
    await asTheOldWriterLeftIt(tenant, twinId);
    // Act
    const backDated = change(tenant, twinId, {
      reason: 'too early',
      effectiveAt: '2024-06-01T00:00:00Z',
      operations: [{ op: 'add-position', position: 'p-2' }],
    });
    // Assess
    await expect(backDated).rejects.toMatchObject({ status: 409 });
    const changed = await change(tenant, twinId, {
      reason: 'after',
      operations: [{ op: 'update', position: 'p-3', attributes: { hours: 3 } }],
    });
    const whole = (await loadTwin(tenant, twinId))!;
    expect(sortedState(changed.state)).toEqual(sortedState(currentStateOf(whole)));
  });

  it('migrates every old-layout twin of the table with the one-off job, once', async () => {
    // Prepare
    const tenant = newTenant();
    const old = await newTwin(tenant, 3);
    const current = await newTwin(tenant, 3);
    await liveALittle(tenant, old);
    await asTheOldWriterLeftIt(tenant, old);
    // Act
    const seen: string[] = [];
    await migrateAllTwins(({ twinId }) => seen.push(twinId));
    const second: string[] = [];
    await migrateAllTwins(({ twinId }) => second.push(twinId));
    // Assess
    expect(seen).toContain(old);
    expect(seen).not.toContain(current);
    expect(second).not.toContain(old);
    expect((await partitionRange(tenant, old, 'CUR#')).map((item) => item.path)).toEqual([
      'p-0',
      'p-1',
      'p-9',
    ]);
  });

  it('loses no update under 50 concurrent writers, each reading only the position it changes', async () => {
    // Prepare: 50 writers, each updating its own position, each retrying on 412 until it lands
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 50);
    const writer = async (index: number) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await change(
            tenant,
            twinId,
            {
              reason: `writer ${index}`,
              operations: [{ op: 'update', position: `p-${index}`, attributes: { writer: index } }],
            },
            true,
          );
        } catch (error) {
          if (!(error instanceof PreconditionFailed) || attempt > 200) throw error;
        }
      }
    };
    // Act
    await Promise.all(Array.from({ length: 50 }, (_, index) => writer(index)));
    // Assess: every update is in the current items, which equal the replay of the whole history
    const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
    const whole = (await loadTwin(tenant, twinId))!;
    expect(state.record.version).toBe(51);
    expect(whole.changeSets).toHaveLength(51);
    for (const { installation } of state.current)
      expect(installation?.component.attributes).toEqual({ writer: Number(installation!.path.slice(2)) });
    expect(sortedState(state)).toEqual(sortedState(currentStateOf(whole)));
  }, 180_000);
});
