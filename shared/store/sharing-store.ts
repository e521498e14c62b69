import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { Actor } from '../domain/change-set';
import { NotFound, PreconditionFailed } from '../domain/errors';
import type { GrantRecord } from '../domain/grant';
import type { InstalledSoftware } from '../domain/software';
import type { View } from '../domain/view';
import type { Role } from '../schemas/common';
import { documentClient } from './clients';
import { eventItem, type FeedEvent } from './events';
import { indexPage } from './index-page';
import { ENTITY } from './items';
import { keys, withoutKeys } from './keys';
import { queryAll } from './query';
import { INDEXES } from './table';
import { currentScope, withPeer } from './tenant-scope';
import { type TransactEntry, TransactionCancelled, transactWrite } from './transact';

const table = () => config.tableName();

type Item = Record<string, unknown>;

const withoutEntity = ({ entity: _entity, ...rest }: Item) => rest;
const toView = (item: Item): View => withoutEntity(withoutKeys(item)) as unknown as View;
const toGrant = (item: Item): GrantRecord => withoutEntity(withoutKeys(item)) as unknown as GrantRecord;

const putNew = (Item: Item): TransactEntry => ({
  Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' },
});

/** A new view at version 1: its listed latest item and its first immutable version, together. */
export async function createView(tenant: string, view: View): Promise<void> {
  await transactWrite([
    putNew({
      ...keys.view(tenant, view.id),
      ...keys.viewIndexKeys(tenant, view.id),
      entity: ENTITY.view,
      ...view,
    }),
    putNew({ ...keys.viewVersion(tenant, view.id, view.version), entity: ENTITY.viewVersion, ...view }),
  ]);
}

/** The latest version of a view, or the one asked for; `undefined` when there is none. */
export async function getView(tenant: string, viewId: string, version?: number): Promise<View | undefined> {
  const key = version === undefined ? keys.view(tenant, viewId) : keys.viewVersion(tenant, viewId, version);
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
  );
  return Item ? toView(Item) : undefined;
}

/**
 * A view's next version, conditioned on the version it replaces (two editors cannot both write
 * version n+1). Role views follow their view: the role-views item is rewritten in the same
 * transaction, so a role never reads through an outdated version.
 */
export async function updateView(tenant: string, next: View): Promise<void> {
  const roleViews = await getRoleViews(tenant);
  const followers = Object.entries(roleViews.roles).filter(([, viewId]) => viewId === next.id);
  const entries: TransactEntry[] = [
    putNew({ ...keys.viewVersion(tenant, next.id, next.version), entity: ENTITY.viewVersion, ...next }),
    {
      Put: {
        TableName: table(),
        Item: {
          ...keys.view(tenant, next.id),
          ...keys.viewIndexKeys(tenant, next.id),
          entity: ENTITY.view,
          ...next,
        },
        ConditionExpression: 'version = :previous',
        ExpressionAttributeValues: { ':previous': next.version - 1 },
      },
    },
  ];
  if (followers.length > 0)
    entries.push(roleViewsPut(tenant, roleViews, { views: { ...roleViews.views, [next.id]: next } }));
  try {
    await transactWrite(entries);
  } catch (error) {
    if (error instanceof TransactionCancelled)
      throw new PreconditionFailed(`View ${next.id} changed at the same time: read it again`);
    throw error;
  }
}

/** Every version of a view, oldest first (one consistent Query of its partition). */
export async function viewVersions(tenant: string, viewId: string): Promise<View[]> {
  const { PK } = keys.view(tenant, viewId);
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': PK, ':prefix': 'V#' },
    ConsistentRead: true,
  });
  return items.map(toView);
}

export async function listViews(tenant: string, page: { limit: number; cursor?: string }) {
  return listPage(tenant, [keys.viewList(tenant), 'VIEW#'], page, toView);
}

/** A page of the list index under `partition` (views, grants of an owner). */
async function listPage<T>(
  tenant: string,
  [partition, prefix]: [string, string],
  page: { limit: number; cursor?: string },
  convert: (item: Item) => T,
  filters: Record<string, unknown> = {},
) {
  const result = await indexPage(
    {
      index: INDEXES.list,
      partition,
      prefix,
      tablePrefix: `TENANT#${tenant}#`,
      scope: JSON.stringify(['list', partition, filters]),
      filters,
    },
    page,
  );
  return { ...result, items: result.items.map(convert) };
}

export interface RoleViews {
  /** The view id of each role that has one. */
  roles: Partial<Record<Role, string>>;
  /** The latest version of each of those views. */
  views: Record<string, View>;
  revision: number;
}

