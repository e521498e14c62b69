import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTree,
  flattenAsBuilt,
  heldAt,
  type InstallationRecord,
  type Interval,
  installedAt,
  type PlannedPosition,
  type PositionRecord,
  positionsAt,
} from '../../shared/domain/configuration';
import { BadRequest } from '../../shared/domain/errors';
import { MAX_DEPTH, MAX_POSITIONS } from '../../shared/schemas/common';
import { type AsBuiltNode, COMPONENT_KINDS, type Component, type Node } from '../../shared/schemas/twin';
import { thrownBy } from './thrown';

const part = (partNumber: string, serialNumber?: string): Component => ({
  partNumber,
  ...(serialNumber === undefined ? {} : { serialNumber }),
  kind: 'mechanical',
});

/** A chain of `depth` nested positions: `l1/l2/.../l<depth>`. */
const chain = (depth: number): AsBuiltNode[] => {
  let nodes: AsBuiltNode[] = [];
  for (let level = depth; level >= 1; level--) nodes = [{ position: `l${level}`, children: nodes }];
  return nodes;
};

const badRequestOf = (act: () => unknown): BadRequest => {
  const error = thrownBy(act);
  expect(error).toBeInstanceOf(BadRequest);
  return error as BadRequest;
};

describe('flattenAsBuilt', () => {
  it('lists positions depth-first with their full paths, names and recorded order', () => {
    // Prepare
    const nodes: AsBuiltNode[] = [
      {
        position: 'engine-1',
        name: 'Engine 1',
        children: [
          { position: 'fadec', name: 'FADEC', children: [{ position: 'sw' }] },
          { position: 'starter' },
        ],
      },
      { position: 'cabin', name: 'Cabin' },
    ];
    // Act
    const { positions } = flattenAsBuilt(nodes);
    // Assess
    expect(positions).toStrictEqual([
      { path: 'engine-1', name: 'Engine 1', order: 0 },
      { path: 'engine-1/fadec', name: 'FADEC', order: 1 },
      { path: 'engine-1/fadec/sw', order: 2 },
      { path: 'engine-1/starter', order: 3 },
      { path: 'cabin', name: 'Cabin', order: 4 },
    ]);
  });

  it('collects every component with the path it sits in, and a null component leaves the position empty', () => {
    // Prepare
    const engine = part('CFM56', 'ESN-1');
    const software = { partNumber: 'FADEC-SW', kind: 'software', softwareVersion: '5.2.1' } as const;
    const nodes: AsBuiltNode[] = [
      { position: 'engine-1', component: engine, children: [{ position: 'sw', component: software }] },
      { position: 'cabin', component: null },
      { position: 'galley' },
    ];
    // Act
    const { positions, installations } = flattenAsBuilt(nodes);
    // Assess
    expect(positions.map((position) => position.path)).toEqual([
      'engine-1',
      'engine-1/sw',
      'cabin',
      'galley',
    ]);
    expect(installations).toStrictEqual([
      { path: 'engine-1', component: engine },
      { path: 'engine-1/sw', component: software },
    ]);
  });

  it('accepts an empty configuration', () => {
    // Act
    const flat = flattenAsBuilt([]);
    // Assess
    expect(flat).toStrictEqual({ positions: [], installations: [] });
  });

  it('refuses duplicate sibling slugs at the root, naming the second one', () => {
    // Prepare
    const nodes: AsBuiltNode[] = [{ position: 'a' }, { position: 'b' }, { position: 'a' }];
    // Act
    const error = badRequestOf(() => flattenAsBuilt(nodes));
    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ path: 'configuration[2].position', message: 'duplicate position "a"' }]);
    expect(error.detail).toContain('configuration[2].position');
  });

  it('refuses duplicate slugs among nested siblings, with the field path under the given prefix', () => {
    // Prepare
    const nodes: AsBuiltNode[] = [
      { position: 'ok' },
      { position: 'engine', children: [{ position: 'fadec' }, { position: 'fadec' }] },
    ];
    // Act
    const error = badRequestOf(() => flattenAsBuilt(nodes, 'body.configuration'));
    // Assess
    expect(error.errors).toEqual([
      { path: 'body.configuration[1].children[1].position', message: 'duplicate position "fadec"' },
    ]);
  });

  it('accepts the same slug under different parents', () => {
    // Prepare
    const nodes: AsBuiltNode[] = [
      { position: 'engine-1', children: [{ position: 'fadec' }] },
      { position: 'engine-2', children: [{ position: 'fadec' }] },
    ];
    // Act
    const { positions } = flattenAsBuilt(nodes);
    // Assess
    expect(positions.map((position) => position.path)).toEqual([
      'engine-1',
      'engine-1/fadec',
      'engine-2',
      'engine-2/fadec',
    ]);
  });

  it('refuses a serialized component given twice anywhere in the tree, naming the second and the first', () => {
    // Prepare
    const nodes: AsBuiltNode[] = [
      { position: 'engine-1', children: [{ position: 'fadec', component: part('FADEC-3', 'SN-7') }] },
      { position: 'spares', children: [{ position: 'shelf', component: part('FADEC-3', 'SN-7') }] },
    ];
    // Act
    const error = badRequestOf(() => flattenAsBuilt(nodes));
    // Assess
    expect(error.errors).toHaveLength(1);
    expect(error.errors?.[0]?.path).toBe('configuration[1].children[0].component');
    expect(error.errors?.[0]?.message).toContain('FADEC-3');
    expect(error.errors?.[0]?.message).toContain('SN-7');
    expect(error.errors?.[0]?.message).toContain('engine-1/fadec');
  });

  it('lets components without a serial number repeat, and tells serials of different part numbers apart', () => {
    // Prepare
    const nodes: AsBuiltNode[] = [
      { position: 'a', component: part('BOLT') },
      { position: 'b', component: part('BOLT') },
      { position: 'c', component: part('PUMP', 'SN-1') },
      { position: 'd', component: part('VALVE', 'SN-1') },
    ];
    // Act
    const { installations } = flattenAsBuilt(nodes);
    // Assess
    expect(installations.map((installation) => installation.path)).toEqual(['a', 'b', 'c', 'd']);
  });

  it(`accepts a configuration ${MAX_DEPTH} levels deep`, () => {
    // Act
    const { positions } = flattenAsBuilt(chain(MAX_DEPTH));
    // Assess
    expect(positions).toHaveLength(MAX_DEPTH);
    expect(positions.at(-1)?.path.split('/')).toHaveLength(MAX_DEPTH);
  });

  it(`refuses a configuration ${MAX_DEPTH + 1} levels deep, naming the node too deep`, () => {
    // Act
    const error = badRequestOf(() => flattenAsBuilt(chain(MAX_DEPTH + 1)));
    // Assess
    expect(error.errors).toEqual([
      {
        path: `configuration[0]${'.children[0]'.repeat(MAX_DEPTH)}`,
        message: `configuration is deeper than ${MAX_DEPTH} levels`,
      },
    ]);
  });

  it(`accepts ${MAX_POSITIONS} positions`, () => {
    // Prepare
    const nodes = Array.from({ length: MAX_POSITIONS }, (_, index) => ({ position: `p-${index}` }));
    // Act
    const { positions } = flattenAsBuilt(nodes);
    // Assess
    expect(positions).toHaveLength(MAX_POSITIONS);
    expect(positions.at(-1)).toEqual({ path: `p-${MAX_POSITIONS - 1}`, order: MAX_POSITIONS - 1 });
  });

  it(`refuses ${MAX_POSITIONS + 1} positions, also when they are spread over levels`, () => {
    // Prepare: 100 parents of 99 children each, plus one more root
    const nodes: AsBuiltNode[] = Array.from({ length: 100 }, (_, parent) => ({
      position: `p-${parent}`,
      children: Array.from({ length: 99 }, (_, child) => ({ position: `c-${child}` })),
    }));
    nodes.push({ position: 'one-too-many' });
    // Act
    const error = badRequestOf(() => flattenAsBuilt(nodes, 'body.configuration'));
    // Assess
    expect(error.errors).toEqual([
      { path: 'body.configuration', message: `more than ${MAX_POSITIONS} positions` },
    ]);
  });
});

