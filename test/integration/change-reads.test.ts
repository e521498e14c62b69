import {
  DynamoDBClient,
  TransactGetItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { newInspection } from '../../shared/domain/inspection';
import type { TwinState } from '../../shared/domain/records';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import type { ChangeSetBody } from '../../shared/schemas/change';
import { recordChangeSet } from '../../shared/services/change-recording';
import { WORK_PACKAGE_PARTS, workPackageOf } from '../../shared/services/thread-service';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { recordInspection } from '../../shared/store/inspection-store';
import { currentItem } from '../../shared/store/items';
import { keys } from '../../shared/store/keys';
import { forgetAllTwins } from '../../shared/store/planning-cache';
import { createTwin, loadTwinParts } from '../../shared/store/twin-store';
import { wideRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

// What a change set and a work package read: the positions they touch, never the whole twin or
// every inspection of it (items counted by the SDK middleware of clients.ts).

const actor = { sub: 'test', tenant: 'test' };

async function newTwin(tenant: string, positions: number) {
  const body = { ...wideRecord(`READS-${ulid()}`, positions), builtAt: '2024-01-01T00:00:00Z' };
  const record = newTwinRecord(body, ulid(), new Date());
  await createTwin(
    tenant,
    asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()),
    new Date(),
  );
  return record.id;
}

/** A change set as POST .../changes with `Prefer: return=minimal` records it: META read, then the change. */
async function change(tenant: string, twinId: string, body: ChangeSetBody) {
  const twin = (await loadTwinParts(tenant, twinId, {}))!;
  return recordChangeSet(tenant, twin, body, {
    expectedVersion: twin.state.record.version,
    now: new Date(),
    actor,
  });
}

/** The same, as the handler sends it: only the twin's id, META read with what the change touches. */
const changeById = (tenant: string, twinId: string, version: number, body: ChangeSetBody) =>
  recordChangeSet(tenant, { id: twinId }, body, { expectedVersion: version, now: new Date(), actor });

/** DynamoDB requests (by command) and items read by a task. */
async function callsOf(task: () => Promise<unknown>) {
  const before = { ...dynamodbCalls.byCommand };
  const items = dynamodbCalls.itemsRead;
  await task();
  const byCommand: Record<string, number> = {};
  for (const [command, count] of Object.entries(dynamodbCalls.byCommand))
    if (count > (before[command] ?? 0)) byCommand[command] = count - (before[command] ?? 0);
  return { byCommand, items: dynamodbCalls.itemsRead - items };
}

async function itemsReadBy(task: () => Promise<unknown>): Promise<number> {
  const before = dynamodbCalls.itemsRead;
  await task();
  return dynamodbCalls.itemsRead - before;
}

const update = (position: string, value: number): ChangeSetBody => ({
  reason: 'reading',
  operations: [{ op: 'update', position, attributes: { value } }],
});

describe('a change set reads only what it must check', () => {
  it('reads as many items for one position of a 200-position twin as of a 5-position one', async () => {
    // Prepare
    const tenant = newTenant();
    const small = await newTwin(tenant, 5);
    const large = await newTwin(tenant, 200);
    await change(tenant, small, update('p-1', 0));
    await change(tenant, large, update('p-1', 0));
    // Act
    const smallItems = await itemsReadBy(() => change(tenant, small, update('p-2', 1)));
    const largeItems = await itemsReadBy(() => change(tenant, large, update('p-2', 1)));
    // Assess: META and the position's current item
    expect(largeItems).toBe(smallItems);
    expect(largeItems).toBe(2);
    const { state } = (await loadTwinParts(tenant, large, { current: true }))!;
    expect(
      state.current.find(({ position }) => position.path === 'p-2')?.installation?.component.attributes,
    ).toEqual({ value: 1 });
    expect(state.positionCount).toBe(200);
  });

  it('still finds a child left under a removed position, and a component installed elsewhere in the twin', async () => {
    // Prepare
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 4);
    await change(tenant, twinId, {
      reason: 'bay',
      operations: [
        { op: 'add-position', position: 'bay' },
        { op: 'add-position', position: 'bay/a' },
        { op: 'add-position', position: 'bay/b' },
      ],
    });
    const twin = (await loadTwinParts(tenant, twinId, { current: true }))!;
    const servo = twin.state.current.find(({ position }) => position.path === 'p-3')!.installation!.component;
    // Act
    const withChild = change(tenant, twinId, {
      reason: 'one child left',
      operations: [
        { op: 'remove-position', position: 'bay/a' },
        { op: 'remove-position', position: 'bay' },
      ],
    });
    const twice = change(tenant, twinId, {
      reason: 'the servo of p-3 again',
      operations: [{ op: 'install', position: 'bay/a', component: servo }],
    });
    // Assess
    await expect(withChild).rejects.toMatchObject({
      status: 409,
      detail: expect.stringContaining('still has bay/b'),
    });
    await expect(twice).rejects.toMatchObject({
      status: 409,
      detail: expect.stringContaining('already installed at p-3 of this twin'),
    });
    const removed = await change(tenant, twinId, {
      reason: 'all children',
      operations: [
        { op: 'remove-position', position: 'bay/a' },
        { op: 'remove-position', position: 'bay/b' },
        { op: 'remove-position', position: 'bay' },
      ],
    });
    expect(removed.plan.positionCount).toBe(4);
  });
});

