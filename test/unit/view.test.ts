import { describe, expect, it } from 'vitest';
import { diffConfigurations } from '../../shared/domain/diff';
import {
  FULL_VIEW,
  pathVisible,
  projectNodes,
  projectThroughView,
  unionOfViews,
} from '../../shared/domain/view';
import type { TwinDataShape } from '../../shared/route-table/route';
import type { ViewBody } from '../../shared/schemas/sharing';
import type { Component, Node } from '../../shared/schemas/twin';

type Projection = Omit<ViewBody, 'name'>;
// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in assertions
type Data = Record<string, any>;

const project = (shape: TwinDataShape, body: unknown, view: Projection) =>
  projectThroughView({ shape, body }, view) as Data | undefined;

const part = (partNumber: string, kind: Component['kind'], extra: Partial<Component> = {}): Component => ({
  partNumber,
  kind,
  ...extra,
});
const node = (path: string, component: Component | null, children: Node[] = []): Node => ({
  position: path.slice(path.lastIndexOf('/') + 1),
  path,
  component,
  children,
});

/** Fixtures are shared between tests: frozen, so that neither a test nor the projection changes them. */
const frozen = <T>(value: T): T => {
  for (const field of Object.values(value as object)) if (field && typeof field === 'object') frozen(field);
  return Object.freeze(value);
};

const ENGINE = frozen(
  part('CFM56', 'mechanical', {
    serialNumber: 'ESN-1',
    attributes: { thrust: 27000, price: 9e6 },
  }),
);
const FADEC = frozen(part('FADEC-3', 'electrical', { serialNumber: 'FDC-1' }));
const FADEC_SW = frozen(part('FADEC-SW', 'software', { softwareVersion: '5.2.1' }));
const PACK = frozen(
  part('PACK-1', 'mechanical', {
    serialNumber: 'PK-1',
    attributes: { refrigerant: 'R134a', price: 1000 },
  }),
);
const HVAC_SW = frozen(
  part('HVAC-SW', 'software', { softwareVersion: '1.2.0', attributes: { refrigerant: 'n/a' } }),
);
const HVAC_2 = frozen(part('HVAC2-UNIT', 'mechanical', { serialNumber: 'H2-1' }));

/** An aircraft; `hvac-2` sits next to `hvac` to catch prefix tests that are not path tests. */
const configuration = (): Node[] => [
  node('engine-1', ENGINE, [node('engine-1/fadec', FADEC, [node('engine-1/fadec/sw', FADEC_SW)])]),
  node('hvac', null, [node('hvac/pack-1', PACK), node('hvac/controller', HVAC_SW)]),
  node('hvac-2', HVAC_2),
  node('cabin', null),
];

const twin = (): Data => ({
  id: '01JD3Q6Z8V1K9M2N3P4R5S6T7V',
  serialNumber: 'MSN-1',
  product: { partNumber: 'A320', name: 'A320neo' },
  site: 'TLS',
  lifecycle: 'in-service',
  attributes: { tailNumber: 'F-ABCD', leaseRate: 42000 },
  version: 7,
  builtAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  configuration: configuration(),
});

/** The HVAC contractor of the issue: positions under hvac, two attributes, no history. */
const CONTRACTOR: Projection = {
  positions: ['hvac'],
  twinAttributes: ['tailNumber'],
  componentAttributes: ['refrigerant'],
  history: false,
};
const CONTRACTOR_WITH_HISTORY: Projection = { ...CONTRACTOR, history: true };

const ACTOR = { sub: 'user-1', tenant: 'owner' };
const entry = (id: string, operations: Data[], extra: Data = {}) => ({
  id,
  seq: 2,
  reason: 'routine',
  effectiveAt: '2026-02-01T00:00:00.000Z',
  recordedAt: '2026-02-01T00:00:00.000Z',
  actor: ACTOR,
  operations,
  paths: operations
    .flatMap((operation) => [operation.position, operation.from, operation.to])
    .filter(Boolean),
  ...extra,
});

const paths = (nodes: readonly Node[]): string[] => nodes.flatMap((n) => [n.path, ...paths(n.children)]);

describe('pathVisible', () => {
  it('shows a prefix and what is below it, not a sibling that merely starts with the same letters', () => {
    // Prepare
    const view = { positions: ['hvac'] };
    // Act / Assess
    expect(pathVisible(view, 'hvac')).toBe(true);
    expect(pathVisible(view, 'hvac/pack-1')).toBe(true);
    expect(pathVisible(view, 'hvac-2')).toBe(false);
    expect(pathVisible(view, 'engine-1')).toBe(false);
    expect(pathVisible({}, 'anything/at/all')).toBe(true);
    expect(pathVisible({ positions: [] }, 'hvac')).toBe(false);
  });

  it('does not show the ancestors of a deeper prefix', () => {
    // Prepare
    const view = { positions: ['engine-1/fadec'] };
    // Act / Assess
    expect(pathVisible(view, 'engine-1')).toBe(false);
    expect(pathVisible(view, 'engine-1/fadec/sw')).toBe(true);
  });
});