describe('buildTree', () => {
  it('rebuilds the nesting from the paths', () => {
    // Prepare
    const engine = part('CFM56', 'ESN-1');
    const positions: PlannedPosition[] = [
      { path: 'engine-1', name: 'Engine 1', order: 0 },
      { path: 'engine-1/fadec', order: 1 },
      { path: 'cabin', order: 2 },
    ];
    // Act
    const tree = buildTree(positions, new Map([['engine-1', engine]]));
    // Assess
    expect(tree).toStrictEqual<Node[]>([
      {
        position: 'engine-1',
        path: 'engine-1',
        name: 'Engine 1',
        component: engine,
        children: [{ position: 'fadec', path: 'engine-1/fadec', component: null, children: [] }],
      },
      { position: 'cabin', path: 'cabin', component: null, children: [] },
    ]);
  });

  it('keeps siblings in recorded order when the positions come shuffled', () => {
    // Prepare
    const positions: PlannedPosition[] = [
      { path: 'b/y', order: 4 },
      { path: 'c', order: 5 },
      { path: 'b', order: 2 },
      { path: 'a/2', order: 1 },
      { path: 'b/x', order: 3 },
      { path: 'a', order: 0 },
    ];
    // Act
    const tree = buildTree(positions, new Map());
    // Assess
    expect(tree.map((node) => node.path)).toEqual(['a', 'b', 'c']);
    expect(tree[1]?.children.map((node) => node.position)).toEqual(['x', 'y']);
    expect(tree[0]?.children.map((node) => node.path)).toEqual(['a/2']);
  });

  it('orders siblings by `order`, not by name', () => {
    // Prepare
    const positions: PlannedPosition[] = [
      { path: 'z', order: 0 },
      { path: 'a', order: 1 },
      { path: 'm', order: 2 },
    ];
    // Act
    const tree = buildTree(positions, new Map());
    // Assess
    expect(tree.map((node) => node.position)).toEqual(['z', 'a', 'm']);
  });

  it('shows a position whose parent is missing at the root rather than losing it', () => {
    // Prepare
    const positions: PlannedPosition[] = [
      { path: 'engine-1', order: 0 },
      { path: 'removed/fadec', order: 1 },
    ];
    // Act
    const tree = buildTree(positions, new Map([['removed/fadec', part('FADEC-3', 'SN-1')]]));
    // Assess
    expect(tree.map((node) => node.path)).toEqual(['engine-1', 'removed/fadec']);
    expect(tree[1]).toMatchObject({ position: 'fadec', component: { serialNumber: 'SN-1' }, children: [] });
  });

  it('ignores installed components of positions that do not exist', () => {
    // Act
    const tree = buildTree([{ path: 'a', order: 0 }], new Map([['gone', part('X', '1')]]));
    // Assess
    expect(tree).toStrictEqual([{ position: 'a', path: 'a', component: null, children: [] }]);
  });
});

