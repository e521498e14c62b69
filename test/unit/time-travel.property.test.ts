import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChangeScope, changeScope } from '../../shared/domain/change-scope';
import {
  applyPlan,
  applyPlanToState,
  type ChangePlan,
  planChange,
  planChangeSet,
  type TwinHistory,
} from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { currentHistory, currentStateOf } from '../../shared/domain/current';
import { BadRequest, Conflict } from '../../shared/domain/errors';
import type { TwinState } from '../../shared/domain/records';
import { asBuiltHistory, assembleTwin, newTwinRecord } from '../../shared/domain/twin';
import { ChangeSetBody, type Operation } from '../../shared/schemas/change';
import type { AsBuiltNode, Component, Node } from '../../shared/schemas/twin';
import { configurationOperationArb } from '../support/operations';
import { thrownBy } from './thrown';

// Time travel checked against a naive model: replay the accepted change sets, in effective-time order,
// on a plain map of positions. The model deliberately shares nothing with the domain's interval logic.

const TWIN_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7V';
const ACTOR = { sub: 'user-1', tenant: 'tenant-1' };
const MINUTE = 60_000;
/** When the as-built record is recorded (record time of version 1). */
const CREATED = Date.parse('2026-03-01T12:00:00.000Z');
/** The unit was built half an hour before it was recorded. */
const BUILT = CREATED - 30 * MINUTE;
const FAR_FUTURE = Date.parse('2100-01-01T00:00:00.000Z');
/** Attempt `index` is recorded one minute after the previous one. */
const recordTimeOf = (index: number) => CREATED + (index + 1) * MINUTE;
const isoTexts = new Map<number, string>();
/** ISO text of an instant (cached: the properties format the same few instants many times). */
const iso = (ms: number): string => {
  let text = isoTexts.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    isoTexts.set(ms, text);
  }
  return text;
};

/** Candidate positions of the as-built tree, parents before children. */
const TREE_PATHS = ['a', 'b', 'c', 'a/x', 'a/y', 'b/x', 'a/x/z'] as const;
/** Paths operations name: the tree's, plus some the twin never has (or whose parent it lacks). */
const OPERATION_PATHS = [...TREE_PATHS, 'd', 'd/x', 'b/x/q'] as const;

/** A small pool: one serial under two part numbers, and a part without serial (allowed many times). */
const POOL: Pick<Component, 'partNumber' | 'serialNumber'>[] = [
  { partNumber: 'PN-A', serialNumber: 'S1' },
  { partNumber: 'PN-A', serialNumber: 'S2' },
  { partNumber: 'PN-A', serialNumber: 'S3' },
  { partNumber: 'PN-B', serialNumber: 'S1' },
  { partNumber: 'PN-N' },
];
const VERSIONS = ['1.0.0', '2.0.0', '2.1.0'] as const;

const serialKey = (component: Component): string | null =>
  component.serialNumber === undefined ? null : `${component.partNumber}#${component.serialNumber}`;
const parentOf = (path: string): string | null => {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? null : path.slice(0, cut);
};

// ---------------------------------------------------------------------------------------------
// Generators

interface AsBuiltSlot {
  path: string;
  component: Component | null;
}

/** When an attempt says it happened, relative to the attempt's record time or to fixed times. */
type EffectiveChoice =
  | { kind: 'now' }
  | { kind: 'fixed'; minutes: number; offset: boolean }
  | { kind: 'back'; minutes: number; offset: boolean };

interface Attempt {
  effective: EffectiveChoice;
  operations: OperationChoice[];
}

interface Scenario {
  asBuilt: AsBuiltSlot[];
  attempts: Attempt[];
}

const componentArb: fc.Arbitrary<Component> = fc
  .record({ identity: fc.constantFrom(...POOL), softwareVersion: fc.constantFrom(...VERSIONS) })
  .map(({ identity, softwareVersion }) => ({ ...identity, kind: 'software' as const, softwareVersion }));

