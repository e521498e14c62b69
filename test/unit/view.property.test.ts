import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffConfigurations } from '../../shared/domain/diff';
import { projectThroughView } from '../../shared/domain/view';
import type { ViewBody } from '../../shared/schemas/sharing';
import type { Component, Node } from '../../shared/schemas/twin';

// Projection through random views of random trees, checked against a naive model of what a view
// shows. Names are chosen so that a substring search of the JSON answer is meaningful: slugs are
// `q` + three digits (unique per tree; nothing else in an answer has a `q` before a digit), serials
// are unique per component, attribute names are searched quoted.

type Projection = Omit<ViewBody, 'name'>;
type Data = Record<string, unknown>;

const RUNS = { numRuns: 200 };
const KINDS = ['mechanical', 'electrical', 'software'] as const;
const TWIN_ATTRIBUTES = ['tw-a', 'tw-b', 'tw-c', 'tw-d'] as const;
const COMPONENT_ATTRIBUTES = ['co-a', 'co-b', 'co-c', 'co-d'] as const;
const DOCUMENT_KINDS = ['manual', 'job-plan', 'service-bulletin', 'certificate'] as const;
/** Prefixes a view may name that no generated tree holds. */
const FOREIGN_PREFIXES = ['q999', 'q000/q998', 'q001/q997'];
/** A position of another twin (mount entries): never a slug of the tree. */
const MOUNT_POSITION = 'r001/r002';

const slugOf = (index: number) => `q${String(index).padStart(3, '0')}`;
const serialOf = (prefix: string, index: number) => `${prefix}${String(index).padStart(4, '0')}`;

/** Segment-wise prefix test, written apart from the domain's `pathVisible`. */
const modelVisible = (view: Projection, path: string) => {
  if (view.positions === undefined) return true;
  const segments = path.split('/');
  return view.positions.some((prefix) => {
    const wanted = prefix.split('/');
    return wanted.length <= segments.length && wanted.every((segment, i) => segments[i] === segment);
  });
};
const kindShown = (view: Projection, kind: string) =>
  view.kinds === undefined || (view.kinds as string[]).includes(kind);
const filterAttributes = (attributes: Data, allowed: readonly string[] | undefined) =>
  Object.fromEntries(
    Object.entries(attributes).filter(([name]) => allowed === undefined || allowed.includes(name)),
  );
/** The component as the view must show it, or undefined when its kind is hidden. */
const modelComponent = (view: Projection, component: Component): Data | undefined => {
  if (!kindShown(view, component.kind)) return undefined;
  const { attributes, ...fields } = component;
  return attributes === undefined
    ? fields
    : { ...fields, attributes: filterAttributes(attributes, view.componentAttributes) };
};
const hiddenNames = (used: readonly string[], allowed: readonly string[] | undefined) =>
  allowed === undefined ? [] : used.filter((name) => !allowed.includes(name));

// ---------------------------------------------------------------------------------------------
// Generators

const attributeValue = fc.oneof(
  fc.integer({ min: 0, max: 99 }),
  fc.boolean(),
  fc.constantFrom('RED', 'BLUE'),
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }),
);
const attributesOf = (names: readonly string[]) =>
  fc
    .subarray([...names])
    .chain((chosen) =>
      fc.tuple(...chosen.map(() => attributeValue)).map((values) => chosen.map((n, i) => [n, values[i]])),
    )
    .map((entries) => Object.fromEntries(entries) as Data);

/** A component without serial number (given afterwards, unique). */
const componentArb = fc.record(
  {
    kind: fc.constantFrom(...KINDS),
    serialized: fc.boolean(),
    revision: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }),
    softwareVersion: fc.constantFrom('1.0.0', '2.1.0'),
    attributes: fc.option(attributesOf(COMPONENT_ATTRIBUTES), { nil: undefined }),
  },
  { requiredKeys: ['kind', 'serialized', 'softwareVersion'] },
);
type ComponentSpec = typeof componentArb extends fc.Arbitrary<infer T> ? T : never;