describe('projectThroughView: twin', () => {
  it('shows the contractor only the hvac subtree, its allowed attributes, nothing of the rest', () => {
    // Act
    const projected = project('twin', twin(), CONTRACTOR)!;
    // Assess
    expect(projected.attributes).toEqual({ tailNumber: 'F-ABCD' });
    expect(projected.configuration).toEqual([
      {
        position: 'hvac',
        path: 'hvac',
        component: null,
        children: [
          {
            position: 'pack-1',
            path: 'hvac/pack-1',
            component: {
              partNumber: 'PACK-1',
              kind: 'mechanical',
              serialNumber: 'PK-1',
              attributes: { refrigerant: 'R134a' },
            },
            children: [],
          },
          {
            position: 'controller',
            path: 'hvac/controller',
            component: {
              partNumber: 'HVAC-SW',
              kind: 'software',
              softwareVersion: '1.2.0',
              attributes: { refrigerant: 'n/a' },
            },
            children: [],
          },
        ],
      },
    ]);
    const json = JSON.stringify(projected);
    for (const hidden of ['engine-1', 'ESN-1', 'FDC-1', 'hvac-2', 'H2-1', 'cabin', 'leaseRate', 'price'])
      expect(json).not.toContain(hidden);
    // the twin's own fields stay
    expect(projected.serialNumber).toBe('MSN-1');
    expect(projected.version).toBe(7);
  });

  it('brings a visible position up in place of its hidden ancestors, its path unchanged', () => {
    // Act
    const projected = project('twin', twin(), { positions: ['engine-1/fadec/sw'] })!;
    // Assess
    expect(projected.configuration).toEqual([
      { position: 'sw', path: 'engine-1/fadec/sw', component: FADEC_SW, children: [] },
    ]);
  });

  it('leaves out the component of a hidden kind (key absent, not null) and keeps empty positions null', () => {
    // Act
    const nodes = projectNodes({ kinds: ['software'] }, configuration());
    // Assess
    expect(paths(nodes)).toEqual(paths(configuration()));
    const byPath = new Map<string, Node>();
    const index = (list: Node[]) => {
      for (const n of list) {
        byPath.set(n.path, n);
        index(n.children);
      }
    };
    index(nodes);
    expect(byPath.get('engine-1')).not.toHaveProperty('component');
    expect(byPath.get('engine-1/fadec/sw')!.component).toEqual(FADEC_SW);
    expect(byPath.get('hvac')!.component).toBeNull();
    expect(byPath.get('cabin')!.component).toBeNull();
  });

  it('shows nothing through empty lists, everything through absent ones', () => {
    // Act
    const none = project('twin', twin(), { positions: [], twinAttributes: [], componentAttributes: [] })!;
    const all = project('twin', twin(), FULL_VIEW)!;
    // Assess
    expect(none.configuration).toEqual([]);
    expect(none.attributes).toEqual({});
    expect(all).toEqual(twin());
  });

  it('keeps a component attribute-free when the allow-list is empty, and passes no unknown field', () => {
    // Prepare
    const body = twin();
    body.configuration[0].component = { ...ENGINE, secret: 'S3CR3T' };
    // Act
    const projected = project('twin', body, { componentAttributes: [] })!;
    // Assess
    expect(projected.configuration[0].component).toEqual({
      partNumber: 'CFM56',
      kind: 'mechanical',
      serialNumber: 'ESN-1',
      attributes: {},
    });
  });
});

describe('projectThroughView: twin-list', () => {
  it('projects every twin summary of the page and keeps the cursor', () => {
    // Prepare
    const { configuration: _tree, ...summary } = twin();
    // Act
    const projected = project('twin-list', { items: [summary, summary], nextCursor: 'C1' }, CONTRACTOR)!;
    // Assess
    expect(projected.nextCursor).toBe('C1');
    expect(projected.items).toHaveLength(2);
    for (const item of projected.items) {
      expect(item.attributes).toEqual({ tailNumber: 'F-ABCD' });
      expect(item).not.toHaveProperty('configuration');
    }
  });
});

