import { config } from '../config';
import { type ComplianceRecordData, embodyingPartNumbers, type Superseder } from '../domain/compliance';
import type { Requirement } from '../schemas/compliance';
import { batchGetItems, itemAt } from './batch-get';
import { eventItem, type FeedEvent } from './events';
import { ENTITY } from './items';
import { keys, withoutKeys } from './keys';
import { putNewItems } from './new-items';
import { queryAll } from './query';
import { guardOf } from './read-guards';
import { INDEXES } from './table';
import { type TransactEntry, transactWrite } from './transact';

const table = () => config.tableName();
type Item = Record<string, unknown>;

/**
 * The index entries of a document's requirement, replacing those of its previous one: one item per
 * part number that embodies it (`REQPN#<pn>`, carrying `embodiedWhen`, so a change set reads only the
 * partitions of the part numbers it touches) and one per document it supersedes (`REQ#<old>`).
 */
export function requirementIndexWrites(
  tenant: string,
  document: { id: string; createdAt: string },
  previous: Requirement | undefined,
  next: Requirement | undefined,
): TransactEntry[] {
  const entries: TransactEntry[] = [];
  const nextParts = new Set(embodyingPartNumbers(next));
  for (const partNumber of embodyingPartNumbers(previous))
    if (!nextParts.has(partNumber))
      entries.push({
        Delete: { TableName: table(), Key: keys.requirementByPart(tenant, partNumber, document.id) },
      });
  for (const partNumber of nextParts)
    entries.push({
      Put: {
        TableName: table(),
        Item: {
          ...keys.requirementByPart(tenant, partNumber, document.id),
          entity: ENTITY.requirementByPart,
          documentId: document.id,
          embodiedWhen: next!.embodiedWhen,
        },
      },
    });
  if (nextParts.size > 0)
    entries.push({
      Update: {
        TableName: table(),
        Key: keys.requirementParts(tenant),
        UpdateExpression: 'ADD partNumbers :parts',
        ExpressionAttributeValues: { ':parts': nextParts },
      },
    });
  const nextSuperseded = new Set(next?.supersedes ?? []);
  for (const old of previous?.supersedes ?? [])
    if (!nextSuperseded.has(old))
      entries.push({ Delete: { TableName: table(), Key: keys.supersededBy(tenant, old, document.id) } });
  for (const old of nextSuperseded)
    entries.push({
      Put: {
        TableName: table(),
        Item: {
          ...keys.supersededBy(tenant, old, document.id),
          entity: ENTITY.supersededBy,
          documentId: document.id,
          effectiveAt: next!.effectiveAt,
          createdAt: document.createdAt,
        },
      },
    });
  return entries;
}

/** The part numbers that embody some requirement of the tenant, from its `REQPARTS` item (absent: none). */
export const requirementPartsOf = (
  tenant: string,
  items: readonly Record<string, unknown>[],
): Set<string> => {
  const item = itemAt(items, keys.requirementParts(tenant));
  return new Set((item?.partNumbers as Set<string> | undefined) ?? []);
};

/** The guard of the `REQPARTS` item as read: its set only grows, so its size says whether a part number came. */
export const requirementPartsGuard = (tenant: string, items: readonly Record<string, unknown>[]) => {
  const key = keys.requirementParts(tenant);
  return guardOf(key, itemAt(items, key), { size: ['partNumbers'] });
};

/** The requirements a part number embodies: document id → its `embodiedWhen` (one Query per part number). */
export async function requirementsOfParts(tenant: string, partNumbers: Iterable<string>) {
  const found = new Map<string, Requirement['embodiedWhen']>();
  const pages = await Promise.all(
    [...new Set(partNumbers)].map((partNumber) =>
      queryAll({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.requirementPartPartition(tenant, partNumber),
          ':prefix': 'DOC#',
        },
      }),
    ),
  );
  for (const item of pages.flat())
    found.set(item.documentId as string, item.embodiedWhen as Requirement['embodiedWhen']);
  return found;
}

