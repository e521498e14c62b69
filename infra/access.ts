import type { FunctionName } from '../shared/routes';

/**
 * DynamoDB actions a function may be granted. `Scan` is left out on purpose: every read path is
 * one or a few Queries. Transactions need no action of their own: `TransactWriteItems` is
 * authorized per item (PutItem, UpdateItem, DeleteItem, ConditionCheckItem), `TransactGetItems`
 * per GetItem.
 */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:BatchWriteItem';

/** S3 object actions a function may be granted, always under {@link TENANT_OBJECTS} only. */
export type BucketAction =
  | 's3:GetObject'
  | 's3:GetObjectVersion'
  | 's3:PutObject'
  | 's3:DeleteObject'
  | 's3:AbortMultipartUpload';

/** What one function may do on the table (and its indexes) and on the document bucket. */
export interface FunctionAccess {
  /** Granted on the table; those of {@link INDEX_ACTIONS} also on each GSI. */
  readonly table: readonly TableAction[];
  /** Granted on the objects under {@link TENANT_OBJECTS}. */
  readonly bucket: readonly BucketAction[];
  /**
   * Pages lists: may read the cursor key secret (and gets its ARN).
   * @default false
   */
  readonly pages?: boolean;
}

/** The only table actions DynamoDB authorizes on an index ARN (Scan is never granted). */
export const INDEX_ACTIONS: readonly TableAction[] = ['dynamodb:Query'];

/** Object key pattern of tenant documents (`tenants/<t>/documents/<id>/<version>`). */
export const TENANT_OBJECTS = 'tenants/*';

const ITEM_READ_WRITE: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
];

/**
 * Least-privilege access of each function. Typed by `FunctionName`, so a function added to
 * `FUNCTION_NAMES` without an entry here does not compile.
 */
export const FUNCTION_ACCESS: Readonly<Record<FunctionName, FunctionAccess>> = {
  // health and the OpenAPI document touch no data
  system: { table: [], bucket: [] },
  twins: { table: ITEM_READ_WRITE, bucket: [], pages: true },
  // documents: presigned uploads and downloads, and the size check of an upload
  thread: { table: ITEM_READ_WRITE, bucket: ['s3:GetObject', 's3:PutObject'], pages: true },
  // views, grants and the grantee's reads and writes (shared documents: presigned downloads)
  sharing: { table: ITEM_READ_WRITE, bucket: ['s3:GetObject'], pages: true },
  fleet: { table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'], bucket: [], pages: true },
  ingest: { table: ITEM_READ_WRITE, bucket: [], pages: true },
  events: { table: ['dynamodb:GetItem', 'dynamodb:Query'], bucket: [], pages: true },
  // exports and imports: twins and documents in and out, tenant exports written to the bucket
  exchange: {
    table: ITEM_READ_WRITE,
    bucket: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    pages: true,
  },
  // the API reference page: no data
  docs: { table: [], bucket: [] },
};