/** The default view of each role: one consistent GetItem. */
export async function getRoleViews(tenant: string): Promise<RoleViews> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.roleViews(tenant), ConsistentRead: true }),
  );
  return Item
    ? {
        roles: Item.roles as RoleViews['roles'],
        views: Item.views as RoleViews['views'],
        revision: Item.revision as number,
      }
    : { roles: {}, views: {}, revision: 0 };
}

/** The role-views item, written over the revision it was read at. */
const roleViewsPut = (tenant: string, current: RoleViews, change: Partial<RoleViews>): TransactEntry => ({
  Put: {
    TableName: table(),
    Item: {
      ...keys.roleViews(tenant),
      entity: ENTITY.roleViews,
      roles: change.roles ?? current.roles,
      views: change.views ?? current.views,
      revision: current.revision + 1,
    },
    ...(current.revision === 0
      ? { ConditionExpression: 'attribute_not_exists(PK)' }
      : {
          ConditionExpression: 'revision = :revision',
          ExpressionAttributeValues: { ':revision': current.revision },
        }),
  },
});

/** Sets (or with `null` clears) a role's default view; only the views still in use are kept. */
export async function setRoleView(tenant: string, role: Role, view: View | null): Promise<RoleViews> {
  const current = await getRoleViews(tenant);
  const roles = { ...current.roles };
  if (view === null) delete roles[role];
  else roles[role] = view.id;
  const views: Record<string, View> = {};
  for (const viewId of Object.values(roles)) {
    const kept = viewId === view?.id ? view : current.views[viewId];
    if (kept) views[viewId] = kept;
  }
  try {
    await transactWrite([roleViewsPut(tenant, current, { roles, views })]);
  } catch (error) {
    if (error instanceof TransactionCancelled)
      throw new PreconditionFailed('The role views changed at the same time: try again');
    throw error;
  }
  return { roles, views, revision: current.revision + 1 };
}

/**
 * A grant event, in the owner's feed and in the grantee's (each sees its own contracts come and go).
 * The grantee sees a grant only once it is in force: a grant given ahead of its `validFrom` (and its
 * revocation before then) stays out of the grantee's feed.
 */
const grantEvents = (grant: GrantRecord, type: string, recordedAt: string, actor: Actor): TransactEntry[] => {
  const event: FeedEvent = {
    type,
    recordedAt,
    grantId: grant.id,
    owner: grant.owner,
    grantee: grant.grantee,
    purpose: grant.purpose,
    actor,
  };
  const granteeSees = grant.validFrom === undefined || Date.parse(grant.validFrom) <= Date.parse(recordedAt);
  return [
    putNew(eventItem(grant.owner, event)),
    ...(granteeSees ? [putNew(eventItem(grant.grantee, event))] : []),
  ];
};

/**
 * Writes of a grant touch both tenants (the grant and its events in the owner's and the grantee's
 * feeds, one transaction): the only calls made with a peer in the scope (shared/store/tenant-scope.ts).
 */
const withOtherParty = <T>(grant: GrantRecord, work: () => Promise<T>) =>
  withPeer(currentScope()?.tenant === grant.grantee ? grant.owner : grant.grantee, work);

export async function createGrant(grant: GrantRecord): Promise<void> {
  await withOtherParty(grant, () =>
    transactWrite([
      putNew({
        ...keys.grant(grant.owner, grant.id),
        ...keys.grantIndexKeys(grant.owner, grant.grantee, grant.id),
        entity: ENTITY.grant,
        ...grant,
      }),
      ...grantEvents(grant, 'grant.created', grant.createdAt, grant.createdBy),
    ]),
  );
}

export async function getGrant(owner: string, grantId: string): Promise<GrantRecord | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.grant(owner, grantId), ConsistentRead: true }),
  );
  return Item ? toGrant(Item) : undefined;
}

export async function listGrants(
  owner: string,
  filters: { grantee?: string },
  page: { limit: number; cursor?: string },
) {
  return listPage(owner, [keys.grantList(owner), 'GRANT#'], page, toGrant, { grantee: filters.grantee });
}

/**
 * Revokes a grant at once: the grant keeps its record (who revoked it, when) but leaves the
 * grantee's index; every grantee read confirms its grants on the table itself, so none is served
 * after this returns. Revoking a revoked grant changes nothing.
 */
export async function revokeGrant(owner: string, grantId: string, now: string, actor: Actor): Promise<void> {
  const grant = await getGrant(owner, grantId);
  if (!grant) throw new NotFound(`No grant ${grantId}`);
  if (grant.revokedAt !== undefined) return;
  await withOtherParty(grant, () =>
    transactWrite([
      {
        Update: {
          TableName: table(),
          Key: keys.grant(owner, grantId),
          UpdateExpression: 'SET revokedAt = :now, revokedBy = :actor REMOVE granteePK, granteeSK',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':now': now, ':actor': actor },
        },
      },
      ...grantEvents(grant, 'grant.revoked', now, actor),
    ]),
  );
}

