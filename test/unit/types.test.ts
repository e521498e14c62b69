import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeAttributes } from '../../shared/domain/twin';
import {
  asBuiltTypedWrites,
  changeSetTypedWrites,
  checkAttributePatch,
  checkAttributes,
  checkTypedWrites,
  fitsAttribute,
  isIsoDate,
  nextTypeVersion,
  type TypeRecord,
  twinPatchTypedWrites,
} from '../../shared/domain/types';
import { isStorableNumber } from '../../shared/schemas/common';
import type { Component } from '../../shared/schemas/twin';
import type { AttributeDefinition } from '../../shared/schemas/types';

const actor = { sub: 'admin@acme', tenant: 'acme' };

const typeOf = (
  attributes: Record<string, AttributeDefinition>,
  overrides: Partial<TypeRecord> = {},
): TypeRecord => ({
  name: 'engine',
  version: 1,
  kind: 'component',
  attributes,
  additionalAttributes: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: actor,
  ...overrides,
});

const engine = typeOf({
  thrust: { type: 'number', required: true, unit: 'kN' },
  overhaulInterval: { type: 'integer', unit: 'h' },
  grade: { type: 'enum', values: ['A', 'B'] },
});

describe('attribute values', () => {
  it.each([
    [{ type: 'string' }, 'x', 1],
    [{ type: 'number' }, 1.5, '1.5'],
    [{ type: 'number' }, -9007199254740991, 1e300],
    [{ type: 'number' }, 1e-7, 5e-324],
    [{ type: 'integer' }, 3, 3.5],
    [{ type: 'integer' }, 9007199254740991, 9007199254740992],
    [{ type: 'boolean' }, false, 'false'],
    [{ type: 'date' }, '2026-03-01', '2026-02-30'],
    [{ type: 'date' }, '2026-03-01T10:00:00Z', '2026-03-01T10:00:00'],
    [{ type: 'enum', values: ['A', 'B'] }, 'B', 'C'],
  ] as const)('%j accepts %j and refuses %j', (definition, good, bad) => {
    expect(fitsAttribute(definition as AttributeDefinition, good)).toBe(true);
    expect(fitsAttribute(definition as AttributeDefinition, bad)).toBe(false);
  });

  it('reads only real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01T00:00:00Z')).toBe(false);
    expect(isIsoDate('01/03/2026')).toBe(false);
  });
});

describe('checking attributes', () => {
  it('names each missing, mistyped and undeclared attribute under its field', () => {
    // Act
    const errors = checkAttributes(engine, { overhaulInterval: 'soon', colour: 'red' }, 'body.attributes');
    // Assess
    expect(errors).toEqual([
      { path: 'body.attributes.thrust', message: 'required (number, kN)' },
      { path: 'body.attributes.overhaulInterval', message: 'must be an integer (h)' },
      { path: 'body.attributes.colour', message: 'not an attribute of type engine (version 1)' },
    ]);
  });

  it('treats null as absent, and accepts undeclared attributes when the type allows them', () => {
    expect(checkAttributes(engine, { thrust: null }, 'a')).toEqual([
      { path: 'a.thrust', message: 'required (number, kN)' },
    ]);
    expect(
      checkAttributes({ ...engine, additionalAttributes: true }, { thrust: 1, colour: 'red' }, 'a'),
    ).toEqual([]);
  });

  it('does not ask a patch for required attributes it does not touch, but refuses removing one', () => {
    expect(checkAttributePatch(engine, { grade: 'A' }, 'a')).toEqual([]);
    expect(checkAttributePatch(engine, { thrust: null, grade: 'C' }, 'a')).toEqual([
      { path: 'a.thrust', message: 'required (number, kN)' },
      { path: 'a.grade', message: 'must be one of A, B' },
    ]);
  });

  it('is not fooled by attribute names of Object.prototype', () => {
    expect(checkAttributes(engine, { thrust: 1, constructor: 'x' }, 'a')).toEqual([
      { path: 'a.constructor', message: 'not an attribute of type engine (version 1)' },
    ]);
  });
});

const definition: fc.Arbitrary<AttributeDefinition> = fc.oneof(
  fc.record({
    type: fc.constantFrom('string', 'number', 'integer', 'boolean', 'date' as const),
    required: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('enum' as const),
    required: fc.boolean(),
    values: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
  }),
);

const fittingValue = (attribute: AttributeDefinition): fc.Arbitrary<unknown> => {
  switch (attribute.type) {
    case 'string':
      return fc.string();
    case 'number':
      // what a number attribute can hold: stored exactly (README "Limits")
      return fc
        .double({ noNaN: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })
        .filter(isStorableNumber);
    case 'integer':
      return fc.integer();
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc
        .date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'enum':
      return fc.constantFrom(...(attribute.values ?? []));
  }
};

