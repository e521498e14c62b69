/**
 * TransactWriteItems and TransactGetItems for the local DynamoDB endpoint, built from dynalite's own
 * validations, condition evaluation and write actions (dynalite answers both operations with
 * UnknownOperationException).
 *
 * Every function here expects the caller to hold the endpoint's global lock (see `dynamodb.ts`): no other
 * request runs between reading the items, evaluating the conditions and applying the writes, which is what
 * makes a transaction isolated and all-or-nothing locally.
 *
 * Not reproduced from DynamoDB: `ClientRequestToken` is accepted and ignored (no idempotency window, a
 * retried request runs again); `ConsumedCapacity` and `ItemCollectionMetrics` are not returned;
 * `TransactionConflict` never happens (requests are serialized instead); the 4 MB limit is checked on the
 * request (Put items, keys and expression values), not on TransactGetItems results; a write refused while
 * being applied (`ValidationError` reason) is undone and reported alone, later entries reading `None`.
 */
import { createRequire } from 'node:module';

// ---------------------------------------------------------------------------------------------------------
// The dynalite internals used here (CommonJS, untyped): just the shapes this module relies on.

export type AttributeValue = Record<string, unknown>;
export type AttributeMap = Record<string, AttributeValue>;

/** dynalite's errors: an API error carries the HTTP status and the JSON body to answer with. */
export interface ApiError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string; Message?: string; [member: string]: unknown };
}

export interface TableDescription {
  TableName: string;
  TableStatus: string;
  KeySchema: { AttributeName: string; KeyType: string }[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
}

type Callback<T> = (err?: ApiError | null, value?: T) => void;

interface ItemDb {
  get(key: string, cb: Callback<AttributeMap>): void;
}

export interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  maxItemSizeKb?: number;
}

export interface DynaliteStore {
  options: { maxItemSize: number };
  db: { open(): Promise<void>; close(cb: (err?: Error | null) => void): void };
  getTable(name: string, cb: Callback<TableDescription>): void;
  getItemDb(name: string): ItemDb;
}

/** A request once dynalite's validations have checked it; they add the parsed expressions (`_condition`…). */
export interface ParsedRequest {
  TableName?: string;
  Key?: AttributeMap;
  Item?: AttributeMap;
  ExpressionAttributeValues?: AttributeMap;
  ReturnValuesOnConditionCheckFailure?: string;
  _updates?: unknown;
  _projection?: { paths: unknown[]; nestedPaths?: Record<string, boolean> };
  [member: string]: unknown;
}

type TypeSpec = string | { type: string; [validation: string]: unknown };

interface ActionValidation {
  types: Record<string, TypeSpec>;
  custom?: (data: ParsedRequest, store: DynaliteStore) => string | undefined;
}

type Action = (store: DynaliteStore, data: ParsedRequest, cb: Callback<Record<string, unknown>>) => void;

interface DynaliteDb {
  create(options: DynaliteOptions): DynaliteStore;
  checkConditional(data: ParsedRequest, existing: AttributeMap | undefined): ApiError | null | undefined;
  createKey(item: AttributeMap, table: TableDescription): string;
  validateItem(item: AttributeMap, table: TableDescription): ApiError | undefined;
  validateKey(key: AttributeMap, table: TableDescription): ApiError | undefined;
  validateUpdates(attributeUpdates: unknown, updates: unknown, table: TableDescription): ApiError | undefined;
  validateKeyPaths(
    nestedPaths: Record<string, boolean> | undefined,
    table: TableDescription,
  ): ApiError | undefined;
  validationError(message: string): ApiError;
  itemSize(item: AttributeMap): number;
  mapPaths(paths: unknown[], item: AttributeMap): AttributeMap;
}

interface DynaliteValidations {
  checkTypes(data: unknown, types: Record<string, TypeSpec>): ParsedRequest;
  checkValidations(
    data: ParsedRequest,
    types: Record<string, TypeSpec>,
    custom: ActionValidation['custom'],
    store: DynaliteStore,
  ): void;
}

