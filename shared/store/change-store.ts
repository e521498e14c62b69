import { config } from '../config';
import type { ChangePlan, ChangeSetRecord, ComponentEffect } from '../domain/change-set';
import { InstalledElsewhere, NotFound, PreconditionFailed, UnprocessableContent } from '../domain/errors';
import type { TimelineMark } from '../domain/records';
import type { Component } from '../schemas/twin';
import { eventItem } from './events';
import { ACTIVE, concurrentChange, type Write, writeTransaction } from './guarded-transaction';
import {
  changeSetItem,
  currentItem,
  ENTITY,
  installationItem,
  lifecycleItem,
  positionItem,
  vacatedItem,
} from './items';
import { keys } from './keys';
import { closeInterval, mountWrites } from './mount-writes';
import { forgetTwin, rememberCommit } from './planning-cache';
import { type ReadGuard, withGuards } from './read-guards';
import { componentArrivalWrites } from './search-store';
import { timelineWrites } from './timeline-store';
import { MAX_TRANSACTION_ITEMS } from './transact';

const table = () => config.tableName();

function componentWrites(
  tenant: string,
  twinId: string,
  effect: ComponentEffect,
  recordedAt: string,
): Write[] {
  const component = effect.component as Component & { serialNumber: string };
  const meta = keys.component(tenant, component.partNumber, component.serialNumber);
  /** A finished stay: written once, when the component leaves a position (append-only trace). */
  const stayEnded = (path: string, since: string, at: string): Write => ({
    entry: {
      Put: {
        TableName: table(),
        Item: {
          ...keys.componentStay(tenant, component, { since, twinId, path }),
          entity: ENTITY.stay,
          since,
          twinId,
          path,
          validTo: at,
          recordedAt,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    onConditionFailed: concurrentChange,
  });
  const here = (path: string) => ({
    ConditionExpression: 'installedIn.twinId = :twin AND installedIn.#path = :path',
    names: { '#path': 'path' },
    values: { ':twin': twinId, ':path': path },
  });
  const update = (
    expression: string,
    condition: ReturnType<typeof here>,
    values: Record<string, unknown>,
  ): Write => ({
    entry: {
      Update: {
        TableName: table(),
        Key: meta,
        UpdateExpression: expression,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: condition.names,
        ExpressionAttributeValues: { ...condition.values, ...values },
      },
    },
    onConditionFailed: concurrentChange,
  });
  switch (effect.kind) {
    case 'arrive':
      return [
        {
          entry: {
            Update: {
              TableName: table(),
              Key: meta,
              UpdateExpression:
                'SET entity = :entity, partNumber = :pn, serialNumber = :sn, component = :component, installedIn = :in',
              // Free now, and free since before this change's effective time: never in two places at once.
              ConditionExpression:
                'attribute_not_exists(installedIn) AND (attribute_not_exists(freeSince) OR freeSince <= :at)',
              ExpressionAttributeValues: {
                ':entity': ENTITY.component,
                ':pn': component.partNumber,
                ':sn': component.serialNumber,
                ':component': component,
                ':in': { twinId, path: effect.path, since: effect.at },
                ':at': effect.at,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          onConditionFailed: (item) => {
            const at = item?.installedIn as { twinId: string; path: string } | undefined;
            const what = `${component.partNumber} serial ${component.serialNumber}`;
            return new InstalledElsewhere(
              at
                ? `${what} is installed at ${at.path} of twin ${at.twinId}`
                : `${what} was installed elsewhere until ${String(item?.freeSince)}, after ${effect.at}`,
              what,
              at && { twinId: at.twinId, path: at.path },
            );
          },
        },
      ];
    case 'leave':
      return [
        update('REMOVE installedIn SET freeSince = :at', here(effect.path), { ':at': effect.at }),
        stayEnded(effect.path, effect.since, effect.at),
      ];
    case 'move':
      return [
        update('SET installedIn = :in, component = :component', here(effect.from), {
          ':in': { twinId, path: effect.to, since: effect.at },
          ':component': component,
        }),
        stayEnded(effect.from, effect.since, effect.at),
      ];
    case 'update':
      return [update('SET component = :component', here(effect.path), { ':component': component })];
  }
}

/** The change set's item and its `change-set.recorded` event: what every entry of a twin's history writes. */
export function changeSetWrites(tenant: string, twinId: string, changeSet: ChangeSetRecord): Write[] {
  const put = (Item: Record<string, unknown>): Write => ({
    entry: { Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: concurrentChange,
  });
  return [put(changeSetItem(tenant, twinId, changeSet)), put(changeSetEventItem(tenant, twinId, changeSet))];
}

const changeSetEventItem = (tenant: string, twinId: string, changeSet: ChangeSetRecord) =>
  eventItem(tenant, {
    type: 'change-set.recorded',
    twinId,
    changeSetId: changeSet.id,
    seq: changeSet.seq,
    reason: changeSet.reason,
    ...(changeSet.workOrder === undefined ? {} : { workOrder: changeSet.workOrder }),
    effectiveAt: changeSet.effectiveAt,
    recordedAt: changeSet.recordedAt,
    actor: changeSet.actor,
    // self-contained for integrations; no larger than the change-set item of the same transaction
    operations: changeSet.operations,
  });

/**
 * The current items a change rewrites (unconditioned: the META version condition of the same
 * transaction already orders writers): each touched position that exists, each one vacated (its
 * current item deleted if it had one), and the lifecycle move.
 */
function currentWrites(tenant: string, plan: ChangePlan): Write[] {
  const twinId = plan.twin.id;
  const version = plan.twin.version;
  const put = (Item: Record<string, unknown>): Write => ({ entry: { Put: { TableName: table(), Item } } });
  const closed = new Set(plan.closePositions.map((position) => position.path));
  return [
    ...plan.current.put.map((entry) => put(currentItem(tenant, twinId, entry, version))),
    ...Object.entries(plan.current.vacated).flatMap(([path, at]) => [
      ...(closed.has(path)
        ? [{ entry: { Delete: { TableName: table(), Key: keys.current(tenant, twinId, path) } } }]
        : []),
      put(vacatedItem(tenant, twinId, path, at, version)),
    ]),
    ...(plan.lifecycleMove ? [put(lifecycleItem(tenant, twinId, plan.lifecycleMove))] : []),
  ];
}

/**
 * Records a change set in one transaction: the twin's new version (conditioned on the one the
 * client read), the change set, the intervals it opens and closes, each serialized component's
 * record and stay, an event in the tenant's change feed, and the `extra` writes other concerns add
 * to the same transaction (see recordChangeSet), and the change set's timeline entry (what time travel
 * replays from a checkpoint). All or nothing. Answers META's timeline mark after it.
 */
export async function applyChangeSet(
  tenant: string,
  plan: ChangePlan,
  expectedVersion: number,
  now: Date,
  /** Items other concerns add to the same transaction (usage balances, removals, the unit's conformance). */
  extra: readonly Write[] = [],
  /** META's timeline mark as the plan read it (the version condition keeps it current). */
  mark?: TimelineMark,
  /** What the change was judged against, as read: the transaction commits only while it is unchanged. */
  guards: readonly ReadGuard[] = [],
) {
  const twinId = plan.twin.id;
  const { recordedAt } = plan.changeSet;
  const timeline = timelineWrites(tenant, twinId, { ...plan, seq: plan.changeSet.seq }, mark, recordedAt);
  // META's attributes after the change (also what this process then knows of it: planning-cache.ts)
  const metaSets: Record<string, unknown> = {
    version: plan.twin.version,
    updatedAt: plan.twin.updatedAt,
    lifecycle: plan.twin.lifecycle,
    softwareSummary: plan.software ?? [],
    nextOrder: plan.nextOrder,
    positionCount: plan.positionCount,
    timeline: timeline.mark,
    ...(plan.lifecycleMove ? { lifecycleChangedAt: plan.lifecycleMove.effectiveAt } : {}),
  };
  const names = Object.keys(metaSets);
  const writes: Write[] = [
    {
      entry: {
        Update: {
          TableName: table(),
          Key: keys.twinMeta(tenant, twinId),
          UpdateExpression: `SET ${names.map((name) => `${name} = :${name}`).join(', ')}`,
          ConditionExpression: '#status = :active AND version = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...Object.fromEntries(names.map((name) => [`:${name}`, metaSets[name]])),
            ':active': ACTIVE,
            ':expected': expectedVersion,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (item) =>
        item
          ? new PreconditionFailed(`The twin changed since version ${expectedVersion}: read it again`)
          : new NotFound(),
    },
    ...changeSetWrites(tenant, twinId, plan.changeSet),
    ...timeline.writes,
  ];
  const put = (Item: Record<string, unknown>): Write => ({
    entry: { Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: concurrentChange,
  });
  for (const position of plan.closePositions) {
    writes.push({
      entry: closeInterval(keys.position(tenant, twinId, position), position.validTo!, position.closedAt!),
      onConditionFailed: concurrentChange,
    });
  }
  for (const installation of plan.closeInstallations) {
    writes.push({
      entry: closeInterval(
        keys.installation(tenant, twinId, installation),
        installation.validTo!,
        installation.closedAt!,
        undefined,
        keys.fleetHistoryKeys(tenant, twinId, installation),
      ),
      onConditionFailed: concurrentChange,
    });
  }
  for (const position of plan.openPositions) writes.push(put(positionItem(tenant, twinId, position)));
  for (const installation of plan.openInstallations)
    writes.push(put(installationItem(tenant, twinId, installation)));
  writes.push(...currentWrites(tenant, plan));
  for (const effect of plan.twins) {
    writes.push(...mountWrites(tenant, twinId, effect, { recordedAt, actor: plan.changeSet.actor }));
  }
  for (const effect of plan.components) {
    if (effect.component.serialNumber !== undefined)
      writes.push(...componentWrites(tenant, twinId, effect, recordedAt));
  }
  writes.push(...componentArrivalWrites(tenant, plan.components));
  writes.push(...extra);
  const guarded = withGuards(writes, guards);
  if (guarded.length > MAX_TRANSACTION_ITEMS) {
    throw new UnprocessableContent(
      `This change set needs ${guarded.length} writes; one change set is one transaction of at most ${MAX_TRANSACTION_ITEMS}: split it`,
      [
        {
          path: 'body.operations',
          message: `too many writes (${guarded.length} > ${MAX_TRANSACTION_ITEMS})`,
        },
      ],
    );
  }
  try {
    await writeTransaction(tenant, guarded, now);
  } catch (error) {
    forgetTwin(tenant, twinId);
    throw error;
  }
  rememberCommit(
    tenant,
    twinId,
    expectedVersion,
    metaSets,
    guarded.map((write) => write.entry),
  );
  return { timeline: timeline.mark };
}