describe('a change set by twin id reads META and what it touches in one round trip', () => {
  it('sends one TransactGetItems (with the model read) and one TransactWriteItems, reading 2 items', async () => {
    // Prepare
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 200);
    await changeById(tenant, twinId, 1, update('p-1', 0));
    // Act
    const calls = await callsOf(() => changeById(tenant, twinId, 2, update('p-2', 1)));
    // Assess: no GetItem of META before; the model and the unit's conformance (none here) in the same snapshot
    expect(calls.byCommand).toEqual({ TransactGetItemsCommand: 1, TransactWriteItemsCommand: 1 });
    expect(calls.items).toBe(2);
    const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
    expect(state.record.version).toBe(3);
    expect(
      state.current.find(({ position }) => position.path === 'p-2')?.installation?.component.attributes,
    ).toEqual({ value: 1 });
  });

  it('reads the partition of an arriving serial only when the serial has a past', async () => {
    // Prepare: a first change, so that this process knows the twin's product (its model is then in the snapshot)
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 5);
    await changeById(tenant, twinId, 1, update('p-0', 0));
    const replace = (position: string, serialNumber: string): ChangeSetBody => ({
      reason: 'swap',
      operations: [
        { op: 'replace', position, component: { partNumber: 'SERVO', serialNumber, kind: 'mechanical' } },
      ],
    });
    // Act: NEW-1 is new; it leaves p-1 for NEW-2, then comes back at p-2 with a stay behind it
    const fresh = await callsOf(() => changeById(tenant, twinId, 2, replace('p-1', 'NEW-1')));
    await changeById(tenant, twinId, 3, replace('p-1', 'NEW-2'));
    const back = await callsOf(() => changeById(tenant, twinId, 4, replace('p-2', 'NEW-1')));
    // Assess: the part master and the serial's record in the snapshot, then only the write
    expect(fresh.byCommand).toEqual({ TransactGetItemsCommand: 1, TransactWriteItemsCommand: 1 });
    expect(back.byCommand.QueryCommand).toBeGreaterThan(0);
    const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
    const at = (path: string) =>
      state.current.find(({ position }) => position.path === path)?.installation?.component.serialNumber;
    expect([at('p-1'), at('p-2')]).toEqual(['NEW-2', 'NEW-1']);
  });

  it('refuses a stale version and an unknown twin, and loses no update among concurrent writers', async () => {
    const { tenant, twinId } = await expectOneOfTwelveWritersToCommit(changeById);
    await expect(changeById(tenant, twinId, 1, update('p-0', 9))).rejects.toMatchObject({ status: 412 });
    await expect(changeById(tenant, 'NOPE', 1, update('p-0', 9))).rejects.toMatchObject({ status: 404 });
  });

  it('reads the sequential way when the snapshot is refused by a concurrent transaction', async () => {
    // Prepare: DynamoDB cancels a TransactGetItems that meets a transaction in flight (the local one never does)
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 5);
    const original = DynamoDBClient.prototype.send;
    const send = vi.spyOn(DynamoDBClient.prototype, 'send').mockImplementation(function (
      this: DynamoDBClient,
      command: unknown,
      ...rest: unknown[]
    ) {
      if (command instanceof TransactGetItemsCommand)
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'TransactionConflict' }],
        });
      return (original as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
    } as never);
    try {
      // Act
      const calls = await callsOf(() => changeById(tenant, twinId, 1, update('p-3', 7)));
      // Assess: META (GetItem), then the touched items (BatchGet), then the transaction
      expect(calls.byCommand).toMatchObject({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
    } finally {
      send.mockRestore();
    }
    const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
    expect(state.record.version).toBe(2);
    expect(
      state.current.find(({ position }) => position.path === 'p-3')?.installation?.component.attributes,
    ).toEqual({ value: 7 });
  });
});