const requireCjs = createRequire(import.meta.url);
export const dynaliteDb = requireCjs('dynalite/db') as DynaliteDb;
const validations = requireCjs('dynalite/validations') as DynaliteValidations;

const actionCache = new Map<string, Action>();
const validationCache = new Map<string, ActionValidation>();

/** dynalite's action of that name (`putItem`, `query`…). */
export function dynaliteAction(name: string): Action {
  let action = actionCache.get(name);
  if (!action) {
    action = requireCjs(`dynalite/actions/${name}`) as Action;
    actionCache.set(name, action);
  }
  return action;
}

function dynaliteValidation(name: string): ActionValidation {
  let validation = validationCache.get(name);
  if (!validation) {
    validation = requireCjs(`dynalite/validations/${name}`) as ActionValidation;
    validationCache.set(name, validation);
  }
  return validation;
}

/** Checks a request the way dynalite's http handler does, and returns it parsed. */
export function parseRequest(action: string, data: unknown, store: DynaliteStore): ParsedRequest {
  const { types, custom } = dynaliteValidation(action);
  return parseWith(types, custom, data, store);
}

function parseWith(
  types: Record<string, TypeSpec>,
  custom: ActionValidation['custom'],
  data: unknown,
  store: DynaliteStore,
): ParsedRequest {
  const parsed = validations.checkTypes(data, types);
  validations.checkValidations(parsed, types, custom, store);
  return parsed;
}

export function runAction(
  action: string,
  store: DynaliteStore,
  data: ParsedRequest,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    dynaliteAction(action)(store, data, (err, result) => (err ? reject(err) : resolve(result ?? {})));
  });
}

function getTable(store: DynaliteStore, name: string): Promise<TableDescription> {
  return new Promise((resolve, reject) => {
    store.getTable(name, (err, table) => (err || !table ? reject(err) : resolve(table)));
  });
}

function getItem(store: DynaliteStore, tableName: string, key: string): Promise<AttributeMap | undefined> {
  return new Promise((resolve, reject) => {
    store.getItemDb(tableName).get(key, (err, item) => {
      if (err && err.name !== 'NotFoundError') return reject(err);
      resolve(err ? undefined : item);
    });
  });
}

/** The stored item with the key of `keyOrItem` (extra attributes are ignored), if any. */
export async function readItem(
  store: DynaliteStore,
  tableName: string,
  keyOrItem: AttributeMap,
): Promise<AttributeMap | undefined> {
  const table = await getTable(store, tableName);
  return getItem(store, tableName, dynaliteDb.createKey(keyOrItem, table));
}

// ---------------------------------------------------------------------------------------------------------
// Errors

const SERVICE = 'com.amazonaws.dynamodb.v20120810';

/** An error answered with HTTP 400 and `body`. */
function apiError(message: string, body: NonNullable<ApiError['body']>): ApiError {
  const err: ApiError = new Error(message);
  err.statusCode = 400;
  err.body = body;
  return err;
}

const validationError = (message: string): ApiError => dynaliteDb.validationError(message);

export function isConditionalCheckFailed(err: unknown): err is ApiError {
  return (err as ApiError | undefined)?.body?.__type === `${SERVICE}#ConditionalCheckFailedException`;
}

function isValidationError(err: unknown): err is ApiError {
  return /#ValidationException$/.test((err as ApiError | undefined)?.body?.__type ?? '');
}

export interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: AttributeMap;
}

/** DynamoDB's answer when a transaction is cancelled; its message lists the codes in order. */
function transactionCanceled(reasons: CancellationReason[]): ApiError {
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
    .map((reason) => reason.Code)
    .join(', ')}]`;
  return apiError(message, {
    __type: `${SERVICE}#TransactionCanceledException`,
    Message: message,
    CancellationReasons: reasons,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Request shapes

