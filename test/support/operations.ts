import fc from 'fast-check';
import type { Operation } from '../../shared/schemas/change';
import type { Component } from '../../shared/schemas/twin';

/**
 * Any configuration operation over the given paths and components, valid or not (the property
 * tests feed them to the planner, which refuses what does not fit).
 */
export const configurationOperationArb = (
  pathArb: fc.Arbitrary<string>,
  componentArb: fc.Arbitrary<Component>,
  softwareVersions: readonly string[],
): fc.Arbitrary<Operation> =>
  fc.oneof(
    fc.record({ op: fc.constant('install' as const), position: pathArb, component: componentArb }),
    fc.record({ op: fc.constant('remove' as const), position: pathArb }),
    fc.record({ op: fc.constant('replace' as const), position: pathArb, component: componentArb }),
    fc.record({ op: fc.constant('move' as const), from: pathArb, to: pathArb }),
    fc.record({
      op: fc.constant('update' as const),
      position: pathArb,
      softwareVersion: fc.constantFrom(...softwareVersions),
    }),
    fc.record({ op: fc.constant('add-position' as const), position: pathArb }),
    fc.record({ op: fc.constant('remove-position' as const), position: pathArb }),
  );
