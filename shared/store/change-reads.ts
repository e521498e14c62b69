import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { ChangeScope } from '../domain/change-scope';
import type { CurrentPosition, TwinState } from '../domain/records';
import { batchGetItems } from './batch-get';
import { documentClient } from './clients';
import { ENTITY, toCurrent } from './items';
import { keys } from './keys';

/**
 * The part of a twin's current state a change set is checked against (`changeScope`): the current
 * items of the positions it names, and where they are not current when they were vacated; the first
 * children of each position it removes; the positions of this twin where the serialized components
 * it installs (and the twins it installs) sit now. One consistent BatchGet (plus a Query per removed position, and a second
 * BatchGet only when an arriving component already sits in this twin elsewhere): what it reads
 * grows with the change, never with the twin's positions or its past. `state` is the twin's META
 * as read (its version is what the transaction is conditioned on), or the whole current state
 * (`current` holding all `positionCount` positions, read after META): then nothing is read again.
 */
export async function changeState(tenant: string, state: TwinState, scope: ChangeScope): Promise<TwinState> {
  const twinId = state.record.id;
  // Read whole already (for an answer that shows the twin): only when the named positions that are gone were vacated.
  if (state.positionCount !== undefined && state.current.length === state.positionCount) {
    const current = new Set(state.current.map(({ position }) => position.path));
    const gone = scope.paths.filter((path) => !current.has(path));
    if (gone.length === 0) return state;
    const items = await batchGetItems(
      gone.map((path) => keys.vacated(tenant, twinId, path)),
      { consistent: true },
    );
    return {
      ...state,
      vacated: {
        ...state.vacated,
        ...Object.fromEntries(items.map((item) => [item.path as string, item.lastEventAt as string])),
      },
    };
  }
  const [named, children] = await Promise.all([
    batchGetItems(
      [
        ...scope.paths.flatMap((path) => [
          keys.current(tenant, twinId, path),
          keys.vacated(tenant, twinId, path),
        ]),
        ...scope.arriving.map(({ partNumber, serialNumber }) =>
          keys.component(tenant, partNumber, serialNumber),
        ),
      ],
      { consistent: true },
    ),
    Promise.all(
      scope.subtrees.map(({ path, limit }) =>
        documentClient()
          .send(
            new QueryCommand({
              TableName: config.tableName(),
              KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
              ExpressionAttributeValues: {
                ':pk': keys.twinPartition(tenant, twinId),
                ':prefix': `${keys.current(tenant, twinId, path).SK}/`,
              },
              Limit: limit,
              ConsistentRead: true,
            }),
          )
          .then((page) => page.Items ?? []),
      ),
    ),
  ]);
  const current = new Map<string, CurrentPosition>();
  const add = (items: Record<string, unknown>[]) => {
    for (const item of items)
      if (item.entity === ENTITY.current) current.set(item.path as string, toCurrent(item));
  };
  add(named);
  add(children.flat());
  const elsewhere = named
    .map((item) =>
      item.entity === ENTITY.component
        ? (item.installedIn as { twinId: string; path: string } | undefined)
        : item.entity === ENTITY.twin
          ? (item.mountedIn as { twinId: string; path: string } | undefined)
          : undefined,
    )
    .flatMap((at) => (at && at.twinId === twinId && !current.has(at.path) ? [at.path] : []));
  if (elsewhere.length > 0)
    add(
      await batchGetItems(
        elsewhere.map((path) => keys.current(tenant, twinId, path)),
        { consistent: true },
      ),
    );
  const vacated = Object.fromEntries(
    named
      .filter((item) => item.entity === ENTITY.vacated && !current.has(item.path as string))
      .map((item) => [item.path as string, item.lastEventAt as string]),
  );
  return { ...state, current: [...current.values()], vacated };
}
