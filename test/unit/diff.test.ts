import { describe, expect, it } from 'vitest';
import { diffConfigurations } from '../../shared/domain/diff';
import type { Component, Node } from '../../shared/schemas/twin';

const part = (partNumber: string, extra: Partial<Component> = {}): Component => ({
  partNumber,
  kind: 'mechanical',
  ...extra,
});

/** A node at `path`, holding `component`, with `children`. */
const node = (path: string, component: Component | null, children: Node[] = []): Node => ({
  position: path.slice(path.lastIndexOf('/') + 1),
  path,
  component,
  children,
});

/** An aircraft-like tree; `overrides` replace the component of a path. */
const aircraft = (overrides: Record<string, Component | null> = {}): Node[] => {
  const at = (path: string, fallback: Component | null) => (path in overrides ? overrides[path]! : fallback);
  return [
    node('engine-1', at('engine-1', part('CFM56', { serialNumber: 'ESN-1' })), [
      node(
        'engine-1/fadec',
        at('engine-1/fadec', part('FADEC-3', { serialNumber: 'FDC-1', revision: 'C' })),
        [node('engine-1/fadec/sw', at('engine-1/fadec/sw', part('FADEC-SW', { softwareVersion: '5.2.1' })))],
      ),
    ]),
    node('hvac', null, [
      node('hvac/controller', at('hvac/controller', part('HVAC-9', { serialNumber: 'H-1' }))),
    ]),
    node('cabin', at('cabin', null)),
  ];
};

const empty = {
  added: [],
  removed: [],
  replaced: [],
  versionChanged: [],
  positionsAdded: [],
  positionsRemoved: [],
};

describe('diffConfigurations', () => {
  it('finds nothing between identical trees', () => {
    // Prepare
    const tree = aircraft();
    // Act
    const diff = diffConfigurations(tree, aircraft());
    // Assess
    expect(diff).toEqual(empty);
  });

  it('finds nothing between two empty configurations', () => {
    // Act / Assess
    expect(diffConfigurations([], [])).toEqual(empty);
  });

  it('reports a component installed in an empty position as added', () => {
    // Prepare
    const seat = part('SEAT', { serialNumber: 'S-1' });
    // Act
    const diff = diffConfigurations(aircraft(), aircraft({ cabin: seat }));
    // Assess
    expect(diff).toEqual({ ...empty, added: [{ path: 'cabin', from: null, to: seat }] });
  });

  it('reports a component taken out as removed, at its nested path', () => {
    // Act
    const diff = diffConfigurations(aircraft(), aircraft({ 'hvac/controller': null }));
    // Assess
    expect(diff).toEqual({
      ...empty,
      removed: [{ path: 'hvac/controller', from: part('HVAC-9', { serialNumber: 'H-1' }), to: null }],
    });
  });

  it('reports another serial number or another part number as replaced', () => {
    // Prepare
    const newController = part('HVAC-9', { serialNumber: 'H-2' });
    const newFadec = part('FADEC-4', { serialNumber: 'FDC-1', revision: 'C' });
    // Act
    const diff = diffConfigurations(
      aircraft(),
      aircraft({ 'hvac/controller': newController, 'engine-1/fadec': newFadec }),
    );
    // Assess
    expect(diff).toEqual({
      ...empty,
      replaced: [
        {
          path: 'engine-1/fadec',
          from: part('FADEC-3', { serialNumber: 'FDC-1', revision: 'C' }),
          to: newFadec,
        },
        { path: 'hvac/controller', from: part('HVAC-9', { serialNumber: 'H-1' }), to: newController },
      ],
    });
  });

  it('reports a new software version or revision of the same part and serial as versionChanged', () => {
    // Prepare
    const software = part('FADEC-SW', { softwareVersion: '5.3.0' });
    const revised = part('FADEC-3', { serialNumber: 'FDC-1', revision: 'D' });
    // Act
    const diff = diffConfigurations(
      aircraft(),
      aircraft({ 'engine-1/fadec/sw': software, 'engine-1/fadec': revised }),
    );
    // Assess
    expect(diff).toEqual({
      ...empty,
      versionChanged: [
        {
          path: 'engine-1/fadec',
          from: part('FADEC-3', { serialNumber: 'FDC-1', revision: 'C' }),
          to: revised,
        },
        {
          path: 'engine-1/fadec/sw',
          from: part('FADEC-SW', { softwareVersion: '5.2.1' }),
          to: software,
        },
      ],
    });
  });

  it('ignores a change of attributes only', () => {
    // Act
    const diff = diffConfigurations(
      aircraft(),
      aircraft({ 'hvac/controller': part('HVAC-9', { serialNumber: 'H-1', attributes: { hours: 12 } }) }),
    );
    // Assess
    expect(diff).toEqual(empty);
  });

  it('reports positions added and removed, with the components they held, in both directions', () => {
    // Prepare
    const sensor = part('TS-1', { serialNumber: 'TS-7' });
    const before = aircraft();
    const after = [
      ...aircraft(),
      node('wing', null, [node('wing/flap', null), node('wing/flap-sensor', sensor)]),
    ].filter((root) => root.path !== 'cabin');
    // Act
    const forward = diffConfigurations(before, after);
    const backward = diffConfigurations(after, before);
    // Assess
    expect(forward).toEqual({
      ...empty,
      added: [{ path: 'wing/flap-sensor', from: null, to: sensor }],
      positionsAdded: ['wing', 'wing/flap', 'wing/flap-sensor'],
      positionsRemoved: ['cabin'],
    });
    expect(backward).toEqual({
      ...empty,
      removed: [{ path: 'wing/flap-sensor', from: sensor, to: null }],
      positionsAdded: ['cabin'],
      positionsRemoved: ['wing', 'wing/flap', 'wing/flap-sensor'],
    });
  });

  it('reports a move as removed at one path and added at the other', () => {
    // Prepare
    const engine = part('CFM56', { serialNumber: 'ESN-1' });
    // Act
    const diff = diffConfigurations(aircraft(), aircraft({ 'engine-1': null, cabin: engine }));
    // Assess
    expect(diff.added).toEqual([{ path: 'cabin', from: null, to: engine }]);
    expect(diff.removed).toEqual([{ path: 'engine-1', from: engine, to: null }]);
  });

  it('sorts every list by path, whatever the order of siblings', () => {
    // Prepare
    const names = ['b', 'a/z', 'a', 'c', 'a/b'];
    const flat = (withParts: boolean) =>
      names.map((path) => node(path, withParts ? part('P', { serialNumber: path }) : null));
    // Act
    const diff = diffConfigurations([], flat(true));
    // Assess
    expect(diff.positionsAdded).toEqual(['a', 'a/b', 'a/z', 'b', 'c']);
    expect(diff.added.map((change) => change.path)).toEqual(['a', 'a/b', 'a/z', 'b', 'c']);
  });
});