describe('a change set planned on what this process knows of the twin', () => {
  /** The twin read now, then changed once by id: the process knows its positions and what it is judged against. */
  async function knownTwin(positions = 5) {
    const tenant = newTenant();
    const twinId = await newTwin(tenant, positions);
    await loadTwinParts(tenant, twinId, { current: true });
    await changeById(tenant, twinId, 1, update('p-0', 0));
    return { tenant, twinId };
  }

  it('sends only its transaction and reads nothing, change after change, and the table has each one', async () => {
    // Prepare
    const { tenant, twinId } = await knownTwin(200);
    // Act
    const second = await callsOf(() => changeById(tenant, twinId, 2, update('p-7', 1)));
    const third = await callsOf(() => changeById(tenant, twinId, 3, update('p-199', 2)));
    // Assess
    for (const calls of [second, third]) {
      expect(calls.byCommand).toEqual({ TransactWriteItemsCommand: 1 });
      expect(calls.items).toBe(0);
    }
    const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
    const attributes = (path: string) =>
      state.current.find(({ position }) => position.path === path)?.installation?.component.attributes;
    expect(state.record.version).toBe(4);
    expect([attributes('p-0'), attributes('p-7'), attributes('p-199')]).toEqual([
      { value: 0 },
      { value: 1 },
      { value: 2 },
    ]);
  });

  it('is planned again from a fresh read when a judged item changed meanwhile (a part number of a requirement)', async () => {
    // Prepare: another writer adds a part number to the tenant's requirement part numbers
    const { tenant, twinId } = await knownTwin();
    await documentClient().send(
      new UpdateCommand({
        TableName: config.tableName(),
        Key: keys.requirementParts(tenant),
        UpdateExpression: 'ADD partNumbers :parts',
        ExpressionAttributeValues: { ':parts': new Set(['SERVO']) },
      }),
    );
    // Act
    const calls = await callsOf(() => changeById(tenant, twinId, 2, update('p-1', 1)));
    // Assess: the transaction refused by the guard, the snapshot, the transaction again
    expect(calls.byCommand).toMatchObject({ TransactWriteItemsCommand: 2, TransactGetItemsCommand: 1 });
    expect((await loadTwinParts(tenant, twinId, {}))!.state.record.version).toBe(3);
  });

  it('keeps a twin an import linked into a position meanwhile (the link does not move the version)', async () => {
    // Prepare: the import's nesting step names the child twin in p-1's current item (nesting-writes.ts)
    const { tenant, twinId } = await knownTwin();
    await documentClient().send(
      new UpdateCommand({
        TableName: config.tableName(),
        Key: keys.current(tenant, twinId, 'p-1'),
        UpdateExpression: 'SET installation.#component.twinId = :child, linked = :child',
        ExpressionAttributeNames: { '#component': 'component' },
        ExpressionAttributeValues: { ':child': 'CHILD-1' },
      }),
    );
    // Act
    await changeById(tenant, twinId, 2, update('p-1', 1));
    // Assess: planned again on the linked item, not on the one the process knew
    const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
    const component = state.current.find(({ position }) => position.path === 'p-1')?.installation?.component;
    expect(component).toMatchObject({ twinId: 'CHILD-1', attributes: { value: 1 } });
  });

  it('answers 412 to a version another process moved on from, and plans the current one on a fresh read', async () => {
    // Prepare: another process (its own cache) changes p-1 at version 2
    const { tenant, twinId } = await knownTwin();
    const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
    const before = state.current.find(({ position }) => position.path === 'p-1')!;
    const other = {
      ...before,
      installation: {
        ...before.installation!,
        component: { ...before.installation!.component, attributes: { other: true } },
      },
    };
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: config.tableName(),
              Key: keys.twinMeta(tenant, twinId),
              UpdateExpression: 'SET version = :next',
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':next': 3, ':version': 2 },
            },
          },
          { Put: { TableName: config.tableName(), Item: currentItem(tenant, twinId, other, 3) } },
        ],
      }),
    );
    // Act
    const stale = changeById(tenant, twinId, 2, update('p-1', 1));
    await expect(stale).rejects.toMatchObject({ status: 412 });
    await changeById(tenant, twinId, 3, update('p-1', 1));
    // Assess: planned on the other process's p-1 (its attributes kept beside the new one)
    const after = (await loadTwinParts(tenant, twinId, { current: true }))!.state;
    expect(after.record.version).toBe(4);
    expect(
      after.current.find(({ position }) => position.path === 'p-1')?.installation?.component.attributes,
    ).toEqual({ other: true, value: 1 });
  });

  it('loses no update among concurrent writers planning on it', async () => {
    await expectOneOfTwelveWritersToCommit(changeById, { known: true });
  });

  it('ends in the configuration the same changes give when every one is read fresh', async () => {
    const operation = fc.record({
      kind: fc.constantFrom('update', 'add', 'drop', 'remove', 'install', 'move'),
      index: fc.nat(3),
    });
    const snapshots = { cached: 0, fresh: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 3, maxLength: 10 }), async (steps) => {
        const tenant = newTenant();
        const [cached, fresh] = [await newTwin(tenant, 5), await newTwin(tenant, 5)];
        await loadTwinParts(tenant, cached, { current: true });
        const run = async (twinId: string, forget: boolean) => {
          let version = 1;
          const outcomes: (number | string)[] = [];
          let snapshots = 0;
          for (const [index, step] of steps.entries()) {
            if (forget) forgetAllTwins();
            const calls = await callsOf(() =>
              changeById(tenant, twinId, version, bodyOf(step, index)).then(
                () => {
                  version++;
                  outcomes.push('ok');
                },
                (error: { status?: number }) => outcomes.push(error.status ?? 'error'),
              ),
            );
            snapshots += calls.byCommand.TransactGetItemsCommand ?? 0;
          }
          const { state } = (await loadTwinParts(tenant, twinId, { current: true }))!;
          return {
            outcomes,
            snapshots,
            // what META keeps of the current state, as each change moved it
            meta: {
              version: state.record.version,
              positionCount: state.positionCount,
              nextOrder: state.nextOrder,
            },
            configuration: configurationOf(state),
          };
        };
        const withCache = await run(cached, false);
        const withoutCache = await run(fresh, true);
        expect(withCache.outcomes).toEqual(withoutCache.outcomes);
        expect(withCache.meta).toEqual(withoutCache.meta);
        expect(withCache.configuration).toEqual(withoutCache.configuration);
        snapshots.cached += withCache.snapshots;
        snapshots.fresh += withoutCache.snapshots;
      }),
      { numRuns: 12 },
    );
    // the sequences did run on the cache: fewer snapshots were read than with every change read fresh
    expect(snapshots.cached).toBeLessThan(snapshots.fresh);
  });
});

