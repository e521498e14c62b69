import { config } from '../config';
import type { TwinHistory } from '../domain/change-set';
import { currentStateOf } from '../domain/current';
import { Conflict } from '../domain/errors';
import { componentEntries, twinEntries } from '../domain/search';
import { softwareSummary } from '../domain/software';
import type { TwinRecord } from '../domain/twin';
import type { Component } from '../schemas/twin';
import { stateItems, stateMeta } from './current-items';
import { eventItem } from './events';
import type { Write } from './guarded-transaction';
import { ACTIVE } from './guarded-transaction';
import { changeSetItem, ENTITY, installationItem, positionItem, twinFieldsItem } from './items';
import { keys } from './keys';
import { mountWrites } from './mount-writes';
import { searchPuts } from './search-store';
import type { TransactEntry } from './transact';

const table = () => config.tableName();

/**
 * How long a twin being written in several transactions may stay pending. Longer than the
 * function timeout (29 s), so a live writer is never overtaken; once it has passed, a crashed
 * writer's guards are taken over by the next attempt.
 */
export const PENDING_LEASE_MS = 120_000;

/** The twin's META item; index keys only once it is active, so lists never show a pending twin. */
export function metaItem(tenant: string, record: TwinRecord, status: 'active' | 'pending') {
  return {
    ...keys.twinMeta(tenant, record.id),
    entity: ENTITY.twin,
    status,
    ...record,
    ...(status === ACTIVE
      ? keys.twinIndexKeys(tenant, { ...record, partNumber: record.product.partNumber })
      : { leaseUntil: new Date(Date.parse(record.createdAt) + PENDING_LEASE_MS).toISOString() }),
  };
}

/**
 * Everything an as-built record writes, guards first (so that a duplicate is refused before
 * thousands of items are written): the META item, the serial guard, each serialized component's
 * guard, installed twins' mounts, the first change set and its event, then the intervals of the
 * twin's fields, positions and installations.
 */