const name = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/);

/** A type and attributes valid under it (every required one, some optional ones). */
const typeWithValidAttributes = fc
  .dictionary(name, definition, { maxKeys: 8 })
  .chain((attributes) =>
    fc
      .record(
        Object.fromEntries(
          Object.entries(attributes).map(([key, attribute]) => [key, fittingValue(attribute)]),
        ),
        { requiredKeys: Object.keys(attributes).filter((key) => attributes[key]!.required) },
      )
      .map((values) => ({ type: typeOf(attributes), values: values as Record<string, unknown> })),
  );

describe('properties', () => {
  it('a version that only adds optional attributes leaves valid attributes valid', () => {
    fc.assert(
      fc.property(typeWithValidAttributes, name, definition, ({ type, values }, added, attribute) => {
        fc.pre(!Object.hasOwn(type.attributes, added));
        expect(checkAttributes(type, values, 'a')).toEqual([]);
        const next = {
          ...type,
          version: 2,
          attributes: { ...type.attributes, [added]: { ...attribute, required: false } },
        };
        expect(checkAttributes(next, values, 'a')).toEqual([]);
      }),
    );
  });

  it('a patch that passes keeps valid attributes valid once merged', () => {
    fc.assert(
      fc.property(
        typeWithValidAttributes.chain(({ type, values }) =>
          fc.record({
            type: fc.constant(type),
            values: fc.constant(values),
            patch: fc.dictionary(
              fc.constantFrom('spare', ...Object.keys(type.attributes)),
              fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.boolean()),
            ),
          }),
        ),
        ({ type, values, patch }) => {
          fc.pre(checkAttributePatch(type, patch, 'a').length === 0);
          expect(checkAttributes(type, mergeAttributes(values, patch), 'a')).toEqual([]);
        },
      ),
    );
  });
});

describe('what a write names types for', () => {
  const typed = (serialNumber: string, type?: string): Component => ({
    partNumber: 'CFM56',
    serialNumber,
    kind: 'mechanical',
    ...(type ? { type } : {}),
  });

  it('finds the twin and every typed component of an as-built tree, by request path', () => {
    const writes = asBuiltTypedWrites({
      serialNumber: 'MSN-1',
      product: { partNumber: 'A320' },
      type: 'airliner',
      configuration: [
        { position: 'cabin' },
        {
          position: 'engine-1',
          children: [{ position: 'x' }, { position: 'core', component: typed('E1', 'engine') }],
        },
      ],
    });
    expect(writes.map((write) => [write.typeField, write.attributesField])).toEqual([
      ['body.type', 'body.attributes'],
      [
        'body.configuration[1].children[1].component.type',
        'body.configuration[1].children[1].component.attributes',
      ],
    ]);
  });

  it('follows components through the operations of a change set to know what an update touches', () => {
    const installed = new Map<string, Component>([['engine-1', typed('E1', 'engine')]]);
    const writes = changeSetTypedWrites(installed, [
      { op: 'move', from: 'engine-1', to: 'engine-2' },
      { op: 'update', position: 'engine-2', attributes: { grade: 'C' } },
      {
        op: 'install',
        position: 'engine-1',
        component: { ...typed('E3', 'engine'), attributes: { thrust: 1 } },
      },
      { op: 'install', position: 'apu', component: typed('A1') },
      { op: 'update', position: 'apu', attributes: { anything: 1 } },
    ]);
    expect(checkTypedWrites(writes, new Map([['engine', engine]]))).toEqual([
      { path: 'body.operations[1].attributes.grade', message: 'must be one of A, B' },
    ]);
  });

  it('checks a twin given a new type on its merged attributes, and refuses a type nobody defined', () => {
    const current = { type: undefined, attributes: { grade: 'A' } };
    const patch = { type: 'engine' };
    const writes = twinPatchTypedWrites(current, patch, current.attributes);
    expect(checkTypedWrites(writes, new Map([['engine', engine]]))).toEqual([
      { path: 'body.attributes.thrust', message: 'required (number, kN)' },
    ]);
    expect(checkTypedWrites(writes, new Map())).toEqual([
      { path: 'body.type', message: 'no type engine is defined' },
    ]);
  });

  it('numbers versions from 1', () => {
    const first = nextTypeVersion('engine', { kind: 'component', attributes: {} }, null, {
      now: new Date(0),
      actor,
    });
    const second = nextTypeVersion('engine', { kind: 'twin', attributes: {} }, first, {
      now: new Date(1),
      actor,
    });
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(second).toMatchObject({ kind: 'twin', additionalAttributes: false, createdBy: actor });
  });
});
