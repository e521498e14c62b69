import * as z from 'zod';
import { invalidField } from '../domain/errors';

const Key = z.record(z.string(), z.string());
const CursorPayload = z.strictObject({ s: z.string(), k: Key });

/**
 * Opaque page cursors: DynamoDB's LastEvaluatedKey, bound to the query it came from by `scope`
 * (which names the tenant's partition and the filters). A cursor from another query, another
 * tenant or no query at all is refused (400), so it can never steer a read elsewhere.
 */
export function encodeCursor(scope: string, key: Record<string, unknown>): string {
  const stringKey: Record<string, string> = {};
  for (const [name, value] of Object.entries(key)) stringKey[name] = String(value);
  return Buffer.from(JSON.stringify({ s: scope, k: stringKey })).toString('base64url');
}

export function decodeCursor(
  scope: string,
  cursor: string | undefined,
  field = 'query.cursor',
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidField(field, 'is not a cursor this API issued');
  }
  const parsed = CursorPayload.safeParse(payload);
  if (!parsed.success || parsed.data.s !== scope)
    throw invalidField(field, 'is not a cursor this API issued');
  return parsed.data.k;
}