const asBuiltArb: fc.Arbitrary<AsBuiltSlot[]> = fc
  .subarray([...TREE_PATHS], { minLength: 3, maxLength: 6 })
  .map((picked) => TREE_PATHS.filter((path) => picked.some((p) => p === path || p.startsWith(`${path}/`))))
  .filter((paths) => paths.length <= 6)
  .chain((paths) =>
    fc.tuple(...paths.map(() => fc.option(componentArb, { freq: 3, nil: null }))).map((components) => {
      // A serial appears once in an as-built record: later duplicates stay empty.
      const seen = new Set<string>();
      return paths.map((path, index): AsBuiltSlot => {
        const component = components[index] ?? null;
        const key = component === null ? null : serialKey(component);
        if (key !== null && seen.has(key)) return { path, component: null };
        if (key !== null) seen.add(key);
        return { path, component };
      });
    }),
  );

const pathArb = fc.constantFrom<string>(...OPERATION_PATHS);

/** Any operation over the known paths and the pool, valid or not. */
const rawOperationArb = configurationOperationArb(pathArb, componentArb, VERSIONS);

/**
 * An operation aimed at the configuration the attempt will meet: `pick` chooses among the positions
 * that fit (occupied for remove, empty for install, ...) at the attempt's effective time. It may
 * still be refused: a later change of the same position, a serial installed elsewhere, ...
 */
type AimedOperation =
  | { op: 'install' | 'replace'; pick: number; component: Component }
  | { op: 'remove' | 'remove-position' | 'add-position'; pick: number }
  | { op: 'move'; pick: number; to: number }
  | { op: 'update'; pick: number; softwareVersion: string };

type OperationChoice = { raw: Operation } | { aimed: AimedOperation };

const pickArb = fc.nat({ max: 9 });
const aimedOperationArb: fc.Arbitrary<AimedOperation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('install' as const, 'replace' as const),
    pick: pickArb,
    component: componentArb,
  }),
  fc.record({
    op: fc.constantFrom('remove' as const, 'remove-position' as const, 'add-position' as const),
    pick: pickArb,
  }),
  fc.record({ op: fc.constant('move' as const), pick: pickArb, to: pickArb }),
  fc.record({
    op: fc.constant('update' as const),
    pick: pickArb,
    softwareVersion: fc.constantFrom(...VERSIONS),
  }),
);

const operationChoiceArb: fc.Arbitrary<OperationChoice> = fc.oneof(
  { arbitrary: rawOperationArb.map((raw) => ({ raw })), weight: 1 },
  { arbitrary: aimedOperationArb.map((aimed) => ({ aimed })), weight: 4 },
);

/** The `pick`-th of `candidates` (cycling), or any path when none fits. */
const choose = (candidates: readonly string[], pick: number): string =>
  candidates[pick % Math.max(1, candidates.length)] ?? OPERATION_PATHS[pick % OPERATION_PATHS.length]!;

/** Resolves an aimed operation against a configuration (the naive model's), then plays it there. */
function aim(choice: OperationChoice, positions: Configuration): Operation {
  const operation = 'raw' in choice ? choice.raw : resolve(choice.aimed, positions);
  applyNaively(positions, operation);
  return operation;
}

function resolve(aimed: AimedOperation, positions: Configuration): Operation {
  const paths = [...positions.keys()];
  const occupied = paths.filter((path) => positions.get(path));
  const empty = paths.filter((path) => !positions.get(path));
  switch (aimed.op) {
    case 'install':
      return { op: 'install', position: choose(empty, aimed.pick), component: aimed.component };
    case 'replace':
      return { op: 'replace', position: choose(occupied, aimed.pick), component: aimed.component };
    case 'remove':
      return { op: 'remove', position: choose(occupied, aimed.pick) };
    case 'update':
      return { op: 'update', position: choose(occupied, aimed.pick), softwareVersion: aimed.softwareVersion };
    case 'move':
      return { op: 'move', from: choose(occupied, aimed.pick), to: choose(empty, aimed.to) };
    case 'add-position': {
      const free = OPERATION_PATHS.filter((path) => {
        const parent = parentOf(path);
        return !positions.has(path) && (parent === null || positions.has(parent));
      });
      return { op: 'add-position', position: choose(free, aimed.pick) };
    }
    case 'remove-position': {
      const leaves = empty.filter((path) => !paths.some((other) => other.startsWith(`${path}/`)));
      return { op: 'remove-position', position: choose(leaves, aimed.pick) };
    }
  }
}

