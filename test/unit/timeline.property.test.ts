import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan, type ChangePlan, planChange, type TwinHistory } from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { currentStateOf } from '../../shared/domain/current';
import { AppError } from '../../shared/domain/errors';
import { LIFECYCLE_STATES } from '../../shared/domain/lifecycle-states';
import type { TimelineMark } from '../../shared/domain/records';
import {
  type Checkpoint,
  checkpointOf,
  checkpointServes,
  endsTimeline,
  entriesToApply,
  mattersAt,
  nextCheckpoint,
  type TimelineChange,
  type TimelineEntry,
  timelineAt,
  timelineEntry,
} from '../../shared/domain/timeline';
import {
  asBuiltHistory,
  assembleTwin,
  newTwinRecord,
  patchTwinRecord,
  planTwinEdit,
  type TwinEditPlan,
  twinEdited,
} from '../../shared/domain/twin';
import type { Operation } from '../../shared/schemas/change';
import type { AsBuiltNode, Component } from '../../shared/schemas/twin';
import { configurationOperationArb } from '../support/operations';

// The checkpoint + timeline reader (what `GET ?asOf&knownAt` reads through shared/store/timeline-store.ts)
// against the full replay of every interval, at every (asOf, knownAt) around the events, with
// checkpoints at random change sets (built incrementally from the entries, or from the whole
// timeline as a full replay leaves them).

const MINUTE = 60_000;
const CREATED = Date.parse('2026-03-01T12:00:00.000Z');
const BUILT = CREATED - 30 * MINUTE;
const FAR_FUTURE = Date.parse('2100-01-01T00:00:00.000Z');
const ACTOR = { sub: 'user-1', tenant: 'tenant-1' };
const iso = (ms: number) => new Date(ms).toISOString();

const PATHS = ['a', 'b', 'a/x', 'a/y', 'c'] as const;
const componentArb: fc.Arbitrary<Component> = fc
  .record({
    serialNumber: fc.constantFrom('S1', 'S2', 'S3', undefined),
    softwareVersion: fc.constantFrom('1.0.0', '2.0.0'),
  })
  .map(({ serialNumber, softwareVersion }) => ({
    partNumber: 'PN-A',
    ...(serialNumber === undefined ? {} : { serialNumber }),
    kind: 'software' as const,
    softwareVersion,
  }));
const pathArb = fc.constantFrom<string>(...PATHS);
const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  configurationOperationArb(pathArb, componentArb, ['3.0.0']),
  fc.record({ op: fc.constant('lifecycle' as const), to: fc.constantFrom(...LIFECYCLE_STATES) }),
);

type Attempt =
  | { kind: 'change'; back: number; operations: Operation[] }
  | { kind: 'edit'; back: number; site: string };

const attemptArb: fc.Arbitrary<Attempt> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('change' as const),
      back: fc.oneof(fc.constant(0), fc.nat({ max: 40 })),
      operations: fc.array(operationArb, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      back: fc.oneof(fc.constant(0), fc.nat({ max: 40 })),
      site: fc.constantFrom('HAM', 'TLS', 'XFW'),
    }),
  },
);

interface Scenario {
  attempts: Attempt[];
  /** Change sets (by their index among the accepted ones) right after which a checkpoint is taken. */
  checkpointAt: number[];
  /** For each checkpoint: from the whole timeline (a full replay's), else from the previous one. */
  whole: boolean[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  attempts: fc.array(attemptArb, { minLength: 1, maxLength: 14 }),
  checkpointAt: fc.uniqueArray(fc.nat({ max: 14 }), { maxLength: 4 }),
  whole: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
});

const AS_BUILT: AsBuiltNode[] = [
  {
    position: 'a',
    component: { partNumber: 'PN-A', serialNumber: 'S1', kind: 'software', softwareVersion: '1.0.0' },
    children: [{ position: 'x', component: null }],
  },
  { position: 'b', component: null },
];

const timelineOf = (history: TwinHistory) => ({
  positions: history.positions,
  installations: history.installations,
  twinFields: history.twinFields ?? [],
  lifecycles: history.lifecycles ?? [],
});

function changeOf(plan: ChangePlan): TimelineChange {
  return { ...plan, seq: plan.changeSet.seq };
}

function editOf(plan: TwinEditPlan): TimelineChange {
  const { interval, stored } = plan.close;
  return {
    seq: plan.changeSet.seq,
    openTwinFields: stored ? [plan.open] : [interval, plan.open],
    closeTwinFields: stored ? [interval] : [],
  };
}

interface Run {
  history: TwinHistory;
  entries: TimelineEntry[];
  checkpoints: Checkpoint[];
  times: number[];
}

