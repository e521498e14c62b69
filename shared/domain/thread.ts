import type { Component, Node } from '../schemas/twin';
import type { DocumentRecord } from './document';
import { appliesTo } from './effectivity';
import type { LinkRecord } from './records';

export type { LinkRecord } from './records';

export interface ThreadDocument {
  document: DocumentRecord;
  via: 'link' | 'effectivity';
  path?: string;
  /** The kind of the installed component the document reaches the thread through (component link, effectivity). */
  componentKind?: Component['kind'];
}

/** The positions of a tree (or of the subtree at `position`), each with what it holds. */
export function nodesInScope(
  configuration: readonly Node[],
  position?: string,
): { path: string; component: Component | null }[] {
  const nodes: { path: string; component: Component | null }[] = [];
  const stack = [...configuration];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const inScope = position === undefined || node.path === position || node.path.startsWith(`${position}/`);
    if (inScope) nodes.push({ path: node.path, component: node.component });
    stack.push(...node.children);
  }
  return nodes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Is `path` the position, inside it, or one of its ancestors (a crew there needs all of those)? */
const relevant = (path: string, position?: string) =>
  position === undefined ||
  path === position ||
  path.startsWith(`${position}/`) ||
  position.startsWith(`${path}/`);

export const componentKey = (component: { partNumber: string; serialNumber: string }) =>
  `${component.partNumber}\u0000${component.serialNumber}`;

/**
 * The documents of a unit's thread: linked to the twin, to a relevant position, or to a component
 * installed in scope; and every document whose effectivity applies to a component in scope.
 */
export function threadDocuments(input: {
  nodes: readonly { path: string; component: Component | null }[];
  position?: string;
  links: readonly LinkRecord[];
  componentLinks: ReadonlyMap<string, string[]>;
  documents: ReadonlyMap<string, DocumentRecord>;
  candidates: readonly DocumentRecord[];
  kind?: string;
}): ThreadDocument[] {
  const found: ThreadDocument[] = [];
  const seen = new Set<string>();
  const add = (
    document: DocumentRecord | undefined,
    via: ThreadDocument['via'],
    path?: string,
    componentKind?: Component['kind'],
  ) => {
    if (!document || (input.kind !== undefined && document.kind !== input.kind)) return;
    const key = `${document.id}|${via}|${path ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push({
      document,
      via,
      ...(path === undefined ? {} : { path }),
      ...(componentKind === undefined ? {} : { componentKind }),
    });
  };
  for (const link of input.links) {
    if (link.position === undefined) add(input.documents.get(link.documentId), 'link');
    else if (relevant(link.position, input.position))
      add(input.documents.get(link.documentId), 'link', link.position);
  }
  for (const { path, component } of input.nodes) {
    if (!component) continue;
    if (component.serialNumber !== undefined) {
      const key = componentKey({ partNumber: component.partNumber, serialNumber: component.serialNumber });
      for (const id of input.componentLinks.get(key) ?? [])
        add(input.documents.get(id), 'link', path, component.kind);
    }
    for (const candidate of input.candidates) {
      if (candidate.effectivity && appliesTo(candidate.effectivity, component))
        add(candidate, 'effectivity', path, component.kind);
    }
  }
  return found;
}
