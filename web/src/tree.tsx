import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type FindingMark, findingLabel } from './findings';
import { href, navigate } from './router';
import type { TreeNode } from './types';
import { KindBadge } from './ui';

interface Visible {
  node: TreeNode;
  level: number;
  parent?: string;
}

function visibleNodes(nodes: TreeNode[], open: Set<string>, level = 1, parent?: string): Visible[] {
  const out: Visible[] = [];
  for (const node of nodes) {
    out.push({ node, level, ...(parent ? { parent } : {}) });
    if (node.children.length > 0 && open.has(node.path))
      out.push(...visibleNodes(node.children, open, level + 1, node.path));
  }
  return out;
}

/** What a tree node carries to be scanned for: an open discrepancy, a bulletin that applies, a conformance finding. */
export interface NodeMarkers {
  discrepancies: number;
  bulletins: string[];
  findings?: FindingMark[];
}

/** The paths of nodes with children above `depth` (1: none open; Infinity: all). */
export function openToDepth(nodes: TreeNode[], depth: number, level = 1): string[] {
  if (level >= depth) return [];
  return nodes.flatMap((node) =>
    node.children.length > 0 ? [node.path, ...openToDepth(node.children, depth, level + 1)] : [],
  );
}

export function countNodes(nodes: TreeNode[]): number {
  return nodes.reduce((sum, node) => sum + 1 + countNodes(node.children), 0);
}

/** A twin this small opens whole; a larger one opens folded to depth 2. */
export const OPEN_WHOLE_UP_TO = 60;

/** Software versions read as they are ("5.2.1"), never with a prefix glued on ("vS11.0"). */
export const softwareText = (version: string) => `software ${version}`;

export interface TreeFilter {
  text: string;
  kind: string;
}

/** Whether a node itself matches: its position, name, part number, serial, kind or software version. */
export function matches(node: TreeNode, filter: TreeFilter): boolean {
  const component = node.component;
  if (filter.kind && component?.kind !== filter.kind) return false;
  const text = filter.text.trim().toLowerCase();
  if (!text) return Boolean(filter.kind);
  return [
    node.path,
    node.name,
    component?.partNumber,
    component?.serialNumber,
    component?.softwareVersion,
    component?.kind,
  ]
    .filter((value): value is string => Boolean(value))
    .some((value) => value.toLowerCase().includes(text));
}

/** The tree kept to the nodes that match and their ancestors (null: no filter). */
export function filterTree(nodes: TreeNode[], filter: TreeFilter): TreeNode[] | null {
  if (!filter.text.trim() && !filter.kind) return null;
  const keep = (list: TreeNode[]): TreeNode[] =>
    list.flatMap((node) => {
      const children = keep(node.children);
      return matches(node, filter) || children.length > 0 ? [{ ...node, children }] : [];
    });
  return keep(nodes);
}

/**
 * The configuration tree, as the WAI-ARIA tree pattern: one tab stop, arrows move (Right opens or
 * goes to the first child, Left closes or goes to the parent), Home/End, Enter/Space toggles;
 * selection follows focus.
 */