function run(scenario: Scenario): Run {
  const record = newTwinRecord(
    { serialNumber: 'MSN-1', product: { partNumber: 'A320' }, builtAt: iso(BUILT), configuration: AS_BUILT },
    '01JD3Q6Z8V1K9M2N3P4R5S6T7V',
    new Date(CREATED),
  );
  let history: TwinHistory = {
    ...asBuiltHistory(record, flattenAsBuilt(AS_BUILT), ACTOR, 'cs-0'),
    lifecycles: [],
  };
  const first = checkpointOf(timelineOf(history), 1);
  const checkpoints: Checkpoint[] = [first];
  const entries: TimelineEntry[] = [];
  let mark: TimelineMark | undefined;
  const moments = new Set([BUILT, CREATED, FAR_FUTURE]);
  scenario.attempts.forEach((attempt, index) => {
    const now = CREATED + (index + 1) * MINUTE;
    const effectiveAt = iso(now - attempt.back * MINUTE);
    const context = { now: new Date(now), actor: ACTOR, changeSetId: `cs-${index + 1}` };
    let change: TimelineChange;
    try {
      if (attempt.kind === 'change') {
        const plan = planChange(
          currentStateOf(history),
          { reason: 'r', effectiveAt, operations: attempt.operations },
          context,
        );
        history = { ...applyPlan(history, plan), twinFields: history.twinFields ?? [] };
        change = changeOf(plan);
      } else {
        const body = { site: attempt.site, effectiveAt };
        const plan = planTwinEdit(history, patchTwinRecord(history.record, body, context.now), body, context);
        history = twinEdited(history, plan);
        change = editOf(plan);
      }
    } catch (error) {
      if (error instanceof AppError) return;
      throw error;
    }
    const written = timelineEntry(change, mark, iso(now));
    entries.push(written.entry);
    mark = written.mark;
    moments.add(now);
    moments.add(Date.parse(effectiveAt));
    const taken = scenario.checkpointAt.indexOf(entries.length - 1);
    if (taken >= 0) {
      const previous = checkpoints.at(-1)!;
      checkpoints.push(
        scenario.whole[taken]
          ? checkpointOf(timelineOf(history), history.record.version)
          : nextCheckpoint(
              previous,
              entries.filter((entry) => entry.seq > previous.seq),
            ),
      );
    }
  });
  const times = [...new Set([...moments].flatMap((moment) => [moment - 1, moment]))].sort((a, b) => a - b);
  return { history, entries, checkpoints, times };
}

/** What the store reads at (asOf, knownAt): the latest checkpoint that serves, then the entries after it. */
function readAt(run: Run, at: { asOf: string; knownAt: string }): TwinHistory | null {
  const checkpoint = run.checkpoints.filter((c) => checkpointServes(c, at.asOf, at.knownAt)).at(-1);
  if (!checkpoint) return null;
  const after = run.entries.filter((entry) => entry.seq > checkpoint.seq);
  const end = after.findIndex((entry) => endsTimeline(entry, at.asOf, at.knownAt));
  const ordered = end < 0 ? after : after.slice(0, end + 1);
  const late = after.filter((entry) => entry.late && mattersAt(entry, at.asOf, at.knownAt));
  const parts = timelineAt(checkpoint, entriesToApply(ordered, late, at), at);
  return { record: run.history.record, changeSets: [], ...parts };
}

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) };

describe('time travel from checkpoints (property)', () => {
  it('answers every (asOf, knownAt) as the full replay of every interval does', () => {
    let served = 0;
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        // Prepare
        const state = run(scenario);
        for (const asOf of state.times) {
          for (const knownAt of state.times) {
            const at = { asOf: iso(asOf), knownAt: iso(knownAt) };
            // Act
            const read = readAt(state, at);
            if (read === null) continue;
            served++;
            // Assess
            const actual = assembleTwin(read, at);
            const expected = assembleTwin(state.history, at);
            if (!isDeepStrictEqual(actual, expected))
              expect(actual, `${at.asOf} / ${at.knownAt}`).toEqual(expected);
          }
        }
      }),
      RUNS,
    );
    expect(served).toBeGreaterThan(0);
  });

  it('generates late entries and checkpoints past the first', () => {
    const samples = fc.sample(scenarioArb.map(run), 200);
    expect(samples.some((sample) => sample.entries.some((entry) => entry.late))).toBe(true);
    expect(samples.some((sample) => sample.checkpoints.length > 2)).toBe(true);
    expect(samples.some((sample) => sample.entries.some((entry) => entry.lifecycle))).toBe(true);
    expect(samples.some((sample) => sample.entries.some((entry) => entry.twinFields.length > 0))).toBe(true);
  });
});
