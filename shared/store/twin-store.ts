import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { BaselineRecord } from '../domain/baseline';
import type { ChangeSetRecord, MountRecord, TwinFieldsRecord, TwinHistory } from '../domain/change-set';
import type { InstallationRecord, PositionRecord } from '../domain/configuration';
import { currentHistory, currentStateOf } from '../domain/current';
import { NotFound, PreconditionFailed } from '../domain/errors';
import type { InspectionRecord } from '../domain/inspection';
import type { TimelineMark, TwinState } from '../domain/records';
import type { LinkRecord } from '../domain/thread';
import { checkpointOf, type ReadAt, type TimelineParts } from '../domain/timeline';
import type { TwinEditPlan, TwinRecord } from '../domain/twin';
import { asBuiltWrites, metaItem, PENDING_LEASE_MS } from './as-built-writes';
import { batchGetItems, uniqueKeys } from './batch-get';
import { changeSetWrites } from './change-store';
import { documentClient } from './clients';
import { stateFromMeta, stateItems, stateMeta } from './current-items';
import { ACTIVE, concurrentChange, type Write, writeTransaction } from './guarded-transaction';
import { indexPage } from './index-page';
import {
  ENTITY,
  LAYOUT,
  toBaseline,
  toChangeSet,
  toCurrent,
  toInspection,
  toInstallation,
  toLifecycleMove,
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
import { rememberWhole } from './planning-cache';
import { queryAll } from './query';
import { INDEXES, type IndexName } from './table';
import { checkpointItems, readTimelineAt, rememberCheckpoint, timelineWrites } from './timeline-store';

export { PENDING_LEASE_MS };

export type CreateOptions = Pick<LeasedWriteOptions, 'afterTransaction'> & {
  /** The attributes the twin's type marks searchable (indexed for GET /v1/search). */
  searchable?: readonly string[];
};

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
  // the checkpoint of the as-built record: time travel starts from it (and the entries of later changes)
  const checkpoint = checkpointItems(
    tenant,
    history.record.id,
    checkpointOf(timelineOf(history), history.record.version),
  ).map(
    (Item): Write => ({
      entry: { Put: { TableName: table(), Item } },
      undo: { Delete: { TableName: table(), Key: { PK: Item.PK, SK: Item.SK } } },
    }),
  );
  return writeUnderLease(
    tenant,
    history.record,
    (status) => [...asBuiltWrites(tenant, history, status, options.searchable), ...checkpoint],
    now,
    options,
  );
}

const timelineOf = (history: TwinHistory): TimelineParts => ({
  positions: history.positions,
  installations: history.installations,
  twinFields: history.twinFields ?? [],
  lifecycles: history.lifecycles ?? [],
});

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

/** A twin as a request reads it: the ranges it asked for as a history, and its current state. */
export interface LoadedTwin {
  history: TwinHistory;
  state: TwinState;
}

/** The key ranges of a twin's partition a request may read, beside META. */
export interface TwinParts {
  /** The current configuration (`CUR#`): what every read "now" and every change needs. */
  current?: boolean;
  /** The intervals and lifecycle moves (`POS#`, `INST#`, `LIFE#`, `FIELDS#`): what time travel needs. */
  timeline?: boolean;
  /** The intervals of the twin's own fields (`FIELDS#`): what an edit of them needs. */
  fields?: boolean;
  changeSets?: boolean;
  baselines?: boolean;
  inspections?: boolean;
  links?: boolean;
  mounts?: boolean;
  /**
   * With `timeline`: the one (asOf, knownAt) the request reads at. The intervals then come from the
   * latest checkpoint before it and the timeline entries after it (only those that can be held
   * then), else from the full replay; the history answers only at that point.
   */
  at?: ReadAt;
}

/**
 * A read now needs the current items; any other time, the intervals (given `now`, only those of the
 * one time it reads at: `asOf` and `knownAt` default to now).
 */
export const readParts = (query: { asOf?: string; knownAt?: string }, now?: Date): TwinParts =>
  query.asOf === undefined && query.knownAt === undefined
    ? { current: true }
    : {
        timeline: true,
        ...(now === undefined
          ? {}
          : {
              at: {
                asOf: new Date(query.asOf ?? now).toISOString(),
                knownAt: new Date(query.knownAt ?? now).toISOString(),
              },
            }),
      };

