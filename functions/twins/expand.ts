import type { TwinHistory } from '../../shared/domain/change-set';
import { assembleTwin, type Twin } from '../../shared/domain/twin';
import type { Node } from '../../shared/schemas/twin';

/** How deep installed twins are embedded (an aircraft, its engines, their modules). */
export const MAX_EXPAND_DEPTH = 3;

/**
 * Systems of systems: embeds, in each component that is itself a twin, that twin as it was at the
 * same times (`component.twin`). Bounded in depth; a twin already on the path is not embedded again.
 */
export async function expandInstalledTwins(
  twin: Twin,
  load: (id: string) => Promise<TwinHistory | null>,
  at: { asOf: string; knownAt: string },
  depth = 1,
  path: ReadonlySet<string> = new Set([twin.id]),
): Promise<void> {
  if (depth > MAX_EXPAND_DEPTH) return;
  const nodes: Node[] = [];
  const walk = (list: Node[]) => {
    for (const node of list) {
      if (node.component?.twinId && !path.has(node.component.twinId)) nodes.push(node);
      walk(node.children);
    }
  };
  walk(twin.configuration);
  await Promise.all(
    nodes.map(async (node) => {
      const history = await load(node.component!.twinId!);
      if (!history) return;
      const nested = assembleTwin(history, at);
      await expandInstalledTwins(nested, load, at, depth + 1, new Set([...path, nested.id]));
      (node.component as Record<string, unknown>).twin = nested;
    }),
  );
}
