import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { BaselineRecord } from '../domain/baseline';
import type { ChangeSetRecord, MountRecord, TwinFieldsRecord, TwinHistory } from '../domain/change-set';
import type { InstallationRecord, PositionRecord } from '../domain/configuration';
import { NotFound, PreconditionFailed } from '../domain/errors';
import type { InspectionRecord } from '../domain/inspection';
import type { LinkRecord } from '../domain/thread';
import type { TwinEditPlan, TwinRecord } from '../domain/twin';
import { asBuiltWrites, metaItem, PENDING_LEASE_MS } from './as-built-writes';
import { changeSetWrites } from './change-store';
import { documentClient } from './clients';
import { ACTIVE, concurrentChange, type Write, writeTransaction } from './guarded-transaction';
import { indexPage } from './index-page';
import {
  ENTITY,
  toBaseline,
  toChangeSet,
  toInspection,
  toInstallation,
  toLink,
  toMount,
  toPosition,
  toTwinFields,
  toTwinRecord,
  twinFieldsItem,
} from './items';
import { keys } from './keys';
import { type LeasedWriteOptions, writeUnderLease } from './leased-write';
import { closeInterval } from './mount-writes';
import { queryAll } from './query';
import { INDEXES, type IndexName } from './table';

export { PENDING_LEASE_MS };

export type CreateOptions = Pick<LeasedWriteOptions, 'afterTransaction'>;

const table = () => config.tableName();

/**
 * Writes a new twin with its positions, installations and uniqueness guards, never visible
 * half-written (see writeUnderLease: one transaction up to 100 items, else several under a
 * pending META flipped to active last).
 */
export async function createTwin(
  tenant: string,
  history: TwinHistory,
  now: Date,
  options: CreateOptions = {},
): Promise<{ transactions: number }> {
  return writeUnderLease(
    tenant,
    history.record,
    (status) => asBuiltWrites(tenant, history, status),
    now,
    options,
  );
}

/**
 * A twin with everything it ever was: one Query of its partition (one request per MB), so the cost
 * grows with this twin's history, not with the fleet. Pending twins are absent.
 */
export async function loadTwin(tenant: string, twinId: string): Promise<TwinHistory | null> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId) },
    ConsistentRead: true,
  });
  let meta: Record<string, unknown> | undefined;
  const positions: PositionRecord[] = [];
  const installations: InstallationRecord[] = [];
  const changeSets: ChangeSetRecord[] = [];
  const baselines: BaselineRecord[] = [];
  const mounts: MountRecord[] = [];
  const links: LinkRecord[] = [];
  const inspections: InspectionRecord[] = [];
  const twinFields: TwinFieldsRecord[] = [];
  for (const item of items) {
    if (item.entity === ENTITY.twin) meta = item;
    else if (item.entity === ENTITY.position) positions.push(toPosition(item));
    else if (item.entity === ENTITY.installation) installations.push(toInstallation(item));
    else if (item.entity === ENTITY.changeSet) changeSets.push(toChangeSet(item));
    else if (item.entity === ENTITY.baseline) baselines.push(toBaseline(item));
    else if (item.entity === ENTITY.mount) mounts.push(toMount(item));
    else if (item.entity === ENTITY.inspection) inspections.push(toInspection(item));
    else if (item.entity === ENTITY.link) links.push(toLink(item));
    else if (item.entity === ENTITY.twinFields) twinFields.push(toTwinFields(item));
  }
  if (!meta || meta.status !== ACTIVE) return null;
  const mountedIn = meta.mountedIn as TwinHistory['mountedIn'];
  return {
    record: toTwinRecord(meta),
    positions,
    installations,
    changeSets,
    baselines,
    mounts,
    links,
    inspections,
    ...(twinFields.length > 0 ? { twinFields } : {}),
    ...(mountedIn ? { mountedIn } : {}),
  };
}

/**
 * Records an edit of the twin's own fields in one transaction: its new record over the META item (if
 * the stored version is still `expectedVersion`), the history entry and its event, and the intervals
 * of the fields (the one ended, the one opened). META is updated, not put, so that what other writers
 * keep there (where the twin is installed) stays; index keys are rebuilt (a new site moves the twin in
 * the site index).
 */