const effectiveArb: fc.Arbitrary<EffectiveChoice> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'now' as const }), weight: 1 },
  {
    // Around the build: before it (refused), at it, between build and record, the record itself,
    // and far ahead (refused).
    arbitrary: fc.record({
      kind: fc.constant('fixed' as const),
      minutes: fc.constantFrom(-31, -30, -30, -29, -15, 0, 0, 24 * 60),
      offset: fc.boolean(),
    }),
    weight: 2,
  },
  {
    // Back-dated to an earlier record time, or ahead of now: within the clock skew (5 min) or beyond.
    arbitrary: fc.record({
      kind: fc.constant('back' as const),
      minutes: fc.integer({ min: -6, max: 8 }),
      offset: fc.boolean(),
    }),
    weight: 4,
  },
);

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  asBuilt: asBuiltArb,
  attempts: fc.array(
    fc.record({
      effective: effectiveArb,
      operations: fc.array(operationChoiceArb, { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 15, size: 'max' },
  ),
});

/** The instant an attempt names (undefined: now), in ms. */
function effectiveMs(choice: EffectiveChoice, index: number): number {
  switch (choice.kind) {
    case 'now':
      return recordTimeOf(index);
    case 'fixed':
      return CREATED + choice.minutes * MINUTE;
    case 'back':
      return recordTimeOf(index) - choice.minutes * MINUTE;
  }
}

/** The same instant as the client may write it: UTC, or with a +02:00 offset. */
function effectiveText(choice: EffectiveChoice, index: number): string | undefined {
  if (choice.kind === 'now') return undefined;
  const ms = effectiveMs(choice, index);
  if (!choice.offset) return iso(ms);
  return `${iso(ms + 2 * 60 * MINUTE).slice(0, -1)}+02:00`;
}

function asBuiltNodes(slots: readonly AsBuiltSlot[]): AsBuiltNode[] {
  const childrenOf = (parent: string | null): AsBuiltNode[] =>
    slots
      .filter((slot) => parentOf(slot.path) === parent)
      .map((slot) => {
        const children = childrenOf(slot.path);
        return {
          position: slot.path.slice(slot.path.lastIndexOf('/') + 1),
          component: slot.component,
          ...(children.length > 0 ? { children } : {}),
        };
      });
  return childrenOf(null);
}

// ---------------------------------------------------------------------------------------------
// The naive model

type Configuration = Map<string, Component | null>;

interface RecordedChange {
  effectiveAt: number;
  recordedAt: number;
  operations: Operation[];
}

interface NaiveModel {
  asBuilt: AsBuiltSlot[];
  /** Accepted change sets, in record order. */
  changes: RecordedChange[];
}

/** What the unit looked like at `asOf`, as known at `knownAt`: replay what was known, in valid-time order. */
function naiveConfiguration(model: NaiveModel, asOf: number, knownAt: number): Configuration {
  const positions: Configuration = new Map();
  if (knownAt < CREATED || asOf < BUILT) return positions;
  for (const slot of model.asBuilt) positions.set(slot.path, slot.component);
  const applicable = model.changes
    .map((change, order) => ({ change, order }))
    .filter(({ change }) => change.recordedAt <= knownAt && change.effectiveAt <= asOf)
    .sort((a, b) => a.change.effectiveAt - b.change.effectiveAt || a.order - b.order);
  for (const { change } of applicable) {
    for (const operation of change.operations) applyNaively(positions, operation);
  }
  return positions;
}

function applyNaively(positions: Configuration, operation: Operation): void {
  switch (operation.op) {
    case 'install':
    case 'replace':
      positions.set(operation.position, operation.component);
      break;
    case 'remove':
      positions.set(operation.position, null);
      break;
    case 'move':
      positions.set(operation.to, positions.get(operation.from) ?? null);
      positions.set(operation.from, null);
      break;
    case 'update': {
      const component = positions.get(operation.position);
      if (component)
        positions.set(operation.position, { ...component, softwareVersion: operation.softwareVersion });
      break;
    }
    case 'add-position':
      positions.set(operation.position, null);
      break;
    case 'remove-position':
      positions.delete(operation.position);
      break;
    case 'lifecycle':
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// The store's guard on a serialized component's own record (change-store `componentWrites`): an
// arrival needs the component free now and free since before the change's effective time.

interface ComponentRecord {
  installedIn?: string;
  freeSince?: string;
}

/** Whether the store's conditional writes on component records let the plan through (and records it). */
function componentRecordsAccept(registry: Map<string, ComponentRecord>, plan: ChangePlan): boolean {
  const next = new Map(registry);
  for (const effect of plan.components) {
    const key = serialKey(effect.component);
    if (key === null) continue;
    const current = registry.get(key) ?? {};
    switch (effect.kind) {
      case 'arrive':
        if (current.installedIn !== undefined) return false;
        if (current.freeSince !== undefined && current.freeSince > effect.at) return false;
        next.set(key, { installedIn: effect.path });
        break;
      case 'leave':
        // The domain and the component record must agree on where the component is.
        expect(current.installedIn).toBe(effect.path);
        next.set(key, { freeSince: effect.at });
        break;
      case 'move':
        expect(current.installedIn).toBe(effect.from);
        next.set(key, { installedIn: effect.to });
        break;
      case 'update':
        expect(current.installedIn).toBe(effect.path);
        break;
    }
  }
  for (const [key, record] of next) registry.set(key, record);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Running a scenario through the domain

/** The positions an operation touches, as the design counts them: adding a position touches its parent. */
function touchedBy(operation: Operation): string[] {
  switch (operation.op) {
    case 'move':
      return [operation.from, operation.to];
    case 'add-position': {
      const parent = parentOf(operation.position);
      return parent === null ? [operation.position] : [operation.position, parent];
    }
    case 'lifecycle':
      return [];
    default:
      return [operation.position];
  }
}

interface Violation {
  attempt: number;
  effectiveAt: string;
  path: string;
  touchedAt: string;
}

/**
 * The rule for back-dating, checked on the accepted changes themselves: a change must be the latest
 * event of every position it touches. The first earlier-recorded, later-effective event it breaks.
 */
function breaksBackDating(
  changes: readonly RecordedChange[],
  operations: readonly Operation[],
  effectiveAt: number,
): { path: string; touchedAt: number } | undefined {
  for (const path of new Set(operations.flatMap(touchedBy))) {
    for (const change of changes) {
      if (change.effectiveAt > effectiveAt && change.operations.some((op) => touchedBy(op).includes(path)))
        return { path, touchedAt: change.effectiveAt };
    }
  }
  return undefined;
}

interface Run {
  model: NaiveModel;
  /** The history after the as-built record and after each accepted change, with its record time. */
  snapshots: { recordedAt: number; history: TwinHistory }[];
  history: TwinHistory;
  /** Every time at which an answer may change, and just before it. */
  times: number[];
  /** What each attempt sent. */
  bodies: ChangeSetBody[];
  /** Changes the domain accepted though they break the back-dating rule (set aside, not applied). */
  violations: Violation[];
  /** The current state as the change sets kept it (what the `CUR#` items hold). */
  state: TwinState;
}

/** A twin built at BUILT, its as-built record recorded at CREATED (version 1). */
function builtTwin(nodes: AsBuiltNode[]): TwinHistory {
  const record = newTwinRecord(
    { serialNumber: 'MSN-1', product: { partNumber: 'A320-214' }, builtAt: iso(BUILT), configuration: nodes },
    TWIN_ID,
    new Date(CREATED),
  );
  return asBuiltHistory(record, flattenAsBuilt(nodes), ACTOR, 'change-0');
}

function run(scenario: Scenario, options: { guardComponents: boolean }): Run {
  let history = builtTwin(asBuiltNodes(scenario.asBuilt));
  // What the as-built record writes as current items; each accepted change then updates it, as the store does.
  let state = currentStateOf(history);
  const registry = new Map<string, ComponentRecord>();
  for (const slot of scenario.asBuilt) {
    const key = slot.component === null ? null : serialKey(slot.component);
    if (key !== null) registry.set(key, { installedIn: slot.path });
  }
  const model: NaiveModel = { asBuilt: scenario.asBuilt, changes: [] };
  const snapshots = [{ recordedAt: CREATED, history }];
  const violations: Violation[] = [];
  const bodies: ChangeSetBody[] = [];

  scenario.attempts.forEach((attempt, index) => {
    const now = recordTimeOf(index);
    const effectiveAt = effectiveMs(attempt.effective, index);
    const seen = naiveConfiguration(model, effectiveAt, now);
    const operations = attempt.operations.map((choice) => aim(choice, seen));
    const text = effectiveText(attempt.effective, index);
    const body: ChangeSetBody = {
      reason: `attempt ${index}`,
      ...(text === undefined ? {} : { effectiveAt: text }),
      operations,
    };
    bodies.push(body);
    const before = JSON.stringify(history);
    const context = { now: new Date(now), actor: ACTOR, changeSetId: `change-${index + 1}` };
    const plan = planOrRefusal(() => planChange(state, body, context));
    // A change set reads only what changeScope names: planned on that alone, it is decided the same way.
    const narrowed = planOrRefusal(() => planChange(narrowedState(state, changeScope(body)), body, context));
    expectEqual(narrowed, plan, `plan on the touched positions only, attempt ${index}`);
    if (plan instanceof Error) return;
    // Planning writes nothing, whether it accepts or refuses: the next attempt sees the same history.
    const after = JSON.stringify(history);
    if (after !== before)
      expect(JSON.parse(after), `history after attempt ${index}`).toEqual(JSON.parse(before));
    const broken = breaksBackDating(model.changes, operations, effectiveAt);
    if (broken !== undefined) {
      violations.push({
        attempt: index,
        effectiveAt: iso(effectiveAt),
        path: broken.path,
        touchedAt: iso(broken.touchedAt),
      });
      return;
    }
    if (options.guardComponents && !componentRecordsAccept(registry, plan)) return;
    if (plan.changeSet.effectiveAt !== iso(effectiveAt))
      expect(plan.changeSet.effectiveAt).toBe(iso(effectiveAt));
    history = applyPlan(history, plan);
    state = applyPlanToState(state, plan);
    model.changes.push({ effectiveAt, recordedAt: now, operations });
    snapshots.push({ recordedAt: now, history });
    expectCurrent(state, history, model, now, index);
  });

  // Answers only change at the effective and record times of what was accepted: refused attempts add
  // no new answer (and that they wrote nothing is checked above).
  const moments = new Set([
    BUILT,
    CREATED,
    FAR_FUTURE,
    ...model.changes.flatMap((change) => [change.effectiveAt, change.recordedAt]),
  ]);
  // Every event falls on a whole minute, so a moment itself is already "just after" whatever happened
  // then (intervals are [from, to)), and one millisecond earlier is "just before".
  const times = [...new Set([...moments].flatMap((moment) => [moment - 1, moment]))].sort((a, b) => a - b);
  return { model, snapshots, history, times, bodies, violations, state };
}

/** A plan, or the refusal (the caller's fault: 409 or 400, never a crash). */
function planOrRefusal(plan: () => ChangePlan): ChangePlan | Conflict | BadRequest {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof Conflict || error instanceof BadRequest)) throw error;
    return error;
  }
}

/**
 * What the store reads for a change (store/change-reads.ts), taken from the whole state: the named
 * positions' current items (or when they were vacated), the first children of each removed one, and
 * the positions where the serialized components the change installs sit now; META's part whole.
 */
function narrowedState(state: TwinState, scope: ChangeScope): TwinState {
  const named = new Set(scope.paths);
  const arriving = new Set(scope.arriving.map((component) => serialKey(component as Component)));
  const byPath = [...state.current].sort((a, b) => (a.position.path < b.position.path ? -1 : 1));
  const kept = new Set(
    byPath
      .filter(({ position, installation }) => {
        const key = installation ? serialKey(installation.component) : null;
        return named.has(position.path) || (key !== null && arriving.has(key));
      })
      .map(({ position }) => position.path),
  );
  for (const { path, limit } of scope.subtrees)
    for (const { position } of byPath
      .filter((entry) => entry.position.path.startsWith(`${path}/`))
      .slice(0, limit))
      kept.add(position.path);
  return {
    ...state,
    current: state.current.filter(({ position }) => kept.has(position.path)),
    vacated: Object.fromEntries(Object.entries(state.vacated).filter(([path]) => named.has(path))),
  };
}

/** The current paths in order, so that two states compare whatever order their items came in. */
const normalized = (state: TwinState) => ({
  ...state,
  current: [...state.current].sort((a, b) => (a.position.path < b.position.path ? -1 : 1)),
});

/**
 * The current items, as the change sets kept them, are what a whole-history migration (or an import)
 * would write, and show the naive replay of everything known now (at the latest valid time: a change
 * effective just ahead of now, within the clock skew, is already current).
 */
function expectCurrent(
  state: TwinState,
  history: TwinHistory,
  model: NaiveModel,
  now: number,
  index: number,
) {
  expectEqual(normalized(state), normalized(currentStateOf(history)), `state after attempt ${index}`);
  const current = flatten(
    assembleTwin(currentHistory(state), { asOf: iso(FAR_FUTURE), knownAt: iso(now) }).configuration,
  );
  expectEqual(current, naiveConfiguration(model, FAR_FUTURE, now), `current items after attempt ${index}`);
}

function flatten(nodes: readonly Node[], into: Configuration = new Map()): Configuration {
  for (const node of nodes) {
    into.set(node.path, node.component);
    flatten(node.children, into);
  }
  return into;
}

const configurationOf = (history: TwinHistory, asOf: number, knownAt: number): Configuration =>
  flatten(assembleTwin(history, { asOf: iso(asOf), knownAt: iso(knownAt) }).configuration);

const at = (asOf: number, knownAt: number) => `asOf ${iso(asOf)} knownAt ${iso(knownAt)}`;

/** Asserts only on a mismatch: `expect` in the innermost loop would dominate the run time. */
function expectEqual(actual: unknown, expected: unknown, message: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, message).toEqual(expected);
}