/** Everything but the current items: what an export or an AAS environment is made from. */
export const HISTORY_PARTS: TwinParts = {
  timeline: true,
  changeSets: true,
  baselines: true,
  inspections: true,
  links: true,
  mounts: true,
};

const PART_PREFIXES: { part: keyof TwinParts; prefix: string }[] = [
  { part: 'current', prefix: keys.prefixes.current },
  { part: 'timeline', prefix: keys.prefixes.position },
  { part: 'timeline', prefix: keys.prefixes.installation },
  { part: 'timeline', prefix: keys.prefixes.lifecycle },
  { part: 'timeline', prefix: keys.prefixes.twinFields },
  { part: 'fields', prefix: keys.prefixes.twinFields },
  { part: 'changeSets', prefix: keys.prefixes.changeSet },
  { part: 'baselines', prefix: keys.prefixes.baseline },
  { part: 'inspections', prefix: keys.prefixes.inspection },
  { part: 'links', prefix: keys.prefixes.link },
  { part: 'mounts', prefix: keys.prefixes.mount },
];

const queryPrefix = (tenant: string, twinId: string, prefix: string) =>
  queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.twinPartition(tenant, twinId), ':prefix': prefix },
    ConsistentRead: true,
  });

const getMeta = async (tenant: string, twinId: string) =>
  (
    await documentClient().send(
      new GetCommand({ TableName: table(), Key: keys.twinMeta(tenant, twinId), ConsistentRead: true }),
    )
  ).Item;

/**
 * A twin with only the key ranges a request answers from (META first, then the ranges in parallel):
 * what it reads grows with what it asks for, never with the rest of the twin's past. With `current`,
 * `state` is the twin now (and `history` its open intervals); with `timeline`, `history` holds every
 * interval. A twin still in the old layout is migrated first. Pending twins are absent.
 */
export async function loadTwinParts(
  tenant: string,
  twinId: string,
  parts: TwinParts,
): Promise<LoadedTwin | null> {
  return (await loadTwinPartsWith(tenant, twinId, parts, [])).twin;
}

/**
 * The same, with other items (of any partition) read in the same strongly consistent BatchGet as META
 * (`also`: those that exist), so that what a request needs beside the twin costs no round trip of its
 * own. META is still read before the ranges.
 */
export async function loadTwinPartsWith(
  tenant: string,
  twinId: string,
  parts: TwinParts,
  alsoRead: readonly Record<string, string>[],
): Promise<{ twin: LoadedTwin | null; also: Record<string, unknown>[] }> {
  const { meta, also } = await getMetaWith(tenant, twinId, alsoRead);
  if (!meta || meta.status !== ACTIVE) return { twin: null, also };
  if (meta.layout !== LAYOUT) {
    const migrated = await migrateTwin(tenant, twinId);
    return { twin: migrated ?? (await loadTwinParts(tenant, twinId, parts)), also };
  }
  return { twin: await partsAfterMeta(tenant, twinId, meta, parts), also };
}

/** META and `alsoRead` (one GetItem without them, else one BatchGet), strongly consistent. */
async function getMetaWith(tenant: string, twinId: string, alsoRead: readonly Record<string, string>[]) {
  if (alsoRead.length === 0) return { meta: await getMeta(tenant, twinId), also: [] };
  const metaKey = keys.twinMeta(tenant, twinId);
  const wanted = uniqueKeys([metaKey, ...alsoRead]);
  const items = await batchGetItems(wanted, { consistent: true });
  const isMeta = (item: Record<string, unknown>) => item.PK === metaKey.PK && item.SK === metaKey.SK;
  return { meta: items.find(isMeta), also: items.filter((item) => !isMeta(item)) };
}

