import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConfigurationModelRecord,
  interchangeFindings,
  judgeConfiguration,
  judgeIncrementally,
  modelInForce,
  pathsToJudge,
  prepareModel,
  statusOf,
} from '../../shared/domain/conformance';
import type { Component } from '../../shared/schemas/twin';

// The incremental judgement (what a change set computes from the stored findings and the positions it
// touched) checked against the whole judgement of the configuration, for random models and random
// sequences of changes.

const PATHS = ['a', 'a/b', 'a/b/c', 'd', 'e', 'f'];
const PARTS = ['P1', 'P2', 'P3'];
const VERSIONS = ['1.0.0', '2.1.0', '5.0.0', '5.3.1'];

const part = fc.record(
  {
    partNumber: fc.constantFrom(...PARTS),
    revisions: fc.array(fc.constantFrom('A', 'B'), { minLength: 1, maxLength: 2 }),
    softwareVersions: fc.constantFrom('>=2.0.0', '<5.0.0', '>=5.0.0 <6.0.0'),
  },
  { requiredKeys: ['partNumber'] },
);
const target = fc.record(
  {
    path: fc.constantFrom(...PATHS),
    partNumber: fc.constantFrom(...PARTS),
    softwareVersions: fc.constantFrom('>=2.0.0', '<5.0.0'),
  },
  { requiredKeys: ['path', 'partNumber'] },
);

const model: fc.Arbitrary<ConfigurationModelRecord> = fc
  .record({
    positions: fc.uniqueArray(
      fc.record({
        path: fc.constantFrom(...PATHS),
        mandatory: fc.boolean(),
        allowed: fc.array(part, { maxLength: 3 }),
      }),
      { selector: (position) => position.path, maxLength: PATHS.length },
    ),
    rules: fc.array(
      fc.oneof(
        fc.record({
          when: target,
          requires: target,
          level: fc.constantFrom('red' as const, 'amber' as const),
        }),
        fc.record({
          when: target,
          excludes: target,
          level: fc.constantFrom('red' as const, 'amber' as const),
        }),
      ),
      { maxLength: 6 },
    ),
  })
  .map((body) => ({
    ...body,
    productPartNumber: 'X',
    version: 1,
    validate: 'enforce' as const,
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: { sub: 's', tenant: 't' },
  }));

const component: fc.Arbitrary<Component | null> = fc.option(
  fc.record(
    {
      partNumber: fc.constantFrom(...PARTS),
      kind: fc.constant('software' as const),
      revision: fc.constantFrom('A', 'B'),
      softwareVersion: fc.constantFrom(...VERSIONS),
    },
    { requiredKeys: ['partNumber', 'kind'] },
  ),
);

/** One change: a position gets a component (or is emptied), or is removed from the unit. */
const mutation = fc.record({
  path: fc.constantFrom(...PATHS),
  to: fc.oneof(component, fc.constant('gone' as const)),
});

describe('incremental judgement', () => {
  it('after any sequence of changes equals the whole judgement of the configuration', () => {
    fc.assert(
      fc.property(
        model,
        fc.array(fc.tuple(fc.constantFrom(...PATHS), component), { maxLength: 6 }),
        fc.array(fc.array(mutation, { minLength: 1, maxLength: 3 }), { maxLength: 8 }),
        (record, initial, changes) => {
          const prepared = prepareModel(record);
          const configuration = new Map<string, Component | null>(initial);
          let findings = judgeConfiguration(prepared, configuration);
          for (const change of changes) {
            const touched = new Set<string>();
            for (const { path, to } of change) {
              if (to === 'gone') configuration.delete(path);
              else configuration.set(path, to);
              touched.add(path);
            }
            // the judge reads only the paths it names
            const needed = pathsToJudge(prepared, touched);
            const partial = new Map([...configuration].filter(([path]) => needed.has(path)));
            findings = judgeIncrementally(prepared, findings, touched, partial);
            expect(findings).toEqual(judgeConfiguration(prepared, configuration));
          }
          expect(statusOf(findings)).toBe(
            findings.some((finding) => finding.level === 'red') ? 'red' : findings.length ? 'amber' : 'green',
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('one-way interchangeability', () => {
  const prepared = prepareModel({
    productPartNumber: 'X',
    version: 1,
    validate: 'enforce',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: { sub: 's', tenant: 't' },
    positions: [
      {
        path: 'fadec',
        allowed: [{ partNumber: 'A' }, { partNumber: 'B' }],
        interchange: [{ from: 'A', to: 'B', kind: 'one-way' }],
      },
    ],
    rules: [],
  });
  const at = (partNumber: string): Component => ({ partNumber, kind: 'electrical' });
  it('lets B replace A and never A replace B', () => {
    expect(interchangeFindings(prepared, { path: 'fadec', from: at('A'), to: at('B') })).toEqual([]);
    expect(interchangeFindings(prepared, { path: 'fadec', from: at('B'), to: at('A') })).toMatchObject([
      { path: 'fadec', code: 'not-interchangeable', level: 'red', rule: 'positions[fadec]' },
    ]);
  });
});

describe('the model in force', () => {
  const versions = [
    { version: 1, createdAt: '2026-01-01T00:00:00.000Z' },
    { version: 2, createdAt: '2026-02-01T00:00:00.000Z' },
  ];
  it('is the newest version created by both the valid time and the record time', () => {
    expect(
      modelInForce(versions, { asOf: '2025-12-01T00:00:00Z', knownAt: '2026-03-01T00:00:00Z' }),
    ).toBeNull();
    expect(
      modelInForce(versions, { asOf: '2026-01-15T00:00:00Z', knownAt: '2026-03-01T00:00:00Z' })?.version,
    ).toBe(1);
    expect(
      modelInForce(versions, { asOf: '2026-03-01T00:00:00Z', knownAt: '2026-01-15T00:00:00Z' })?.version,
    ).toBe(1);
    expect(
      modelInForce(versions, { asOf: '2026-03-01T00:00:00Z', knownAt: '2026-03-01T00:00:00Z' })?.version,
    ).toBe(2);
  });
});