/** The documents superseding each of these (one Query each). */
export async function supersedersOf(tenant: string, documentIds: readonly string[]) {
  const lists = await Promise.all(
    documentIds.map(async (documentId) => {
      const items = await queryAll({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.supersededByPartition(tenant, documentId),
          ':prefix': 'BY#',
        },
      });
      const superseders: Superseder[] = items.map((item) => ({
        documentId: item.documentId as string,
        effectiveAt: item.effectiveAt as string,
        createdAt: item.createdAt as string,
      }));
      return [documentId, superseders] as const;
    }),
  );
  return new Map(lists);
}

const toRecord = (item: Item): ComplianceRecordData => {
  const { entity: _entity, ...record } = withoutKeys(item);
  return record as unknown as ComplianceRecordData;
};

const recordItem = (tenant: string, record: ComplianceRecordData): Item => ({
  ...keys.complianceRecord(tenant, record),
  entity: ENTITY.complianceRecord,
  ...record,
});

/** Writes a compliance record and its `compliance.recorded` event in one transaction (the record is new). */
export async function putComplianceRecord(tenant: string, record: ComplianceRecordData): Promise<void> {
  await transactWrite([
    {
      Put: {
        TableName: table(),
        Item: recordItem(tenant, record),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    {
      Put: {
        TableName: table(),
        Item: eventItem(tenant, {
          type: 'compliance.recorded',
          recordedAt: record.recordedAt,
          twinId: record.twinId,
          documentId: record.documentId,
          status: record.status,
          at: record.at,
          recordId: record.id,
        }),
      },
    },
  ]);
}

/** Every compliance record of a unit (one Query of its compliance partition, never of the twin's). */
export async function complianceRecordsOfTwin(
  tenant: string,
  twinId: string,
): Promise<ComplianceRecordData[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.compliancePartition(tenant, twinId), ':prefix': 'R#' },
    ConsistentRead: true,
  });
  return items.map(toRecord);
}

/** Every compliance record of one document across the fleet (its list-index partition). */
export async function complianceRecordsOfDocument(
  tenant: string,
  documentId: string,
): Promise<ComplianceRecordData[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: INDEXES.list.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': INDEXES.list.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.complianceOfDocument(tenant, documentId) },
  });
  return items.map(toRecord);
}

/**
 * Records as a tenant import writes them back, each a conditional put of the record item alone (its
 * `COMPLYDOC#` list keys with it): a rerun writes none twice. No `compliance.recorded` event (the
 * copy's `twin.imported` event stands for its history).
 */
export async function importComplianceRecords(
  tenant: string,
  records: readonly ComplianceRecordData[],
): Promise<{ written: number; already: number }> {
  const written = await putNewItems(records.map((record) => recordItem(tenant, record)));
  return { written, already: records.length - written };
}

/** Where a unit embodies each of these requirements, as the last change set left it (absent: never kept). */
export async function embodiments(tenant: string, twinId: string, documentIds: readonly string[]) {
  const items = await batchGetItems(
    documentIds.map((documentId) => keys.embodiment(tenant, twinId, documentId)),
    { consistent: true },
  );
  return new Map(items.map((item) => [item.documentId as string, item.paths as string[]]));
}

/** The writes of an embodiment that changed: the kept item and, when it started or ended, an event. */
export function embodimentWrites(
  tenant: string,
  change: {
    twinId: string;
    documentId: string;
    before: readonly string[];
    after: readonly string[];
    at: string;
  },
): TransactEntry[] {
  const entries: TransactEntry[] = [
    {
      Put: {
        TableName: table(),
        Item: {
          ...keys.embodiment(tenant, change.twinId, change.documentId),
          entity: ENTITY.embodiment,
          documentId: change.documentId,
          paths: [...change.after],
        },
      },
    },
  ];
  const event = (type: string, paths: readonly string[]): FeedEvent => ({
    type,
    recordedAt: change.at,
    twinId: change.twinId,
    documentId: change.documentId,
    paths: [...paths],
  });
  if (change.before.length === 0 && change.after.length > 0)
    entries.push({
      Put: { TableName: table(), Item: eventItem(tenant, event('compliance.complied', change.after)) },
    });
  if (change.before.length > 0 && change.after.length === 0)
    entries.push({
      Put: { TableName: table(), Item: eventItem(tenant, event('compliance.reopened', change.before)) },
    });
  return entries;
}
