import { config } from '../config';
import type { Component } from '../schemas/twin';
import { activeTwins } from './batch-get';
import { ENTITY } from './items';
import { keys } from './keys';
import { queryAll } from './query';

/** The last removal of a serial: its reason and its condition off the unit (scrapped for good). */
const lastRemovalOf = (item: Record<string, unknown>) => ({
  reason: item.reason as string,
  condition: item.condition as string,
  ...(typeof item.note === 'string' ? { note: item.note } : {}),
  at: item.at as string,
  twinId: item.twinId as string,
  path: item.path as string,
});

export interface ComponentTrace {
  lastRemoval?: ReturnType<typeof lastRemovalOf>;
  component: Component;
  /** `recordedAt`: when a finished stay's end was recorded. */
  installations: {
    twinId: string;
    path: string;
    validFrom: string;
    validTo: string | null;
    recordedAt?: string;
  }[];
}

/**
 * A serialized component and every stay it had in a position of a twin of the tenant, oldest
 * first: one Query of its partition, plus one read of the twins it sat in (a stay left behind by a
 * create that never finished is dropped).
 */
export async function componentTrace(
  tenant: string,
  partNumber: string,
  serialNumber: string,
): Promise<ComponentTrace | null> {
  const trace = await traceOf(tenant, await componentItems(tenant, partNumber, serialNumber));
  return trace && { ...trace, installations: trace.installations.map(({ recordedAt: _, ...stay }) => stay) };
}

/** Every item of a serialized component's partition (record, stays, links, usage balances, removals). */
export const componentItems = (tenant: string, partNumber: string, serialNumber: string) =>
  queryAll({
    TableName: config.tableName(),
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.componentPartition(tenant, partNumber, serialNumber) },
    ConsistentRead: true,
  });

/** The trace in a component's items: its record and its stays in twins that are visible, oldest first. */
export async function traceOf(
  tenant: string,
  items: Record<string, unknown>[],
): Promise<ComponentTrace | null> {
  const meta = items.find((item) => item.entity === ENTITY.component);
  // Finished stays are items of their own; the current one is where the component's record says it is.
  const stays = items.filter((item) => item.entity === ENTITY.stay);
  const current = meta?.installedIn as { twinId: string; path: string; since: string } | undefined;
  if (current) stays.push({ ...current });
  const live = await activeTwins(tenant, [...new Set(stays.map((stay) => stay.twinId as string))]);
  const installations = stays
    .filter((stay) => live.has(stay.twinId as string))
    .map((stay) => ({
      twinId: stay.twinId as string,
      path: stay.path as string,
      validFrom: stay.since as string,
      validTo: (stay.validTo as string | undefined) ?? null,
      ...(typeof stay.recordedAt === 'string' ? { recordedAt: stay.recordedAt } : {}),
    }))
    .sort((a, b) => (a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0));
  if (!meta || installations.length === 0) return null;
  const removal = items.filter((item) => String(item.SK).startsWith('REMOVAL#')).at(-1);
  return {
    component: meta.component as Component,
    installations,
    ...(removal ? { lastRemoval: lastRemovalOf(removal) } : {}),
  };
}