describe('projectThroughView: history', () => {
  const items = () => [
    entry('CS-MOVE-OUT', [{ op: 'move', from: 'hvac/pack-1', to: 'engine-1' }]),
    entry('CS-MOVE-IN', [{ op: 'move', from: 'hvac-2', to: 'hvac/pack-1' }]),
    entry('CS-MOVE-INSIDE', [{ op: 'move', from: 'hvac/pack-1', to: 'hvac/spare' }]),
    entry(
      'CS-MIXED',
      [
        { op: 'replace', position: 'engine-1', component: ENGINE },
        { op: 'update', position: 'hvac/pack-1', attributes: { refrigerant: 'R410A', price: 5 } },
      ],
      { workOrder: 'WO-7' },
    ),
    entry('CS-KIND', [{ op: 'install', position: 'hvac/controller', component: HVAC_SW }]),
    entry('CS-LIFECYCLE', [{ op: 'lifecycle', to: 'maintenance' }]),
    entry('installed-in:P:wing/engine-2:2026', [
      { op: 'installed-in', twinId: 'PARENT', position: 'wing/engine-2' },
    ]),
  ];

  it('keeps a move only when both ends are inside the view', () => {
    // Act
    const projected = project('history', { items: items() }, { positions: ['hvac'] })!;
    // Assess
    const ids = projected.items.map((item: Data) => item.id);
    expect(ids).toEqual(['CS-MOVE-INSIDE', 'CS-MIXED', 'CS-KIND', 'CS-LIFECYCLE']);
    expect(JSON.stringify(projected)).not.toContain('engine-1');
    expect(JSON.stringify(projected)).not.toContain('hvac-2');
  });

  it('keeps only the visible operations of an entry, attributes picked, and drops internal fields', () => {
    // Act
    const projected = project('history', { items: items() }, CONTRACTOR_WITH_HISTORY)!;
    // Assess
    const mixed = projected.items.find((item: Data) => item.id === 'CS-MIXED');
    expect(mixed).toEqual({
      id: 'CS-MIXED',
      seq: 2,
      reason: 'routine',
      workOrder: 'WO-7',
      effectiveAt: '2026-02-01T00:00:00.000Z',
      recordedAt: '2026-02-01T00:00:00.000Z',
      actor: ACTOR,
      operations: [{ op: 'update', position: 'hvac/pack-1', attributes: { refrigerant: 'R410A' } }],
    });
  });

  it('hides an install of a component of a hidden kind', () => {
    // Act
    const projected = project('history', { items: items() }, { positions: ['hvac'], kinds: ['mechanical'] })!;
    // Assess
    expect(projected.items.map((item: Data) => item.id)).not.toContain('CS-KIND');
  });

  it('shows installed-in entries (a position of another twin) only when positions are unrestricted', () => {
    // Act
    const restricted = project('history', { items: items() }, { positions: ['hvac', 'wing'] })!;
    const unrestricted = project('history', { items: items() }, { kinds: ['mechanical'] })!;
    // Assess
    expect(JSON.stringify(restricted)).not.toContain('wing/engine-2');
    expect(unrestricted.items.map((item: Data) => item.id)).toContain('installed-in:P:wing/engine-2:2026');
  });

  it('answers nothing when the view hides history', () => {
    // Act / Assess
    expect(project('history', { items: items() }, CONTRACTOR)).toBeUndefined();
  });
});

describe('projectThroughView: diff', () => {
  it('keeps visible changes; a hidden side is absent, an empty side stays null', () => {
    // Prepare: the engine replaced, the pack removed, a position added under hvac and one at the root
    const before = configuration();
    const after = configuration();
    after[0] = node('engine-1', part('CFM56', 'mechanical', { serialNumber: 'ESN-2' }), after[0]!.children);
    after[1]!.children[0] = node('hvac/pack-1', null);
    after[1]!.children.push(node('hvac/fan', part('FAN', 'electrical', { serialNumber: 'FAN-1' })));
    after.push(node('galley', null));
    const diff = {
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      ...diffConfigurations(before, after),
    };
    // Act
    const projected = project('diff', diff, { positions: ['hvac'], kinds: ['mechanical'] })!;
    // Assess
    expect(projected).toEqual({
      from: diff.from,
      to: diff.to,
      // the fan is of a hidden kind: its side is absent, the empty side before stays null
      added: [{ path: 'hvac/fan', from: null }],
      removed: [
        {
          path: 'hvac/pack-1',
          from: {
            partNumber: 'PACK-1',
            kind: 'mechanical',
            serialNumber: 'PK-1',
            attributes: PACK.attributes,
          },
          to: null,
        },
      ],
      replaced: [],
      versionChanged: [],
      positionsAdded: ['hvac/fan'],
      positionsRemoved: [],
    });
    expect(JSON.stringify(projected)).not.toContain('ESN-');
    expect(JSON.stringify(projected)).not.toContain('galley');
    expect(JSON.stringify(projected)).not.toContain('FAN-1');
  });

  it('answers nothing when the view hides history', () => {
    // Act / Assess
    expect(project('diff', diffConfigurations(configuration(), []), CONTRACTOR)).toBeUndefined();
  });
});

