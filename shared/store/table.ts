/**
 * The one DynamoDB table's shape, used by the CDK stack and by the local runtime's CreateTable.
 * Every key attribute is a string; key values are built only in `keys.ts`.
 */
export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
}

/** Global secondary indexes, all projecting every attribute. */
export const INDEXES = {
  /** Tenant-wide lists (twins of a tenant, newest last). */
  list: { name: 'list', partitionKey: 'listPK', sortKey: 'listSK' },
  /** Twins of a tenant by site. */
  site: { name: 'site', partitionKey: 'sitePK', sortKey: 'siteSK' },
  /** Twins of a tenant by product part number. */
  product: { name: 'product', partitionKey: 'productPK', sortKey: 'productSK' },
  /** Installed components of a tenant by part number, sorted by a sortable revision/version key. */
  fleet: { name: 'fleet', partitionKey: 'fleetPK', sortKey: 'fleetSK' },
  /** Grants by grantee tenant. */
  grantee: { name: 'grantee', partitionKey: 'granteePK', sortKey: 'granteeSK' },
  /** Search tokens of a tenant (sparse: only search entries carry its keys), sorted by token for prefixes. */
  search: { name: 'search', partitionKey: 'searchPK', sortKey: 'searchSK' },
} as const satisfies Record<string, IndexDefinition>;

export type IndexName = keyof typeof INDEXES;

/** Items carrying this attribute (epoch seconds) expire through DynamoDB TTL. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Names used when nothing else is configured (the local runtime). */
export const LOCAL_TABLE_NAME = 'twinthread';
export const LOCAL_BUCKET_NAME = 'twinthread-local';
