import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { UsageReads } from '../../shared/services/usage-reads';
import { dynamodbCalls } from '../../shared/store/clients';
import { createTwin } from '../../shared/store/twin-store';
import { putUsageParameter, recordUsage } from '../../shared/store/usage-store';
import { newTenant } from '../support/tenants';

// A total at an instant reads the running totals and the records of that instant's hour only, so
// its cost does not follow how densely a unit logs (items counted by the SDK middleware of clients.ts).

const actor = { sub: 'test', tenant: 'test' };

async function unitLogging(tenant: string, perDay: number) {
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
  // `perDay` records spread over the hours of 2024-03-10, each of 1.5 h
  const records = Array.from({ length: perDay }, (_, n) => ({
    parameter: 'FH',
    at: new Date(Date.parse('2024-03-10T00:00:00Z') + ((n + 0.5) / perDay) * 86_400_000).toISOString(),
    delta: 1.5,
  }));
  await recordUsage(tenant, { id: record.id, productPartNumber: 'A320' }, { records }, new Date());
  return record.id;
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
});
