import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { DocumentRecord } from '../domain/document';
import {
  componentEntries,
  documentEntries,
  inspectionEntries,
  type SearchEntry,
  twinEntries,
} from '../domain/search';
import { searchableAttributes } from '../domain/types';
import type { Component } from '../schemas/twin';
import { documentClient } from './clients';
import { ACTIVE } from './guarded-transaction';
import { ENTITY, toInspection, toTwinRecord } from './items';
import { withoutKeys } from './keys';
import { searchItem } from './search-store';
import { chunk } from './transact';
import { typeVersion } from './type-store';

const table = () => config.tableName();

/** The tenant of any item: its partition key starts with `TENANT#<tenant>#` (tenant ids hold no `#`). */
const tenantOf = (item: Record<string, unknown>) => String(item.PK).slice('TENANT#'.length).split('#')[0]!;

/**
 * Index entries of one stored item: a live twin (with its type's searchable attributes), a serialized
 * component, a document, an inspection; none for anything else.
 */
async function entriesOfItem(
  item: Record<string, unknown>,
  searchable: (tenant: string, type?: string, version?: number) => Promise<string[]>,
): Promise<SearchEntry[]> {
  if (item.SK === 'META' && item.entity === ENTITY.twin && item.status === ACTIVE) {
    const record = toTwinRecord(item);
    return twinEntries(record, await searchable(tenantOf(item), record.type, record.typeVersion));
  }
  if (item.SK === 'META' && item.entity === ENTITY.component)
    return componentEntries(item.component as Component);
  if (item.SK === 'META' && item.entity === ENTITY.document)
    return documentEntries(withoutKeys(item) as unknown as DocumentRecord);
  if (item.entity === ENTITY.inspection) return inspectionEntries(String(item.twinId), toInspection(item));
  return [];
}

/**
 * Builds the search index for data written before it existed (`npm run migrate`, and after an import
 * of an older export): one Scan of the table — a job, never a request — and a put of every entry.
 * Idempotent (puts of the same items); safe beside live traffic, whose writes keep the index anyway.
 * `tenant`: only that tenant's records (after a type marks an attribute searchable, say).
 */
export async function rebuildSearchIndex(
  options: { tenant?: string } = {},
): Promise<{ scanned: number; entries: number }> {
  const types = new Map<string, Promise<string[]>>();
  const searchable = (tenant: string, type?: string, version?: number) => {
    if (type === undefined || version === undefined) return Promise.resolve([]);
    const key = JSON.stringify([tenant, type, version]);
    if (!types.has(key))
      types.set(
        key,
        typeVersion(tenant, type, version).then((found) => searchableAttributes(found)),
      );
    return types.get(key)!;
  };
  let startKey: Record<string, unknown> | undefined;
  let scanned = 0;
  let written = 0;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: table(),
        FilterExpression: `entity IN (:twin, :component, :document, :inspection)${
          options.tenant === undefined ? '' : ' AND begins_with(PK, :tenant)'
        }`,
        ExpressionAttributeValues: {
          ...(options.tenant === undefined ? {} : { ':tenant': `TENANT#${options.tenant}#` }),
          ':twin': ENTITY.twin,
          ':component': ENTITY.component,
          ':document': ENTITY.document,
          ':inspection': ENTITY.inspection,
        },
        ExclusiveStartKey: startKey,
      }),
    );
    const items = page.Items ?? [];
    scanned += items.length;
    const entries = await Promise.all(
      items.map(async (item) =>
        (await entriesOfItem(item, searchable)).map((entry) => searchItem(tenantOf(item), entry)),
      ),
    );
    for (const batch of chunk(entries.flat(), 25)) {
      await putAll(batch);
      written += batch.length;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { scanned, entries: written };
}

/** One BatchWriteItem of puts, again with whatever DynamoDB leaves unprocessed. */
async function putAll(items: Record<string, unknown>[]) {
  let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
    [table()]: items.map((Item) => ({ PutRequest: { Item } })),
  };
  while (request && Object.keys(request).length > 0) {
    const answer = await documentClient().send(new BatchWriteCommand({ RequestItems: request }));
    request = answer.UnprocessedItems as typeof request;
  }
}
