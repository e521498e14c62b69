import { isDeepStrictEqual } from 'node:util';

/** Two definitions are the same when their JSON is (key order and absent fields aside). */
export const sameDefinition = (a: unknown, b: unknown) =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));

/**
 * What restoring a versioned record (a part master, a configuration model) needs, given its exported
 * versions and those the tenant holds (both oldest first), compared by `definitionOf`: the versions
 * still to write (none on a rerun), or `differs` when the tenant's versions are not the export's
 * first ones (the tenant keeps its own).
 */
export function planVersionRestore<T>(
  exported: readonly T[],
  held: readonly T[],
  definitionOf: (version: T) => unknown,
): { missing: T[]; already: number } | 'differs' {
  if (held.length > exported.length) return 'differs';
  for (const [index, version] of held.entries())
    if (!sameDefinition(definitionOf(version), definitionOf(exported[index]!))) return 'differs';
  return { missing: exported.slice(held.length), already: held.length };
}
