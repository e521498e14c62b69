import { MAX_DEPTH, MAX_POSITIONS } from '../schemas/common';
import type { AsBuiltNode, Component, Node } from '../schemas/twin';
import { BadRequest, type FieldError } from './errors';

/**
 * A bitemporal interval, append-only: opened at valid time `validFrom`, recorded at `recordedAt`;
 * closed (once, never moved) at valid time `validTo`, recorded at `closedAt`. `seq` is the twin
 * version whose change opened it (1 for the as-built record).
 */
export interface Interval {
  path: string;
  validFrom: string;
  validTo: string | null;
  recordedAt: string;
  closedAt?: string;
  seq: number;
}

/** A position of a twin's configuration tree over an interval. `order` keeps siblings in recorded order. */
export interface PositionRecord extends Interval {
  name?: string;
  order: number;
}

/**
 * Component X sits in position `path` over an interval. `since` is when this component's stay in
 * this position began: an update of its software splits the interval, not the stay.
 */
export interface InstallationRecord extends Interval {
  component: Component;
  since: string;
}

/** A position as an as-built record or a change names it, before it has an interval. */
export interface PlannedPosition {
  path: string;
  name?: string;
  order: number;
}

export interface FlatConfiguration {
  positions: PlannedPosition[];
  installations: { path: string; component: Component }[];
}

/** Does the interval hold at valid time `asOf`, as the system knew it at record time `knownAt`? */
export function heldAt(interval: Omit<Interval, 'path'>, asOf: string, knownAt: string): boolean {
  if (interval.recordedAt > knownAt || interval.validFrom > asOf) return false;
  const closedThen =
    interval.validTo !== null && interval.closedAt !== undefined && interval.closedAt <= knownAt;
  return !(closedThen && interval.validTo! <= asOf);
}

/** The positions that exist at `asOf`, as known at `knownAt`. */
export const positionsAt = (positions: readonly PositionRecord[], asOf: string, knownAt: string) =>
  positions.filter((position) => heldAt(position, asOf, knownAt));

/** Identity of a serialized component within a tenant. */
export const componentIdentity = (
  component: Pick<Component, 'partNumber' | 'serialNumber'>,
): string | null =>
  component.serialNumber === undefined ? null : `${component.partNumber}\u0000${component.serialNumber}`;

export const parentPath = (path: string): string | null => {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? null : path.slice(0, cut);
};

export const slugOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * Flattens an as-built record into positions and installations, in depth-first order, and checks
 * what a schema cannot: depth, total size, duplicate siblings, a serialized component given twice.
 * Field paths in errors are relative to `fieldPrefix` (e.g. `body.configuration`).
 */
export function flattenAsBuilt(nodes: AsBuiltNode[], fieldPrefix = 'configuration'): FlatConfiguration {
  const positions: PlannedPosition[] = [];
  const installations: FlatConfiguration['installations'] = [];
  const errors: FieldError[] = [];
  const seenComponents = new Map<string, string>();
  // Explicit stack rather than recursion: the input is untrusted.
  const stack: { node: AsBuiltNode; parent: string | null; field: string; depth: number }[] = [];
  const pushSiblings = (siblings: AsBuiltNode[], parent: string | null, field: string, depth: number) => {
    const seen = new Set<string>();
    siblings.forEach((node, index) => {
      if (seen.has(node.position)) {
        errors.push({
          path: `${field}[${index}].position`,
          message: `duplicate position "${node.position}"`,
        });
      }
      seen.add(node.position);
    });
    for (let index = siblings.length - 1; index >= 0; index--) {
      stack.push({ node: siblings[index]!, parent, field: `${field}[${index}]`, depth });
    }
  };
  pushSiblings(nodes, null, fieldPrefix, 1);
  while (stack.length > 0 && errors.length < 100) {
    const { node, parent, field, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) {
      errors.push({ path: field, message: `configuration is deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    const path = parent === null ? node.position : `${parent}/${node.position}`;
    positions.push({
      path,
      ...(node.name === undefined ? {} : { name: node.name }),
      order: positions.length,
    });
    if (positions.length > MAX_POSITIONS) {
      errors.push({ path: fieldPrefix, message: `more than ${MAX_POSITIONS} positions` });
      break;
    }
    if (node.component) {
      const identity = componentIdentity(node.component);
      if (identity !== null) {
        const first = seenComponents.get(identity);
        if (first !== undefined) {
          errors.push({
            path: `${field}.component`,
            message: `component ${node.component.partNumber} serial ${node.component.serialNumber} is already at ${first}`,
          });
        }
        seenComponents.set(identity, path);
      }
      const { twinId } = node.component;
      if (twinId !== undefined) {
        const first = seenComponents.get(`twin\u0000${twinId}`);
        if (first !== undefined) {
          errors.push({
            path: `${field}.component.twinId`,
            message: `twin ${twinId} is already at ${first}`,
          });
        }
        seenComponents.set(`twin\u0000${twinId}`, path);
      }
      installations.push({ path, component: node.component });
    }
    if (node.children && node.children.length > 0)
      pushSiblings(node.children, path, `${field}.children`, depth + 1);
  }
  if (errors.length > 0) {
    throw new BadRequest(`The as-built record is invalid: ${errors[0]!.path}: ${errors[0]!.message}`, errors);
  }
  return { positions, installations };
}

/** Builds the configuration tree from positions and the component each one holds. */
export function buildTree(
  positions: readonly PlannedPosition[],
  installed: ReadonlyMap<string, Component>,
): Node[] {
  const ordered = [...positions].sort((a, b) => a.order - b.order);
  const nodes = new Map<string, Node>();
  const roots: Node[] = [];
  for (const position of ordered) {
    const node: Node = {
      position: slugOf(position.path),
      path: position.path,
      ...(position.name === undefined ? {} : { name: position.name }),
      component: installed.get(position.path) ?? null,
      children: [],
    };
    nodes.set(position.path, node);
  }
  for (const position of ordered) {
    const node = nodes.get(position.path)!;
    const parent = parentPath(position.path);
    const parentNode = parent === null ? undefined : nodes.get(parent);
    // A position whose parent is gone is shown at the root rather than lost.
    (parentNode ? parentNode.children : roots).push(node);
  }
  return roots;
}

/** Which component each position holds at valid time `asOf`, as recorded up to `knownAt`. */
export function installedAt(
  installations: readonly InstallationRecord[],
  asOf: string,
  knownAt: string,
): Map<string, Component> {
  const installed = new Map<string, Component>();
  for (const record of installations) {
    if (heldAt(record, asOf, knownAt)) installed.set(record.path, record.component);
  }
  return installed;
}