export function asBuiltWrites(
  tenant: string,
  history: TwinHistory,
  status: 'active' | 'pending',
  searchable: readonly string[] = [],
): Write[] {
  const { record, positions, installations } = history;
  const state = currentStateOf(history);
  const writes: Write[] = [
    {
      entry: {
        Put: {
          TableName: table(),
          Item: {
            ...metaItem(tenant, record, status),
            softwareSummary: softwareSummary(history),
            ...stateMeta(state),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: () => new Conflict('A twin with this id already exists'),
    },
    serialGuardWrite(tenant, record),
  ];
  for (const { path, component } of installations) {
    if (component.serialNumber !== undefined)
      writes.push(...componentWrites(tenant, record, path, component));
    if (component.twinId !== undefined) {
      const arrival = { kind: 'arrive' as const, component, path, at: record.builtAt };
      writes.push(
        ...mountWrites(tenant, record.id, arrival, {
          recordedAt: record.createdAt,
          actor: history.changeSets[0]!.actor,
        }),
      );
    }
  }
  for (const changeSet of history.changeSets) {
    writes.push({
      entry: { Put: { TableName: table(), Item: changeSetItem(tenant, record.id, changeSet) } },
    });
    const event = eventItem(
      tenant,
      {
        type: 'twin.created',
        twinId: record.id,
        changeSetId: changeSet.id,
        seq: changeSet.seq,
        reason: changeSet.reason,
        serialNumber: record.serialNumber,
        product: record.product,
        effectiveAt: changeSet.effectiveAt,
        recordedAt: changeSet.recordedAt,
        actor: changeSet.actor,
        // counts, not the tree: an as-built record may hold thousands of positions
        positions: positions.length,
        installations: installations.length,
      },
      changeSet.id,
    );
    writes.push({ entry: { Put: { TableName: table(), Item: event } }, undo: deleteOf(event) });
  }
  for (const interval of history.twinFields ?? []) {
    writes.push({
      entry: { Put: { TableName: table(), Item: twinFieldsItem(tenant, record.id, interval) } },
    });
  }
  for (const position of positions) {
    writes.push({ entry: { Put: { TableName: table(), Item: positionItem(tenant, record.id, position) } } });
  }
  for (const installation of installations) {
    writes.push({
      entry: { Put: { TableName: table(), Item: installationItem(tenant, record.id, installation) } },
    });
  }
  for (const item of stateItems(tenant, history, state))
    writes.push({ entry: { Put: { TableName: table(), Item: item } } });
  // the search index: the twin and every serialized component it is built with
  const found = [twinEntries(record, searchable), ...installations.map((i) => componentEntries(i.component))];
  for (const entry of searchPuts(tenant, found.flat())) writes.push({ entry });
  return writes;
}

const deleteOf = (item: Record<string, unknown>, condition?: string, twinId?: string): TransactEntry => ({
  Delete: {
    TableName: table(),
    Key: { PK: item.PK, SK: item.SK },
    ...(condition ? { ConditionExpression: condition, ExpressionAttributeValues: { ':twin': twinId } } : {}),
  },
});

/** A guard's put: conditional, returning the guard as it was when the condition fails (to name its holder). */
const guardPut = (
  item: Record<string, unknown>,
  condition: string,
  values?: Record<string, unknown>,
): TransactEntry => ({
  Put: {
    TableName: table(),
    Item: item,
    ConditionExpression: condition,
    ...(values ? { ExpressionAttributeValues: values } : {}),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

function serialGuardWrite(tenant: string, record: TwinRecord): Write {
  const item = {
    ...keys.serialGuard(tenant, record.product.partNumber, record.serialNumber),
    entity: ENTITY.serial,
    twinId: record.id,
  };
  const put = (condition: string, values?: Record<string, unknown>) => guardPut(item, condition, values);
  return {
    entry: put('attribute_not_exists(PK)'),
    undo: deleteOf(item, 'twinId = :twin', record.id),
    guard: {
      holder: (existing) => (typeof existing.twinId === 'string' ? existing.twinId : undefined),
      takeover: (stale) => put('attribute_not_exists(PK) OR twinId = :stale', { ':stale': stale }),
      conflict: () =>
        new Conflict(
          `A twin of product ${record.product.partNumber} with serial number ${record.serialNumber} already exists`,
          [{ path: 'body.serialNumber', message: 'already exists for this product' }],
        ),
    },
  };
}

/**
 * A serialized component's guard: where it is installed now, which is also the open stay of its
 * trace (closed stays are written when it leaves).
 */
function componentWrites(tenant: string, record: TwinRecord, path: string, component: Component): Write[] {
  const identity = { partNumber: component.partNumber, serialNumber: component.serialNumber! };
  const item = {
    ...keys.component(tenant, identity.partNumber, identity.serialNumber),
    entity: ENTITY.component,
    ...identity,
    component,
    installedIn: { twinId: record.id, path, since: record.builtAt },
  };
  const put = (condition: string, values?: Record<string, unknown>) => guardPut(item, condition, values);
  const free = 'attribute_not_exists(PK) OR attribute_not_exists(installedIn)';
  return [
    {
      entry: put(free),
      undo: deleteOf(item, 'installedIn.twinId = :twin', record.id),
      guard: {
        holder: (existing) => (existing.installedIn as { twinId?: string } | undefined)?.twinId,
        takeover: (stale) => put(`${free} OR installedIn.twinId = :stale`, { ':stale': stale }),
        conflict: (existing) => {
          const at = existing.installedIn as { twinId: string; path: string };
          return new Conflict(
            `Component ${component.partNumber} serial ${component.serialNumber} is installed at ${at.path} of twin ${at.twinId}`,
            [{ path: `configuration:${path}`, message: 'component is installed elsewhere' }],
          );
        },
      },
    },
  ];
}