export function ConfigTree(props: {
  nodes: TreeNode[];
  selected?: string;
  onSelect: (path: string) => void;
  label: string;
  /** The open nodes (paths with children shown), owned by the toolbar. */
  open: Set<string>;
  onOpen: (open: Set<string>) => void;
  markers?: Map<string, NodeMarkers>;
  /** Nodes the filter matched (shown marked). */
  hits?: Set<string>;
}) {
  const opened = props.open;
  const visible = useMemo(() => visibleNodes(props.nodes, opened), [props.nodes, opened]);
  const current = visible.find((item) => item.node.path === props.selected) ?? visible[0];
  const root = useRef<HTMLUListElement>(null);
  const [moved, setMoved] = useState(0);
  // Keys can come faster than renders: the handler works on these, always up to date.
  const latest = useRef({ opened, path: current?.node.path });
  latest.current = { opened, path: current?.node.path };

  // Focus follows a move of the user's, not a reload of the tree (a recorded change, a saved site).
  useEffect(() => {
    const path = latest.current.path;
    if (moved === 0 || !path) return;
    root.current?.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`)?.focus();
  }, [moved]);

  const toggle = (path: string, open?: boolean) => {
    const next = new Set(latest.current.opened);
    const shut = open === undefined ? next.has(path) : !open;
    if (shut) next.delete(path);
    else next.add(path);
    latest.current = { ...latest.current, opened: next };
    props.onOpen(next);
  };
  const go = (path: string | undefined) => {
    if (!path) return;
    latest.current = { ...latest.current, path };
    props.onSelect(path);
    setMoved((value) => value + 1);
  };

  function onKeyDown(event: KeyboardEvent) {
    const shown = visibleNodes(props.nodes, latest.current.opened);
    const current = shown.find((item) => item.node.path === latest.current.path) ?? shown[0];
    if (!current) return;
    const visible = shown;
    const index = visible.indexOf(current);
    const node = current.node;
    const open = node.children.length > 0 && latest.current.opened.has(node.path);
    switch (event.key) {
      case 'ArrowDown':
        go(visible[index + 1]?.node.path);
        break;
      case 'ArrowUp':
        go(visible[index - 1]?.node.path);
        break;
      case 'Home':
        go(visible[0]?.node.path);
        break;
      case 'End':
        go(visible[visible.length - 1]?.node.path);
        break;
      case 'ArrowRight':
        if (node.children.length === 0) return;
        if (open) go(node.children[0]?.path);
        else toggle(node.path, true);
        break;
      case 'ArrowLeft':
        if (open) toggle(node.path, false);
        else go(current.parent);
        break;
      case 'Enter':
      case ' ':
        if (node.children.length > 0) toggle(node.path);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  const render = (nodes: TreeNode[], level: number) =>
    nodes.map((node, index) => {
      const hasChildren = node.children.length > 0;
      const open = hasChildren && opened.has(node.path);
      const marks = props.markers?.get(node.path);
      const focused = current?.node.path === node.path;
      const component = node.component;
      return (
        // biome-ignore lint/a11y/useKeyWithClickEvents: the tree's keydown handler (on its root) covers every item
        <li
          key={node.path}
          role="treeitem"
          class={props.hits?.has(node.path) ? 'hit' : undefined}
          data-path={node.path}
          aria-level={level}
          aria-setsize={nodes.length}
          aria-posinset={index + 1}
          aria-selected={focused}
          aria-expanded={hasChildren ? open : undefined}
          tabIndex={focused ? 0 : -1}
          onClick={(event) => {
            event.stopPropagation();
            go(node.path);
          }}
        >
          <div class="node">
            <span
              class="twisty"
              aria-hidden="true"
              onClick={(event) => {
                event.stopPropagation();
                if (hasChildren) toggle(node.path);
              }}
            >
              {hasChildren ? (open ? '▾' : '▸') : '·'}
            </span>
            <span class="slug">{node.position}</span>
            {node.name && <span class="muted">{node.name}</span>}
            {component ? (
              <>
                <KindBadge kind={component.kind} />
                <code>{component.partNumber}</code>
                {component.revision && <span class="muted">rev {component.revision}</span>}
                {component.serialNumber && (
                  <a
                    href={href('components', component.partNumber, component.serialNumber)}
                    tabIndex={-1}
                    aria-label={`SN ${component.serialNumber}: follow this component`}
                    onClick={(event) => {
                      event.preventDefault();
                      event.stopPropagation();
                      navigate(href('components', component.partNumber, component.serialNumber!));
                    }}
                  >
                    SN {component.serialNumber}
                  </a>
                )}
                {component.softwareVersion && (
                  <span class="version" title={softwareText(component.softwareVersion)}>
                    {component.softwareVersion}
                  </span>
                )}
                {component.twinId && <span class="badge kind-twin">twin</span>}
              </>
            ) : hasChildren ? (
              <span class="muted group-position">group of {node.children.length}</span>
            ) : (
              <span class="empty-position">empty</span>
            )}
            {marks && marks.discrepancies > 0 && (
              <span class="badge marker-discrepancy" data-marker="discrepancy">
                {marks.discrepancies === 1 ? 'open discrepancy' : `${marks.discrepancies} open discrepancies`}
              </span>
            )}
            {marks && marks.bulletins.length > 0 && (
              <span class="badge marker-bulletin" data-marker="bulletin" title={marks.bulletins.join(', ')}>
                {marks.bulletins.length === 1
                  ? 'bulletin applies'
                  : `${marks.bulletins.length} bulletins apply`}
              </span>
            )}
            {marks?.findings?.map((finding) => (
              <span
                key={`${finding.path}:${finding.rule}:${finding.code}`}
                class={`badge conformance-${finding.level}`}
                data-marker="finding"
                title={finding.message}
              >
                {findingLabel(finding)}
              </span>
            ))}
          </div>
          {hasChildren && open && (
            // biome-ignore lint/a11y/useSemanticElements: a group of the ARIA tree pattern
            <ul role="group">{render(node.children, level + 1)}</ul>
          )}
        </li>
      );
    });

  return (
    // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: the ARIA tree pattern has no native element
    <ul role="tree" aria-label={props.label} ref={root} onKeyDown={onKeyDown}>
      {render(props.nodes, 1)}
    </ul>
  );
}

export function findNode(nodes: TreeNode[], path: string | undefined): TreeNode | undefined {
  for (const node of nodes) {
    if (node.path === path) return node;
    const found = findNode(node.children, path);
    if (found) return found;
  }
  return undefined;
}

export function allPaths(nodes: TreeNode[]): string[] {
  return nodes.flatMap((node) => [node.path, ...allPaths(node.children)]);
}

/** Separates an installed twin's own paths from the position it sits in (never part of a slug). */
export const NESTED = ' › ';

/**
 * Systems of systems: a component that is itself a twin, embedded by the API (`?expand=twins`),
 * brings its own configuration as children of the position it is installed in. Their paths are
 * prefixed with that position, so every node of the combined tree stays unique.
 */
export function withInstalledTwins(nodes: TreeNode[], prefix = ''): TreeNode[] {
  return nodes.map((node) => {
    const path = `${prefix}${node.path}`;
    const installed = node.component?.twin;
    const nested = installed ? withInstalledTwins(installed.configuration, `${path}${NESTED}`) : [];
    return { ...node, path, children: [...withInstalledTwins(node.children, prefix), ...nested] };
  });
}

/** The installed twins of a combined tree, with the tree path each sits at. */
export function installedTwins(nodes: TreeNode[]): { twinId: string; at: string }[] {
  return nodes.flatMap((node) => [
    ...(node.component?.twinId ? [{ twinId: node.component.twinId, at: node.path }] : []),
    ...installedTwins(node.children),
  ]);
}
