import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../shared/domain/errors';
import { decodeCursor, encodeCursor, withCursorBinding } from '../../shared/store/cursor';
import { thrownBy } from './thrown';

const SCOPE = JSON.stringify(['list', 'T#acme#TWINS', {}]);
const base64url = (text: string) => Buffer.from(text).toString('base64url');

const refusal = (cursor: string, field?: string) => {
  const error = thrownBy(() => decodeCursor(SCOPE, cursor, field));
  expect(error).toBeInstanceOf(BadRequest);
  return error as BadRequest;
};

describe('cursors', () => {
  it('give back the key they were made of, as strings, in an opaque URL-safe form', () => {
    // Prepare
    const key = { PK: 'T#acme#TWIN#01J', SK: 'META', GSI1SK: 'SN#MSN-1001', n: 7 };
    // Act
    const cursor = encodeCursor(SCOPE, key);
    const decoded = decodeCursor(SCOPE, cursor);
    // Assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('acme');
    expect(decoded).toStrictEqual({ PK: 'T#acme#TWIN#01J', SK: 'META', GSI1SK: 'SN#MSN-1001', n: '7' });
  });

  it('spell out nothing they hold: neither keys, tenant, paths nor scope', () => {
    // Prepare
    const key = { PK: 'TENANT#acme#TWIN#01J', SK: 'POS#engine-1/fadec', rev: 'R#C' };
    // Act
    const cursor = withCursorBinding({ tenant: 'acme', query: 'GET /v1/twins' }, () =>
      encodeCursor(SCOPE, key),
    );
    // Assess
    // (as JSON names and values: two random bytes of ciphertext spell "PK" once in 65,536)
    const bytes = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const plain of ['TENANT', 'acme', '"PK"', 'engine-1', 'POS#', '"list"', '"R#C"'])
      expect(bytes).not.toContain(plain);
    expect(encodeCursor(SCOPE, key)).not.toBe(encodeCursor(SCOPE, key));
  });

  it('are refused when made for another tenant or another route, even for the same scope', () => {
    // Prepare
    const acme = { tenant: 'acme', query: 'GET /v1/twins' };
    const cursor = withCursorBinding(acme, () => encodeCursor(SCOPE, { PK: 'x', SK: 'y' }));
    // Act, Assess
    expect(withCursorBinding(acme, () => decodeCursor(SCOPE, cursor))).toStrictEqual({ PK: 'x', SK: 'y' });
    for (const other of [
      { tenant: 'globex', query: 'GET /v1/twins' },
      { tenant: 'acme', query: 'GET /v1/shared/twins' },
    ]) {
      const error = thrownBy(() => withCursorBinding(other, () => decodeCursor(SCOPE, cursor)));
      expect(error).toBeInstanceOf(BadRequest);
    }
    expect(thrownBy(() => decodeCursor(SCOPE, cursor))).toBeInstanceOf(BadRequest);
  });

  it('are refused when any single bit is flipped', () => {
    // Prepare
    const cursor = encodeCursor(SCOPE, { PK: 'TENANT#acme#TWIN#01J', SK: 'META' });
    const bytes = Buffer.from(cursor, 'base64url');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
        const edited = Buffer.from(bytes);
        edited[bit >> 3]! ^= 1 << (bit & 7);
        // Act, Assess
        expect(refusal(edited.toString('base64url')).status).toBe(400);
      }),
      { numRuns: 200 },
    );
  });

  it('are refused when an edited character decodes to the same bytes', () => {
    // Prepare: the last base64url character carries bits that decoding drops
    const cursor = encodeCursor(SCOPE, { PK: 'x' });
    const variants = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      .split('')
      .map((last) => cursor.slice(0, -1) + last)
      .filter((candidate) => candidate !== cursor);
    // Act, Assess
    for (const variant of variants) expect(refusal(variant).status).toBe(400);
    expect(refusal(`${cursor}=`).status).toBe(400);
  });

  it('round-trip any scope and string key', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/), fc.string(), {
          noNullPrototype: true,
        }),
        (scope, key) => {
          // Act
          const decoded = decodeCursor(scope, encodeCursor(scope, key));
          // Assess
          expect(decoded).toStrictEqual(key);
        },
      ),
    );
  });

  it('are optional: no cursor is the first page', () => {
    // Act, Assess
    expect(decodeCursor(SCOPE, undefined)).toBeUndefined();
  });

  it('are refused for another scope (another query, filter or tenant), naming query.cursor', () => {
    // Prepare
    const cursor = encodeCursor(JSON.stringify(['list', 'T#other#TWINS', {}]), { PK: 'x', SK: 'y' });
    // Act
    const error = refusal(cursor);
    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ path: 'query.cursor', message: 'is not a cursor this API issued' }]);
  });

  it.each([
    ['garbage', '!!!not a cursor!!!'],
    ['valid base64 of text that is not JSON', base64url('hello, world')],
    ['an empty string', ''],
    ['JSON null', base64url('null')],
    ['a JSON array', base64url(JSON.stringify([SCOPE, { PK: 'x' }]))],
    ['a JSON string', base64url(JSON.stringify(SCOPE))],
    ['JSON without the key', base64url(JSON.stringify({ s: SCOPE }))],
    ['JSON without the scope', base64url(JSON.stringify({ k: { PK: 'x' } }))],
    ['JSON with a field more', base64url(JSON.stringify({ s: SCOPE, k: { PK: 'x' }, admin: true }))],
    ['JSON with a key that is not all strings', base64url(JSON.stringify({ s: SCOPE, k: { PK: 5 } }))],
    ['JSON with a scope that is not a string', base64url(JSON.stringify({ s: 1, k: {} }))],
    [
      "the unsealed JSON of another tenant's scope",
      base64url(JSON.stringify({ s: SCOPE, k: { PK: 'TENANT#other#TWIN#1', SK: 'META' } })),
    ],
  ])('are refused when they are %s, naming query.cursor', (_, cursor) => {
    // Act
    const error = refusal(cursor);
    // Assess
    expect(error.status).toBe(400);
    expect(error.errors?.map((field) => field.path)).toEqual(['query.cursor']);
  });

  it('name the field they came from', () => {
    // Act
    const error = refusal('garbage', 'query.after');
    // Assess
    expect(error.errors?.[0]?.path).toBe('query.after');
  });
});
