import { config } from '../config';
import { semverRangeBounds } from '../domain/versions';
import type { Component } from '../schemas/twin';
import { activeTwins } from './batch-get';
import { keys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';

export interface FleetInstallation {
  twinId: string;
  path: string;
  component: Component;
}

/**
 * What the tenant's units carry now under a part number: one Query of the fleet index, narrowed to
 * the key range of a software version range when one is given, so the cost follows the matching
 * installations, not the fleet. Installations of twins still being created are left out.
 */
export async function installationsOf(
  tenant: string,
  partNumber: string,
  softwareVersions?: string,
): Promise<FleetInstallation[]> {
  const index = INDEXES.fleet;
  const bounds = softwareVersions === undefined ? undefined : semverRangeBounds(softwareVersions);
  const range = bounds
    ? bounds.upper === undefined
      ? { condition: '#sk BETWEEN :lower AND :sw', values: { ':lower': bounds.lower, ':sw': 'S#\uffff' } }
      : {
          condition: '#sk BETWEEN :lower AND :upper',
          values: { ':lower': bounds.lower, ':upper': bounds.upper },
        }
    : undefined;
  const items = await queryAll({
    TableName: config.tableName(),
    IndexName: index.name,
    KeyConditionExpression: `#pk = :pk${range ? ` AND ${range.condition}` : ''}`,
    ExpressionAttributeNames: { '#pk': index.partitionKey, ...(range ? { '#sk': index.sortKey } : {}) },
    ExpressionAttributeValues: { ':pk': keys.fleetPartition(tenant, partNumber), ...range?.values },
  });
  const installations = items.map((item) => ({
    twinId: item.twinId as string,
    path: item.path as string,
    component: item.component as Component,
  }));
  const live = await activeTwins(
    tenant,
    installations.map((installation) => installation.twinId),
  );
  return installations.filter((installation) => live.has(installation.twinId));
}