/** The ranges `parts` names, read after META (`meta`, of a twin in the current layout). */
async function partsAfterMeta(
  tenant: string,
  twinId: string,
  meta: Record<string, unknown>,
  parts: TwinParts,
): Promise<LoadedTwin> {
  const fromCheckpoint =
    parts.timeline && parts.at ? await readTimelineAt(tenant, twinId, meta, parts.at) : null;
  const wanted = [
    ...new Set(
      PART_PREFIXES.filter(({ part }) => parts[part] && !(part === 'timeline' && fromCheckpoint)).map(
        ({ prefix }) => prefix,
      ),
    ),
  ];
  const ranges = await Promise.all(wanted.map((prefix) => queryPrefix(tenant, twinId, prefix)));
  const items = ranges.flat();
  const currentItems = items.filter((item) => item.entity === ENTITY.current);
  // the twin now, for the changes this process plans next (kept only when META and these are of one version)
  if (parts.current) rememberWhole(tenant, twinId, meta, currentItems);
  const state = stateFromMeta(meta, currentItems.map(toCurrent));
  const { record, mountedIn } = state;
  const replayed = (): TimelineParts => ({
    positions: items.filter((item) => item.entity === ENTITY.position).map(toPosition),
    installations: items.filter((item) => item.entity === ENTITY.installation).map(toInstallation),
    twinFields: items.filter((item) => item.entity === ENTITY.twinFields).map(toTwinFields),
    lifecycles: items.filter((item) => item.entity === ENTITY.lifecycle).map(toLifecycleMove),
  });
  const timeline = parts.timeline ? (fromCheckpoint ?? replayed()) : undefined;
  // a point read that had to replay everything leaves a checkpoint of it for the reads after it
  if (timeline && parts.at && !fromCheckpoint)
    await rememberCheckpoint(
      tenant,
      twinId,
      meta,
      timeline,
      async () => (await getMeta(tenant, twinId))?.version,
    );
  const history: TwinHistory = timeline
    ? {
        record,
        positions: timeline.positions,
        installations: timeline.installations,
        changeSets: [],
        lifecycles: timeline.lifecycles,
      }
    : currentHistory(state);
  if (parts.changeSets)
    history.changeSets = items.filter((item) => item.entity === ENTITY.changeSet).map(toChangeSet);
  if (parts.baselines)
    history.baselines = items.filter((item) => item.entity === ENTITY.baseline).map(toBaseline);
  if (parts.inspections)
    history.inspections = items.filter((item) => item.entity === ENTITY.inspection).map(toInspection);
  if (parts.links) history.links = items.filter((item) => item.entity === ENTITY.link).map(toLink);
  if (parts.mounts) history.mounts = items.filter((item) => item.entity === ENTITY.mount).map(toMount);
  const twinFields =
    fromCheckpoint?.twinFields ?? items.filter((item) => item.entity === ENTITY.twinFields).map(toTwinFields);
  if (twinFields.length > 0) history.twinFields = twinFields;
  if (mountedIn) history.mountedIn = mountedIn;
  return { history, state };
}

/**
 * Brings a twin written before current items (or last judgements) existed to the current layout: reads its whole partition once,
 * writes its current items (each conditioned on no newer change having written it), then marks META,
 * conditioned on the version it read. Answers the twin whole, or null when a change came in between
 * (the caller reads again). Idempotent: two migrations at once write the same items.
 */
export async function migrateTwin(
  tenant: string,
  twinId: string,
): Promise<{ history: TwinHistory; state: TwinState } | null> {
  const [history, existing] = await Promise.all([
    loadTwin(tenant, twinId),
    Promise.all(
      [keys.prefixes.current, keys.prefixes.vacated].map((prefix) => queryPrefix(tenant, twinId, prefix)),
    ),
  ]);
  if (!history) return null;
  const state = currentStateOf(history);
  const { version } = history.record;
  const notNewer = {
    ConditionExpression: 'attribute_not_exists(version) OR version <= :version',
    ExpressionAttributeValues: { ':version': version },
  };
  // a judgement is newer when a later inspection wrote it (inspections do not move the version)
  const notNewerThan = (item: Record<string, unknown>) =>
    item.entity === ENTITY.judged
      ? {
          ConditionExpression: 'attribute_not_exists(judgedKey) OR judgedKey <= :key',
          ExpressionAttributeValues: { ':key': item.judgedKey },
        }
      : notNewer;
  const items = stateItems(tenant, history, state);
  const kept = new Set(items.map((item) => item.SK as string));
  const stale = existing.flat().filter((item) => !kept.has(item.SK as string));
  const ignoreNewer = (error: unknown) => {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  };
  const client = documentClient();
  const sends: (() => Promise<unknown>)[] = [
    ...items.map(
      (Item) => () => client.send(new PutCommand({ TableName: table(), Item, ...notNewerThan(Item) })),
    ),
    ...stale.map(
      (item) => () =>
        client.send(
          new DeleteCommand({ TableName: table(), Key: { PK: item.PK, SK: item.SK }, ...notNewer }),
        ),
    ),
  ];
  await pool(sends, 16, (send) => send().then(() => undefined, ignoreNewer));
  const meta: Record<string, unknown> = stateMeta(state);
  const names = Object.keys(meta);
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.twinMeta(tenant, twinId),
        UpdateExpression: `SET ${names.map((_, index) => `#m${index} = :m${index}`).join(', ')}`,
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#m${index}`, name])),
        ExpressionAttributeValues: {
          ':version': version,
          ...Object.fromEntries(names.map((name, index) => [`:m${index}`, meta[name]])),
        },
      }),
    );
  } catch (error) {
    ignoreNewer(error);
    return null;
  }
  return { history, state };
}

