import type { PutTypeBody } from '../shared/schemas/types';

/** What a type version defines: what `PUT /v1/types/{name}` takes (not who defined it, or when). */
export function definitionOf(version: {
  kind: PutTypeBody['kind'];
  description?: string;
  attributes: PutTypeBody['attributes'];
  additionalAttributes?: boolean;
}): PutTypeBody {
  return {
    kind: version.kind,
    ...(version.description === undefined ? {} : { description: version.description }),
    attributes: version.attributes,
    additionalAttributes: version.additionalAttributes ?? false,
  };
}

/** JSON with the keys of every object sorted: two definitions are the same when these are equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sameDefinition = (a: PutTypeBody, b: PutTypeBody) =>
  canonicalJson(definitionOf(a)) === canonicalJson(definitionOf(b));

/**
 * What restoring a type needs, given the versions the export holds and those the tenant holds (both
 * oldest first): the versions still to define (none when all are there: a rerun is a no-op), or
 * `differs` when the tenant's versions are not the export's first ones (the tenant's type is kept).
 */
export function planTypeRestore(
  exported: readonly PutTypeBody[],
  present: readonly PutTypeBody[],
): { missing: PutTypeBody[]; already: number } | 'differs' {
  if (present.length > exported.length) return 'differs';
  for (const [index, version] of present.entries())
    if (!sameDefinition(version, exported[index]!)) return 'differs';
  return { missing: exported.slice(present.length).map(definitionOf), already: present.length };
}