// ---------------------------------------------------------------------------------------------

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) };

describe('time travel (property)', () => {
  it('answers every (asOf, knownAt) as a naive replay of the accepted change sets does', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // Prepare
        const { model, history, times } = run(scenario, { guardComponents: false });
        for (const asOf of times) {
          for (const knownAt of times) {
            // Act
            const actual = configurationOf(history, asOf, knownAt);
            // Assess
            expectEqual(actual, naiveConfiguration(model, asOf, knownAt), at(asOf, knownAt));
          }
        }
      }),
      RUNS,
    );
  });

  it('keeps current items equal to the replay now, whoever of two concurrent writers wins', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), (scenario, seed) => {
        // Prepare: each accepted change raced a second writer that planned on the same state; the
        // version condition lets one of them through, the other is refused (412) and writes nothing.
        const { state, history, model } = run(scenario, { guardComponents: false });
        const lastRecorded = model.changes.at(-1)?.recordedAt ?? CREATED;
        const body = {
          reason: 'racer',
          operations: [{ op: 'lifecycle' as const, to: 'delivered' as const }],
        };
        const context = { now: new Date(lastRecorded + MINUTE), actor: ACTOR };
        let first: ChangePlan | undefined;
        let second: ChangePlan | undefined;
        try {
          first = planChange(state, body, { ...context, changeSetId: `race-${seed}-a` });
          second = planChange(state, body, { ...context, changeSetId: `race-${seed}-b` });
        } catch (error) {
          if (!(error instanceof Conflict)) throw error;
        }
        if (!first || !second) return;
        // Act: the first commits; the second's expected version is now stale
        const after = applyPlanToState(state, first);
        // Assess: both asked for the same version, so the store's condition admits exactly one
        expect(second.twin.version).toBe(first.twin.version);
        expect(after.record.version).toBe(state.record.version + 1);
        expectEqual(
          normalized(after),
          normalized(currentStateOf(applyPlan(history, first))),
          'state after the race',
        );
      }),
      RUNS,
    );
  });

  it('never shows a serialized component in two positions at the same valid time', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // Prepare: what the store records, the domain's plan then its component-record conditions.
        // planChangeSet alone looks at the effective time only: it lets a back-dated install in before
        // the same serial's later arrival elsewhere; the component record's condition refuses it.
        const { history, times } = run(scenario, { guardComponents: true });
        for (const asOf of times) {
          for (const knownAt of times) {
            // Act
            const serials = [...configurationOf(history, asOf, knownAt).values()]
              .map((component) => (component === null ? null : serialKey(component)))
              .filter((key) => key !== null);
            // Assess
            if (new Set(serials).size !== serials.length)
              expect(serials, at(asOf, knownAt)).toEqual([...new Set(serials)]);
          }
        }
      }),
      RUNS,
    );
  });

  it('writes nothing on a refusal, and never changes what was known at an earlier record time', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // Prepare (`run` asserts that a refused attempt leaves the history deep-equal)
        const { snapshots, history, times } = run(scenario, { guardComponents: false });
        snapshots.slice(0, -1).forEach((snapshot, index) => {
          // From its record time until the next accepted change, the snapshot is what the system said
          // (the last snapshot is the current history itself).
          const from = index === 0 ? Number.NEGATIVE_INFINITY : snapshot.recordedAt;
          const until = snapshots[index + 1]?.recordedAt ?? Number.POSITIVE_INFINITY;
          for (const knownAt of times.filter((time) => time >= from && time < until)) {
            for (const asOf of times) {
              // Act
              const then = assembleTwin(snapshot.history, { asOf: iso(asOf), knownAt: iso(knownAt) });
              const now = assembleTwin(history, { asOf: iso(asOf), knownAt: iso(knownAt) });
              // Assess
              expectEqual(
                { configuration: now.configuration, lifecycle: now.lifecycle },
                { configuration: then.configuration, lifecycle: then.lifecycle },
                at(asOf, knownAt),
              );
            }
          }
        });
      }),
      RUNS,
    );
  });

  it('refuses a back-dated change that is not the latest event of every position it touches', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // Act
        const { violations } = run(scenario, { guardComponents: false });
        // Assess
        expect(violations).toEqual([]);
      }),
      { ...RUNS, examples: [[NET_NOTHING_THEN_BACK_DATED]] },
    );
  });

  it('generates scenarios where back-dated changes are both accepted and refused', () => {
    // Guards the generators: the properties above say little if nearly everything is refused.
    const stats = { attempted: 0, accepted: 0, backDated: 0 };
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { model, bodies } = run(scenario, { guardComponents: false });
        // Everything sent is a body the API accepts: refusals come from the domain, not the schema.
        for (const body of bodies)
          expect(ChangeSetBody.safeParse(body).success, JSON.stringify(body)).toBe(true);
        stats.attempted += bodies.length;
        stats.accepted += model.changes.length;
        stats.backDated += model.changes.filter((change) => change.effectiveAt < change.recordedAt).length;
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(stats.accepted).toBeGreaterThan(stats.attempted / 4);
    expect(stats.attempted - stats.accepted).toBeGreaterThan(stats.attempted / 4);
    expect(stats.backDated).toBeGreaterThan(stats.accepted / 4);
  });
});

