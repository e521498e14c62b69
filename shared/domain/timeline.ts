import type { InstallationRecord, Interval, PositionRecord } from './configuration';
import type { LifecycleMove, TimelineMark, TwinFieldsRecord, TwinHistory } from './records';

export type { TimelineMark };

/**
 * Time travel that does not grow with the twin's age: a checkpoint of the intervals open right after
 * some change set, and one timeline entry per later change set (what it opened and closed), applied
 * to it. Both are derived from the same intervals the full replay reads, and the reader below answers
 * exactly what the full replay answers (test/unit/timeline.property.test.ts).
 *
 * Why it is exact. An interval is opened by one change set and closed once. `heldAt` keeps an interval
 * at (asOf A, knownAt K) when `recordedAt ≤ K`, `validFrom ≤ A` and not (`closedAt ≤ K` and `validTo ≤ A`).
 * A checkpoint after change set s keeps the intervals still open then, with `V` (`validUntil`) the
 * latest valid time and `R` (`recordedUntil`) the latest record time anything up to s carries: every
 * interval it leaves out was closed with `validTo ≤ V` and `closedAt ≤ R`, so it is not held at any
 * (A ≥ V, K ≥ R). The entries after s then bring every interval opened later and every later close.
 * An entry whose earliest valid time is after A (or earliest record time after K) changes nothing at
 * (A, K): what it opens is not held, and an interval it closes at `validTo > A` stays held. An entry
 * that is `late` (its earliest times before the latest ones of an entry before it) is also listed
 * apart (`BACK#`); every other entry is at or after all the entries before it, so the first non-late
 * one past A or K ends the entries that can matter, but for late ones.
 */

export type IntervalKind = 'position' | 'installation' | 'twinFields';

/** An interval a change set closes: which one (kind, path, validFrom, seq) and how. */
export interface TimelineClose {
  kind: IntervalKind;
  path?: string;
  validFrom: string;
  seq: number;
  validTo: string;
  closedAt: string;
}

/** What one change set did to the intervals (`TL#<seq>`): written in the change set's transaction. */
export interface TimelineEntry {
  seq: number;
  /** The earliest and latest valid time and record time it carries (opens, closes, lifecycle move). */
  earliestAt: string;
  latestAt: string;
  earliestRecordedAt: string;
  latestRecordedAt: string;
  /** Earlier than the latest times of an entry before it: also listed as `BACK#<seq>`. */
  late: boolean;
  positions: PositionRecord[];
  installations: InstallationRecord[];
  twinFields: TwinFieldsRecord[];
  lifecycle?: LifecycleMove;
  closes: TimelineClose[];
}

/** The intervals open right after change set `seq` (`CKPT#`), with the latest times up to it. */
export interface Checkpoint {
  seq: number;
  validUntil: string;
  recordedUntil: string;
  positions: PositionRecord[];
  installations: InstallationRecord[];
  twinFields: TwinFieldsRecord[];
  /** The lifecycle move that wins among those up to `seq` (latest effective time, then seq). */
  lifecycle?: LifecycleMove;
}

/** A point a read answers at: valid time and record time. */
export interface ReadAt {
  asOf: string;
  knownAt: string;
}

/** The intervals of a read at one (asOf, knownAt): a superset of what is held then, with their closes. */
export type TimelineParts = Pick<TwinHistory, 'positions' | 'installations'> & {
  twinFields: TwinFieldsRecord[];
  lifecycles: LifecycleMove[];
};

/** What one change set opens and closes, as its plan has them. */
export interface TimelineChange {
  seq: number;
  openPositions?: readonly PositionRecord[];
  openInstallations?: readonly InstallationRecord[];
  openTwinFields?: readonly TwinFieldsRecord[];
  closePositions?: readonly PositionRecord[];
  closeInstallations?: readonly InstallationRecord[];
  closeTwinFields?: readonly TwinFieldsRecord[];
  lifecycleMove?: LifecycleMove | undefined;
}

// ISO times compare as text (Math.min/max are for numbers)
const min = (values: readonly string[]) => [...values].sort()[0]!;
const max = (values: readonly string[]) => [...values].sort().at(-1)!;

const closeOf = (
  kind: IntervalKind,
  interval: Omit<Interval, 'path'> & { path?: string },
): TimelineClose => ({
  kind,
  ...(interval.path === undefined ? {} : { path: interval.path }),
  validFrom: interval.validFrom,
  seq: interval.seq,
  validTo: interval.validTo!,
  closedAt: interval.closedAt!,
});

/**
 * The entry of one change set, and META's mark after it. `late` compares it with the mark before
 * it (no mark: the first entry, late to nothing).
 */
