import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { keys } from './keys';
import { INDEXES, TABLE_KEYS } from './table';
import { currentScope, type TenantScope } from './tenant-scope';

/**
 * The local twin of the deployed tenant-scoped roles (infra/tenant-role.ts): inside a tenant scope,
 * every DynamoDB call must touch only partition keys `TENANT#<tenant>#…` (or its peer's, or the
 * scheduler's list) and every S3 call only objects under `tenants/<tenant>/`, exactly what IAM
 * allows deployed through `dynamodb:LeadingKeys` and the object prefix. Without it a call on
 * another tenant's keys would pass locally and fail (AccessDenied) only once deployed; with it the
 * whole test suite proves the scoping. Calls outside any scope (operator scripts, the local
 * migration) are not checked: deployed they get no client at all.
 */
export class ScopeViolation extends Error {
  constructor(what: string, scope: TenantScope) {
    super(`AccessDenied (local scope check): ${what} is outside the scope of tenant ${scope.tenant}`);
    this.name = 'AccessDenied';
  }
}

type Input = Record<string, unknown>;
const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : value && typeof value === 'object' && typeof (value as { S?: unknown }).S === 'string'
      ? (value as { S: string }).S
      : undefined;

const INDEX_PARTITION_KEYS: Record<string, string> = Object.fromEntries(
  Object.values(INDEXES).map((index) => [index.name, index.partitionKey]),
);

/** The partition key value a Query's key condition names (`<pk> = :value`). */
function queryPartition(input: Input): string | undefined {
  const attribute = input.IndexName ? INDEX_PARTITION_KEYS[String(input.IndexName)] : TABLE_KEYS.partitionKey;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  for (const match of String(input.KeyConditionExpression ?? '').matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    const name = names[match[1]!] ?? match[1];
    if (name === attribute) return stringOf(values[match[2]!]);
  }
  return undefined;
}

const pkOf = (item: unknown) => stringOf((item as Input | undefined)?.[TABLE_KEYS.partitionKey]);

/** Every partition key value a DynamoDB command touches; `null` for one that touches no key (a Scan). */
export function partitionsOf(command: string, input: Input): (string | undefined)[] | null {
  switch (command) {
    case 'GetItemCommand':
    case 'DeleteItemCommand':
    case 'UpdateItemCommand':
      return [pkOf(input.Key)];
    case 'PutItemCommand':
      return [pkOf(input.Item)];
    case 'QueryCommand':
      return [queryPartition(input)];
    case 'BatchGetItemCommand':
      return Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).flatMap(
        (request) => (request.Keys ?? []).map(pkOf),
      );
    case 'BatchWriteItemCommand':
      return Object.values((input.RequestItems ?? {}) as Record<string, Input[]>).flatMap((requests) =>
        requests.map((request) =>
          pkOf(
            (request.PutRequest as Input | undefined)?.Item ??
              (request.DeleteRequest as Input | undefined)?.Key,
          ),
        ),
      );
    case 'TransactWriteItemsCommand':
    case 'TransactGetItemsCommand':
      return ((input.TransactItems ?? []) as Input[]).map((entry) => {
        const [action] = Object.values(entry) as Input[];
        return pkOf(action?.Item ?? action?.Key);
      });
    case 'ScanCommand':
      return null;
    default:
      return [];
  }
}

const allowedPrefixes = (scope: TenantScope) =>
  [scope.tenant, ...(scope.peer ? [scope.peer] : [])].map((tenant) => `TENANT#${tenant}#`);

/** Throws what IAM would answer deployed when a command leaves the current scope's keys. */
export function checkDynamoScope(command: string, input: Input, scope: TenantScope | undefined): void {
  if (scope === undefined) return;
  const partitions = partitionsOf(command, input);
  if (partitions === null) throw new ScopeViolation(`a ${command} (no partition key)`, scope);
  const prefixes = allowedPrefixes(scope);
  for (const partition of partitions) {
    if (partition === keys.schedulePartition) continue;
    if (partition === undefined || !prefixes.some((prefix) => partition.startsWith(prefix)))
      throw new ScopeViolation(`${command} on partition ${partition ?? '(unknown)'}`, scope);
  }
}

/** Object keys of a scope: `tenants/<tenant>/…` (bucket-wide commands name no key and are not checked). */
export function checkObjectScope(key: unknown, scope: TenantScope | undefined): void {
  if (scope === undefined || typeof key !== 'string') return;
  if (!key.startsWith(`tenants/${scope.tenant}/`)) throw new ScopeViolation(`object ${key}`, scope);
}

/** Adds the local scope check to the local DynamoDB client. */
export function withDynamoScopeCheck(client: DynamoDBClient): DynamoDBClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      checkDynamoScope(String(context.commandName ?? ''), args.input as Input, currentScope());
      return next(args);
    },
    { step: 'initialize', name: 'twinthreadLocalScopeCheck', priority: 'low' },
  );
  return client;
}

/** Adds the local scope check to the local S3 client. */
export function withObjectScopeCheck(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next) => async (args) => {
      checkObjectScope((args.input as Input).Key, currentScope());
      return next(args);
    },
    { step: 'initialize', name: 'twinthreadLocalObjectScopeCheck' },
  );
  return client;
}