const makeComponent = (spec: ComponentSpec, serial: string): Component => ({
  partNumber: `PN-${spec.kind.slice(0, 1).toUpperCase()}`,
  // an unserialized part still carries its unique marker in the part number, for the leak search
  ...(spec.serialized ? { serialNumber: serial } : { partNumber: `PN-${serial}` }),
  kind: spec.kind,
  ...(spec.revision === undefined ? {} : { revision: spec.revision }),
  ...(spec.kind === 'software' ? { softwareVersion: spec.softwareVersion } : {}),
  ...(spec.attributes === undefined ? {} : { attributes: spec.attributes as Component['attributes'] }),
});

const nodeSpecArb = fc.record({
  parent: fc.nat(),
  named: fc.boolean(),
  component: fc.option(componentArb, { nil: null }),
  after: fc.option(componentArb, { nil: null }),
  inBefore: fc.boolean(),
  inAfter: fc.boolean(),
});
type NodeSpec = typeof nodeSpecArb extends fc.Arbitrary<infer T> ? T : never;

interface Tree {
  roots: Node[];
  /** Every node by path, parents before children. */
  nodes: Node[];
  paths: string[];
  /** Every serial marker a node's component carries, by path. */
  markers: Map<string, string>;
}

/** Node `i` hangs below an earlier node (or at the root): random nesting, unique slugs. */
function buildTree(
  specs: readonly NodeSpec[],
  side: 'component' | 'after',
  keep: (spec: NodeSpec) => boolean,
) {
  const nodes: (Node | undefined)[] = [];
  const roots: Node[] = [];
  const markers = new Map<string, string>();
  specs.forEach((spec, index) => {
    const parentIndex = (spec.parent % (index + 1)) - 1;
    const parent = parentIndex < 0 ? undefined : nodes[parentIndex];
    if (!keep(spec) || (parentIndex >= 0 && parent === undefined)) {
      nodes.push(undefined);
      return;
    }
    const slug = slugOf(index);
    const path = parent === undefined ? slug : `${parent.path}/${slug}`;
    const componentSpec = spec[side];
    const marker = serialOf(side === 'component' ? 'SN' : 'SM', index);
    const node: Node = {
      position: slug,
      path,
      ...(spec.named ? { name: `Name ${index}` } : {}),
      component: componentSpec === null ? null : makeComponent(componentSpec, marker),
      children: [],
    };
    if (componentSpec !== null) markers.set(path, marker);
    nodes.push(node);
    (parent === undefined ? roots : parent.children).push(node);
  });
  const present = nodes.filter((node) => node !== undefined);
  return { roots, nodes: present, paths: present.map((node) => node.path), markers } satisfies Tree;
}

const specsArb = fc.array(nodeSpecArb, { minLength: 1, maxLength: 12 });

const compact = <T extends Data>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;

/**
 * A view whose prefixes come from the tree's paths, a few it does not hold, and string prefixes of
 * its paths that are no path prefix (`q00` is not above `q001`).
 */
const viewArb = (paths: readonly string[]): fc.Arbitrary<Projection> =>
  fc
    .record({
      positions: fc.option(
        fc.subarray([...paths, ...FOREIGN_PREFIXES, ...paths.map((path) => path.slice(0, -1))]),
        { nil: undefined },
      ),
      kinds: fc.option(fc.subarray([...KINDS]), { nil: undefined }),
      twinAttributes: fc.option(fc.subarray([...TWIN_ATTRIBUTES, 'tw-x']), { nil: undefined }),
      componentAttributes: fc.option(fc.subarray([...COMPONENT_ATTRIBUTES, 'co-x']), { nil: undefined }),
      history: fc.option(fc.boolean(), { nil: undefined }),
      baselines: fc.option(fc.boolean(), { nil: undefined }),
      documentKinds: fc.option(fc.subarray([...DOCUMENT_KINDS]), { nil: undefined }),
    })
    .map(compact);

const twinOf = (roots: Node[], attributes: Data) => ({
  id: '01JD3Q6Z8V1K9M2N3P4R5S6T7V',
  serialNumber: 'MSN-1',
  product: { partNumber: 'AIRFRAME', name: 'A320' },
  site: 'TLS',
  lifecycle: 'in-service',
  attributes,
  version: 3,
  builtAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  configuration: roots,
});

const scenarioArb = specsArb.chain((specs) => {
  const tree = buildTree(specs, 'component', () => true);
  return fc.record({
    specs: fc.constant(specs),
    tree: fc.constant(tree),
    attributes: attributesOf(TWIN_ATTRIBUTES),
    view: viewArb(tree.paths),
  });
});

