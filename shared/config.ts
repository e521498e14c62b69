import { LOCAL_BUCKET_NAME, LOCAL_TABLE_NAME } from './store/table';

/**
 * Environment the functions read, resolved on each call so that tests and the local runtime can
 * set variables before the first request. Deployed, the CDK stack sets every one of them.
 */
export const ENV = {
  /** DynamoDB table name. */
  tableName: 'TABLE_NAME',
  /** S3 bucket for thread documents. */
  bucketName: 'BUCKET_NAME',
  /** Local runtime only: DynamoDB endpoint (dynalite). */
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  /** Local runtime only: S3 endpoint (s3rver). */
  s3Endpoint: 'S3_ENDPOINT',
  /** JWKS URL of the token issuer. */
  jwksUrl: 'AUTH_JWKS_URL',
  /** Required `iss` of tokens. */
  issuer: 'AUTH_ISSUER',
  /** The `aud` a token carrying `aud` must name (ID tokens). */
  audience: 'AUTH_AUDIENCE',
  /** Comma- or space-separated client ids accepted as `client_id` of a token without `aud` (access tokens). @default none */
  clientIds: 'AUTH_CLIENT_IDS',
  /** Claim carrying the tenant id. @default 'tenant' */
  tenantClaim: 'AUTH_TENANT_CLAIM',
  /** Claim carrying the roles (array, or a space or comma separated string). @default 'roles' */
  rolesClaim: 'AUTH_ROLES_CLAIM',
  /** Change feed: serve only events older than this many milliseconds (see shared/domain/feed.ts). @default 2000 */
  eventsSettleMs: 'EVENTS_SETTLE_MS',
  /** Page cursor key secret, at least 32 characters (made at `npm start` and in the test setup; see shared/store/cursor.ts). */
  cursorKey: 'CURSOR_KEY',
  /** Deployed: the Secrets Manager secret holding the cursor key (read once per cold start). */
  cursorKeySecretArn: 'CURSOR_KEY_SECRET_ARN',
  /**
   * Deployed: the role every DynamoDB and S3 call is made with, assumed per tenant with the tenant
   * as a session tag (shared/store/scoped-credentials.ts). Unset locally: the local clients.
   */
  tenantRoleArn: 'TENANT_ROLE_ARN',
  /** Tenant export: a running job silent this long is handed on again (see shared/tenant-export.ts). @default 300000 */
  exportStallMs: 'EXPORT_STALL_MS',
} as const;

const DEFAULT_EVENTS_SETTLE_MS = 2000;
const DEFAULT_EXPORT_STALL_MS = 5 * 60_000;

const positiveMs = (name: string, fallback: number) => {
  const value = Number(read(name) ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const read = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
};

export const config = {
  tableName: () => read(ENV.tableName) ?? LOCAL_TABLE_NAME,
  bucketName: () => read(ENV.bucketName) ?? LOCAL_BUCKET_NAME,
  dynamodbEndpoint: () => read(ENV.dynamodbEndpoint),
  s3Endpoint: () => read(ENV.s3Endpoint),
  auth: () => ({
    jwksUrl: read(ENV.jwksUrl),
    issuer: read(ENV.issuer),
    audience: read(ENV.audience),
    clientIds: (read(ENV.clientIds) ?? '').split(/[\s,]+/).filter((id) => id !== ''),
    tenantClaim: read(ENV.tenantClaim) ?? 'tenant',
    rolesClaim: read(ENV.rolesClaim) ?? 'roles',
  }),
  cursorKey: () => read(ENV.cursorKey),
  cursorKeySecretArn: () => read(ENV.cursorKeySecretArn),
  tenantRoleArn: () => read(ENV.tenantRoleArn),
  exportStallMs: () => positiveMs(ENV.exportStallMs, DEFAULT_EXPORT_STALL_MS),
  eventsSettleMs: () => {
    const value = Number(read(ENV.eventsSettleMs) ?? DEFAULT_EVENTS_SETTLE_MS);
    return Number.isFinite(value) && value >= 0 ? value : DEFAULT_EVENTS_SETTLE_MS;
  },
};
