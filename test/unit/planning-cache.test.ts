import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../shared/store/keys';
import { cachedTwin, forgetAllTwins, rememberCommit, rememberWhole } from '../../shared/store/planning-cache';

const tenant = 'cache-test';
const meta = (twinId: string, version: number, positionCount: number) => ({
  ...keys.twinMeta(tenant, twinId),
  version,
  positionCount,
  mountedIn: { twinId: 'PARENT', path: 'bay', since: '2026-01-01T00:00:00Z' },
});
const current = (twinId: string, count: number, version = 1) =>
  Array.from({ length: count }, (_, index) => ({
    ...keys.current(tenant, twinId, `p-${index}`),
    path: `p-${index}`,
    version,
  }));

afterEach(forgetAllTwins);

describe('what a process knows of the twins it read', () => {
  it('keeps META and every current item of one version, never META and items of two', () => {
    // Act
    rememberWhole(tenant, 'A', meta('A', 3, 2), current('A', 2, 3));
    rememberWhole(tenant, 'B', meta('B', 3, 2), current('B', 2, 4));
    rememberWhole(tenant, 'C', meta('C', 3, 3), current('C', 2));
    // Assess: B has an item of a later change, C misses one (a later change removed it)
    const a = cachedTwin(tenant, 'A', 3)!;
    expect(a.get(keys.current(tenant, 'A', 'p-1'))).toMatchObject({ path: 'p-1' });
    expect(a.get(keys.current(tenant, 'A', 'p-9'))).toBeNull();
    expect(a.get(keys.vacated(tenant, 'A', 'p-9'))).toBeUndefined();
    expect(a.meta.mountedIn).toBeUndefined();
    expect(cachedTwin(tenant, 'A', 2)).toBeUndefined();
    expect(cachedTwin(tenant, 'B', 3)).toBeUndefined();
    expect(cachedTwin(tenant, 'C', 3)).toBeUndefined();
  });

  it('moves to the version a commit wrote, with its items, and forgets a commit on another version', () => {
    // Prepare
    rememberWhole(tenant, 'A', meta('A', 3, 2), current('A', 2));
    const put = { ...keys.current(tenant, 'A', 'p-2'), path: 'p-2', version: 4 };
    // Act
    rememberCommit(tenant, 'A', 3, { version: 4, positionCount: 2 }, [
      { Put: { TableName: 't', Item: put } },
      { Delete: { TableName: 't', Key: keys.current(tenant, 'A', 'p-0') } },
    ]);
    rememberCommit(tenant, 'A', 7, { version: 8 }, []);
    // Assess: the commit at 7 was not on the known version 4: nothing is known any more
    expect(cachedTwin(tenant, 'A', 4)).toBeUndefined();
    rememberWhole(tenant, 'A', meta('A', 3, 2), current('A', 2));
    rememberCommit(tenant, 'A', 3, { version: 4, positionCount: 2 }, [
      { Put: { TableName: 't', Item: put } },
      { Delete: { TableName: 't', Key: keys.current(tenant, 'A', 'p-0') } },
    ]);
    const known = cachedTwin(tenant, 'A', 4)!;
    expect(known.meta.positionCount).toBe(2);
    expect(known.get(keys.current(tenant, 'A', 'p-2'))).toBe(put);
    expect(known.get(keys.current(tenant, 'A', 'p-0'))).toBeNull();
  });

  it('lets the least recently used twins go beyond 50,000 items', () => {
    // Act
    rememberWhole(tenant, 'A', meta('A', 1, 20_000), current('A', 20_000));
    rememberWhole(tenant, 'B', meta('B', 1, 20_000), current('B', 20_000));
    expect(cachedTwin(tenant, 'A', 1)).toBeDefined();
    rememberWhole(tenant, 'C', meta('C', 1, 20_000), current('C', 20_000));
    // Assess: A was used after B, so B goes
    expect(cachedTwin(tenant, 'B', 1)).toBeUndefined();
    expect(cachedTwin(tenant, 'A', 1)).toBeDefined();
    expect(cachedTwin(tenant, 'C', 1)).toBeDefined();
  });
});