// ---------------------------------------------------------------------------------------------
// What must never appear

/** The nearest ancestor (or itself) the view shows, by the model. */
const nearestVisible = (view: Projection, path: string): string | null => {
  const segments = path.split('/');
  for (let length = segments.length; length > 0; length--) {
    const candidate = segments.slice(0, length).join('/');
    if (modelVisible(view, candidate)) return candidate;
  }
  return null;
};

/** Slugs of hidden positions with no visible position below them: nothing may name them. */
const hiddenSlugs = (view: Projection, paths: readonly string[]) =>
  paths
    .filter((path) => !modelVisible(view, path))
    .filter((path) => !paths.some((other) => other.startsWith(`${path}/`) && modelVisible(view, other)))
    .map((path) => path.slice(path.lastIndexOf('/') + 1));

/** Markers (serials) of components the view hides: at hidden positions or of hidden kinds. */
const hiddenMarkers = (view: Projection, nodes: readonly Node[], markers: ReadonlyMap<string, string>) =>
  nodes.flatMap((node) =>
    node.component !== null && (!modelVisible(view, node.path) || !kindShown(view, node.component.kind))
      ? [markers.get(node.path)!]
      : [],
  );

function expectAbsent(json: string, needles: readonly string[], what: string) {
  const found = needles.filter((needle) => json.includes(needle));
  expect(found, `${what} in ${json}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Twin

/** Every projected node with the path of the projected node it hangs under (null at the root). */
function walk(nodes: readonly Node[], parent: string | null = null): { node: Node; parent: string | null }[] {
  return nodes.flatMap((node) => [{ node, parent }, ...walk(node.children, node.path)]);
}

describe('projectThroughView of a twin (property)', () => {
  it('shows exactly the visible positions, once each, under their nearest visible ancestor', () => {
    fc.assert(
      fc.property(scenarioArb, ({ tree, attributes, view }) => {
        // Prepare
        const original = new Map(tree.nodes.map((node) => [node.path, node]));
        // Act
        const projected = projectThroughView(
          { shape: 'twin', body: twinOf(tree.roots, attributes) },
          view,
        ) as {
          configuration: Node[];
        };
        // Assess
        const shown = walk(projected.configuration);
        expect(shown.map(({ node }) => node.path).sort()).toEqual(
          tree.paths.filter((path) => modelVisible(view, path)).sort(),
        );
        for (const { node, parent } of shown) {
          const source = original.get(node.path)!;
          expect(node.position).toBe(source.position);
          expect(node.name).toBe(source.name);
          const ancestor = source.path.includes('/')
            ? nearestVisible(view, source.path.slice(0, source.path.lastIndexOf('/')))
            : null;
          expect(parent, node.path).toBe(ancestor);
        }
      }),
      RUNS,
    );
  });

  it('never shows a hidden kind, attribute or position, and redacts by absence, never by null', () => {
    fc.assert(
      fc.property(scenarioArb, ({ tree, attributes, view }) => {
        // Prepare
        const twin = twinOf(tree.roots, attributes);
        const original = new Map(tree.nodes.map((node) => [node.path, node]));
        // Act
        const projected = projectThroughView({ shape: 'twin', body: twin }, view) as Data & {
          configuration: Node[];
        };
        // Assess
        const { configuration: _tree, attributes: twinAttributes, ...fields } = projected;
        const { configuration: _original, attributes: _attributes, ...originalFields } = twin;
        expect(fields).toEqual(originalFields);
        expect(twinAttributes).toEqual(filterAttributes(attributes, view.twinAttributes));
        for (const { node } of walk(projected.configuration)) {
          expect(modelVisible(view, node.path), node.path).toBe(true);
          const source = original.get(node.path)!.component;
          if (source === null) expect(node).toHaveProperty('component', null);
          else if (!kindShown(view, source.kind)) expect(node).not.toHaveProperty('component');
          else expect(node.component).toEqual(modelComponent(view, source));
        }
        const json = JSON.stringify(projected);
        expectAbsent(json, hiddenSlugs(view, tree.paths), 'hidden position');
        expectAbsent(json, hiddenMarkers(view, tree.nodes, tree.markers), 'hidden component');
        expectAbsent(
          json,
          hiddenNames(TWIN_ATTRIBUTES, view.twinAttributes).map((name) => `"${name}"`),
          'hidden twin attribute',
        );
        expectAbsent(
          json,
          hiddenNames(COMPONENT_ATTRIBUTES, view.componentAttributes).map((name) => `"${name}"`),
          'hidden component attribute',
        );
      }),
      RUNS,
    );
  });

  it('returns a deep-equal twin through the full view', () => {
    fc.assert(
      fc.property(scenarioArb, ({ tree, attributes }) => {
        // Prepare
        const twin = twinOf(tree.roots, attributes);
        const copy = structuredClone(twin);
        // Act
        const projected = projectThroughView({ shape: 'twin', body: twin }, {});
        // Assess
        expect(projected).toEqual(copy);
        expect(twin).toEqual(copy);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// History

const operationArb = (paths: readonly string[]) => {
  const path = fc.constantFrom(...paths);
  return fc.oneof(
    fc.record({ op: fc.constant('install'), position: path, component: componentArb }),
    fc.record({ op: fc.constant('replace'), position: path, component: componentArb }),
    fc.record({ op: fc.constant('remove'), position: path }),
    fc.record({ op: fc.constant('remove-position'), position: path }),
    fc.record({ op: fc.constant('add-position'), position: path, name: fc.constant('Added') }),
    fc.record({ op: fc.constant('move'), from: path, to: path }),
    fc
      .record({
        op: fc.constant('update'),
        position: path,
        softwareVersion: fc.option(fc.constant('3.0.0'), { nil: undefined }),
        attributes: fc.option(attributesOf(COMPONENT_ATTRIBUTES), { nil: undefined }),
      })
      .map(compact),
    fc.record({ op: fc.constant('lifecycle'), to: fc.constantFrom('maintenance', 'in-service') }),
    fc.record({
      op: fc.constant('installed-in'),
      twinId: fc.constant('PARENT'),
      position: fc.constant(MOUNT_POSITION),
    }),
    fc.record({ op: fc.constant('as-built'), positions: fc.nat(9), components: fc.nat(9) }),
  );
};

/** Change sets over the tree's paths; components carry unique markers `OS<entry><op>`. */
const entriesArb = (paths: readonly string[]) =>
  fc
    .array(
      fc.record({
        workOrder: fc.option(fc.constant('WO-1'), { nil: undefined }),
        operations: fc.array(operationArb(paths), { minLength: 1, maxLength: 4 }),
      }),
      { maxLength: 5 },
    )
    .map((entries) =>
      entries.map((entry, e) =>
        compact({
          id: `CS${e}`,
          seq: e + 2,
          reason: 'routine',
          workOrder: entry.workOrder,
          effectiveAt: '2026-02-01T00:00:00.000Z',
          recordedAt: '2026-02-01T00:00:00.000Z',
          actor: { sub: 'user-1', tenant: 'owner' },
          operations: entry.operations.map((operation, o) =>
            'component' in operation
              ? { ...operation, component: makeComponent(operation.component, serialOf('OS', e * 10 + o)) }
              : operation,
          ),
          paths: ['ignored'],
        }),
      ),
    );
type Entry = Data & { operations: Data[] };

/** An operation as the view must show it, or undefined. */
function modelOperation(view: Projection, operation: Data): Data | undefined {
  if (operation.op === 'installed-in') return view.positions === undefined ? operation : undefined;
  if (operation.op === 'lifecycle') return operation;
  // the as-built counts would tell how much a restricted tree hides
  if (operation.op === 'as-built')
    return view.positions === undefined && view.kinds === undefined ? operation : { op: 'as-built' };
  const paths = ['position', 'from', 'to'].flatMap((key) =>
    typeof operation[key] === 'string' ? [operation[key] as string] : [],
  );
  if (!paths.every((path) => modelVisible(view, path))) return undefined;
  const shown: Data = { ...operation };
  if (operation.component !== undefined) {
    const component = modelComponent(view, operation.component as Component);
    if (component === undefined) return undefined;
    shown.component = component;
  }
  if (operation.attributes !== undefined)
    shown.attributes = filterAttributes(operation.attributes as Data, view.componentAttributes);
  return shown;
}

function modelEntries(view: Projection, entries: readonly Entry[]): Data[] {
  if (view.history === false) return [];
  return entries.flatMap(({ operations, paths: _paths, ...fields }) => {
    const shown = operations.flatMap((operation) => modelOperation(view, operation) ?? []);
    return shown.length === 0 ? [] : [{ ...fields, operations: shown }];
  });
}

const operationMarkers = (entries: readonly Entry[]) =>
  entries.flatMap((entry) =>
    entry.operations.flatMap((operation) =>
      operation.component === undefined ? [] : [operation as { position: string; component: Component }],
    ),
  );
/** Markers of installed components the view hides (position or kind), unless shown elsewhere. */
const hiddenOperationMarkers = (view: Projection, entries: readonly Entry[]) =>
  operationMarkers(entries)
    .filter(({ position, component }) => !modelVisible(view, position) || !kindShown(view, component.kind))
    .map(({ component }) => component.serialNumber ?? component.partNumber);

const historyScenarioArb = specsArb.chain((specs) => {
  const tree = buildTree(specs, 'component', () => true);
  return fc.record({ tree: fc.constant(tree), entries: entriesArb(tree.paths), view: viewArb(tree.paths) });
});

describe('projectThroughView of history (property)', () => {
  it('keeps exactly the visible operations, entries with none left out, nothing hidden in the text', () => {
    fc.assert(
      fc.property(historyScenarioArb, ({ tree, entries, view }) => {
        // Act
        const projected = projectThroughView(
          { shape: 'history', body: { items: entries, nextCursor: 'NEXT' } },
          view,
        ) as { items: Entry[]; nextCursor: string } | undefined;
        // Assess
        if (view.history === false) {
          expect(projected).toBeUndefined();
          return;
        }
        expect(projected).toEqual({ items: modelEntries(view, entries as Entry[]), nextCursor: 'NEXT' });
        const json = JSON.stringify(projected);
        expectAbsent(json, hiddenSlugs(view, tree.paths), 'hidden position');
        expectAbsent(json, hiddenOperationMarkers(view, entries as Entry[]), 'hidden component');
        if (view.positions !== undefined) expectAbsent(json, ['r001'], 'mount position of another twin');
        expectAbsent(
          json,
          hiddenNames(COMPONENT_ATTRIBUTES, view.componentAttributes).map((name) => `"${name}"`),
          'hidden component attribute',
        );
      }),
      RUNS,
    );
  });

  it('keeps every entry unchanged through the full view (apart from the internal paths)', () => {
    fc.assert(
      fc.property(historyScenarioArb, ({ entries }) => {
        // Act
        const projected = projectThroughView({ shape: 'history', body: { items: entries } }, {});
        // Assess
        expect(projected).toEqual({ items: entries.map(({ paths: _paths, ...entry }) => entry) });
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Diff

const diffScenarioArb = specsArb.chain((specs) => {
  const before = buildTree(specs, 'component', (spec) => spec.inBefore);
  const after = buildTree(specs, 'after', (spec) => spec.inAfter);
  const paths = [...new Set([...before.paths, ...after.paths])];
  return fc.record({ before: fc.constant(before), after: fc.constant(after), view: viewArb(paths) });
});

type Change = { path: string; from?: Component | null; to?: Component | null };

describe('projectThroughView of a diff (property)', () => {
  it('keeps the visible changes, each side shown by kind, absent (not null) when hidden', () => {
    fc.assert(
      fc.property(diffScenarioArb, ({ before, after, view }) => {
        // Prepare
        const diff = diffConfigurations(before.roots, after.roots);
        const lists = ['added', 'removed', 'replaced', 'versionChanged'] as const;
        // Act
        const projected = projectThroughView(
          { shape: 'diff', body: { from: 'A', to: 'B', ...diff } },
          view,
        ) as
          | (Record<(typeof lists)[number], Change[]> &
              Record<'positionsAdded' | 'positionsRemoved', string[]>)
          | undefined;
        // Assess
        if (view.history === false) {
          expect(projected).toBeUndefined();
          return;
        }
        expect(projected).toBeDefined();
        const side = (component: Component | null) =>
          component === null
            ? { shown: true, value: null }
            : { shown: kindShown(view, component.kind), value: component };
        for (const list of lists) {
          const expected = diff[list].flatMap((change) => {
            if (!modelVisible(view, change.path)) return [];
            const from = side(change.from);
            const to = side(change.to);
            if (!from.shown && !to.shown) return [];
            const project = (value: Component | null) =>
              value === null ? null : modelComponent(view, value);
            return [
              {
                path: change.path,
                ...(from.shown ? { from: project(from.value) } : {}),
                ...(to.shown ? { to: project(to.value) } : {}),
              },
            ];
          });
          expect(projected![list], list).toEqual(expected);
        }
        expect(projected!.positionsAdded).toEqual(
          diff.positionsAdded.filter((path) => modelVisible(view, path)),
        );
        expect(projected!.positionsRemoved).toEqual(
          diff.positionsRemoved.filter((path) => modelVisible(view, path)),
        );
        const paths = [...new Set([...before.paths, ...after.paths])];
        const json = JSON.stringify(projected);
        expectAbsent(json, hiddenSlugs(view, paths), 'hidden position');
        expectAbsent(
          json,
          hiddenNames(COMPONENT_ATTRIBUTES, view.componentAttributes).map((name) => `"${name}"`),
          'hidden component attribute',
        );
      }),
      RUNS,
    );
  });

  it('returns the diff unchanged through the full view', () => {
    fc.assert(
      fc.property(diffScenarioArb, ({ before, after }) => {
        // Prepare
        const body = { from: 'A', to: 'B', ...diffConfigurations(before.roots, after.roots) };
        // Act / Assess
        expect(projectThroughView({ shape: 'diff', body }, {})).toEqual(body);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Thread

const threadScenarioArb = specsArb.chain((specs) => {
  const tree = buildTree(specs, 'component', () => true);
  const path = fc.constantFrom(...tree.paths);
  const documents = fc.array(
    fc.record({
      kind: fc.constantFrom(...DOCUMENT_KINDS),
      via: fc.constantFrom('link', 'effectivity'),
      path: fc.option(path, { nil: undefined }),
    }),
    { maxLength: 6 },
  );
  const inspections = fc.array(
    fc.record({
      findings: fc.option(fc.constant('all good'), { nil: undefined }),
      observed: fc.uniqueArray(path, { maxLength: 3 }),
    }),
    { maxLength: 4 },
  );
  return fc.record({
    tree: fc.constant(tree),
    documents,
    inspections,
    changes: entriesArb(tree.paths),
    view: viewArb(tree.paths),
  });
});

describe('projectThroughView of a thread (property)', () => {
  it('shows documents by kind and position, inspections and changes inside the view only', () => {
    fc.assert(
      fc.property(threadScenarioArb, ({ tree, documents, inspections, changes, view }) => {
        // Prepare
        const body = {
          documents: documents.map(({ kind, via, path }, i) =>
            compact({ document: { id: `DOC${i}`, kind, title: `Document ${i}` }, via, path }),
          ),
          inspections: inspections.map(({ findings, observed }, i) =>
            compact({
              id: `INS${i}`,
              performedAt: '2026-02-02T00:00:00.000Z',
              inspector: 'crew',
              findings,
              observed: observed.map((path) => ({ path })),
              discrepancies: observed.map((path) => ({ path, kind: 'unknown-position' })),
            }),
          ),
          changes,
        };
        // Act
        const projected = projectThroughView({ shape: 'thread', body }, view) as {
          documents: Data[];
          inspections: Data[];
          changes: Data[];
        };
        // Assess
        expect(projected.documents).toEqual(
          body.documents.filter(
            (entry) =>
              (view.documentKinds === undefined ||
                (view.documentKinds as string[]).includes(entry.document.kind)) &&
              (entry.path === undefined || modelVisible(view, entry.path)),
          ),
        );
        const expectedInspections = body.inspections.flatMap(
          ({ findings, observed, discrepancies, ...rest }) => {
            const shown = observed.filter(({ path }) => modelVisible(view, path));
            if (observed.length > 0 && shown.length === 0) return [];
            return [
              {
                ...rest,
                ...(findings !== undefined && shown.length === observed.length ? { findings } : {}),
                observed: shown,
                discrepancies: discrepancies.filter(({ path }) => modelVisible(view, path)),
              },
            ];
          },
        );
        expect(projected.inspections).toEqual(expectedInspections);
        expect(projected.changes).toEqual(modelEntries(view, changes as Entry[]));
        const json = JSON.stringify(projected);
        expectAbsent(json, hiddenSlugs(view, tree.paths), 'hidden position');
        expectAbsent(json, hiddenOperationMarkers(view, changes as Entry[]), 'hidden component');
      }),
      RUNS,
    );
  });
});