describe('heldAt and positionsAt', () => {
  const interval = (overrides: Partial<Interval>): Interval => ({
    path: 'pump',
    validFrom: '2024-02-01T00:00:00.000Z',
    validTo: null,
    recordedAt: '2024-02-01T00:00:00.000Z',
    seq: 1,
    ...overrides,
  });
  const NOW = '2030-01-01T00:00:00.000Z';

  it('holds from validFrom (inclusive) to validTo (exclusive) once the closing is known', () => {
    // Prepare
    const closed = interval({ validTo: '2024-03-01T00:00:00.000Z', closedAt: '2024-03-01T00:00:00.000Z' });
    // Act, Assess
    expect(heldAt(closed, '2024-01-31T23:59:59.999Z', NOW)).toBe(false);
    expect(heldAt(closed, '2024-02-01T00:00:00.000Z', NOW)).toBe(true);
    expect(heldAt(closed, '2024-02-29T23:59:59.999Z', NOW)).toBe(true);
    expect(heldAt(closed, '2024-03-01T00:00:00.000Z', NOW)).toBe(false);
  });

  it('holds an open interval for ever after', () => {
    // Act, Assess
    expect(heldAt(interval({}), '2099-12-31T00:00:00.000Z', NOW)).toBe(true);
  });

  it('does not hold before it was recorded (knownAt)', () => {
    // Prepare: recorded in June, back-dated to February
    const backDated = interval({ recordedAt: '2024-06-01T00:00:00.000Z' });
    // Act, Assess
    expect(heldAt(backDated, '2024-03-01T00:00:00.000Z', '2024-05-31T23:59:59.999Z')).toBe(false);
    expect(heldAt(backDated, '2024-03-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z')).toBe(true);
  });

  it('still holds, as known before the closing was recorded', () => {
    // Prepare: closed as of March, but recorded only in May
    const closedLate = interval({
      validTo: '2024-03-01T00:00:00.000Z',
      closedAt: '2024-05-01T00:00:00.000Z',
    });
    // Act, Assess
    expect(heldAt(closedLate, '2024-04-01T00:00:00.000Z', '2024-04-15T00:00:00.000Z')).toBe(true);
    expect(heldAt(closedLate, '2024-04-01T00:00:00.000Z', '2024-05-01T00:00:00.000Z')).toBe(false);
  });

  it('keeps the positions that exist at a time, in their order', () => {
    // Prepare
    const positions: PositionRecord[] = [
      { ...interval({ path: 'a' }), order: 0 },
      {
        ...interval({ path: 'b', validTo: '2024-03-01T00:00:00.000Z', closedAt: '2024-03-01T00:00:00.000Z' }),
        order: 1,
      },
      { ...interval({ path: 'c', validFrom: '2024-04-01T00:00:00.000Z' }), order: 2 },
    ];
    // Act
    const march = positionsAt(positions, '2024-03-15T00:00:00.000Z', NOW);
    const april = positionsAt(positions, '2024-04-01T00:00:00.000Z', NOW);
    // Assess
    expect(march.map((position) => position.path)).toEqual(['a']);
    expect(april.map((position) => position.path)).toEqual(['a', 'c']);
  });
});

