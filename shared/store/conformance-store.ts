import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { ConfigurationModelRecord, Finding } from '../domain/conformance';
import { Conflict } from '../domain/errors';
import type { CurrentPosition } from '../domain/records';
import type { ConformanceStatus } from '../schemas/conformance';
import { batchGetItems, itemAt } from './batch-get';
import { documentClient } from './clients';
import { eventItem } from './events';
import { type Write, writeTransaction } from './guarded-transaction';
import { indexPage } from './index-page';
import { ENTITY, toCurrent } from './items';
import { keys, withoutKeys } from './keys';
import { queryAll } from './query';
import { guardOf } from './read-guards';
import { INDEXES } from './table';
import { putNextVersion } from './versioned-put';

const table = () => config.tableName();
type Item = Record<string, unknown>;

const toModel = (item: Item): ConfigurationModelRecord => {
  const { entity: _entity, ...record } = withoutKeys(item);
  return record as unknown as ConfigurationModelRecord;
};

/** The latest version of a product's configuration model (read consistently), or null. */
export async function latestModel(tenant: string, productPartNumber: string) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: keys.configurationModel(tenant, productPartNumber),
      ConsistentRead: true,
    }),
  );
  return Item ? toModel(Item) : null;
}

export async function modelVersion(tenant: string, productPartNumber: string, version: number) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: keys.configurationModelVersion(tenant, productPartNumber, version),
      ConsistentRead: true,
    }),
  );
  return Item ? toModel(Item) : null;
}

/** Every version of a product's model, oldest first (one Query of its partition's `V#` range). */
export async function modelVersions(tenant: string, productPartNumber: string) {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.configurationModelPartition(tenant, productPartNumber),
      ':prefix': 'V#',
    },
    ConsistentRead: true,
  });
  return items.map(toModel);
}

/** Stores the next version of a model, its `configuration-model.version.created` event and `extra` items. */
export function putModelVersion(
  tenant: string,
  productPartNumber: string,
  prepare: (latest: ConfigurationModelRecord | null) => ConfigurationModelRecord,
  extra?: (next: ConfigurationModelRecord) => Item[],
) {
  return putNextVersion({
    what: `the configuration model of ${productPartNumber}`,
    latest: () => latestModel(tenant, productPartNumber),
    prepare,
    meta: (next) => ({
      ...keys.configurationModel(tenant, productPartNumber),
      ...keys.configurationModelIndexKeys(tenant, productPartNumber),
      entity: ENTITY.configurationModel,
      ...next,
    }),
    version: (next) => ({
      ...keys.configurationModelVersion(tenant, productPartNumber, next.version),
      entity: ENTITY.configurationModelVersion,
      ...next,
    }),
    event: (next) =>
      eventItem(tenant, {
        type: 'configuration-model.version.created',
        recordedAt: next.createdAt,
        productPartNumber,
        version: next.version,
        actor: next.createdBy,
      }),
    ...(extra ? { extra } : {}),
  });
}

/** A unit's stored conformance (the judgement of its configuration now). */
export interface ConformanceRecord {
  twinId: string;
  serialNumber: string;
  productPartNumber: string;
  status: ConformanceStatus;
  modelVersion: number;
  findings: Finding[];
  judgedAt: string;
}

export async function storedConformance(tenant: string, twinId: string): Promise<ConformanceRecord | null> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.conformance(tenant, twinId), ConsistentRead: true }),
  );
  if (!Item) return null;
  const { entity: _entity, ...record } = withoutKeys(Item);
  return record as unknown as ConformanceRecord;
}

/** The item of a unit's conformance, on the sparse list index under its status. */
export const conformanceItem = (tenant: string, record: ConformanceRecord): Item => ({
  ...keys.conformance(tenant, record.twinId),
  ...keys.conformanceIndexKeys(tenant, record.status, record.serialNumber, record.twinId),
  entity: ENTITY.conformance,
  ...record,
});

/**
 * The writes a judgement adds to the write's transaction: the unit's conformance item and, when its
 * status changed, a `conformance.changed` event.
 */
export function conformanceWrites(
  tenant: string,
  record: ConformanceRecord,
  previous: Pick<ConformanceRecord, 'status'> | null,
): Write[] {
  const writes: Write[] = [{ entry: { Put: { TableName: table(), Item: conformanceItem(tenant, record) } } }];
  if (previous?.status !== record.status)
    writes.push({
      entry: {
        Put: {
          TableName: table(),
          Item: eventItem(tenant, {
            type: 'conformance.changed',
            recordedAt: record.judgedAt,
            twinId: record.twinId,
            from: previous?.status ?? null,
            to: record.status,
            modelVersion: record.modelVersion,
            findings: record.findings.length,
          }),
        },
      },
    });
  return writes;
}

/** The current items of these positions of a twin (the ones a judgement needs and the write did not read). */
export async function currentPositions(
  tenant: string,
  twinId: string,
  paths: readonly string[],
): Promise<CurrentPosition[]> {
  if (paths.length === 0) return [];
  const items = await batchGetItems(paths.map((path) => keys.current(tenant, twinId, path)));
  return items.map(toCurrent);
}

