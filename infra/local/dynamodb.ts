/**
 * The local DynamoDB endpoint: dynalite's store and actions behind our own HTTP server, which adds
 * TransactWriteItems and TransactGetItems (see `transactions.ts`) and `ReturnValuesOnConditionCheckFailure`
 * on PutItem, UpdateItem and DeleteItem.
 *
 * Every request goes through one lock, so requests run one at a time: that is what isolates a transaction
 * from concurrent writes. It is meant for development and tests, not for throughput.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { AsyncLock } from './async-lock';
import {
  type ApiError,
  type DynaliteStore,
  dynaliteDb,
  isConditionalCheckFailed,
  parseRequest,
  readItem,
  runAction,
  transactGetItems,
  transactWriteItems,
} from './transactions';

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`, for the SDK client's `endpoint`. */
  endpoint: string;
  port: number;
  /** Stops the server and closes the store; safe to call more than once. */
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const API_VERSIONS = new Set(['DynamoDB_20111205', 'DynamoDB_20120810']);

/** The operations dynalite implements itself. */
const DYNALITE_OPERATIONS = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
]);

const TRANSACTIONS: Record<
  string,
  (store: DynaliteStore, data: unknown) => Promise<Record<string, unknown>>
> = {
  TransactWriteItems: transactWriteItems,
  TransactGetItems: transactGetItems,
};

/** Single-item writes that take `ReturnValuesOnConditionCheckFailure` (dynalite drops it). */
const CONDITIONAL_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** dynalite's `x-amz-crc32` header (zlib.crc32 exists from Node 20.15 on; the SDK does not need it). */
function setChecksum(res: ServerResponse, text: string): void {
  if (typeof zlib.crc32 === 'function') res.setHeader('x-amz-crc32', zlib.crc32(text));
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** Runs one operation on the store; the caller holds the lock. */
async function execute(store: DynaliteStore, operation: string, data: unknown): Promise<unknown> {
  const transaction = TRANSACTIONS[operation];
  if (transaction) return transaction(store, data);

  const returnOld = CONDITIONAL_WRITES.has(operation) ? onConditionFailure(data) : undefined;
  const request = parseRequest(lowerFirst(operation), data, store);
  try {
    return await runAction(lowerFirst(operation), store, request);
  } catch (err) {
    if (returnOld === 'ALL_OLD' && isConditionalCheckFailed(err) && err.body && request.TableName) {
      // Still under the lock: this is the item the condition was evaluated against
      const item = await readItem(store, request.TableName, request.Key ?? request.Item ?? {});
      if (item) err.body.Item = item;
    }
    throw err;
  }
}

/** Reads and checks `ReturnValuesOnConditionCheckFailure`, which dynalite's validations would drop. */
function onConditionFailure(data: unknown): string | undefined {
  const value = (data as { ReturnValuesOnConditionCheckFailure?: unknown } | null)
    ?.ReturnValuesOnConditionCheckFailure;
  if (value == null) return undefined;
  if (value !== 'ALL_OLD' && value !== 'NONE') {
    throw dynaliteDb.validationError(
      `1 validation error detected: Value '${String(value)}' at 'returnValuesOnConditionCheckFailure' ` +
        'failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]',
    );
  }
  return value;
}

function send(res: ServerResponse, statusCode: number, body: unknown, contentType: string): void {
  const text = JSON.stringify(body);
  res.statusCode = statusCode;
  setChecksum(res, text);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'));
  res.end(text);
}

function sendText(res: ServerResponse, statusCode: number, text: string): void {
  res.statusCode = statusCode;
  setChecksum(res, text);
  res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'));
  res.end(text);
}

/** The body, or undefined once it has answered 413 to a body over the limit. */
async function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      res.statusCode = 413;
      res.setHeader('Connection', 'close');
      res.end();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The same answers as dynalite's own HTTP handler, for the checks the SDK can run into locally. */
async function handle(store: DynaliteStore, lock: AsyncLock, req: IncomingMessage, res: ServerResponse) {
  const body = await readBody(req, res);
  if (body === undefined) return;
  res.setHeader('x-amzn-RequestId', randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0'));

  if (req.method === 'GET') return sendText(res, 200, 'healthy: dynamodb.us-east-1.amazonaws.com ');
  const requestType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const jsonType = requestType === 'application/json' || requestType === 'application/x-amz-json-1.0';
  if (req.method !== 'POST' || (body && !jsonType))
    return sendText(res, 404, '<UnknownOperationException/>\n');
  const contentType = requestType === 'application/x-amz-json-1.0' ? requestType : 'application/json';
  const reply = (statusCode: number, payload: unknown) => send(res, statusCode, payload, contentType);

  let data: unknown;
  if (body) {
    try {
      data = JSON.parse(body);
    } catch {
      return reply(400, { __type: 'com.amazon.coral.service#SerializationException' });
    }
  }

  const [api, operation, ...rest] = String(req.headers['x-amz-target'] ?? '').split('.');
  const known = operation !== undefined && (DYNALITE_OPERATIONS.has(operation) || operation in TRANSACTIONS);
  if (rest.length > 0 || !api || !API_VERSIONS.has(api) || !known) {
    return reply(400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
  }

  const signed =
    req.headers.authorization?.trim().startsWith('AWS4-') || /[?&]X-Amz-Algorithm=/.test(req.url ?? '');
  if (!signed) {
    return reply(400, {
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
  }
  if (!body) return reply(400, { __type: 'com.amazon.coral.service#SerializationException' });

  try {
    reply(200, await lock.run(() => execute(store, operation, data)));
  } catch (err) {
    const { statusCode, body: errorBody } = err as ApiError;
    if (statusCode && errorBody) return reply(statusCode, errorBody);
    reply(500, {
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

/** Starts the embedded DynamoDB (dynalite) with TransactWriteItems/TransactGetItems, on 127.0.0.1. */
export async function startLocalDynamo(options: { path?: string; port?: number } = {}): Promise<LocalDynamo> {
  const store = dynaliteDb.create({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const closeStore = () =>
    new Promise<void>((resolve, reject) => store.db.close((err) => (err ? reject(err) : resolve())));
  const lock = new AsyncLock();

  const server = createServer((req, res) => {
    handle(store, lock, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
      console.error('[local-dynamo] request failed', err);
    });
  });

  try {
    // Opening now reports a LevelDB folder still held by another process here rather than on a request
    await store.db.open();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await closeStore().catch(() => undefined);
    throw err;
  }

  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Let the requests already received finish, then drop the kept-alive connections
        await lock.idle();
        server.closeAllConnections();
        await stopped;
        await lock.run(closeStore);
      })();
      return closing;
    },
  };
}
