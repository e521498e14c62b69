import { AsyncLocalStorage } from 'node:async_hooks';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { config } from '../config';
import { AppError, invalidField } from '../domain/errors';

const Key = z.record(z.string(), z.string());

/** AES-256-GCM: a 12-byte nonce, then the ciphertext, then the 16-byte tag. */
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Who pages and through which route: set by the HTTP handler around each operation (and by a
 * tenant export stage around its own listings). Every cursor is sealed with it, so a cursor only
 * ever continues the same tenant's same query.
 */
export interface CursorBinding {
  tenant: string;
  /** The route (`GET /v1/twins`) or the job that pages. */
  query: string;
}

const bindings = new AsyncLocalStorage<CursorBinding>();

/** Runs `work` with cursors bound to `binding`. */
export const withCursorBinding = <T>(binding: CursorBinding, work: () => T): T => bindings.run(binding, work);

let secretKey: Promise<Buffer> | undefined;
let loadedKey: Buffer | undefined;

/**
 * Loads the cursor key once per process (a Lambda cold start): from `CURSOR_KEY` (a secret of at
 * least 32 characters, made at `npm start` and in the test setup), or deployed from the Secrets
 * Manager secret `CURSOR_KEY_SECRET_ARN` names (the stack generates it).
 */
export async function loadCursorKey(): Promise<void> {
  if (config.cursorKey() !== undefined) return;
  const arn = config.cursorKeySecretArn();
  if (arn === undefined) return;
  secretKey ??= readSecretKey(arn);
  try {
    loadedKey = await secretKey;
  } catch (error) {
    secretKey = undefined;
    throw error;
  }
}

async function readSecretKey(arn: string): Promise<Buffer> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const answer = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  return keyOf(answer.SecretString);
}

const derivedKeys = new Map<string, Buffer>();

/** The 256-bit key derived (HKDF-SHA-256) from the configured secret, at least 32 characters. */
function keyOf(secret: string | undefined): Buffer {
  if (secret === undefined || secret.length < 32)
    throw new AppError(500, 'Internal error', 'The cursor key secret is shorter than 32 characters');
  let key = derivedKeys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, '', 'twinthread page cursors', 32));
    derivedKeys.set(secret, key);
  }
  return key;
}

function cursorKey(): Buffer {
  const local = config.cursorKey();
  if (local !== undefined) return keyOf(local);
  if (loadedKey) return loadedKey;
  throw new AppError(500, 'Internal error', 'No cursor key: set CURSOR_KEY or CURSOR_KEY_SECRET_ARN');
}

/** What a cursor is sealed with besides the key: the caller's tenant, the route and the query's scope. */
const additionalData = (scope: string) => {
  const binding = bindings.getStore();
  return Buffer.from(JSON.stringify([binding?.tenant ?? null, binding?.query ?? null, scope]));
};

/**
 * Opaque page cursors: DynamoDB's LastEvaluatedKey (or a list position), encrypted and
 * authenticated with AES-256-GCM and bound to the caller's tenant, the route and the query's
 * `scope` (its partition and filters). A cursor of another tenant, another query or route, or one
 * edited by a single bit, is refused (400 naming the field): it can never steer a read elsewhere,
 * and it tells nothing of the keys, paths or revisions it holds.
 */
export function encodeCursor(scope: string, key: Record<string, unknown>): string {
  const stringKey: Record<string, string> = {};
  for (const [name, value] of Object.entries(key)) stringKey[name] = String(value);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, cursorKey(), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(scope));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(stringKey), 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}

export function decodeCursor(
  scope: string,
  cursor: string | undefined,
  field = 'query.cursor',
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const notIssued = invalidField(field, 'is not a cursor this API issued');
  const bytes = Buffer.from(cursor, 'base64url');
  // base64url decoding skips what is not of its alphabet: an edited character must not slip through
  if (bytes.length < NONCE_BYTES + TAG_BYTES || bytes.toString('base64url') !== cursor) throw notIssued;
  const key = cursorKey();
  let payload: unknown;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(additionalData(scope));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    payload = JSON.parse(plain.toString('utf8'));
  } catch {
    throw notIssued;
  }
  const parsed = Key.safeParse(payload);
  if (!parsed.success) throw notIssued;
  return parsed.data;
}
