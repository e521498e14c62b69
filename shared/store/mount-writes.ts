import { config } from '../config';
import type { Actor, ComponentEffect } from '../domain/change-set';
import { InstalledElsewhere, invalidField } from '../domain/errors';
import { ACTIVE, concurrentChange, type Write } from './guarded-transaction';
import { ENTITY } from './items';
import { keys } from './keys';
import type { TransactEntry } from './transact';

const table = () => config.tableName();

/**
 * Closing an interval sets its end once; a second close (a concurrent writer) fails the transaction.
 * A closed installation moves to its part number's fleet history (`fleetHistory`: its new index keys).
 */
export const closeInterval = (
  key: Record<string, string>,
  validTo: string,
  closedAt: string,
  closedBy?: Actor,
  fleetHistory?: { fleetPK: string; fleetSK: string },
): TransactEntry => ({
  Update: {
    TableName: table(),
    Key: key,
    UpdateExpression: `SET validTo = :validTo, closedAt = :closedAt${closedBy ? ', closedBy = :closedBy' : ''}${
      fleetHistory ? ', fleetPK = :fleetPK, fleetSK = :fleetSK' : ' REMOVE fleetPK, fleetSK'
    }`,
    ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(validTo)',
    ExpressionAttributeValues: {
      ':validTo': validTo,
      ':closedAt': closedAt,
      ...(closedBy ? { ':closedBy': closedBy } : {}),
      ...(fleetHistory ? { ':fleetPK': fleetHistory.fleetPK, ':fleetSK': fleetHistory.fleetSK } : {}),
    },
  },
});

/**
 * Systems of systems: when a twin (an engine) arrives in, leaves or moves within another (an
 * aircraft), the installed twin records it too: `mountedIn` on its META (at most one parent at a
 * time, never two at once) and a `MNT#` stay in its own partition, so its history shows where it flew.
 */
export function mountWrites(
  tenant: string,
  parentId: string,
  effect: ComponentEffect,
  recorded: { recordedAt: string; actor: Actor },
): Write[] {
  const { recordedAt, actor } = recorded;
  const childId = effect.component.twinId!;
  const meta = keys.twinMeta(tenant, childId);
  const stayPut = (path: string, since: string): Write => {
    const key = keys.mount(tenant, childId, { since, parentId, path });
    return {
      entry: {
        Put: {
          TableName: table(),
          Item: { ...key, entity: ENTITY.mount, parentId, path, validFrom: since, recordedAt, actor },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: concurrentChange,
      undo: { Delete: { TableName: table(), Key: key } },
    };
  };
  const stayClose = (path: string, since: string, at: string): Write => ({
    entry: closeInterval(keys.mount(tenant, childId, { since, parentId, path }), at, recordedAt, actor),
    onConditionFailed: concurrentChange,
  });
  const here = { '#status': 'status', '#path': 'path' };
  switch (effect.kind) {
    case 'arrive':
      return [
        {
          entry: {
            Update: {
              TableName: table(),
              Key: meta,
              UpdateExpression: 'SET mountedIn = :in',
              ConditionExpression:
                '#status = :active AND attribute_not_exists(mountedIn) AND (attribute_not_exists(unmountedAt) OR unmountedAt <= :at)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':in': { twinId: parentId, path: effect.path, since: effect.at },
                ':active': ACTIVE,
                ':at': effect.at,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          onConditionFailed: (item) => {
            if (!item || item.status !== ACTIVE)
              return invalidField(`configuration:${effect.path}.component.twinId`, `no twin ${childId}`);
            const mounted = item.mountedIn as { twinId: string; path: string } | undefined;
            return new InstalledElsewhere(
              mounted
                ? `Twin ${childId} is installed at ${mounted.path} of twin ${mounted.twinId}`
                : `Twin ${childId} was installed elsewhere until ${String(item.unmountedAt)}, after ${effect.at}`,
              `Twin ${childId}`,
              mounted && { twinId: mounted.twinId, path: mounted.path },
            );
          },
          undo: {
            Update: {
              TableName: table(),
              Key: meta,
              UpdateExpression: 'REMOVE mountedIn',
              ConditionExpression: 'mountedIn.twinId = :parent',
              ExpressionAttributeValues: { ':parent': parentId },
            },
          },
        },
        stayPut(effect.path, effect.at),
      ];
    case 'leave':
      return [
        {
          entry: {
            Update: {
              TableName: table(),
              Key: meta,
              UpdateExpression: 'REMOVE mountedIn SET unmountedAt = :at',
              ConditionExpression: 'mountedIn.twinId = :parent AND mountedIn.#path = :path',
              ExpressionAttributeNames: { '#path': here['#path'] },
              ExpressionAttributeValues: { ':parent': parentId, ':path': effect.path, ':at': effect.at },
            },
          },
          onConditionFailed: concurrentChange,
        },
        stayClose(effect.path, effect.since, effect.at),
      ];
    case 'move':
      return [
        {
          entry: {
            Update: {
              TableName: table(),
              Key: meta,
              UpdateExpression: 'SET mountedIn = :in',
              ConditionExpression: 'mountedIn.twinId = :parent AND mountedIn.#path = :path',
              ExpressionAttributeNames: { '#path': here['#path'] },
              ExpressionAttributeValues: {
                ':in': { twinId: parentId, path: effect.to, since: effect.at },
                ':parent': parentId,
                ':path': effect.from,
              },
            },
          },
          onConditionFailed: concurrentChange,
        },
        stayClose(effect.from, effect.since, effect.at),
        stayPut(effect.to, effect.at),
      ];
    case 'update':
      return [];
  }
}