describe('installedAt', () => {
  const pump = part('PUMP', 'P-1');
  const spare = part('PUMP', 'P-2');
  const record = (overrides: Partial<InstallationRecord>): InstallationRecord => ({
    path: 'pump',
    component: pump,
    validFrom: '2024-01-01T00:00:00.000Z',
    validTo: null,
    recordedAt: '2024-01-01T00:00:00.000Z',
    seq: 1,
    since: '2024-01-01T00:00:00.000Z',
    ...overrides,
  });
  const NOW = '2030-01-01T00:00:00.000Z';

  it('holds an installation from validFrom (inclusive) to validTo (exclusive)', () => {
    // Prepare
    const installations = [
      record({
        validFrom: '2024-02-01T00:00:00.000Z',
        validTo: '2024-03-01T00:00:00.000Z',
        closedAt: '2024-03-01T00:00:00.000Z',
      }),
    ];
    const at = (asOf: string) => installedAt(installations, asOf, NOW).get('pump');
    // Act, Assess
    expect(at('2024-01-31T23:59:59.999Z')).toBeUndefined();
    expect(at('2024-02-01T00:00:00.000Z')).toBe(pump);
    expect(at('2024-02-29T23:59:59.999Z')).toBe(pump);
    expect(at('2024-03-01T00:00:00.000Z')).toBeUndefined();
  });

  it('keeps an open installation (validTo null) for ever after', () => {
    // Act
    const installed = installedAt([record({})], '2099-12-31T00:00:00.000Z', NOW);
    // Assess
    expect(installed.get('pump')).toBe(pump);
  });

  it('shows the replacement from the moment the old one was removed', () => {
    // Prepare
    const installations = [
      record({ validTo: '2024-06-01T00:00:00.000Z', closedAt: '2024-06-01T00:00:00.000Z' }),
      record({
        component: spare,
        validFrom: '2024-06-01T00:00:00.000Z',
        recordedAt: '2024-06-01T00:00:00.000Z',
        since: '2024-06-01T00:00:00.000Z',
        seq: 2,
      }),
    ];
    // Act
    const before = installedAt(installations, '2024-05-31T00:00:00.000Z', NOW);
    const after = installedAt(installations, '2024-06-01T00:00:00.000Z', NOW);
    // Assess
    expect(before.get('pump')).toBe(pump);
    expect(after.get('pump')).toBe(spare);
  });

  it('answers a back-dated replacement differently by record time', () => {
    // Prepare: on 2024-06-01 the pump was replaced, which was recorded only on 2024-07-01
    const installations = [
      record({ validTo: '2024-06-01T00:00:00.000Z', closedAt: '2024-07-01T00:00:00.000Z' }),
      record({
        component: spare,
        validFrom: '2024-06-01T00:00:00.000Z',
        recordedAt: '2024-07-01T00:00:00.000Z',
        since: '2024-06-01T00:00:00.000Z',
        seq: 2,
      }),
    ];
    const asOf = '2024-06-15T00:00:00.000Z';
    // Act
    const knownThen = installedAt(installations, asOf, '2024-06-20T00:00:00.000Z');
    const knownNow = installedAt(installations, asOf, NOW);
    // Assess
    expect(knownThen.get('pump')).toBe(pump);
    expect(knownNow.get('pump')).toBe(spare);
  });

  it('answers each position separately', () => {
    // Prepare
    const installations = [
      record({ path: 'left', validTo: '2024-02-01T00:00:00.000Z', closedAt: '2024-02-01T00:00:00.000Z' }),
      record({ path: 'right', component: spare }),
    ];
    // Act
    const installed = installedAt(installations, '2024-03-01T00:00:00.000Z', NOW);
    // Assess
    expect([...installed.entries()]).toEqual([['right', spare]]);
  });
});