export function timelineEntry(
  change: TimelineChange,
  mark: TimelineMark | undefined,
  recordedAt: string,
): { entry: TimelineEntry; mark: TimelineMark } {
  const positions = [...(change.openPositions ?? [])];
  const installations = [...(change.openInstallations ?? [])];
  const twinFields = [...(change.openTwinFields ?? [])];
  const closes = [
    ...(change.closePositions ?? []).map((interval) => closeOf('position', interval)),
    ...(change.closeInstallations ?? []).map((interval) => closeOf('installation', interval)),
    ...(change.closeTwinFields ?? []).map((interval) => closeOf('twinFields', interval)),
  ];
  const opened = [...positions, ...installations, ...twinFields];
  const move = change.lifecycleMove;
  const valid = [
    ...opened.map((interval) => interval.validFrom),
    ...closes.map((close) => close.validTo),
    ...(move ? [move.effectiveAt] : []),
  ];
  const recorded = [
    recordedAt,
    ...opened.map((interval) => interval.recordedAt),
    ...closes.map((close) => close.closedAt),
    ...(move ? [move.recordedAt] : []),
  ];
  // a change set that touches no interval is never late and moves no time on
  const times = valid.length > 0 ? valid : [mark?.latestAt ?? recordedAt];
  const entry: TimelineEntry = {
    seq: change.seq,
    earliestAt: min(times),
    latestAt: max(times),
    earliestRecordedAt: min(recorded),
    latestRecordedAt: max(recorded),
    late: false,
    positions,
    installations,
    twinFields,
    ...(move ? { lifecycle: move } : {}),
    closes,
  };
  entry.late =
    (mark?.latestAt !== undefined && entry.earliestAt < mark.latestAt) ||
    (mark?.latestRecordedAt !== undefined && entry.earliestRecordedAt < mark.latestRecordedAt);
  return {
    entry,
    mark: {
      from: mark?.from ?? change.seq,
      latestAt: mark?.latestAt === undefined ? entry.latestAt : max([mark.latestAt, entry.latestAt]),
      latestRecordedAt:
        mark?.latestRecordedAt === undefined
          ? entry.latestRecordedAt
          : max([mark.latestRecordedAt, entry.latestRecordedAt]),
    },
  };
}

const intervalId = (kind: IntervalKind, interval: { path?: string; validFrom: string; seq: number }) =>
  `${kind}\u0000${interval.path ?? ''}\u0000${interval.validFrom}\u0000${interval.seq}`;

const laterMove = (a: LifecycleMove | undefined, b: LifecycleMove) =>
  a === undefined || b.effectiveAt > a.effectiveAt || (b.effectiveAt === a.effectiveAt && b.seq > a.seq)
    ? b
    : a;

/** A mutable set of intervals by identity, in the order they were opened. */
class IntervalSet {
  readonly byId = new Map<string, { kind: IntervalKind; interval: Interval | TwinFieldsRecord }>();
  lifecycles: LifecycleMove[] = [];

  constructor(start: Pick<Checkpoint, 'positions' | 'installations' | 'twinFields' | 'lifecycle'>) {
    this.open(start);
    if (start.lifecycle) this.lifecycles.push(start.lifecycle);
  }

  open(from: Pick<TimelineEntry, 'positions' | 'installations' | 'twinFields'>) {
    for (const interval of from.positions)
      this.byId.set(intervalId('position', interval), { kind: 'position', interval });
    for (const interval of from.installations)
      this.byId.set(intervalId('installation', interval), { kind: 'installation', interval });
    for (const interval of from.twinFields)
      this.byId.set(intervalId('twinFields', interval), { kind: 'twinFields', interval });
  }

  apply(entry: TimelineEntry) {
    this.open(entry);
    for (const close of entry.closes) {
      const id = intervalId(close.kind, close);
      const held = this.byId.get(id);
      // an interval opened after what this set starts from, by an entry left out, is not held: nor is its close
      if (held)
        this.byId.set(id, {
          ...held,
          interval: { ...held.interval, validTo: close.validTo, closedAt: close.closedAt },
        });
    }
    if (entry.lifecycle) this.lifecycles.push(entry.lifecycle);
  }

  of<T>(kind: IntervalKind, open: boolean): T[] {
    return [...this.byId.values()]
      .filter((held) => held.kind === kind && (!open || held.interval.validTo === null))
      .map((held) => held.interval as T);
  }
}

/**
 * The checkpoint after the last of `entries`, from the one before them (`entries` follow it without a
 * gap): the intervals still open, the winning lifecycle move, the latest times.
 */
