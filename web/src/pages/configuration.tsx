import { useMemo, useState } from 'preact/hooks';
import {
  ConfigTree,
  countNodes,
  filterTree,
  matches,
  OPEN_WHOLE_UP_TO,
  openToDepth,
  type TreeFilter,
} from '../tree';
import type { TwinContext } from '../twin-context';
import type { TreeNode } from '../types';
import { PANE_SECTIONS } from '../workspace';

const DEPTHS = [1, 2, 3, 4] as const;

function hitsOf(nodes: TreeNode[], filter: TreeFilter, out = new Set<string>()): Set<string> {
  for (const node of nodes) {
    if (matches(node, filter)) out.add(node.path);
    hitsOf(node.children, filter, out);
  }
  return out;
}

/**
 * The Configuration tab: the tree (fold to a depth, collapse all, filter by serial, part number,
 * position, kind) beside the details pane of the selected position, which stays in view.
 */
export function ConfigurationTab(props: { context: TwinContext }) {
  const { context } = props;
  const nodes = context.configuration;
  const total = useMemo(() => countNodes(nodes), [nodes]);
  const [open, setOpen] = useState<Set<string>>(
    () => new Set(openToDepth(nodes, total <= OPEN_WHOLE_UP_TO ? Number.POSITIVE_INFINITY : 2)),
  );
  const [filter, setFilter] = useState<TreeFilter>({ text: '', kind: '' });
  const filtered = useMemo(() => filterTree(nodes, filter), [nodes, filter]);
  const hits = useMemo(() => (filtered ? hitsOf(filtered, filter) : undefined), [filtered, filter]);
  // A filtered tree shows every match: all of it is open.
  const filteredOpen = useMemo(
    () => (filtered ? new Set(openToDepth(filtered, Number.POSITIVE_INFINITY)) : undefined),
    [filtered],
  );
  const [depth, setDepth] = useState('');

  return (
    <div class="workspace">
      <div class="tree-column">
        <search class="tree-tools no-print" aria-label="Find in the tree">
          <label>
            Filter positions
            <input
              type="search"
              value={filter.text}
              placeholder="serial, part number, position"
              onInput={(event) => setFilter({ ...filter, text: event.currentTarget.value })}
            />
          </label>
          <label>
            Kind
            <select
              value={filter.kind}
              onChange={(event) => setFilter({ ...filter, kind: event.currentTarget.value })}
            >
              <option value="">any</option>
              <option>mechanical</option>
              <option>electrical</option>
              <option>software</option>
            </select>
          </label>
          <label>
            Expand to depth
            <select
              value={depth}
              disabled={Boolean(filtered)}
              onChange={(event) => {
                const value = event.currentTarget.value;
                setDepth(value);
                if (value)
                  setOpen(
                    new Set(openToDepth(nodes, value === 'all' ? Number.POSITIVE_INFINITY : Number(value))),
                  );
              }}
            >
              <option value="">choose…</option>
              {DEPTHS.map((level) => (
                <option key={level} value={String(level)}>
                  {level}
                </option>
              ))}
              <option value="all">all</option>
            </select>
          </label>
          <button
            type="button"
            disabled={Boolean(filtered)}
            onClick={() => {
              setDepth('');
              setOpen(new Set());
            }}
          >
            Collapse all
          </button>
          <p class="muted" role="status" data-testid="tree-status">
            {filtered ? `${hits?.size ?? 0} of ${total} positions match` : `${total} positions`}
          </p>
        </search>
        {nodes.length === 0 ? (
          <p>No positions visible.</p>
        ) : filtered && filtered.length === 0 ? (
          <p>No position matches the filter.</p>
        ) : (
          <ConfigTree
            nodes={filtered ?? nodes}
            selected={context.node?.path}
            onSelect={context.select}
            label={`Configuration of ${context.twin.serialNumber}`}
            open={filteredOpen ?? open}
            onOpen={(next) => (filtered ? undefined : setOpen(next))}
            markers={context.markers}
            {...(hits ? { hits } : {})}
          />
        )}
      </div>
      <DetailsPane context={context} />
    </div>
  );
}

/** The details and actions of the selected position: sticky beside the tree, so it is where the user is. */
function DetailsPane(props: { context: TwinContext }) {
  const { context } = props;
  const node = context.node;
  return (
    <aside class="panel details-pane" aria-labelledby="position-heading" data-testid="details-pane">
      <h2 id="position-heading">Position {node?.path ?? ''}</h2>
      {node ? (
        PANE_SECTIONS.map((section) => <div key={section.id}>{section.render({ ...context, node })}</div>)
      ) : (
        <p>Select a position in the tree.</p>
      )}
    </aside>
  );
}