/** One change of the random sequences above: simple ones are planned on the cache, others read. */
function bodyOf(step: { kind: string; index: number }, order: number): ChangeSetBody {
  const position = `p-${step.index % 5}`;
  const extra = `x-${step.index}`;
  const operations: ChangeSetBody['operations'] = {
    // a key per step: an update planned on a stale position would lose the keys before it
    update: [{ op: 'update' as const, position, attributes: { [`step${order}`]: order } }],
    add: [{ op: 'add-position' as const, position: extra }],
    drop: [{ op: 'remove-position' as const, position: extra }],
    remove: [{ op: 'remove' as const, position }],
    install: [
      {
        op: 'install' as const,
        position: extra,
        component: { partNumber: 'BRACKET', kind: 'mechanical' as const },
      },
    ],
    move: [{ op: 'move' as const, from: position, to: extra }],
  }[step.kind]!;
  return { reason: `step ${order}`, operations } as ChangeSetBody;
}

/** What a twin holds now, without the times and ids that differ between two twins given the same changes. */
const configurationOf = (state: TwinState) =>
  state.current
    .map(({ position, installation }) => ({
      path: position.path,
      partNumber: installation?.component.partNumber,
      serialNumber: installation?.component.serialNumber?.replace(/^READS-[0-9A-Z]+-/, ''),
      attributes: installation?.component.attributes,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));

describe('a change set answered with the whole twin', () => {
  const changeWhole = (tenant: string, twinId: string, version: number, body: ChangeSetBody) =>
    recordChangeSet(tenant, { id: twinId, whole: true }, body, {
      expectedVersion: version,
      now: new Date(),
      actor,
    });

  it('reads META with what it is judged against and the masters of the serials it installs, then the current items', async () => {
    // Prepare: a first change, so that this process knows the twin's product
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 5);
    await changeWhole(tenant, twinId, 1, update('p-0', 0));
    // Act
    let changed: Awaited<ReturnType<typeof changeWhole>> | undefined;
    const calls = await callsOf(async () => {
      changed = await changeWhole(tenant, twinId, 2, {
        reason: 'swap',
        operations: [
          {
            op: 'replace',
            position: 'p-1',
            component: { partNumber: 'SERVO', serialNumber: 'W-1', kind: 'mechanical' },
          },
          { op: 'update', position: 'p-2', attributes: { value: 2 } },
        ],
      });
    });
    // Assess: one BatchGet (META, model, conformance, compliance part numbers, the part master and the
    // serial's record), one Query (the current items), the write; the answer holds every position
    expect(calls.byCommand).toEqual({
      BatchGetItemCommand: 1,
      QueryCommand: 1,
      TransactWriteItemsCommand: 1,
    });
    expect(changed!.state.current).toHaveLength(5);
    expect(changed!.state.record.version).toBe(3);
  });

  it('loses no update among concurrent writers', async () => {
    await expectOneOfTwelveWritersToCommit(changeWhole);
  });
});