export const MAX_TRANSACTION_ITEMS = 100;
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

const RETURN_VALUES_ON_CONDITION_CHECK_FAILURE: TypeSpec = { type: 'String', enum: ['ALL_OLD', 'NONE'] };

function pick(types: Record<string, TypeSpec>, names: string[]): Record<string, TypeSpec> {
  const picked: Record<string, TypeSpec> = {};
  for (const name of names) {
    const spec = types[name];
    if (spec !== undefined) picked[name] = spec;
  }
  return picked;
}

const EXPRESSION_MEMBERS = ['ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues'];

type WriteKind = 'ConditionCheck' | 'Put' | 'Delete' | 'Update';
const WRITE_KINDS: readonly WriteKind[] = ['ConditionCheck', 'Put', 'Delete', 'Update'];

/** Members each entry of TransactWriteItems accepts, with dynalite's checks of the matching single operation. */
function writeValidation(kind: WriteKind): ActionValidation {
  const source = dynaliteValidation(
    kind === 'Put' ? 'putItem' : kind === 'Update' ? 'updateItem' : 'deleteItem',
  );
  const members = kind === 'Put' ? ['TableName', 'Item'] : ['TableName', 'Key'];
  const types: Record<string, TypeSpec> = {
    ...pick(source.types, [...members, ...EXPRESSION_MEMBERS]),
    ReturnValuesOnConditionCheckFailure: RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
  };
  if (kind === 'Update') types.UpdateExpression = { type: 'String', notNull: true };
  if (kind === 'ConditionCheck') types.ConditionExpression = { type: 'String', notNull: true };
  return { types, custom: source.custom };
}

const WRITE_VALIDATIONS = new Map<WriteKind, ActionValidation>();
function writeValidationOf(kind: WriteKind): ActionValidation {
  let validation = WRITE_VALIDATIONS.get(kind);
  if (!validation) {
    validation = writeValidation(kind);
    WRITE_VALIDATIONS.set(kind, validation);
  }
  return validation;
}

let getValidation: ActionValidation | undefined;
function getValidationOf(): ActionValidation {
  if (!getValidation) {
    const source = dynaliteValidation('getItem');
    getValidation = {
      types: pick(source.types, ['TableName', 'Key', 'ProjectionExpression', 'ExpressionAttributeNames']),
      custom: source.custom,
    };
  }
  return getValidation;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function serializationError(message: string): ApiError {
  return apiError(message, { __type: 'com.amazon.coral.service#SerializationException', Message: message });
}

/** Checks the members shared by both operations and returns the list of entries. */
function transactItemsOf(data: unknown): Record<string, unknown>[] {
  if (!isObject(data)) throw serializationError('Start of structure or map found where not expected');
  const items = data.TransactItems;
  const token = data.ClientRequestToken;
  if (token != null && (typeof token !== 'string' || token.length < 1 || token.length > 36)) {
    throw validationError(
      "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: " +
        'Member must have length less than or equal to 36 and greater than or equal to 1',
    );
  }
  if (items == null) {
    throw validationError(
      "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
    );
  }
  if (!Array.isArray(items)) throw serializationError('Unexpected field type');
  if (items.length < 1) {
    throw validationError(
      "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: " +
        'Member must have length greater than or equal to 1',
    );
  }
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw validationError(
      "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: " +
        `Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS}`,
    );
  }
  return items.map((item) => {
    if (!isObject(item)) throw serializationError('Unexpected value type in payload');
    return item;
  });
}

/** Parses one entry with dynalite's checks; their messages name the member inside `transactItems`. */
function parseEntry(
  validation: ActionValidation,
  data: unknown,
  store: DynaliteStore,
  path: string,
): ParsedRequest {
  if (!isObject(data)) throw serializationError('Unexpected field type');
  try {
    return parseWith(validation.types, validation.custom, data, store);
  } catch (err) {
    const body = (err as ApiError).body;
    if (isValidationError(err) && body?.message && /validation errors? detected: /.test(body.message)) {
      body.message = body.message.replaceAll(" at '", ` at '${path}.`);
    }
    throw err;
  }
}

