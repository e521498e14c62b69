import { describe, expect, it } from 'vitest';
import { canonicalJson, planTypeRestore } from '../../cli/type-plan';
import { typesNamedBy, undefinedTypeNotes } from '../../shared/domain/import';
import type { Node } from '../../shared/schemas/twin';
import type { PutTypeBody } from '../../shared/schemas/types';

const V1: PutTypeBody = {
  kind: 'component',
  attributes: { thrust: { type: 'number', required: true, unit: 'kN' } },
};
const V2: PutTypeBody = {
  ...V1,
  attributes: { ...V1.attributes, grade: { type: 'enum', values: ['A', 'B'] } },
  additionalAttributes: false,
};

const node = (path: string, type?: string, children: Node[] = []): Node => ({
  position: path.split('/').at(-1)!,
  path,
  component: { partNumber: 'P', kind: 'mechanical', ...(type ? { type } : {}) },
  children,
});

describe('planTypeRestore', () => {
  it('defines every version into a tenant without the type', () => {
    expect(planTypeRestore([V1, V2], [])).toEqual({
      missing: [
        { ...V1, additionalAttributes: false },
        { ...V2, additionalAttributes: false },
      ],
      already: 0,
    });
  });

  it('defines only the missing versions when the held ones are the first exported ones (key order aside)', () => {
    const reordered = JSON.parse(canonicalJson({ additionalAttributes: false, ...V1 })) as PutTypeBody;
    expect(planTypeRestore([V1, V2], [reordered])).toEqual({ missing: [V2], already: 1 });
    expect(planTypeRestore([V1, V2], [V1, V2])).toEqual({ missing: [], already: 2 });
  });

  it('leaves a type the tenant defines otherwise (another version, or more versions)', () => {
    expect(planTypeRestore([V1, V2], [V2])).toBe('differs');
    expect(planTypeRestore([V1], [V1, V2])).toBe('differs');
    expect(planTypeRestore([V1], [{ ...V1, description: 'other' }])).toBe('differs');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves undefined fields out', () => {
    expect(canonicalJson({ b: [{ y: 1, x: undefined, w: 2 }], a: null })).toBe(
      '{"a":null,"b":[{"w":2,"y":1}]}',
    );
  });
});

describe('notes on types an imported twin names', () => {
  const twin = {
    type: 'aircraft',
    configuration: [
      node('engine-1', 'engine', [node('engine-1/fadec', 'fadec')]),
      node('engine-2', 'engine'),
    ],
  };

  it('names each type with where it is named, in tree order', () => {
    expect([...typesNamedBy(twin)]).toEqual([
      ['aircraft', ['the twin']],
      ['engine', ['engine-1', 'engine-2']],
      ['fadec', ['engine-1/fadec']],
    ]);
  });

  it('notes only the types the tenant does not define', () => {
    const notes = undefinedTypeNotes(typesNamedBy(twin), new Set(['aircraft', 'fadec']));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^type engine \(named by engine-1, engine-2\) is not defined in this tenant: its typed attributes cannot be edited until it is/,
    );
    expect(undefinedTypeNotes(typesNamedBy({ configuration: [] }), new Set())).toEqual([]);
  });
});