export async function saveTwinEdit(
  tenant: string,
  plan: TwinEditPlan,
  expectedVersion: number,
  now: Date,
): Promise<void> {
  const twinId = plan.twin.id;
  const { interval: ended, stored } = plan.close;
  const put = (Item: Record<string, unknown>): Write => ({
    entry: { Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: concurrentChange,
  });
  await writeTransaction(
    tenant,
    [
      metaUpdate(tenant, plan.twin, expectedVersion),
      ...changeSetWrites(tenant, twinId, plan.changeSet),
      stored
        ? {
            entry: closeInterval(keys.twinFields(tenant, twinId, ended), ended.validTo!, ended.closedAt!),
            onConditionFailed: concurrentChange,
          }
        : put(twinFieldsItem(tenant, twinId, ended)),
      put(twinFieldsItem(tenant, twinId, plan.open)),
    ],
    now,
  );
}

/** Twin fields that may be absent: removed from the item when the new record lacks them. */
const OPTIONAL_TWIN_ATTRIBUTES = ['site', 'type', 'typeVersion', 'oem', 'sitePK', 'siteSK'];

function metaUpdate(tenant: string, next: TwinRecord, expectedVersion: number): Write {
  const { PK: _pk, SK: _sk, ...item } = metaItem(tenant, next, ACTIVE) as Record<string, unknown>;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':active': ACTIVE, ':expected': expectedVersion };
  const sets = Object.entries(item).map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    return `#a${index} = :a${index}`;
  });
  const removes = OPTIONAL_TWIN_ATTRIBUTES.filter((name) => !(name in item)).map((name, index) => {
    names[`#r${index}`] = name;
    return `#r${index}`;
  });
  return {
    entry: {
      Update: {
        TableName: table(),
        Key: keys.twinMeta(tenant, next.id),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#status = :active AND version = :expected',
        ExpressionAttributeNames: { ...names, '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (stored) =>
      stored
        ? new PreconditionFailed(`The twin changed since version ${expectedVersion}: read it again`)
        : new NotFound(),
  };
}

export interface TwinFilters {
  site?: string;
  partNumber?: string;
  serialNumber?: string;
  lifecycle?: string;
}

/**
 * A page of a tenant's twins, sorted by serial number. The most selective index serves the
 * query (site, else product, else the tenant list); the other filters apply on the way.
 */
export async function listTwins(
  tenant: string,
  filters: TwinFilters,
  page: { limit: number; cursor?: string },
): Promise<{ items: TwinRecord[]; nextCursor?: string }> {
  const [indexName, partition]: [IndexName, string] =
    filters.site !== undefined
      ? ['site', keys.twinsBySite(tenant, filters.site)]
      : filters.partNumber !== undefined
        ? ['product', keys.twinsByProduct(tenant, filters.partNumber)]
        : ['list', keys.twinList(tenant)];
  const result = await indexPage(
    {
      index: INDEXES[indexName],
      partition,
      prefix: keys.twinIndexSortPrefix(filters.serialNumber),
      tablePrefix: keys.twinPartition(tenant, ''),
      scope: JSON.stringify([indexName, partition, filters]),
      filters: {
        lifecycle: filters.lifecycle,
        ...(indexName === 'site' ? { 'product.partNumber': filters.partNumber } : {}),
      },
    },
    page,
  );
  return { ...result, items: result.items.map(toTwinRecord) };
}

/** The twins this one is installed in, innermost first (an engine → its aircraft → ...), bounded. */
export async function ancestorsOf(tenant: string, mountedIn: TwinHistory['mountedIn']): Promise<string[]> {
  const ancestors: string[] = [];
  let current = mountedIn;
  while (current && ancestors.length < 16 && !ancestors.includes(current.twinId)) {
    ancestors.push(current.twinId);
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: table(),
        Key: keys.twinMeta(tenant, current.twinId),
        ProjectionExpression: 'mountedIn',
        ConsistentRead: true,
      }),
    );
    current = Item?.mountedIn as TwinHistory['mountedIn'];
  }
  return ancestors;
}