describe('projectThroughView: baselines', () => {
  const baseline = () => ({
    id: 'B1',
    name: 'delivery',
    at: '2026-01-01T00:00:00.000Z',
    configuration: configuration(),
  });

  it('projects a baseline configuration like a twin tree', () => {
    // Act
    const projected = project('baseline', baseline(), { positions: ['cabin'] })!;
    // Assess
    expect(projected).toEqual({
      id: 'B1',
      name: 'delivery',
      at: '2026-01-01T00:00:00.000Z',
      configuration: [node('cabin', null)],
    });
  });

  it('projects every baseline of a page', () => {
    // Act
    const projected = project(
      'baseline-list',
      { items: [baseline()], nextCursor: 'N' },
      { positions: ['cabin'] },
    )!;
    // Assess
    expect(projected.items[0].configuration).toEqual([node('cabin', null)]);
    expect(projected.nextCursor).toBe('N');
  });

  it('answers nothing when the view hides baselines', () => {
    // Act / Assess
    expect(project('baseline', baseline(), { baselines: false })).toBeUndefined();
    expect(project('baseline-list', { items: [baseline()] }, { baselines: false })).toBeUndefined();
    expect(project('baseline', baseline(), { baselines: true })).toBeDefined();
  });
});

const inspection = (id: string, observed: string[], extra: Data = {}) => ({
  id,
  performedAt: '2026-02-02T00:00:00.000Z',
  recordedAt: '2026-02-02T00:00:01.000Z',
  inspector: 'crew-7',
  findings: `findings of ${id}`,
  observed: observed.map((path) => ({ path, serialNumber: 'X' })),
  actor: ACTOR,
  discrepancies: observed.map((path) => ({
    path,
    kind: 'unexpected-serial',
    observed: { serialNumber: 'X' },
  })),
  ...extra,
});

describe('projectThroughView: thread', () => {
  const thread = () => ({
    documents: [
      { document: { id: 'D1', kind: 'manual', title: 'AMM' }, via: 'link' },
      { document: { id: 'D2', kind: 'job-plan', title: 'pack job' }, via: 'link', path: 'hvac/pack-1' },
      { document: { id: 'D3', kind: 'job-plan', title: 'engine job' }, via: 'link', path: 'engine-1' },
      {
        document: { id: 'D4', kind: 'service-bulletin', title: 'SB' },
        via: 'effectivity',
        path: 'hvac/controller',
      },
    ],
    inspections: [
      inspection('I-HVAC', ['hvac/pack-1']),
      inspection('I-BOTH', ['hvac/pack-1', 'engine-1']),
      inspection('I-ENGINE', ['engine-1']),
    ],
    changes: [entry('CS-1', [{ op: 'remove', position: 'hvac/pack-1' }])],
  });

  it('filters documents by kind and by position', () => {
    // Act
    const projected = project('thread', thread(), {
      positions: ['hvac'],
      documentKinds: ['job-plan', 'manual'],
    })!;
    // Assess
    expect(projected.documents.map((entry: Data) => entry.document.id)).toEqual(['D1', 'D2']);
  });

  it('keeps inspections that observed a visible position, findings only when all of it is visible', () => {
    // Act
    const projected = project('thread', thread(), { positions: ['hvac'] })!;
    // Assess
    const [hvac, both, ...rest] = projected.inspections;
    expect(rest).toEqual([]);
    expect(hvac.findings).toBe('findings of I-HVAC');
    expect(both.id).toBe('I-BOTH');
    expect(both).not.toHaveProperty('findings');
    expect(both.observed).toEqual([{ path: 'hvac/pack-1', serialNumber: 'X' }]);
    expect(both.discrepancies.map((d: Data) => d.path)).toEqual(['hvac/pack-1']);
    expect(JSON.stringify(projected)).not.toContain('engine-1');
  });

  it('shows changes only when the view shows history', () => {
    // Act
    const hidden = project('thread', thread(), CONTRACTOR)!;
    const shown = project('thread', thread(), CONTRACTOR_WITH_HISTORY)!;
    // Assess
    expect(hidden.changes).toEqual([]);
    expect(shown.changes.map((change: Data) => change.id)).toEqual(['CS-1']);
    expect(shown.changes[0]).not.toHaveProperty('paths');
  });

  it('drops an inspection document list when the view restricts document kinds', () => {
    // Prepare
    const body = {
      documents: [],
      inspections: [inspection('I', ['hvac'], { documents: ['D9'] })],
      changes: [],
    };
    // Act
    const restricted = project('thread', body, { documentKinds: ['manual'] })!;
    const open = project('thread', body, {})!;
    // Assess
    expect(restricted.inspections[0]).not.toHaveProperty('documents');
    expect(open.inspections[0].documents).toEqual(['D9']);
  });
});

