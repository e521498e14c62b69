import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import type { TwinHistory } from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { AppError, Conflict, PreconditionFailed } from '../../shared/domain/errors';
import { asBuiltHistory, newTwinRecord, patchTwinRecord, planTwinEdit } from '../../shared/domain/twin';
import type { CreateTwinBody } from '../../shared/schemas/twin';
import { documentClient } from '../../shared/store/clients';
import { listEvents } from '../../shared/store/event-store';
import { keys } from '../../shared/store/keys';
import {
  createTwin,
  listTwins,
  loadTwin,
  PENDING_LEASE_MS,
  saveTwinEdit,
} from '../../shared/store/twin-store';
import { aircraftRecord, wideRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

const prepare = (body: CreateTwinBody, now = new Date()) => {
  const record = newTwinRecord({ builtAt: '2024-01-01T00:00:00Z', ...body }, ulid(), now);
  const history = asBuiltHistory(
    record,
    flattenAsBuilt(body.configuration),
    { sub: 'test', tenant: 'test' },
    ulid(),
  );
  return { record, history, now };
};

const rawPartition = async (tenant: string, id: string) =>
  (
    await documentClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, id) },
      }),
    )
  ).Items ?? [];

const feedOf = async (tenant: string, twinId?: string) =>
  (await listEvents(tenant, twinId ? { twinId } : {}, { limit: 100 })).items;

const listedSerials = async (tenant: string, serialNumber?: string) =>
  (await listTwins(tenant, serialNumber ? { serialNumber } : {}, { limit: 100 })).items.map(
    (twin) => twin.id,
  );

describe('creating a twin', () => {
  it('writes a small twin in one transaction and reads it back with one Query', async () => {
    // Prepare
    const tenant = newTenant();
    const { record, history, now } = prepare(aircraftRecord('S-1'));
    // Act
    const result = await createTwin(tenant, history, now);
    const loaded = await loadTwin(tenant, record.id);
    // Assess
    expect(result.transactions).toBe(1);
    expect(loaded?.record).toEqual(record);
    expect(loaded?.positions).toHaveLength(9);
    expect(loaded?.installations).toHaveLength(7);
  });

  it('writes a twin larger than one transaction in several, and shows it only when complete', async () => {
    // Prepare: 350 positions, each with a serialized component: 1,404 items
    const tenant = newTenant();
    const { record, history, now } = prepare(wideRecord('WIDE-1', 350));
    const seenWhilePending: unknown[] = [];
    // Act
    const result = await createTwin(tenant, history, now, {
      afterTransaction: async () => {
        seenWhilePending.push(await loadTwin(tenant, record.id), ...(await listedSerials(tenant)));
      },
    });
    // Assess
    // twin, serial guard, change set, event, and per position: position, installation, component guard,
    // current item; search entries: the twin's serial, product and site, each component's serial and part
    expect(result.transactions).toBe(Math.ceil((4 + 350 * 4 + 3 + 350 * 2) / 100) + 1);
    expect(seenWhilePending.every((seen) => seen === null)).toBe(true);
    const loaded = await loadTwin(tenant, record.id);
    expect(loaded?.positions).toHaveLength(350);
    expect(loaded?.installations).toHaveLength(350);
    expect(await listedSerials(tenant, 'WIDE-1')).toEqual([record.id]);
  });

  it('puts the change-feed event of a multi-transaction create only with its activation', async () => {
    // Prepare: a writer that stops after its first transaction (as a killed process does)
    const tenant = newTenant();
    const stalled = prepare(wideRecord('GHOST-1', 300));
    let reachedStop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      reachedStop = resolve;
    });
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    const writing = createTwin(tenant, stalled.history, stalled.now, {
      afterTransaction: (count) => {
        if (count > 1) return Promise.resolve();
        reachedStop();
        return resumed;
      },
    });
    await stopped;
    // Act
    const feedWhileStopped = await feedOf(tenant);
    const twinEventsWhileStopped = await feedOf(tenant, stalled.record.id);
    resume();
    await writing;
    // Assess
    expect((await rawPartition(tenant, stalled.record.id)).length).toBeGreaterThan(0);
    expect(feedWhileStopped).toEqual([]);
    expect(twinEventsWhileStopped).toEqual([]);
    const after = await feedOf(tenant);
    expect(after.map((event) => [event.type, event.twinId, event.positions])).toEqual([
      ['twin.created', stalled.record.id, 300],
    ]);
    // its id is of the activation, so a reader paging past the settle window cannot miss it
    expect(after[0]!.id > stalled.history.changeSets[0]!.id).toBe(true);
    expect(await feedOf(tenant, stalled.record.id)).toEqual(after);
  });

  it('lets exactly one of many concurrent creates of the same serial number win', async () => {
    const tenant = newTenant();
    const attempts = Array.from({ length: 8 }, () => prepare(aircraftRecord('RACE-1')));
    const results = await Promise.allSettled(
      attempts.map(({ history, now }) => createTwin(tenant, history, now)),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(Conflict);
    }
    expect(await listedSerials(tenant, 'RACE-1')).toHaveLength(1);
  });

  it('undoes a failed multi-transaction create: nothing visible, nothing blocking a retry', async () => {
    // Prepare
    const tenant = newTenant();
    const failing = prepare(wideRecord('FAIL-1', 300));
    // Act
    await expect(
      createTwin(tenant, failing.history, failing.now, {
        afterTransaction: async (count) => {
          if (count > 1) throw new Error('the function died');
        },
      }),
    ).rejects.toThrow('the function died');
    // Assess
    expect(await rawPartition(tenant, failing.record.id)).toEqual([]);
    const retry = prepare(wideRecord('FAIL-1', 300));
    await createTwin(tenant, retry.history, retry.now);
    expect((await loadTwin(tenant, retry.record.id))?.positions).toHaveLength(300);
  });

  it('after a crash midway, the pending twin stays invisible and its guards are taken over once its lease ends', async () => {
    // Prepare: a writer that dies after two transactions, leaving a pending twin
    const tenant = newTenant();
    const crashed = prepare(wideRecord('CRASH-1', 300));
    let reachedCrash!: () => void;
    const crashPoint = new Promise<void>((resolve) => {
      reachedCrash = resolve;
    });
    void createTwin(tenant, crashed.history, crashed.now, {
      afterTransaction: (count) => {
        if (count < 2) return Promise.resolve();
        reachedCrash();
        return new Promise<void>(() => {}); // never comes back, like a killed process
      },
    });
    await crashPoint;
    expect((await rawPartition(tenant, crashed.record.id)).length).toBeGreaterThan(0);

    // Assess: invisible to every reader
    expect(await loadTwin(tenant, crashed.record.id)).toBeNull();
    expect(await listedSerials(tenant)).toEqual([]);

    // Act: a retry while the lease runs is told to come back later...
    const early = prepare(wideRecord('CRASH-1', 300), new Date(crashed.now.getTime() + 1000));
    const refused = await createTwin(tenant, early.history, early.now).catch((error) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused.status).toBe(409);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // ...and one after the lease takes the guards over and succeeds.
    const late = prepare(
      wideRecord('CRASH-1', 300),
      new Date(crashed.now.getTime() + PENDING_LEASE_MS + 1000),
    );
    await createTwin(tenant, late.history, late.now);
    expect((await loadTwin(tenant, late.record.id))?.positions).toHaveLength(300);
    expect(await listedSerials(tenant, 'CRASH-1')).toEqual([late.record.id]);

    // The components now belong to the new twin: a third twin cannot take them.
    const third = prepare(
      {
        ...wideRecord('CRASH-2', 1),
        configuration: [
          {
            position: 'p',
            component: { partNumber: 'SERVO', serialNumber: 'CRASH-1-S7', kind: 'mechanical' },
          },
        ],
      },
      late.now,
    );
    await expect(createTwin(tenant, third.history, third.now)).rejects.toThrow(late.record.id);
  });
});