/**
 * The grantee declines a grant given to it: like a revocation, it keeps its record (who declined it,
 * when), leaves the grantee's index at once and writes `grant.declined` to both feeds.
 */
export async function declineGrant(grant: GrantRecord, now: string, actor: Actor): Promise<void> {
  try {
    await withOtherParty(grant, () =>
      transactWrite([
        {
          Update: {
            TableName: table(),
            Key: keys.grant(grant.owner, grant.id),
            UpdateExpression: 'SET declinedAt = :now, declinedBy = :actor REMOVE granteePK, granteeSK',
            ConditionExpression:
              'attribute_exists(PK) AND grantee = :grantee AND attribute_not_exists(revokedAt) AND attribute_not_exists(declinedAt)',
            ExpressionAttributeValues: { ':now': now, ':actor': actor, ':grantee': actor.tenant },
          },
        },
        ...grantEvents(grant, 'grant.declined', now, actor),
      ]),
    );
  } catch (error) {
    if (error instanceof TransactionCancelled)
      throw new NotFound(`No grant ${grant.id} in force for your tenant`);
    throw error;
  }
}

/** Every grant given to `grantee` (by `owner`, if named), from the grantee index: its own partition only. */
export async function grantsTo(grantee: string, owner?: string): Promise<GrantRecord[]> {
  const index = INDEXES.grantee;
  const items = await queryAll({
    TableName: table(),
    IndexName: index.name,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
    ExpressionAttributeValues: { ':pk': keys.grantsTo(grantee), ':prefix': keys.grantsToFromOwner(owner) },
  });
  return items.map(toGrant).filter((grant) => grant.grantee === grantee);
}

/**
 * The grants as the table holds them now (an index may lag a revocation by a moment): one
 * consistent BatchGet; a revoked grant comes back revoked and is then not in force.
 */
export async function confirmGrants(grants: readonly GrantRecord[]): Promise<GrantRecord[]> {
  if (grants.length === 0) return [];
  const keyList = grants.map((grant) => keys.grant(grant.owner, grant.id));
  const confirmed: GrantRecord[] = [];
  for (let start = 0; start < keyList.length; start += 100) {
    let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
      [table()]: { Keys: keyList.slice(start, start + 100), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      confirmed.push(...(result.Responses?.[table()] ?? []).map(toGrant));
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return confirmed;
}

/** The owner's audit trail of its grantees: who read or wrote what of which twin, when. */
export async function recordAccess(owner: string, access: FeedEvent & { twinId: string }): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: table(), Item: eventItem(owner, access) }));
}

/** Several access events at once (a listed page): one BatchWriteItem per 25, retrying what is left. */
export async function recordAccesses(owner: string, accesses: readonly (FeedEvent & { twinId: string })[]) {
  for (let start = 0; start < accesses.length; start += 25) {
    let requests: { PutRequest: { Item: Item } }[] | undefined = accesses
      .slice(start, start + 25)
      .map((access) => ({ PutRequest: { Item: eventItem(owner, access) } }));
    while (requests && requests.length > 0) {
      const result = await documentClient().send(
        new BatchWriteCommand({ RequestItems: { [table()]: requests } }),
      );
      requests = result.UnprocessedItems?.[table()] as typeof requests;
    }
  }
}

/** What an installed base counts of one twin: its product, site and the software it carries now. */
export interface TwinSummary {
  id: string;
  site?: string;
  product: { partNumber: string };
  softwareSummary?: InstalledSoftware[];
}

/**
 * The summaries of every twin of `owner` a selector names (by site, product, or all), read from
 * the owner's index with only the counted attributes: about 1 MB of twins per request.
 */
export async function twinSummaries(owner: string, selector: { site?: string; partNumber?: string }) {
  const [index, partition] =
    selector.site !== undefined
      ? [INDEXES.site, keys.twinsBySite(owner, selector.site)]
      : selector.partNumber !== undefined
        ? [INDEXES.product, keys.twinsByProduct(owner, selector.partNumber)]
        : [INDEXES.list, keys.twinList(owner)];
  const items = await queryAll({
    TableName: table(),
    IndexName: index.name,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey, '#site': 'site' },
    ExpressionAttributeValues: { ':pk': partition, ':prefix': keys.twinIndexSortPrefix() },
    ProjectionExpression: 'id, #site, product, softwareSummary',
  });
  return items as unknown as TwinSummary[];
}