describe('projectThroughView: inspection', () => {
  it('projects the recorded inspection and its discrepancies', () => {
    // Prepare
    const recorded = inspection('I-BOTH', ['hvac/pack-1', 'engine-1']);
    const body = { inspection: recorded, discrepancies: recorded.discrepancies };
    // Act
    const projected = project('inspection', body, { positions: ['hvac'] })!;
    // Assess
    expect(projected.inspection.observed).toEqual([{ path: 'hvac/pack-1', serialNumber: 'X' }]);
    expect(projected.inspection).not.toHaveProperty('findings');
    expect(projected.discrepancies.map((d: Data) => d.path)).toEqual(['hvac/pack-1']);
    expect(projected).not.toHaveProperty('twin');
    expect(projected).not.toHaveProperty('changeSet');
  });

  it('with apply, projects the twin after the change and the change set', () => {
    // Prepare
    const recorded = inspection('I', ['hvac/pack-1']);
    const { paths: _paths, ...changeSet } = entry('CS-APPLY', [
      { op: 'replace', position: 'hvac/pack-1', component: PACK },
      { op: 'remove', position: 'engine-1' },
    ]);
    const body = { inspection: recorded, discrepancies: recorded.discrepancies, twin: twin(), changeSet };
    // Act
    const projected = project('inspection', body, CONTRACTOR_WITH_HISTORY)!;
    // Assess
    expect(projected.twin.configuration.map((n: Node) => n.path)).toEqual(['hvac']);
    expect(projected.twin.attributes).toEqual({ tailNumber: 'F-ABCD' });
    expect(projected.changeSet.operations).toEqual([
      {
        op: 'replace',
        position: 'hvac/pack-1',
        component: {
          partNumber: 'PACK-1',
          kind: 'mechanical',
          serialNumber: 'PK-1',
          attributes: { refrigerant: 'R134a' },
        },
      },
    ]);
    expect(JSON.stringify(projected)).not.toContain('engine-1');
  });

  it('with apply under a view without history, leaves the change set out', () => {
    // Prepare
    const recorded = inspection('I', ['hvac/pack-1']);
    const changeSet = entry('CS-APPLY', [{ op: 'remove', position: 'hvac/pack-1' }]);
    // Act
    const projected = project(
      'inspection',
      { inspection: recorded, discrepancies: [], twin: twin(), changeSet },
      CONTRACTOR,
    )!;
    // Assess
    expect(projected).not.toHaveProperty('changeSet');
    expect(projected.twin.configuration.map((n: Node) => n.path)).toEqual(['hvac']);
  });
});

describe('projectThroughView: inspection-list', () => {
  it('keeps the inspections that observed something visible (and those that observed nothing)', () => {
    // Prepare
    const items = [
      inspection('I-HVAC', ['hvac/pack-1']),
      inspection('I-ENGINE', ['engine-1']),
      inspection('I-NONE', []),
    ];
    // Act
    const projected = project('inspection-list', { items, nextCursor: 'N' }, { positions: ['hvac'] })!;
    // Assess
    expect(projected.items.map((item: Data) => item.id)).toEqual(['I-HVAC', 'I-NONE']);
    expect(projected.nextCursor).toBe('N');
  });
});

describe('projectThroughView: work-package', () => {
  const workPackage = (position: string) => ({
    twinId: 'T1',
    serialNumber: 'MSN-1',
    position,
    installed: [
      { path: 'hvac', component: null },
      { path: 'hvac/controller', component: HVAC_SW },
      { path: 'hvac/pack-1', component: PACK },
    ],
    documents: [
      { document: { id: 'D2', kind: 'job-plan', title: 'pack job' }, via: 'link', path: 'hvac/pack-1' },
      {
        document: { id: 'D4', kind: 'service-bulletin', title: 'SB' },
        via: 'effectivity',
        path: 'hvac/controller',
      },
    ],
    lastInspection: inspection('I', ['hvac/pack-1']),
    openDiscrepancies: [{ path: 'hvac/pack-1', kind: 'missing' }],
  });

  it('answers nothing for a position outside the view', () => {
    // Act / Assess
    expect(project('work-package', workPackage('engine-1'), { positions: ['hvac'] })).toBeUndefined();
    expect(project('work-package', workPackage('hvac'), { positions: ['hvac/pack-1'] })).toBeUndefined();
  });

  it('shows what is installed by kind and attributes, documents by kind, the inspection projected', () => {
    // Act
    const projected = project('work-package', workPackage('hvac'), {
      positions: ['hvac'],
      kinds: ['mechanical'],
      componentAttributes: [],
      documentKinds: ['job-plan'],
    })!;
    // Assess
    expect(projected.installed).toEqual([
      { path: 'hvac', component: null },
      {
        path: 'hvac/pack-1',
        component: { partNumber: 'PACK-1', kind: 'mechanical', serialNumber: 'PK-1', attributes: {} },
      },
    ]);
    expect(projected.documents.map((entry: Data) => entry.document.id)).toEqual(['D2']);
    expect(projected.lastInspection.id).toBe('I');
    expect(projected.openDiscrepancies).toEqual([{ path: 'hvac/pack-1', kind: 'missing' }]);
  });

  it('shows no last inspection when it observed only hidden positions', () => {
    // Prepare
    const body = { ...workPackage('hvac'), lastInspection: inspection('I', ['hvac/pack-1']) };
    // Act
    const projected = project('work-package', body, { positions: ['hvac/controller', 'hvac'] })!;
    const narrow = project(
      'work-package',
      { ...body, position: 'hvac/controller' },
      { positions: ['hvac/controller'] },
    )!;
    // Assess
    expect(projected.lastInspection.id).toBe('I');
    expect(narrow.lastInspection).toBeNull();
    expect(narrow.openDiscrepancies).toEqual([]);
    expect(narrow.installed.map((item: Data) => item.path)).toEqual(['hvac/controller']);
  });
});