/** `task` over every item, at most `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
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
  searchWrites: readonly Write[] = [],
  /** META's timeline mark as the edit read it. */
  mark?: TimelineMark,
): Promise<void> {
  const twinId = plan.twin.id;
  const { interval: ended, stored } = plan.close;
  const put = (Item: Record<string, unknown>): Write => ({
    entry: { Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: concurrentChange,
  });
  const timeline = timelineWrites(
    tenant,
    twinId,
    {
      seq: plan.changeSet.seq,
      openTwinFields: stored ? [plan.open] : [ended, plan.open],
      closeTwinFields: stored ? [ended] : [],
    },
    mark,
    plan.changeSet.recordedAt,
  );
  await writeTransaction(
    tenant,
    [
      metaUpdate(tenant, plan.twin, expectedVersion, { timeline: timeline.mark }),
      ...changeSetWrites(tenant, twinId, plan.changeSet),
      ...timeline.writes,
      stored
        ? {
            entry: closeInterval(keys.twinFields(tenant, twinId, ended), ended.validTo!, ended.closedAt!),
            onConditionFailed: concurrentChange,
          }
        : put(twinFieldsItem(tenant, twinId, ended)),
      put(twinFieldsItem(tenant, twinId, plan.open)),
      ...searchWrites,
    ],
    now,
  );
}

/** Twin fields that may be absent: removed from the item when the new record lacks them. */
const OPTIONAL_TWIN_ATTRIBUTES = ['site', 'type', 'typeVersion', 'oem', 'sitePK', 'siteSK'];

function metaUpdate(
  tenant: string,
  next: TwinRecord,
  expectedVersion: number,
  also: Record<string, unknown>,
): Write {
  const {
    PK: _pk,
    SK: _sk,
    ...item
  } = { ...metaItem(tenant, next, ACTIVE), ...also } as Record<string, unknown>;
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

/**
 * The one-off migration (`npm run migrate`): every active twin of the table still in the old layout
 * brought to the current layout. A Scan, since it is no request's read path but a job over the whole table; each
 * twin is migrated as its first request would (idempotent, safe beside live traffic).
 */
export async function migrateAllTwins(
  onTwin: (twin: { tenant: string; twinId: string; migrated: boolean }) => void = () => {},
): Promise<{ scanned: number; migrated: number }> {
  let startKey: Record<string, unknown> | undefined;
  let scanned = 0;
  let migrated = 0;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: table(),
        FilterExpression:
          'SK = :meta AND entity = :twin AND #status = :active AND (attribute_not_exists(layout) OR layout < :layout)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':meta': 'META',
          ':twin': ENTITY.twin,
          ':active': ACTIVE,
          ':layout': LAYOUT,
        },
        ProjectionExpression: 'PK, id',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      scanned++;
      const twinId = item.id as string;
      const tenant = keys.tenantOfTwinPartition(item.PK as string, twinId);
      const done = (await migrateTwin(tenant, twinId)) !== null;
      if (done) migrated++;
      onTwin({ tenant, twinId, migrated: done });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { scanned, migrated };
}