describe('a work package reads the judgements of its positions, not every inspection', () => {
  it('reads as many items after 20 inspections of other positions as after 2', async () => {
    // Prepare: a discrepancy at p-0; then inspections of p-1 only
    const tenant = newTenant();
    const twinId = await newTwin(tenant, 3);
    const inspect = async (path: string, serialNumber?: string | null) => {
      const { history } = (await loadTwinParts(tenant, twinId, { current: true, timeline: true }))!;
      const inspection = newInspection(
        history,
        {
          performedAt: new Date().toISOString(),
          inspector: 'I',
          observed: [{ path, ...(serialNumber === undefined ? {} : { serialNumber }) }],
        },
        { id: ulid(), now: new Date(), actor },
      );
      await recordInspection(tenant, twinId, inspection, new Date());
      return inspection;
    };
    const finding = await inspect('p-0', null);
    const workPackage = async () => {
      const now = new Date().toISOString();
      const { history } = (await loadTwinParts(tenant, twinId, WORK_PACKAGE_PARTS))!;
      return workPackageOf(tenant, history, 'p-0', now);
    };
    for (let index = 0; index < 2; index++) await inspect('p-1');
    const few = await itemsReadBy(workPackage);
    for (let index = 0; index < 18; index++) await inspect('p-1');
    // Act
    let answer: Awaited<ReturnType<typeof workPackageOf>> | undefined;
    const many = await itemsReadBy(async () => {
      answer = await workPackage();
    });
    // Assess
    expect(many).toBe(few);
    expect(answer!.lastInspection?.id).toBe(finding.id);
    expect(answer!.openDiscrepancies.map(({ path, kind }) => `${path} ${kind}`)).toEqual(['p-0 missing']);
  });
});

/**
 * Twelve writers at once on a new twin of 5 positions, each planning on the same version: exactly one
 * commits, every other is refused as stale (412), none is lost silently. `known`: the process read
 * the twin now and changed it once before (so each writer plans on what it knows, without a read).
 */
async function expectOneOfTwelveWritersToCommit(write: typeof changeById, options: { known?: boolean } = {}) {
  const tenant = newTenant();
  const twinId = await newTwin(tenant, 5);
  let version = 1;
  if (options.known) {
    await loadTwinParts(tenant, twinId, { current: true });
    await write(tenant, twinId, version++, update('p-0', -1));
  }
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, index) => write(tenant, twinId, version, update(`p-${index % 5}`, index))),
  );
  expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  for (const result of results)
    if (result.status === 'rejected') expect(result.reason).toMatchObject({ status: 412 });
  expect((await loadTwinParts(tenant, twinId, {}))!.state.record.version).toBe(version + 1);
  return { tenant, twinId };
}
