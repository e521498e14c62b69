import { BASELINE_JOB_EVENT } from '../shared/domain/baseline-schedule';
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
  // applicability through the fleet index (scope=installed-base: the grants given to the tenant
  // through the grantee index, the owners' fleet index, access events of a page by BatchWriteItem)
  thread: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product', 'fleet', 'grantee'],
    bucket: ['s3:GetObject', 's3:PutObject'],
    pages: true,
  },
  // views, grants, the grantee's reads and writes (ConditionCheck of the twin on grantee
  // inspections), access events of a listed page (BatchWriteItem), shared documents' downloads;
  // grants by grantee, selectors by site, product or the whole list; the owners' search tokens (search);
  // installed-base impact through the owners' fleet index
  sharing: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['grantee', 'list', 'site', 'product', 'search', 'fleet'],
    bucket: ['s3:GetObject'],
    pages: true,
  },
  // installations by part number, the twins' sites by BatchGet; search tokens by prefix (search), the
  // matched components and twins by BatchGet, the role views by GetItem; software part numbers by
  // package URL (product index); units by conformance status (list)
  fleet: { table: READ, indexes: ['fleet', 'search', 'product', 'list'], bucket: [], pages: true },
  // observations judged and applied as change sets (transactions); Powertools idempotency records
  // (Put, Get, Update, Delete); twins found by serial number (list) or with a product (product);
  // usage records (transactions with a ConditionCheck of the twin) and the fleet life index after them
  ingest: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem'],
    indexes: ['list', 'product'],
    bucket: [],
    pages: true,
  },
  // the change feed: the tenant's event partition, or a twin's events through the list index
  events: { table: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: ['list'], bucket: [], pages: true },
  // exports and imports (imports are transactions; BatchWriteItem clears a failed large import),
  // tenant export jobs (multipart uploads to the bucket: Create/UploadPart/Complete are s3:PutObject);
  // listings of twins, documents, types and views (list), documents by effectivity (product); an
  // imported twin's conformance is stored conditioned on its version (ConditionCheck); part masters
  // and configuration models (list), usage records and the fleet life index of imported serials,
  // document copies with their import markers (BatchGet) and compliance records (conditional puts)
  exchange: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product'],
    bucket: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    pages: true,
  },
  // usage records and totals (transactions with a ConditionCheck of the twin), Powertools idempotency records, part masters, the
  // fleet life index and removals (list), installations of a part number (fleet)
  usage: {
    table: [...READ, ...WRITE, 'dynamodb:ConditionCheckItem'],
    indexes: ['list', 'fleet'],
    bucket: [],
    pages: true,
  },
  // the API reference page: no data
  docs: { table: [], indexes: [], bucket: [] },
  // the AAS API read profile: twins (list index), their thread (documents by effectivity: product),
  // grantees' grants (grantee index) and the access events of their reads; the change feed;
  // a twin in the old layout is migrated on first read (Put/Update/Delete)
  aas: {
    table: [...READ, ...WRITE, 'dynamodb:BatchWriteItem'],
    indexes: ['list', 'product', 'grantee', 'site'],
    bucket: [],
    pages: true,
  },
};

/** A job EventBridge Scheduler runs: it invokes one function with a fixed input, on a rate. */
export interface ScheduledJob {
  readonly function: FunctionName;
  /** An EventBridge Scheduler expression, e.g. `rate(15 minutes)`. */
  readonly every: string;
  readonly input: Readonly<Record<string, string>>;
  readonly description: string;
}

/**
 * The scheduled jobs. Each schedule gets a role of its own that may `lambda:InvokeFunction` its one
 * function (that ARN only, no versions or aliases) and nothing else. The baselines job reads the
 * scheduler's list (`TENANT#@system#SCHEDULES`, see shared/store/keys.ts) and writes baselines with
 * the twins function's own table actions; a late or missed run catches up on the next one.
 */
export const SCHEDULED_JOBS: Readonly<Record<string, ScheduledJob>> = {
  BaselinePolicies: {
    function: 'twins',
    every: 'rate(15 minutes)',
    input: BASELINE_JOB_EVENT,
    description: 'twinthread: baselines of the due baseline policies',
  },
};
