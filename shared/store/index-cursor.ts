import type { IndexDefinition } from './table';

type Key = Record<string, unknown>;

/** The key of an item read through a GSI, as DynamoDB wants it back to continue after that item. */
export const indexKeyOf = (item: Key, index: Pick<IndexDefinition, 'partitionKey' | 'sortKey'>): Key => ({
  PK: item.PK,
  SK: item.SK,
  [index.partitionKey]: item[index.partitionKey],
  [index.sortKey]: item[index.sortKey],
});

/**
 * Is a decoded cursor key exactly a key of this index query: the four attributes, the query's own
 * index partition, and a table key under `tablePrefix` (the tenant's partitions)?
 */
export function isIndexKeyOf(
  key: Key,
  index: Pick<IndexDefinition, 'partitionKey' | 'sortKey'>,
  partition: string,
  tablePrefix: string,
): boolean {
  const names = Object.keys(key).sort();
  const expected = ['PK', 'SK', index.partitionKey, index.sortKey].sort();
  return (
    names.length === expected.length &&
    names.every((name, position) => name === expected[position]) &&
    key[index.partitionKey] === partition &&
    typeof key.PK === 'string' &&
    key.PK.startsWith(tablePrefix)
  );
}
