import type { FunctionName } from '../shared/routes';
import type { IndexName } from '../shared/store/table';

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

/** What one function may do on the table, its indexes and the document bucket. */
export interface FunctionAccess {
  /** Granted on the table. */
  readonly table: readonly TableAction[];
  /** The indexes it queries: `dynamodb:Query` is granted on these index ARNs and no others. */
  readonly indexes: readonly IndexName[];
  /** Granted on the objects under {@link TENANT_OBJECTS}. */
  readonly bucket: readonly BucketAction[];
  /**
   * Pages lists: may read the cursor key secret (and gets its ARN).
   * @default false
   */
  readonly pages?: boolean;
}

/** Object key pattern of tenant documents and exports (`tenants/<t>/...`). */
export const TENANT_OBJECTS = 'tenants/*';

const READ: readonly TableAction[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** Single-item writes, also what a TransactWriteItems of Put, Update and Delete entries needs. */
const WRITE: readonly TableAction[] = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/**
 * Least-privilege access of each function, the one place that says which function may do what, and
 * why (the commands its code sends; test/infra/access.test.ts bundles each function and checks that
 * the commands in its bundle need exactly these actions). Typed by `FunctionName`, so a function
 * added to `FUNCTION_NAMES` without an entry here does not compile.
 *
 * Environment follows from it (infra/stack.ts): `TABLE_NAME` only with table actions, `BUCKET_NAME`
 * only with bucket actions, the `AUTH_*` settings only for functions with routes that need a token.
 */
export const FUNCTION_ACCESS: Readonly<Record<FunctionName, FunctionAccess>> = {
  // health and the OpenAPI document touch no data
  system: { table: [], indexes: [], bucket: [] },
  // twins, change sets, baselines, types: transactions of Put/Update/Delete; BatchWriteItem clears
  // what a failed large as-built write left (leased-write.ts); lists by site, product or the tenant
  // list (types too); the re-judgement of a fleet after a new configuration model checks each
  // twin's version (ConditionCheck)
  twins: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'site', 'product'],
    bucket: [],
    pages: true,
  },
  // documents (presigned uploads and downloads, the size check: HeadObject is s3:GetObject), links
  // and inspections (a ConditionCheck that the twin is active); document lists (list, product),
  // applicability through the fleet index
  thread: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem'],
    indexes: ['list', 'product', 'fleet'],
    bucket: ['s3:GetObject', 's3:PutObject'],
    pages: true,
  },
  // views, grants, the grantee's reads and writes (ConditionCheck of the twin on grantee
  // inspections), access events of a listed page (BatchWriteItem), shared documents' downloads;
  // grants by grantee, selectors by site, product or the whole list
  sharing: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['grantee', 'list', 'site', 'product'],
    bucket: ['s3:GetObject'],
    pages: true,
  },
  // installations by part number, the twins' sites by BatchGet; units by conformance status (list)
  fleet: { table: READ, indexes: ['fleet', 'list'], bucket: [], pages: true },
  // observations judged and applied as change sets (transactions); Powertools idempotency records
  // (Put, Get, Update, Delete); twins found by serial number (list) or with a product (product)
  ingest: { table: [...READ, ...WRITE], indexes: ['list', 'product'], bucket: [], pages: true },
  // the change feed: the tenant's event partition, or a twin's events through the list index
  events: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: ['list'], bucket: [], pages: true },
  // exports and imports (imports are transactions; BatchWriteItem clears a failed large import),
  // tenant export jobs (multipart uploads to the bucket: Create/UploadPart/Complete are s3:PutObject);
  // listings of twins, documents, types and views (list), documents by effectivity (product); an
  // imported twin's conformance is stored conditioned on its version (ConditionCheck)
  exchange: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product'],
    bucket: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    pages: true,
  },
  // the API reference page: no data
  docs: { table: [], indexes: [], bucket: [] },
};
