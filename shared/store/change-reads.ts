import { TransactGetItemsCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { config } from '../config';
import type { ChangeScope } from '../domain/change-scope';
import type { CurrentPosition, TwinState } from '../domain/records';
import { batchGetItems, keyId, uniqueKeys } from './batch-get';
import { documentClient, dynamoClient } from './clients';
import { stateFromMeta } from './current-items';
import { ACTIVE } from './guarded-transaction';
import { ENTITY, LAYOUT, toCurrent } from './items';
import { keys } from './keys';
import { cachedTwin, rememberJudged, rememberRead } from './planning-cache';
import { guardOf, type ReadGuard } from './read-guards';
import { loadTwinParts, loadTwinPartsWith } from './twin-store';

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
    batchGetItems(namedKeys(tenant, twinId, scope), { consistent: true }),
    subtreeItems(tenant, twinId, scope),
  ]);
  return scopedState(tenant, state, named, children);
}

/** The items a change names: each path's current and vacated item, each arriving serial's record. */
const namedKeys = (tenant: string, twinId: string, scope: ChangeScope) => [
  ...scope.paths.flatMap((path) => [keys.current(tenant, twinId, path), keys.vacated(tenant, twinId, path)]),
  ...scope.arriving.map(({ partNumber, serialNumber }) => keys.component(tenant, partNumber, serialNumber)),
];

/** The first current items under each position the change removes (a Query each, read after META). */
const subtreeItems = (tenant: string, twinId: string, scope: ChangeScope) =>
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
  );

/** DynamoDB's limit of items in one TransactGetItems. */
const MAX_TRANSACTION_GET = 100;

/** What a change by id reads beside META and the items it names. */
export interface ChangeReads {
  /**
   * The version the client read (If-Match): the twin as this process knows it at that version is
   * planned on without a read (absent: always read).
   */
  expectedVersion?: number;
  /** Items the change is judged against (kept by this process, checked again by the transaction: `withGuards`). */
  judged: readonly Record<string, string>[];
  /** Other items read in the same snapshot (the part masters and records of arriving serials). */
  others: readonly Record<string, string>[];
}

/**
 * META and the items a change names (`namedKeys`) in ONE round trip: a TransactGetItems, which reads
 * them as one serializable snapshot (a BatchGet would not be isolated from a change committing in
 * between: META after it, a position before it, and the version condition would not notice). Only
 * what the snapshot cannot hold is read after it, as `changeState` does: the children of a removed
 * position (a Query) and a position elsewhere in this twin an arriving serial sits in. A change that
 * names more than the transaction's 99 items, a twin in an old layout (migrated first) or a snapshot
 * refused by a concurrent transaction (`TransactionConflict`) is read the sequential way (META, then
 * `changeState`; `also` is then absent: the caller reads those itself). Null when there is no such
 * active twin.
 *
 * No read at all when this process knows every item at the version the client read
 * (`plannedOnCache`); the snapshot is remembered for the changes after it.
 */
export async function readForChange(
  tenant: string,
  twinId: string,
  scope: ChangeScope,
  reads: ChangeReads,
): Promise<{
  state: TwinState;
  also?: Record<string, unknown>[];
  cached?: true;
  /** What a change planned on the cache checks of the twin's own items beside its version. */
  guards?: ReadGuard[];
} | null> {
  const cached = await plannedOnCache(tenant, twinId, scope, reads);
  if (cached) return cached;
  const named = namedKeys(tenant, twinId, scope);
  // an item both named and asked for beside (an arriving serial's record) is read once
  const alsoRead = [...reads.judged, ...reads.others];
  const wanted = uniqueKeys([keys.twinMeta(tenant, twinId), ...named, ...alsoRead]);
  const snapshot = wanted.length <= MAX_TRANSACTION_GET ? await snapshotOf(wanted) : undefined;
  if (snapshot === null) return null;
  if (snapshot === undefined || snapshot.meta.layout !== LAYOUT) {
    const loaded = await loadTwinParts(tenant, twinId, {});
    return loaded && { state: await changeState(tenant, loaded.state, scope) };
  }
  const remembered = [...stateKeys(tenant, twinId, scope.paths), ...reads.judged];
  rememberRead(tenant, twinId, snapshot.meta, remembered, snapshot.present(remembered));
  const children = await subtreeItems(tenant, twinId, scope);
  return {
    state: await scopedState(tenant, stateFromMeta(snapshot.meta), snapshot.present(named), children),
    also: snapshot.present(alsoRead),
  };
}

const keyOf = (item: Record<string, unknown>) => ({ PK: String(item.PK), SK: String(item.SK) });

