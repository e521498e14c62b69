import type { Component, Node } from '../schemas/twin';

export interface ComponentChange {
  path: string;
  from: Component | null;
  to: Component | null;
}

/** The differences between two configuration trees, position by position, each list sorted by path. */
export interface ConfigurationDiff {
  /** A component where there was none (or no position). */
  added: ComponentChange[];
  /** No component (or no position) where there was one. */
  removed: ComponentChange[];
  /** Another part or serial number in the position. */
  replaced: ComponentChange[];
  /** The same part and serial number with another software version or revision. */
  versionChanged: ComponentChange[];
  positionsAdded: string[];
  positionsRemoved: string[];
}

/** Every position of a tree by path, with the component it holds. Iterative: trees run 32 levels deep. */
function byPath(nodes: readonly Node[]): Map<string, Component | null> {
  const flat = new Map<string, Component | null>();
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop()!;
    flat.set(node.path, node.component);
    stack.push(...node.children);
  }
  return flat;
}

// Code-unit order, not locale order: the same answer on every runtime.
const byPathOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What changed from configuration `a` to configuration `b`. Pure. */
export function diffConfigurations(a: readonly Node[], b: readonly Node[]): ConfigurationDiff {
  const before = byPath(a);
  const after = byPath(b);
  const diff: ConfigurationDiff = {
    added: [],
    removed: [],
    replaced: [],
    versionChanged: [],
    positionsAdded: [],
    positionsRemoved: [],
  };
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort(byPathOrder);
  for (const path of paths) {
    if (!before.has(path)) diff.positionsAdded.push(path);
    if (!after.has(path)) diff.positionsRemoved.push(path);
    const from = before.get(path) ?? null;
    const to = after.get(path) ?? null;
    if (from === null && to === null) continue;
    if (from === null) diff.added.push({ path, from, to });
    else if (to === null) diff.removed.push({ path, from, to });
    else if (from.partNumber !== to.partNumber || from.serialNumber !== to.serialNumber)
      diff.replaced.push({ path, from, to });
    else if (from.softwareVersion !== to.softwareVersion || from.revision !== to.revision)
      diff.versionChanged.push({ path, from, to });
  }
  return diff;
}
