import { randomFillSync } from 'node:crypto';
import { monotonicFactory, ulid as ulidFrom } from 'ulid';

/**
 * Secure random bytes drawn from a pool filled 4 KB at a time: the ulid package would otherwise find
 * the platform's generator again and ask it for one byte per character (16 calls per id), a visible
 * part of a small request that writes several ids.
 */
const pool = new Uint8Array(4096);
let next = pool.length;
function pooledRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  // a fraction in [0, 1), as the ulid package expects of its generator
  return pool[next++]! / 256;
}

/** A new ULID, at `time` (ms) or now. */
export const ulid = (time?: number): string => ulidFrom(time, pooledRandom);

/** A generator of ULIDs that sort in the order they are made, even within one millisecond. */
export const monotonicUlids = (): ((time?: number) => string) => monotonicFactory(pooledRandom);
