import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import type { ComponentEffect } from '../domain/change-set';
import { componentEntries, entryChanges, type SearchEntry, type TokenKind } from '../domain/search';
import { documentClient } from './clients';
import type { Write } from './guarded-transaction';
import { ENTITY } from './items';
import { keys } from './keys';
import { INDEXES } from './table';
import type { TransactEntry } from './transact';

/**
 * The search index: one item per entry (shared/domain/search.ts), written in the same transaction as
 * the record it comes from, read through the sparse `search` index by token prefix. Puts are
 * unconditioned: the record's own write in the same transaction orders writers.
 */

const table = () => config.tableName();

const ENTRY_FIELDS = [
  'kind',
  'id',
  'label',
  'field',
  'tokenKind',
  'token',
  'twinId',
  'componentKind',
  'documentKind',
  'paths',
] as const;

export const searchItem = (tenant: string, entry: SearchEntry): Record<string, unknown> => ({
  ...keys.searchEntry(tenant, entry),
  entity: ENTITY.searchEntry,
  ...entry,
});

const toEntry = (item: Record<string, unknown>): SearchEntry =>
  Object.fromEntries(
    ENTRY_FIELDS.flatMap((name) => (item[name] === undefined ? [] : [[name, item[name]]])),
  ) as never;

/** The transaction entries that put these entries. */
export const searchPuts = (tenant: string, entries: readonly SearchEntry[]): TransactEntry[] =>
  entries.map((entry) => ({ Put: { TableName: table(), Item: searchItem(tenant, entry) } }));

/** The writes that take the index from a record's entries before an edit to those after it. */
export function searchEdits(
  tenant: string,
  before: readonly SearchEntry[],
  after: readonly SearchEntry[],
): Write[] {
  const { remove, put } = entryChanges(before, after);
  return [
    ...remove.map((entry) => {
      const { PK, SK } = keys.searchEntry(tenant, entry);
      return { entry: { Delete: { TableName: table(), Key: { PK, SK } } } };
    }),
    ...searchPuts(tenant, put).map((entry) => ({ entry })),
  ];
}

/** A change set's index writes: each serialized component arriving gets (again) its entries. */
export const componentArrivalWrites = (tenant: string, effects: readonly ComponentEffect[]): Write[] =>
  searchPuts(
    tenant,
    effects.flatMap((effect) => (effect.kind === 'arrive' ? componentEntries(effect.component) : [])),
  ).map((entry) => ({ entry }));

/**
 * The entries whose token starts with `prefix`, in token order: one Query of one index partition,
 * paged by DynamoDB, stopping after `cap` entries (`complete: false` then).
 */
export async function entriesByPrefix(
  tenant: string,
  tokenKind: TokenKind,
  prefix: string,
  cap: number,
): Promise<{ entries: SearchEntry[]; complete: boolean }> {
  const entries: SearchEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: INDEXES.search.name,
        KeyConditionExpression: 'searchPK = :pk AND begins_with(searchSK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.searchPartition(tenant, tokenKind, prefix),
          ':prefix': prefix,
        },
        Limit: cap + 1 - entries.length,
        ExclusiveStartKey: startKey,
      }),
    );
    entries.push(...(page.Items ?? []).map(toEntry));
    startKey = page.LastEvaluatedKey;
  } while (startKey && entries.length <= cap);
  return { entries: entries.slice(0, cap), complete: entries.length <= cap };
}