describe('flattening then building', () => {
  // Random as-built trees: unique sibling slugs, at most 3 children a node, a few levels deep.
  const { forest } = fc.letrec<{ node: AsBuiltNode; forest: AsBuiltNode[] }>((tie) => ({
    node: fc.record(
      {
        position: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,5}$/),
        name: fc.string({ minLength: 1, maxLength: 8 }),
        component: fc.option(
          fc.record(
            {
              partNumber: fc.constantFrom('PN-A', 'PN-B', 'PN-C'),
              // Placeholder, made unique below: a serialized component is in one position only.
              serialNumber: fc.constant('SN'),
              kind: fc.constantFrom(...COMPONENT_KINDS),
              softwareVersion: fc.constantFrom('1.0.0', '2.4.1'),
            },
            { requiredKeys: ['partNumber', 'kind'] },
          ),
        ),
        children: tie('forest'),
      },
      { requiredKeys: ['position'] },
    ),
    forest: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'tree' },
      { arbitrary: fc.constant<AsBuiltNode[]>([]), weight: 1 },
      {
        arbitrary: fc.uniqueArray(tie('node'), {
          minLength: 1,
          maxLength: 3,
          selector: (node) => node.position,
          depthIdentifier: 'tree',
        }),
        weight: 3,
      },
    ),
  }));

  const withUniqueSerials = (nodes: AsBuiltNode[]): AsBuiltNode[] => {
    let next = 0;
    const visit = (node: AsBuiltNode): AsBuiltNode => ({
      ...node,
      ...(node.component?.serialNumber === undefined
        ? {}
        : { component: { ...node.component, serialNumber: `SN-${next++}` } }),
      ...(node.children === undefined ? {} : { children: node.children.map(visit) }),
    });
    return nodes.map(visit);
  };
  const trees = forest.map(withUniqueSerials);

  /** The tree the API shows for an as-built record: full paths, `component: null` when empty. */
  const expectedTree = (nodes: AsBuiltNode[], parent: string | null = null): Node[] =>
    nodes.map((node) => {
      const path = parent === null ? node.position : `${parent}/${node.position}`;
      return {
        position: node.position,
        path,
        ...(node.name === undefined ? {} : { name: node.name }),
        component: node.component ?? null,
        children: expectedTree(node.children ?? [], path),
      };
    });

  it('reproduces the as-built tree', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        // Act
        const { positions, installations } = flattenAsBuilt(tree);
        const built = buildTree(
          positions,
          new Map(installations.map((installation) => [installation.path, installation.component])),
        );
        // Assess
        expect(built).toStrictEqual(expectedTree(tree));
      }),
    );
  });

  it('reproduces the as-built tree from positions in any order, through installedAt', () => {
    fc.assert(
      fc.property(trees, fc.infiniteStream(fc.double({ noNaN: true })), (tree, keys) => {
        // Prepare
        const { positions, installations } = flattenAsBuilt(tree);
        const sortKeys = new Map(positions.map((position) => [position, keys.next().value as number]));
        const shuffled = [...positions].sort((a, b) => sortKeys.get(a)! - sortKeys.get(b)!);
        const records: InstallationRecord[] = installations.map((installation) => ({
          ...installation,
          validFrom: '2024-01-01T00:00:00.000Z',
          validTo: null,
          recordedAt: '2024-01-01T00:00:00.000Z',
          seq: 1,
          since: '2024-01-01T00:00:00.000Z',
        }));
        // Act
        const built = buildTree(
          shuffled,
          installedAt(records, '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'),
        );
        // Assess
        expect(built).toStrictEqual(expectedTree(tree));
      }),
    );
  });
});