/** A page of the units with a status (only their index partition is read) and their exact number. */
export async function fleetConformance(
  tenant: string,
  status: ConformanceStatus,
  page: { limit: number; cursor?: string },
) {
  const partition = keys.conformanceList(tenant, status);
  const [result, total] = await Promise.all([
    indexPage(
      {
        index: INDEXES.list,
        partition,
        prefix: 'TWIN#',
        tablePrefix: keys.twinPartition(tenant, ''),
        scope: JSON.stringify(['conformance', partition]),
      },
      page,
    ),
    countPartition(partition),
  ]);
  return {
    total,
    ...result,
    items: result.items.map((item) => withoutKeys(item) as unknown as ConformanceRecord),
  };
}

/** How many items an index partition holds: a COUNT Query (it reads only that partition's keys). */
async function countPartition(partition: string): Promise<number> {
  let total = 0;
  let startKey: Item | undefined;
  do {
    const result = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: INDEXES.list.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': INDEXES.list.partitionKey },
        ExpressionAttributeValues: { ':pk': partition },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    total += result.Count ?? 0;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return total;
}

/** Every current item of a twin: what a first judgement (or one under a new model version) reads. */
export async function allCurrentPositions(tenant: string, twinId: string): Promise<CurrentPosition[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.twinPartition(tenant, twinId),
      ':prefix': keys.prefixes.current,
    },
    ConsistentRead: true,
  });
  return items.map(toCurrent);
}

/** The re-judgement of a product's fleet under one model version: a job run in stages. */
export interface RejudgeJob {
  productPartNumber: string;
  version: number;
  status: 'running' | 'done' | 'superseded';
  /** Units judged so far. */
  judged: number;
  stage: number;
  startedAt: string;
  finishedAt?: string;
  /** Where the next stage continues in the product's list of units (never shown). */
  cursor?: string;
}

export const rejudgeJobItem = (tenant: string, job: RejudgeJob): Item => ({
  ...keys.rejudgeJob(tenant, job.productPartNumber, job.version),
  entity: ENTITY.rejudgeJob,
  ...job,
});

export async function rejudgeJob(tenant: string, productPartNumber: string, version: number) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: keys.rejudgeJob(tenant, productPartNumber, version),
      ConsistentRead: true,
    }),
  );
  if (!Item) return null;
  const { entity: _entity, ...job } = withoutKeys(Item);
  return job as unknown as RejudgeJob;
}

/** A stage's checkpoint: conditioned on the stage it ran, so a stage run twice never counts twice. */
export async function checkpointRejudge(tenant: string, job: RejudgeJob, previousStage: number) {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: rejudgeJobItem(tenant, job),
      ConditionExpression: 'stage = :stage AND #status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':stage': previousStage, ':running': 'running' },
    }),
  );
}

/**
 * Writes a unit's conformance as a re-judgement found it, only if the twin is still at the version
 * judged (a change in between judged it itself) and not already judged under a newer model version.
 */
export async function saveRejudged(
  tenant: string,
  record: ConformanceRecord,
  twinVersion: number,
  previous: ConformanceRecord | null,
  now: Date,
) {
  const [put, ...event] = conformanceWrites(tenant, record, previous);
  const writes: Write[] = [
    {
      entry: {
        ConditionCheck: {
          TableName: table(),
          Key: keys.twinMeta(tenant, record.twinId),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': twinVersion },
        },
      },
      onConditionFailed: () => new Conflict('changed meanwhile'),
    },
    {
      entry: {
        Put: {
          ...put!.entry.Put!,
          ConditionExpression: 'attribute_not_exists(PK) OR modelVersion <= :model',
          ExpressionAttributeValues: { ':model': record.modelVersion },
        },
      },
      onConditionFailed: () => new Conflict('judged under a newer model'),
    },
    ...event,
  ];
  try {
    await writeTransaction(tenant, writes, now);
  } catch (error) {
    if (!(error instanceof Conflict)) throw error;
  }
}

/** The keys of a product's model and a unit's conformance (a change by id reads them with its own, in one TransactGetItems). */
export const modelAndConformanceKeys = (tenant: string, productPartNumber: string, twinId: string) => [
  keys.configurationModel(tenant, productPartNumber),
  keys.conformance(tenant, twinId),
];

/**
 * The guards of the model and the unit's conformance as read: the model's version (or its absence),
 * and when the unit was last judged under which model version (only under a model).
 */
export function modelAndConformanceGuards(
  tenant: string,
  productPartNumber: string,
  twinId: string,
  items: readonly Record<string, unknown>[],
) {
  const model = keys.configurationModel(tenant, productPartNumber);
  const conformance = keys.conformance(tenant, twinId);
  const modelRead = itemAt(items, model);
  const modelGuard = guardOf(model, modelRead, { equal: ['version'] });
  // without a model the stored conformance is not judged against (judgeChange)
  if (!modelRead) return [modelGuard];
  return [
    modelGuard,
    guardOf(conformance, itemAt(items, conformance), { equal: ['judgedAt', 'modelVersion'] }),
  ];
}

/** The model and the stored conformance among the items read. */
export function modelAndConformanceOf(
  tenant: string,
  productPartNumber: string,
  items: readonly Record<string, unknown>[],
) {
  const model = itemAt(items, keys.configurationModel(tenant, productPartNumber));
  const stored = items.find((item) => item.entity === ENTITY.conformance);
  const { entity: _entity, ...record } = stored ? withoutKeys(stored) : { entity: undefined };
  return {
    model: model ? toModel(model) : null,
    stored: stored ? (record as unknown as ConformanceRecord) : null,
  };
}