/** The current and vacated item of each path. */
const stateKeys = (tenant: string, twinId: string, paths: readonly string[]) =>
  paths.flatMap((path) => [keys.current(tenant, twinId, path), keys.vacated(tenant, twinId, path)]);

/**
 * The planning state from what this process knows of the twin at the version the client read, when it
 * knows all the change needs: each named position (current, or else whether and when it was vacated)
 * and each judged item. A change that removes positions, installs serials or twins, or reads anything
 * else is always read.
 */
async function plannedOnCache(tenant: string, twinId: string, scope: ChangeScope, reads: ChangeReads) {
  const simple =
    scope.subtrees.length === 0 &&
    scope.arriving.length === 0 &&
    scope.arrivingTwins.length === 0 &&
    reads.others.length === 0;
  const twin =
    simple && reads.expectedVersion !== undefined
      ? cachedTwin(tenant, twinId, reads.expectedVersion)
      : undefined;
  if (!twin) return undefined;
  const named: Record<string, unknown>[] = [];
  for (const path of scope.paths) {
    const current = twin.get(keys.current(tenant, twinId, path));
    const vacated = current === null ? twin.get(keys.vacated(tenant, twinId, path)) : null;
    if (current === undefined || vacated === undefined) return undefined;
    named.push(...[current, vacated].filter((item) => item !== null));
  }
  const also: Record<string, unknown>[] = [];
  for (const key of reads.judged) {
    const item = twin.get(key);
    if (item === undefined) return undefined;
    if (item !== null) also.push(item);
  }
  return {
    state: await scopedState(tenant, stateFromMeta(twin.meta), named, []),
    also,
    cached: true as const,
    // a twin linked into a position by an import (nesting-writes.ts) does not move the version
    guards: named
      .filter((item) => item.entity === ENTITY.current)
      .map((item) => ({ ...guardOf(keyOf(item), item, { equal: ['linked'] }), whenWritten: true as const })),
  };
}

/**
 * A change whose answer shows the whole twin: META with `alsoRead` (one BatchGet), then every current
 * item (a Query, read after META: a change committing in between fails the version condition), then
 * only what `changeState` still needs. `state` is what the change is planned on, `whole` the twin now
 * as read. Null when there is no such active twin.
 */
export async function readWholeForChange(
  tenant: string,
  twinId: string,
  scope: ChangeScope,
  reads: Pick<ChangeReads, 'judged' | 'others'>,
): Promise<{ state: TwinState; whole: TwinState; also: Record<string, unknown>[] } | null> {
  const alsoRead = uniqueKeys([...reads.judged, ...reads.others]);
  const { twin, also } = await loadTwinPartsWith(tenant, twinId, { current: true }, alsoRead);
  if (!twin) return null;
  // the judged items (guarded by the transaction) are kept beside the whole twin this read remembered
  rememberJudged(tenant, twinId, twin.state.record.version, reads.judged, also);
  return { state: await changeState(tenant, twin.state, scope), whole: twin.state, also };
}

/**
 * One TransactGetItems of `wanted` (META first): null without an active twin, undefined when refused;
 * `present` answers the items of some of those keys that exist.
 */
async function snapshotOf(wanted: readonly Record<string, string>[]) {
  const TableName = config.tableName();
  try {
    // The plain client: keys are two strings, and only the items found are converted (the document
    // client's own marshalling layer is a large part of so small a read).
    const { Responses = [] } = await dynamoClient().send(
      new TransactGetItemsCommand({
        TransactItems: wanted.map((key) => ({
          Get: { TableName, Key: { PK: { S: key.PK! }, SK: { S: key.SK! } } },
        })),
      }),
    );
    // in the order asked (absent items undefined)
    const [meta, ...items] = Responses.map((response) => response.Item && unmarshall(response.Item));
    if (!meta || meta.status !== ACTIVE) return null;
    const byKey = new Map(items.flatMap((item) => (item ? [[keyId(item), item] as const] : [])));
    const present = (asked: readonly Record<string, string>[]) =>
      asked.flatMap((key) => byKey.get(keyId(key)) ?? []);
    return { meta, present };
  } catch (error) {
    if (error instanceof TransactionCanceledException) return undefined;
    throw error;
  }
}

/**
 * The planning state from what was read: the current items of the named positions and removed
 * subtrees, where they are not current when they were vacated, and (one more BatchGet, only when
 * an arriving serial already sits in this twin at a position not read) that position's current item.
 */
async function scopedState(
  tenant: string,
  state: TwinState,
  named: Record<string, unknown>[],
  children: Record<string, unknown>[][],
): Promise<TwinState> {
  const twinId = state.record.id;
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
