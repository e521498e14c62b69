import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { captured } from '../observability/tracer';
import { withDynamoScopeCheck, withObjectScopeCheck } from './scope-check';
import { scopedCredentials } from './scoped-credentials';
import { currentScope, type TenantScope } from './tenant-scope';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** DynamoDB requests sent by this process, counted by an SDK middleware (read by the benchmarks). */
export const dynamodbCalls = {
  count: 0,
  byCommand: {} as Record<string, number>,
  itemsRead: 0,
  /** Requests sent while none was in flight: sequential round trips (parallel requests count once). */
  roundTrips: 0,
};
let inFlight = 0;

/** Items in a read's answer: Query/Scan pages, GetItem, BatchGetItem and TransactGetItems responses. */
function itemsIn(output: Record<string, unknown> | undefined): number {
  if (!output) return 0;
  if (Array.isArray(output.Items)) return output.Items.length;
  if (output.Item !== undefined) return 1;
  const responses = output.Responses;
  if (Array.isArray(responses)) return responses.filter((entry) => entry?.Item !== undefined).length;
  if (responses && typeof responses === 'object')
    return Object.values(responses as Record<string, unknown[]>).reduce(
      (sum, items) => sum + items.length,
      0,
    );
  return 0;
}

function countCalls(base: DynamoDBClient): DynamoDBClient {
  base.middlewareStack.add(
    (next, context) => async (args) => {
      dynamodbCalls.count++;
      const command = String(context.commandName ?? 'unknown');
      dynamodbCalls.byCommand[command] = (dynamodbCalls.byCommand[command] ?? 0) + 1;
      if (inFlight++ === 0) dynamodbCalls.roundTrips++;
      try {
        const result = await next(args);
        dynamodbCalls.itemsRead += itemsIn(result.output as unknown as Record<string, unknown> | undefined);
        return result;
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', name: 'twinthreadCallCounter' },
  );
  return base;
}

/** The document client over a base client. */
function documentClientOver(base: DynamoDBClient): DynamoDBDocumentClient {
  // convertClassInstanceToMap: a map whose own key is "constructor" is still a map (the schemas refuse
  // such attribute names; this keeps any other such key from being a 500)
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

interface Clients {
  dynamo: DynamoDBClient;
  document: DynamoDBDocumentClient;
  s3: S3Client;
}

/** Tenants whose clients one container keeps (a container serves few tenants; the oldest goes first). */
export const SCOPED_CLIENTS_KEPT = 200;
const scoped = new Map<string, Clients>();

const scopeKey = (scope: TenantScope) =>
  scope.peer === undefined ? scope.tenant : `${scope.tenant}|${scope.peer}`;

/**
 * Deployed (`TENANT_ROLE_ARN` set): the clients of the current tenant scope, signing with
 * credentials assumed for it (the tenant as a session tag), created once per scope and container.
 * Outside a scope there is no client at all: a call that is not on a tenant's behalf fails.
 */
function scopedClients(roleArn: string): Clients {
  const scope = currentScope();
  if (scope === undefined) throw new Error('A DynamoDB or S3 call outside a tenant scope');
  const key = scopeKey(scope);
  const kept = scoped.get(key);
  if (kept) return kept;
  const credentials = scopedCredentials(roleArn, scope);
  const dynamo = captured(countCalls(new DynamoDBClient({ credentials })));
  const clients = {
    dynamo,
    document: documentClientOver(dynamo),
    s3: captured(new S3Client({ credentials })),
  };
  if (scoped.size >= SCOPED_CLIENTS_KEPT) {
    const oldest = scoped.keys().next().value as string;
    destroy(scoped.get(oldest));
    scoped.delete(oldest);
  }
  scoped.set(key, clients);
  return clients;
}

function destroy(clients: Clients | undefined) {
  clients?.document.destroy();
  clients?.s3.destroy();
}

let dynamo:
  | { endpoint: string | undefined; client: DynamoDBClient; document: DynamoDBDocumentClient }
  | undefined;
let s3: { endpoint: string | undefined; client: S3Client } | undefined;

/** The local (or operator's) DynamoDB client, created once per endpoint (reused across invocations). */
function unscopedDynamo() {
  const endpoint = config.dynamodbEndpoint();
  if (dynamo && dynamo.endpoint === endpoint) return dynamo;
  // the local scope check: what the tenant-scoped role enforces deployed (shared/store/scope-check.ts)
  const client = captured(
    withDynamoScopeCheck(
      countCalls(
        new DynamoDBClient(
          endpoint === undefined ? {} : { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
        ),
      ),
    ),
  );
  dynamo = { endpoint, client, document: documentClientOver(client) };
  return dynamo;
}

/**
 * The DynamoDB client the stores use. Deployed: the current tenant scope's (see `scopedClients`);
 * locally, and for operator scripts without `TENANT_ROLE_ARN`, the one client of the endpoint.
 */
export function dynamoClient(): DynamoDBClient {
  const roleArn = config.tenantRoleArn();
  return roleArn === undefined ? unscopedDynamo().client : scopedClients(roleArn).dynamo;
}

/** The DynamoDB document client the stores use (scoped like `dynamoClient`). */
export function documentClient(): DynamoDBDocumentClient {
  const roleArn = config.tenantRoleArn();
  return roleArn === undefined ? unscopedDynamo().document : scopedClients(roleArn).document;
}

/** The S3 client (scoped like `dynamoClient`); against the local S3 server it needs path style and no default checksums. */
export function s3Client(): S3Client {
  const roleArn = config.tenantRoleArn();
  if (roleArn !== undefined) return scopedClients(roleArn).s3;
  const endpoint = config.s3Endpoint();
  if (s3 && s3.endpoint === endpoint) return s3.client;
  const client = captured(
    withObjectScopeCheck(
      new S3Client(
        endpoint === undefined
          ? {}
          : {
              endpoint,
              region: 'us-east-1',
              forcePathStyle: true,
              credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
              // Without these, uploads to s3rver are stored corrupted (aws-chunked CRC32 framing).
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            },
      ),
    ),
  );
  s3 = { endpoint, client };
  return client;
}

/** Tests: the S3 client this process uses from now on (e.g. one recording its requests); see `closeClients`. */
export function useS3Client(client: S3Client): void {
  s3 = { endpoint: config.s3Endpoint(), client };
}

/** Closes the clients' connections (a script that is done; a Lambda never needs this). */
export function closeClients(): void {
  dynamo?.document.destroy();
  s3?.client.destroy();
  dynamo = undefined;
  s3 = undefined;
  for (const clients of scoped.values()) destroy(clients);
  scoped.clear();
}