describe('saving a twin edit', () => {
  const edit = (history: TwinHistory, site: string, now: Date) =>
    planTwinEdit(
      history,
      patchTwinRecord(history.record, { site }, now),
      {},
      {
        now,
        actor: { sub: 'test', tenant: 'test' },
        changeSetId: ulid(),
      },
    );

  it('refuses a version that is no longer current, and writes nothing of the refused edit', async () => {
    const tenant = newTenant();
    const { record, history, now } = prepare(aircraftRecord('SAVE-1'));
    await createTwin(tenant, history, now);
    await saveTwinEdit(tenant, edit(history, 'A', now), 1, now);
    await expect(saveTwinEdit(tenant, edit(history, 'B', now), 1, now)).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
    const stored = await loadTwin(tenant, record.id);
    expect(stored?.record.site).toBe('A');
    expect(stored?.changeSets.map((changeSet) => changeSet.seq).sort()).toEqual([1, 2]);
    expect(
      stored?.twinFields?.map(({ site, seq, validTo }) => ({ site, seq, closed: validTo !== null })),
    ).toEqual([
      { site: 'TLS', seq: 1, closed: true },
      { site: 'A', seq: 2, closed: false },
    ]);
  });

  it('gives a twin recorded before its fields were kept its first interval on the first edit', async () => {
    const tenant = newTenant();
    const { record, history, now } = prepare(aircraftRecord('SAVE-2'));
    const { twinFields: _none, ...older } = history;
    await createTwin(tenant, older, now);
    expect((await loadTwin(tenant, record.id))?.twinFields).toBeUndefined();
    await saveTwinEdit(tenant, edit(older, 'HAM', now), 1, now);
    const stored = await loadTwin(tenant, record.id);
    expect(
      stored?.twinFields?.map(({ site, validFrom, recordedAt }) => ({ site, validFrom, recordedAt })),
    ).toEqual([
      { site: 'TLS', validFrom: record.builtAt, recordedAt: record.createdAt },
      { site: 'HAM', validFrom: now.toISOString(), recordedAt: now.toISOString() },
    ]);
  });
});

describe('tenants', () => {
  it('never see each other twins through the store', async () => {
    const owner = newTenant();
    const other = newTenant();
    const { record, history, now } = prepare(aircraftRecord('TEN-1'));
    await createTwin(owner, history, now);
    expect(await loadTwin(other, record.id)).toBeNull();
    expect(await listedSerials(other)).toEqual([]);
    // The same serials are free in another tenant.
    const theirs = prepare(aircraftRecord('TEN-1'));
    await createTwin(other, theirs.history, theirs.now);
    expect(await listedSerials(other)).toEqual([theirs.record.id]);
  });
});
