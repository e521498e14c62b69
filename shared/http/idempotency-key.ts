import { invalidField } from '../domain/errors';
import type { OperationRequest } from './handler';

const KEY_HEADER = 'idempotency-key';
/** Printable ASCII, as the Idempotency-Key draft's examples (UUIDs, ULIDs, hashes) are. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The client's Idempotency-Key (400 without when required: the IETF draft's answer). */
export function idempotencyKey(
  request: Pick<OperationRequest, 'headers'>,
  required: boolean,
): string | undefined {
  const key = request.headers[KEY_HEADER];
  if (key === undefined || key === '') {
    if (required) throw invalidField(`headers.${KEY_HEADER}`, 'is required for this request');
    return undefined;
  }
  if (!KEY_PATTERN.test(key))
    throw invalidField(`headers.${KEY_HEADER}`, 'must be 1 to 255 printable ASCII characters');
  return key;
}
