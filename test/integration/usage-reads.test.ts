import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { UsageReads } from '../../shared/services/usage-reads';
import { documentClient, dynamodbCalls } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';
import { createTwin } from '../../shared/store/twin-store';
import { putUsageParameter, recordUsage } from '../../shared/store/usage-store';
import { newTenant } from '../support/tenants';

// A total at an instant reads the running totals and the records of that instant's hour only, so
// its cost does not follow how densely a unit logs (items counted by the SDK middleware of clients.ts).

const actor = { sub: 'test', tenant: 'test' };

async function newUnit(tenant: string) {
  const body = {
    serialNumber: `LOG-${ulid()}`,
    product: { partNumber: 'A320' },
    builtAt: '2024-01-01T00:00:00Z',
    configuration: [{ position: 'apu' }],
  };
  const record = newTwinRecord(body, ulid(), new Date());
  await createTwin(
    tenant,
    asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()),
    new Date(),
  );
  return record.id;
}

async function unitLogging(tenant: string, perDay: number) {
  const id = await newUnit(tenant);
  // `perDay` records spread over the hours of 2024-03-10, each of 1.5 h
  const records = Array.from({ length: perDay }, (_, n) => ({
    parameter: 'FH',
    at: new Date(Date.parse('2024-03-10T00:00:00Z') + ((n + 0.5) / perDay) * 86_400_000).toISOString(),
    delta: 1.5,
  }));
  await recordUsage(tenant, { id, productPartNumber: 'A320' }, { records }, new Date());
  return id;
}

/**
 * Records as the layout before month and day totals wrote them: the record items, a year item with
 * `total`, `mMM` and `dMMDD` sums, and a month item of `hDDHH` hour sums (`M#`), no `MT#`/`DT#` items.
 */
async function recordedByOldLayout(tenant: string, twinId: string, entries: { at: string; delta: number }[]) {
  const pk = keys.usagePartition(tenant, twinId, 'FH');
  const recordedAt = new Date().toISOString();
  const years = new Map<string, Record<string, unknown>>();
  const months = new Map<string, Record<string, unknown>>();
  const add = (item: Record<string, unknown>, field: string, delta: number) => {
    item[field] = ((item[field] as number | undefined) ?? 0) + delta;
  };
  const items: Record<string, unknown>[] = entries.map(({ at, delta }) => {
    const year = years.get(at.slice(0, 4)) ?? {
      PK: pk,
      SK: `Y#${at.slice(0, 4)}`,
      entity: 'usage-year',
      year: at.slice(0, 4),
    };
    for (const field of ['total', `m${at.slice(5, 7)}`, `d${at.slice(5, 7)}${at.slice(8, 10)}`])
      add(year, field, delta);
    years.set(at.slice(0, 4), year);
    const month = months.get(at.slice(0, 7)) ?? {
      PK: pk,
      SK: `M#${at.slice(0, 7)}`,
      entity: 'usage-month',
      month: at.slice(0, 7),
    };
    add(month, `h${at.slice(8, 10)}${at.slice(11, 13)}`, delta);
    months.set(at.slice(0, 7), month);
    const id = ulid();
    return {
      PK: pk,
      SK: keys.usageRecordSortKey(at, id),
      ...keys.usageLogKeys(tenant, twinId, 'FH', recordedAt, id),
      entity: 'usage-record',
      id,
      parameter: 'FH',
      at,
      delta,
      recordedAt,
    };
  });
  const all = [...items, ...years.values(), ...months.values()];
  for (let start = 0; start < all.length; start += 25)
    await documentClient().send(
      new BatchWriteCommand({
        RequestItems: {
          [config.tableName()]: all.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
}

async function itemsReadBy<T>(task: () => Promise<T>): Promise<{ items: number; value: T }> {
  const before = dynamodbCalls.itemsRead;
  const value = await task();
  return { items: dynamodbCalls.itemsRead - before, value };
}

describe('usage totals read running sums, not records', () => {
  it('reads as many items at 22:40 of a day logged 48 times as of a day logged 4 times, and sums right', async () => {
    // Prepare
    const tenant = newTenant();
    await putUsageParameter(tenant, 'FH', { unit: 'h' }, new Date());
    const sparse = await unitLogging(tenant, 4);
    const dense = await unitLogging(tenant, 48);
    const t = '2024-03-10T22:40:00.000Z';
    // Act
    const few = await itemsReadBy(() => new UsageReads(tenant).before(sparse, 'FH', t));
    const many = await itemsReadBy(() => new UsageReads(tenant).before(dense, 'FH', t));
    // Assess: all 4 records (03:00 … 21:00), 45 of 48 (00:15, 00:45 … 22:15)
    expect(few.value).toBe(6);
    expect(many.value).toBe(45 * 1.5);
    expect(many.items).toBeLessThanOrEqual(few.items + 1);
  });

  it('sums totals the layout before month and day totals wrote, alone and with records added since', async () => {
    // Prepare: March and April 2024 written by the old layout, then more March records by today's
    const tenant = newTenant();
    await putUsageParameter(tenant, 'FH', { unit: 'h' }, new Date());
    const unit = await newUnit(tenant);
    const old = [
      { at: '2024-03-02T10:00:00.000Z', delta: 1 },
      { at: '2024-03-10T08:30:00.000Z', delta: 2 },
      { at: '2024-03-10T22:10:00.000Z', delta: 4 },
      { at: '2024-04-05T12:00:00.000Z', delta: 8 },
    ];
    await recordedByOldLayout(tenant, unit, old);
    const total = (t: string) => new UsageReads(tenant).before(unit, 'FH', t);
    const oldBefore = [await total('2024-03-10T22:40:00.000Z'), await total('2024-04-30T00:00:00.000Z')];
    await recordUsage(
      tenant,
      { id: unit, productPartNumber: 'A320' },
      {
        records: [
          { parameter: 'FH', at: '2024-03-10T09:00:00.000Z', delta: 16 },
          { parameter: 'FH', at: '2024-05-01T01:00:00.000Z', delta: 32 },
        ],
      },
      new Date(),
    );
    // Act
    const mixed = await total('2024-03-10T22:40:00.000Z');
    const inMay = await total('2024-05-01T02:00:00.000Z');
    const beforeRecordOfMay = await total('2024-05-01T01:00:00.000Z');
    // Assess: every record before t counts once, whichever layout wrote it
    expect(oldBefore).toEqual([1 + 2 + 4, 15]);
    expect(mixed).toBe(1 + 2 + 16 + 4);
    expect(inMay).toBe(15 + 16 + 32);
    expect(beforeRecordOfMay).toBe(15 + 16);
  });
});
