/** Helpers to read a synthesized CloudFormation template in infra tests. */

// Building the stack bundles every function with esbuild; 2-core machines need the room.
export const SYNTH_TIMEOUT = 120_000;

export type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * A resource reference as text: `{"Fn::GetAtt": [id, attribute]}` → `<id.attribute>`, `{Ref: id}` →
 * `<id>`, `{"Fn::Join": ["", [..., "/suffix"]]}` → its parts joined; other shapes as JSON.
 */
export const flatten = (resource: unknown): string => {
  if (typeof resource === 'string') return resource;
  const node = resource as Record<string, unknown>;
  if (node['Fn::GetAtt']) {
    const [id, attribute] = node['Fn::GetAtt'] as [string, string];
    return `<${id}.${attribute}>`;
  }
  if (node.Ref) return `<${String(node.Ref)}>`;
  if (node['Fn::Join']) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  return JSON.stringify(resource);
};