export function nextCheckpoint(previous: Checkpoint, entries: readonly TimelineEntry[]): Checkpoint {
  const set = new IntervalSet(previous);
  for (const entry of entries) set.apply(entry);
  const last = entries.at(-1);
  return {
    seq: last?.seq ?? previous.seq,
    validUntil: max([previous.validUntil, ...entries.map((entry) => entry.latestAt)]),
    recordedUntil: max([previous.recordedUntil, ...entries.map((entry) => entry.latestRecordedAt)]),
    ...openOf(set),
  };
}

const openOf = (set: IntervalSet) => {
  const lifecycle = set.lifecycles.reduce<LifecycleMove | undefined>(laterMove, undefined);
  return {
    positions: set.of<PositionRecord>('position', true),
    installations: set.of<InstallationRecord>('installation', true),
    twinFields: set.of<TwinFieldsRecord>('twinFields', true),
    ...(lifecycle ? { lifecycle } : {}),
  };
};

/**
 * The checkpoint of a whole timeline (every interval up to change set `seq`, as the full replay reads
 * them): what an as-built record or a full replay leaves for the reads after it.
 */
export function checkpointOf(timeline: TimelineParts, seq: number): Checkpoint {
  const intervals: (Omit<Interval, 'path'> & { path?: string })[] = [
    ...timeline.positions,
    ...timeline.installations,
    ...timeline.twinFields,
  ];
  const moves = timeline.lifecycles;
  const set = new IntervalSet({ ...timeline, lifecycle: undefined });
  for (const move of moves) set.lifecycles.push(move);
  return {
    seq,
    // nothing held: any time is after all of it ('' sorts first)
    validUntil: max([
      '',
      ...intervals.flatMap((interval) => [
        interval.validFrom,
        ...(interval.validTo === null ? [] : [interval.validTo]),
      ]),
      ...moves.map((move) => move.effectiveAt),
    ]),
    recordedUntil: max([
      '',
      ...intervals.flatMap((interval) => [
        interval.recordedAt,
        ...(interval.closedAt ? [interval.closedAt] : []),
      ]),
      ...moves.map((move) => move.recordedAt),
    ]),
    ...openOf(set),
  };
}

/** Whether a checkpoint can start a read at (asOf, knownAt). */
export const checkpointServes = (
  checkpoint: Pick<Checkpoint, 'validUntil' | 'recordedUntil'>,
  asOf: string,
  knownAt: string,
) => checkpoint.validUntil <= asOf && checkpoint.recordedUntil <= knownAt;

/** The first entry past which no non-late entry matters at (asOf, knownAt). */
export const endsTimeline = (entry: TimelineEntry, asOf: string, knownAt: string) =>
  !entry.late && (entry.earliestAt > asOf || entry.earliestRecordedAt > knownAt);

/** Whether an entry can change what is held at (asOf, knownAt). */
export const mattersAt = (
  entry: Pick<TimelineEntry, 'earliestAt' | 'earliestRecordedAt'>,
  asOf: string,
  knownAt: string,
) => entry.earliestAt <= asOf && entry.earliestRecordedAt <= knownAt;

/**
 * The intervals a read at (asOf, knownAt) assembles from: the checkpoint's, with the entries after it
 * applied in seq order (those before the end of the timeline and the late ones after it that matter).
 */
export function timelineAt(
  checkpoint: Checkpoint,
  entries: readonly TimelineEntry[],
  at: ReadAt,
): TimelineParts {
  const set = new IntervalSet(checkpoint);
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq))
    if (mattersAt(entry, at.asOf, at.knownAt)) set.apply(entry);
  return {
    positions: set.of<PositionRecord>('position', false),
    installations: set.of<InstallationRecord>('installation', false),
    twinFields: set.of<TwinFieldsRecord>('twinFields', false),
    lifecycles: set.lifecycles,
  };
}

/**
 * Which entries a read uses, given the entries after its checkpoint in seq order (read as far as the
 * end of the timeline at (asOf, knownAt), or to the last) and the late ones after its checkpoint:
 * those before the end, and the late ones after it.
 */
export function entriesToApply(
  ordered: readonly TimelineEntry[],
  late: readonly TimelineEntry[],
  at: ReadAt,
): TimelineEntry[] {
  const end = ordered.findIndex((entry) => endsTimeline(entry, at.asOf, at.knownAt));
  if (end < 0) return [...ordered];
  const endSeq = ordered[end]!.seq;
  return [...ordered.slice(0, end), ...late.filter((entry) => entry.seq > endSeq)];
}