describe('projectThroughView: component-trace', () => {
  const trace = () => ({
    component: PACK,
    installations: [
      {
        twinId: 'T1',
        path: 'engine-1',
        validFrom: '2025-01-01T00:00:00.000Z',
        validTo: '2025-06-01T00:00:00.000Z',
      },
      { twinId: 'T1', path: 'hvac/pack-1', validFrom: '2025-06-01T00:00:00.000Z', validTo: null },
    ],
  });

  it('keeps the installations at visible positions, the component projected', () => {
    // Act
    const projected = project('component-trace', trace(), {
      positions: ['hvac'],
      componentAttributes: ['refrigerant'],
    })!;
    // Assess
    expect(projected.component.attributes).toEqual({ refrigerant: 'R134a' });
    expect(projected.installations.map((stay: Data) => stay.path)).toEqual(['hvac/pack-1']);
  });

  it('answers nothing for a component of a hidden kind or never installed where the view sees', () => {
    // Act / Assess
    expect(project('component-trace', trace(), { kinds: ['software'] })).toBeUndefined();
    expect(project('component-trace', trace(), { positions: ['cabin'] })).toBeUndefined();
  });
});

describe('projectThroughView: events', () => {
  const events = () => [
    {
      type: 'change-set.recorded',
      twinId: 'T1',
      recordedAt: '2026-02-01T00:00:00.000Z',
      operations: [
        { op: 'remove', position: 'engine-1' },
        { op: 'install', position: 'hvac/pack-1', component: PACK },
      ],
    },
    {
      type: 'change-set.recorded',
      twinId: 'T1',
      recordedAt: '2026-02-02T00:00:00.000Z',
      operations: [{ op: 'remove', position: 'engine-1/fadec' }],
    },
    { type: 'twin.created', twinId: 'T1', recordedAt: '2026-01-01T00:00:00.000Z', positions: 8 },
    {
      type: 'inspection.recorded',
      twinId: 'T1',
      recordedAt: '2026-02-03T00:00:00.000Z',
      inspectionId: 'I',
      paths: ['hvac/pack-1', 'engine-1'],
      discrepancyPaths: ['engine-1'],
      discrepancies: 1,
    },
    {
      type: 'document.version.available',
      recordedAt: '2026-02-04T00:00:00.000Z',
      documentId: 'D1',
      kind: 'manual',
    },
  ];

  it('keeps only the visible operations of change-set events, dropping events left with none', () => {
    // Act
    const projected = project(
      'events',
      { items: events(), nextCursor: 'N' },
      { positions: ['hvac'], componentAttributes: [] },
    )!;
    // Assess
    expect(projected.items.map((event: Data) => event.type)).toEqual([
      'change-set.recorded',
      'twin.created',
      'inspection.recorded',
      'document.version.available',
    ]);
    expect(projected.items[0].operations).toEqual([
      {
        op: 'install',
        position: 'hvac/pack-1',
        component: { partNumber: 'PACK-1', kind: 'mechanical', serialNumber: 'PK-1', attributes: {} },
      },
    ]);
    expect(JSON.stringify(projected)).not.toContain('engine-1');
    expect(projected.nextCursor).toBe('N');
  });

  it('keeps inspection events only of visible positions, with their visible paths and discrepancies', () => {
    // Prepare
    const inspection = (id: string, paths?: string[]) => ({
      type: 'inspection.recorded',
      twinId: 'T1',
      recordedAt: '2026-02-03T00:00:00.000Z',
      inspectionId: id,
      discrepancies: paths?.length ?? 2,
      ...(paths === undefined ? {} : { paths, discrepancyPaths: paths }),
    });
    const items = [
      inspection('HIDDEN', ['engine-1/fadec']),
      inspection('OLD'),
      inspection('MIXED', ['hvac', 'engine-1']),
    ];
    // Act
    const projected = project('events', { items }, { positions: ['hvac'] })!;
    const unrestricted = project('events', { items }, { twinAttributes: [] })!;
    // Assess
    expect(projected.items).toEqual([
      { ...inspection('MIXED', ['hvac']), discrepancies: 1, paths: ['hvac'], discrepancyPaths: ['hvac'] },
    ]);
    expect(unrestricted.items).toHaveLength(3);
  });

  it('drops change-set and creation events when the view hides history', () => {
    // Act
    const projected = project('events', { items: events() }, { history: false })!;
    // Assess
    expect(projected.items.map((event: Data) => event.type)).toEqual([
      'inspection.recorded',
      'document.version.available',
    ]);
  });

  it('keeps document events only of the view’s document kinds', () => {
    // Act
    const shown = project('events', { items: events() }, { documentKinds: ['manual'] })!;
    const hidden = project('events', { items: events() }, { documentKinds: ['job-plan'] })!;
    // Assess
    expect(shown.items.map((event: Data) => event.type)).toContain('document.version.available');
    expect(hidden.items.map((event: Data) => event.type)).not.toContain('document.version.available');
  });
});

