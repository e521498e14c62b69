import { gunzipSync, gzipSync } from 'node:zlib';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { config } from '../config';
import { AppError, UnprocessableContent } from '../domain/errors';
import { dynamoClient } from './clients';
import { keys } from './keys';
import { TTL_ATTRIBUTE } from './table';

/** How long a stored answer is replayed: a client retrying within a day gets it back. */
export const IDEMPOTENCY_EXPIRES_AFTER_SECONDS = 24 * 60 * 60;

/**
 * How long an in-progress record blocks the same key: the function's timeout (29 s), after which a
 * crashed attempt no longer holds the key and a retry runs again.
 */
export const IN_PROGRESS_MS = 29_000;

/**
 * Layers by client (deployed: the tenant scope's), table, tenant and operation: the static partition
 * key is fixed per layer, so one per tenant.
 */
const layersByClient = new WeakMap<DynamoDBClient, Map<string, DynamoDBPersistenceLayer>>();

/**
 * Powertools' DynamoDB persistence in the one table: `PK = TENANT#<t>#IDEMPOTENCY`, `SK = <operation>#<hash of
 * the key>`, expiring through the table's TTL attribute. One tenant's key can never meet another's.
 */
function persistenceOf(tenant: string, operation: string): DynamoDBPersistenceLayer {
  const awsSdkV3Client = dynamoClient();
  let layers = layersByClient.get(awsSdkV3Client);
  if (!layers) {
    layers = new Map();
    layersByClient.set(awsSdkV3Client, layers);
  }
  const id = `${config.tableName()}|${tenant}|${operation}`;
  let layer = layers.get(id);
  if (!layer) {
    layer = new DynamoDBPersistenceLayer({
      tableName: config.tableName(),
      awsSdkV3Client,
      keyAttr: 'PK',
      sortKeyAttr: 'SK',
      staticPkValue: keys.idempotencyPartition(tenant),
      expiryAttr: TTL_ATTRIBUTE,
    });
    // Bounded: a long-lived container serving many tenants keeps the most recent ones.
    if (layers.size >= 1000) layers.delete(layers.keys().next().value!);
    layers.set(id, layer);
  }
  return layer;
}

/**
 * Runs `work` once per tenant, operation and client key: the same key with the same `payload` again
 * returns the stored answer without running it; another payload is 422; a run still in progress is 409.
 * A run that throws stores nothing, so the request can be retried with the same key.
 */
export async function idempotent<T>(
  tenant: string,
  operation: string,
  request: { key: string; payload: unknown; startedAt: Date },
  work: () => Promise<T>,
): Promise<T> {
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'payload',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
  });
  // Not a Lambda handler: the in-progress lease ends when the function would have timed out.
  const deadline = request.startedAt.getTime() + IN_PROGRESS_MS;
  idempotencyConfig.registerLambdaContext({
    getRemainingTimeInMillis: () => Math.max(1, deadline - Date.now()),
  } as Parameters<IdempotencyConfig['registerLambdaContext']>[0]);
  // Stored compressed: 1,000 results with their details would come near DynamoDB's 400 KB item limit.
  const run = makeIdempotent(async (_input: { key: string; payload: unknown }) => packed(await work()), {
    persistenceStore: persistenceOf(tenant, operation),
    config: idempotencyConfig,
    keyPrefix: operation,
  });
  try {
    return unpacked<T>((await run({ key: request.key, payload: request.payload })) as string);
  } catch (error) {
    throw idempotencyProblem(error);
  }
}

const packed = (answer: unknown): string => gzipSync(JSON.stringify(answer)).toString('base64');
const unpacked = <T>(stored: string): T =>
  JSON.parse(gunzipSync(Buffer.from(stored, 'base64')).toString('utf8')) as T;

/** Powertools' errors as the API's problems; anything else (the work's own errors) as it is. */
function idempotencyProblem(error: unknown): unknown {
  const name = (error as { name?: string })?.name;
  if (name === 'IdempotencyValidationError')
    return new UnprocessableContent(
      'This Idempotency-Key was used with another body: use a new key for a new request',
      [{ path: 'headers.idempotency-key', message: 'already used with another body' }],
    );
  if (name === 'IdempotencyAlreadyInProgressError')
    return new AppError(
      409,
      'Conflict',
      'A request with this Idempotency-Key is still in progress: retry shortly',
      undefined,
      { 'retry-after': '2' },
    );
  // A store failure: its cause (e.g. throttling) is what the client should hear about.
  if (name === 'IdempotencyPersistenceLayerError' && (error as Error).cause) return (error as Error).cause;
  return error;
}