/** Found by the properties: the first change leaves nothing at `b`; the second is back-dated before it. */
const NET_NOTHING_THEN_BACK_DATED: Scenario = {
  asBuilt: [
    { path: 'a', component: { partNumber: 'PN-A', serialNumber: 'S1', kind: 'software' } },
    { path: 'b', component: null },
    { path: 'c', component: null },
  ],
  attempts: [
    {
      effective: { kind: 'back', minutes: 0, offset: false },
      operations: [
        { raw: { op: 'install', position: 'b', component: { partNumber: 'PN-N', kind: 'software' } } },
        { raw: { op: 'move', from: 'b', to: 'c' } },
      ],
    },
    {
      effective: { kind: 'back', minutes: 2, offset: false },
      operations: [{ raw: { op: 'move', from: 'a', to: 'b' } }],
    },
  ],
};

describe('planChangeSet, back-dating before a change that left no interval behind', () => {
  const change = (
    history: TwinHistory,
    attempt: number,
    effectiveAt: number,
    operations: Operation[],
  ): ChangePlan =>
    planChangeSet(
      history,
      { reason: `attempt ${attempt}`, effectiveAt: iso(effectiveAt), operations },
      { now: new Date(recordTimeOf(attempt)), actor: ACTOR, changeSetId: `change-${attempt + 1}` },
    );

  it('refuses removing a position before the time a child was added under it', () => {
    // Prepare: `a` is empty since the build; `a/b` is added under it at 11:50
    const addChild = change(builtTwin([{ position: 'a' }]), 0, CREATED - 10 * MINUTE, [
      { op: 'add-position', position: 'a/b' },
    ]);
    const history = applyPlan(builtTwin([{ position: 'a' }]), addChild);
    // Act: remove `a`, back-dated to 11:40, before the change at 11:50 that touched it
    const error = thrownBy(() =>
      change(history, 1, CREATED - 20 * MINUTE, [{ op: 'remove-position', position: 'a' }]),
    );
    // Assess: accepted, `a/b` would exist from 11:50 on while its parent `a` does not
    expect(addChild.changeSet.paths).toContain('a');
    expect(error).toBeInstanceOf(Conflict);
  });

  it('refuses filling a position before the time a later change installed in it and moved out of it', () => {
    // Prepare: at 12:01 a part is installed in `b` and moved on to `c` (nothing is written at `b`)
    const nodes: AsBuiltNode[] = [
      { position: 'a', component: { partNumber: 'PN-A', serialNumber: 'S1', kind: 'software' } },
      { position: 'b' },
      { position: 'c' },
    ];
    const passThrough = change(builtTwin(nodes), 0, recordTimeOf(0), [
      { op: 'install', position: 'b', component: { partNumber: 'PN-N', kind: 'software' } },
      { op: 'move', from: 'b', to: 'c' },
    ]);
    const history = applyPlan(builtTwin(nodes), passThrough);
    // Act: move S1 into `b`, back-dated to 12:00, before the change at 12:01 that found `b` empty
    const error = thrownBy(() => change(history, 1, CREATED, [{ op: 'move', from: 'a', to: 'b' }]));
    // Assess: accepted, S1 would sit in `b` from 12:00 on, though the 12:01 change installed in it
    expect(passThrough.changeSet.paths).toContain('b');
    expect(error).toBeInstanceOf(Conflict);
  });
});