describe('projectThroughView: fleet', () => {
  const items = () => [
    { twinId: 'T1', serialNumber: 'MSN-1', path: 'engine-1/fadec/sw', component: FADEC_SW },
    { twinId: 'T2', serialNumber: 'MSN-2', path: 'hvac/controller', component: HVAC_SW },
  ];

  it('keeps installations at visible positions and of visible kinds', () => {
    // Act
    const byPosition = project(
      'fleet-installations',
      { items: items(), nextCursor: 'N' },
      { positions: ['hvac'] },
    )!;
    const byKind = project('fleet-installations', { items: items() }, { kinds: ['mechanical'] })!;
    // Assess
    expect(byPosition.items.map((item: Data) => item.twinId)).toEqual(['T2']);
    expect(byPosition.nextCursor).toBe('N');
    expect(byKind.items).toEqual([]);
  });

  it('leaves the impact counts out when positions or kinds are restricted, keeps them otherwise', () => {
    // Prepare
    const impact = () => ({
      total: 2,
      bySite: { TLS: 2 },
      byProduct: { A320: 2 },
      affected: items(),
      nextCursor: 'N',
    });
    // Act
    const byPosition = project('fleet-impact', impact(), { positions: ['hvac'] })!;
    const byKind = project('fleet-impact', impact(), { kinds: ['software'] })!;
    const byAttributes = project('fleet-impact', impact(), { componentAttributes: [] })!;
    // Assess
    for (const restricted of [byPosition, byKind]) {
      expect(restricted).not.toHaveProperty('total');
      expect(restricted).not.toHaveProperty('bySite');
      expect(restricted).not.toHaveProperty('byProduct');
    }
    expect(byPosition.affected.map((item: Data) => item.twinId)).toEqual(['T2']);
    expect(byPosition.nextCursor).toBe('N');
    expect(byKind.affected).toHaveLength(2);
    expect(byAttributes).toMatchObject({ total: 2, bySite: { TLS: 2 }, byProduct: { A320: 2 } });
    expect(byAttributes.affected[1].component.attributes).toEqual({});
  });
});

describe('projectThroughView: export', () => {
  const exported = () => ({
    format: 'twinthread.twin/1',
    exportedAt: '2026-03-01T00:00:00.000Z',
    twin: twin(),
    history: [
      entry('CS-ENGINE', [{ op: 'remove', position: 'engine-1' }]),
      entry('CS-HVAC', [{ op: 'remove', position: 'hvac/pack-1' }]),
    ].map(({ paths: _paths, ...rest }) => rest),
    baselines: [
      { id: 'B1', name: 'delivery', at: '2026-01-01T00:00:00.000Z', configuration: configuration() },
    ],
    inspections: [inspection('I-ENGINE', ['engine-1']), inspection('I-HVAC', ['hvac/pack-1'])],
    links: [
      { documentId: 'D1', createdAt: '2026-01-01T00:00:00.000Z' },
      { documentId: 'D2', position: 'hvac/pack-1', createdAt: '2026-01-01T00:00:00.000Z' },
      { documentId: 'D3', position: 'engine-1', createdAt: '2026-01-01T00:00:00.000Z' },
    ],
  });

  it('exports the twin, history, baselines, inspections and links as far as the view shows them', () => {
    // Act
    const projected = project('export', exported(), { positions: ['hvac'] })!;
    // Assess
    expect(projected.format).toBe('twinthread.twin/1');
    expect(projected.twin.configuration.map((n: Node) => n.path)).toEqual(['hvac']);
    expect(projected.history.map((item: Data) => item.id)).toEqual(['CS-HVAC']);
    expect(projected.baselines[0].configuration.map((n: Node) => n.path)).toEqual(['hvac']);
    expect(projected.inspections.map((item: Data) => item.id)).toEqual(['I-HVAC']);
    expect(projected.links.map((link: Data) => link.documentId)).toEqual(['D1', 'D2']);
    expect(JSON.stringify(projected)).not.toContain('engine-1');
  });

  it('leaves out history, baselines and links when the view hides them', () => {
    // Act
    const projected = project('export', exported(), {
      history: false,
      baselines: false,
      documentKinds: ['manual'],
    })!;
    // Assess
    expect(projected).not.toHaveProperty('history');
    expect(projected).not.toHaveProperty('baselines');
    expect(projected).not.toHaveProperty('links');
    expect(projected.inspections).toHaveLength(2);
  });

  it('returns the export unchanged through the full view', () => {
    // Act / Assess
    expect(project('export', exported(), {})).toEqual(exported());
  });
});