function keyAttributesOf(item: AttributeMap, table: TableDescription): AttributeMap {
  const key: AttributeMap = {};
  for (const { AttributeName } of table.KeySchema) {
    const value = item[AttributeName];
    if (value !== undefined) key[AttributeName] = value;
  }
  return key;
}

interface Target {
  table: TableDescription;
  /** The key attributes of the item. */
  key: AttributeMap;
  /** dynalite's storage key of the item. */
  storageKey: string;
}

/** Resolves the table and key of an entry, rejecting two entries on the same item. */
async function resolveTargets(
  store: DynaliteStore,
  entries: {
    request: ParsedRequest;
    keyOrItem: AttributeMap;
    validate: (table: TableDescription) => ApiError | undefined;
  }[],
): Promise<Target[]> {
  const tables = new Map<string, TableDescription>();
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const { request, keyOrItem, validate } of entries) {
    const tableName = request.TableName ?? '';
    let table = tables.get(tableName);
    if (!table) {
      table = await getTable(store, tableName);
      tables.set(tableName, table);
    }
    const invalid = validate(table);
    if (invalid) throw invalid;
    const storageKey = dynaliteDb.createKey(keyOrItem, table);
    const identity = JSON.stringify([tableName, storageKey]);
    if (seen.has(identity)) {
      throw validationError('Transaction request cannot include multiple operations on one item');
    }
    seen.add(identity);
    targets.push({ table, key: keyAttributesOf(keyOrItem, table), storageKey });
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------------------
// TransactWriteItems

interface WriteEntry {
  kind: WriteKind;
  request: ParsedRequest;
}

function parseWriteEntries(data: unknown, store: DynaliteStore): WriteEntry[] {
  return transactItemsOf(data).map((item, index) => {
    const kinds = WRITE_KINDS.filter((kind) => item[kind] != null);
    const kind = kinds[0];
    if (kind === undefined || kinds.length > 1) {
      throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    }
    const path = `transactItems.${index + 1}.member.${kind[0]?.toLowerCase()}${kind.slice(1)}`;
    return { kind, request: parseEntry(writeValidationOf(kind), item[kind], store, path) };
  });
}

/** The size this entry adds to the transaction: the Put item, or the key and the expression values. */
function entrySize({ kind, request }: WriteEntry): number {
  if (kind === 'Put') return dynaliteDb.itemSize(request.Item ?? {});
  return (
    dynaliteDb.itemSize(request.Key ?? {}) + dynaliteDb.itemSize(request.ExpressionAttributeValues ?? {})
  );
}

/** The write an entry applies once every condition holds, without its condition. */
function writeOf({ kind, request }: WriteEntry): { action: string; data: ParsedRequest } | undefined {
  const { TableName } = request;
  switch (kind) {
    case 'Put':
      return { action: 'putItem', data: { TableName, Item: request.Item } };
    case 'Update':
      return {
        action: 'updateItem',
        data: {
          TableName,
          Key: request.Key,
          UpdateExpression: request.UpdateExpression,
          _updates: request._updates,
        },
      };
    case 'Delete':
      return { action: 'deleteItem', data: { TableName, Key: request.Key } };
    case 'ConditionCheck':
      return undefined;
  }
}

/**
 * TransactWriteItems: validates every entry, reads the items, evaluates every condition before writing
 * anything, and cancels the whole transaction with one reason per entry if any condition fails. Otherwise it
 * applies each write through dynalite's own actions (so secondary indexes follow); if one of them is refused
 * (an update expression on an attribute of the wrong type, an item growing over the size limit), the writes
 * already made are undone and the transaction is cancelled with a `ValidationError` reason.
 */
export async function transactWriteItems(
  store: DynaliteStore,
  data: unknown,
): Promise<Record<string, unknown>> {
  const entries = parseWriteEntries(data, store);

  const size = entries.reduce((total, entry) => total + entrySize(entry), 0);
  if (size > MAX_TRANSACTION_BYTES) throw validationError('Transaction request cannot be larger than 4 MB');

  const targets = await resolveTargets(
    store,
    entries.map(({ kind, request }) => ({
      request,
      keyOrItem: (kind === 'Put' ? request.Item : request.Key) ?? {},
      validate: (table: TableDescription) => {
        if (kind === 'Put') return dynaliteDb.validateItem(request.Item ?? {}, table);
        const invalidKey = dynaliteDb.validateKey(request.Key ?? {}, table);
        if (invalidKey || kind !== 'Update') return invalidKey;
        return dynaliteDb.validateUpdates(undefined, request._updates, table);
      },
    })),
  );

  const existing = await Promise.all(
    targets.map((target, index) =>
      getItem(store, entries[index]?.request.TableName ?? '', target.storageKey),
    ),
  );

  const reasons = entries.map(({ request }, index): CancellationReason => {
    const item = existing[index];
    if (!dynaliteDb.checkConditional(request, item)) return { Code: 'None' };
    const reason: CancellationReason = {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
    };
    if (item && request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') reason.Item = item;
    return reason;
  });
  if (reasons.some((reason) => reason.Code !== 'None')) throw transactionCanceled(reasons);

  for (const [index, entry] of entries.entries()) {
    const write = writeOf(entry);
    if (!write) continue;
    try {
      await runAction(write.action, store, write.data);
    } catch (err) {
      await undoWrites(store, entries.slice(0, index + 1), targets, existing);
      if (!isValidationError(err)) throw err;
      throw transactionCanceled(
        entries.map((_, other) =>
          other === index
            ? { Code: 'ValidationError', Message: err.body?.message ?? err.message }
            : { Code: 'None' },
        ),
      );
    }
  }
  return {};
}

/** Puts back the items as they were before the transaction, last write first. */
async function undoWrites(
  store: DynaliteStore,
  entries: WriteEntry[],
  targets: Target[],
  existing: (AttributeMap | undefined)[],
): Promise<void> {
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index];
    const target = targets[index];
    if (!entry || !target || entry.kind === 'ConditionCheck') continue;
    const TableName = entry.request.TableName;
    const before = existing[index];
    if (before) await runAction('putItem', store, { TableName, Item: before });
    else await runAction('deleteItem', store, { TableName, Key: target.key });
  }
}

// ---------------------------------------------------------------------------------------------------------
// TransactGetItems

/** TransactGetItems: reads up to 100 items, in order; a missing item answers `{}`. */
export async function transactGetItems(
  store: DynaliteStore,
  data: unknown,
): Promise<Record<string, unknown>> {
  const requests = transactItemsOf(data).map((item, index) => {
    const path = `transactItems.${index + 1}.member.get`;
    if (item.Get == null) {
      throw validationError(
        `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return parseEntry(getValidationOf(), item.Get, store, path);
  });

  const targets = await resolveTargets(
    store,
    requests.map((request) => ({
      request,
      keyOrItem: request.Key ?? {},
      validate: (table: TableDescription) =>
        dynaliteDb.validateKey(request.Key ?? {}, table) ??
        dynaliteDb.validateKeyPaths(request._projection?.nestedPaths, table),
    })),
  );

  const Responses = await Promise.all(
    requests.map(async (request, index) => {
      const target = targets[index];
      const item = target ? await getItem(store, request.TableName ?? '', target.storageKey) : undefined;
      if (!item) return {};
      return { Item: request._projection ? dynaliteDb.mapPaths(request._projection.paths, item) : item };
    }),
  );
  return { Responses };
}