describe('unionOfViews', () => {
  it('shows what any of the views shows', () => {
    // Act
    const union = unionOfViews([
      {
        positions: ['hvac'],
        kinds: ['mechanical'],
        twinAttributes: ['tailNumber'],
        history: false,
        baselines: false,
      },
      {
        positions: ['cabin', 'hvac'],
        kinds: ['software'],
        twinAttributes: ['site'],
        documentKinds: ['manual'],
        history: true,
      },
    ]);
    // Assess
    expect(union.positions?.sort()).toEqual(['cabin', 'hvac']);
    expect(union.kinds?.sort()).toEqual(['mechanical', 'software']);
    expect(union.twinAttributes?.sort()).toEqual(['site', 'tailNumber']);
    // an absent list (the first view) allows everything
    expect(union).not.toHaveProperty('documentKinds');
    expect(union).not.toHaveProperty('componentAttributes');
    expect(union.history).toBe(true);
    // the second view's absent flag shows baselines
    expect(union.baselines).toBe(true);
  });

  it('hides history and baselines only when every view hides them', () => {
    // Act
    const union = unionOfViews([
      { history: false, baselines: false },
      { history: false, baselines: false },
    ]);
    // Assess
    expect(union.history).toBe(false);
    expect(union.baselines).toBe(false);
  });

  it('keeps an empty list empty (shows nothing), and of no views shows nothing', () => {
    // Act
    const empty = unionOfViews([{ positions: [] }, { positions: [] }]);
    const none = unionOfViews([]);
    // Assess
    expect(empty.positions).toEqual([]);
    expect(none).toMatchObject({
      positions: [],
      kinds: [],
      twinAttributes: [],
      componentAttributes: [],
      documentKinds: [],
    });
    expect(none.history).toBe(false);
    expect(project('twin', twin(), none)!.configuration).toEqual([]);
  });

  it('projects through the union as through the widest of nested views', () => {
    // Act
    const union = unionOfViews([{ positions: ['hvac/pack-1'] }, { positions: ['hvac'] }]);
    // Assess
    expect(project('twin', twin(), union)).toEqual(project('twin', twin(), { positions: ['hvac'] }));
  });
});

describe('parts of a hidden kind stay hidden wherever they are named', () => {
  const softwareHidden = { positions: ['hvac'], kinds: ['mechanical' as const] };

  it('drops expected and observed parts of discrepancies at a position holding a hidden kind', () => {
    const body = {
      twinId: 'T1',
      serialNumber: 'MSN-1',
      position: 'hvac',
      installed: [
        {
          path: 'hvac/controller',
          component: { partNumber: 'HVAC-SW', kind: 'software', softwareVersion: '1.2.0' },
        },
      ],
      documents: [],
      lastInspection: null,
      openDiscrepancies: [
        {
          path: 'hvac/controller',
          kind: 'version-mismatch',
          expected: { partNumber: 'HVAC-SW', softwareVersion: '1.2.0' },
          observed: { softwareVersion: '1.3.0' },
        },
      ],
    };
    const shown = projectThroughView({ shape: 'work-package', body }, softwareHidden);
    expect(JSON.stringify(shown)).not.toContain('HVAC-SW');
    expect((shown as { openDiscrepancies: unknown[] }).openDiscrepancies).toEqual([
      { path: 'hvac/controller', kind: 'version-mismatch' },
    ]);
  });

  it('keeps the as-built counts out when the tree is restricted', () => {
    const entry = {
      id: 'CS1',
      seq: 1,
      reason: 'as-built record',
      effectiveAt: 'x',
      recordedAt: 'x',
      actor: { sub: 'u', tenant: 't' },
      operations: [{ op: 'as-built', positions: 500, components: 420 }],
    };
    const shown = projectThroughView({ shape: 'history', body: { items: [entry] } }, { positions: ['hvac'] });
    expect(JSON.stringify(shown)).not.toContain('500');
    expect(JSON.stringify(projectThroughView({ shape: 'history', body: { items: [entry] } }, {}))).toContain(
      '500',
    );
  });

  it('drops thread documents that reach the thread through a component of a hidden kind', () => {
    const body = {
      documents: [
        {
          document: {
            id: 'D1',
            kind: 'service-bulletin',
            title: 'SB',
            effectivity: { partNumber: 'HVAC-SW' },
          },
          via: 'effectivity',
          path: 'hvac/controller',
          componentKind: 'software',
        },
      ],
      inspections: [],
      changes: [],
    };
    expect(JSON.stringify(projectThroughView({ shape: 'thread', body }, softwareHidden))).not.toContain(
      'HVAC-SW',
    );
    expect(JSON.stringify(projectThroughView({ shape: 'thread', body }, { positions: ['hvac'] }))).toContain(
      'HVAC-SW',
    );
  });
});
