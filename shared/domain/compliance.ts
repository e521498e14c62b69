import type { ComplianceStatus, Requirement } from '../schemas/compliance';
import type { Effectivity } from '../schemas/effectivity';
import type { Component } from '../schemas/twin';
import { heldAt, type InstallationRecord } from './configuration';
import type { DocumentRecord } from './document';
import { appliesTo } from './effectivity';

/** One manual compliance record of a unit with a requirement (append-only; a correction is a new one). */
export interface ComplianceRecordData {
  id: string;
  twinId: string;
  documentId: string;
  status: 'complied' | 'not-applicable' | 'deferred';
  /** When it was done on the unit (valid time). */
  at: string;
  /** When it was recorded (record time). */
  recordedAt: string;
  evidence: string[];
  reason?: string;
  /** A record this one takes back (from its own recordedAt on). */
  corrects?: string;
  actor: { sub: string; tenant: string };
}

/** A requirement document as the judgement reads it. */
export type RequirementDocument = Pick<
  DocumentRecord,
  'id' | 'kind' | 'title' | 'createdAt' | 'effectivity'
> & {
  requirement: Requirement;
};

/** A document that supersedes a requirement: from its effective date, as known from its creation. */
export interface Superseder {
  documentId: string;
  effectiveAt: string;
  createdAt: string;
}

export interface Times {
  asOf: string;
  knownAt: string;
}

/**
 * Inside this share of the interval before `nextDue`, a recurring requirement is `due` (a planner's
 * forecast window); at or past `nextDue` it is `overdue`.
 */
export const DUE_WINDOW = 0.1;

export type UsageParameter = 'FH' | 'FC';

/** Does this part embody the requirement (match one of its `embodiedWhen`)? */
export const embodies = (requirement: Requirement, component: Component | null | undefined) =>
  component !== null &&
  component !== undefined &&
  requirement.embodiedWhen.some((match) => appliesTo(match, component));

/** Does the requirement apply to a unit carrying this part: its effectivity, or a part that embodies it? */
export const appliesToPart = (
  document: Pick<RequirementDocument, 'effectivity' | 'requirement'>,
  component: Component,
) =>
  (document.effectivity !== undefined && appliesTo(document.effectivity, component)) ||
  embodies(document.requirement, component);

/** Part numbers whose parts embody the requirement (the keys of its part index). */
export const embodyingPartNumbers = (requirement: Requirement | undefined) => [
  ...new Set((requirement?.embodiedWhen ?? []).map((match) => match.partNumber)),
];

/**
 * Where a run of installations of one position that all satisfy `holds` began, ending with `held`:
 * an update of software splits an interval, not a run (5.3.0 → 5.4.0 stays embodied since 5.3.0).
 */
function runStart(
  installations: readonly InstallationRecord[],
  held: InstallationRecord,
  holds: (component: Component) => boolean,
  knownAt: string,
): string {
  let current = held;
  for (;;) {
    const previous = installations.find(
      (candidate) =>
        candidate.path === current.path &&
        candidate.recordedAt <= knownAt &&
        candidate.validTo === current.validFrom &&
        candidate.closedAt !== undefined &&
        candidate.closedAt <= knownAt &&
        holds(candidate.component),
    );
    if (!previous || previous === current) return current.validFrom;
    current = previous;
  }
}

/** The installations held at (asOf, knownAt) whose part satisfies `holds`, each with when its run began. */
export function runsAt(
  installations: readonly InstallationRecord[],
  holds: (component: Component) => boolean,
  at: Times,
): { path: string; since: string }[] {
  return installations
    .filter((installation) => heldAt(installation, at.asOf, at.knownAt) && holds(installation.component))
    .map((installation) => ({
      path: installation.path,
      since: runStart(installations, installation, holds, at.knownAt),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The records known at `knownAt` and not taken back by a correction known then. */
export function recordsKnownAt(records: readonly ComplianceRecordData[], knownAt: string) {
  const known = records.filter((record) => record.recordedAt <= knownAt);
  const corrected = new Set(known.flatMap((record) => (record.corrects ? [record.corrects] : [])));
  return known.filter((record) => !corrected.has(record.id));
}

const latest = (records: readonly ComplianceRecordData[]) =>
  [...records].sort((a, b) =>
    a.at !== b.at
      ? a.at < b.at
        ? 1
        : -1
      : a.recordedAt < b.recordedAt
        ? 1
        : a.recordedAt > b.recordedAt
          ? -1
          : 0,
  )[0];

/** What the judgement of one requirement needs besides the requirement itself. */
export interface ComplianceInputs {
  /** The unit's installation intervals (all of them, or at least those of the parts the requirement names). */
  installations: readonly InstallationRecord[];
  /** The unit's records of this requirement. */
  records: readonly ComplianceRecordData[];
  superseders: readonly Superseder[];
  at: Times;
}

/** The judgement before a usage-recurring requirement's usage is known. */
export interface ComplianceState {
  documentId: string;
  status: ComplianceStatus;
  derived: boolean;
  lastDone: string | null;
  embodiedAt?: string[];
  supersededBy?: string[];
  record?: ComplianceRecordData;
  /** For a recurring requirement still to judge by its interval: from when the interval runs. */
  intervalFrom?: string;
}

/**
 * The compliance of a unit with one requirement at (asOf, knownAt), before a recurring interval is
 * judged: superseded (a superseding document in force); complied and derived when an installed part
 * embodies it (since that run of parts began); the manual record in force (the latest by valid time,
 * as known then, corrections applied); a complied record is reopened when a pre-mod part (one the
 * effectivity matches and that does not embody it) arrived after it. Recurring requirements leave
 * `intervalFrom` to `judgeInterval`.
 */
export function complianceState(document: RequirementDocument, inputs: ComplianceInputs): ComplianceState {
  const { requirement } = document;
  const { at } = inputs;
  const base = { documentId: document.id };
  const superseding = inputs.superseders.filter(
    (entry) => entry.effectiveAt <= at.asOf && entry.createdAt <= at.knownAt,
  );
  const embodied = runsAt(inputs.installations, (component) => embodies(requirement, component), at);
  const known = recordsKnownAt(inputs.records, at.knownAt).filter((record) => record.at <= at.asOf);
  const record = latest(known);
  const lastComplied = latest(known.filter((entry) => entry.status === 'complied'));
  const lastDone =
    embodied.length > 0 ? embodied.map((run) => run.since).sort()[0]! : (lastComplied?.at ?? null);
  const withRecord = record ? { record } : {};
  if (superseding.length > 0)
    return {
      ...base,
      status: 'superseded',
      derived: false,
      lastDone,
      supersededBy: superseding.map((entry) => entry.documentId),
      ...withRecord,
    };
  if (embodied.length > 0)
    return {
      ...base,
      status: 'complied',
      derived: true,
      lastDone,
      embodiedAt: embodied.map((run) => run.path),
      ...withRecord,
    };
  if (record?.status === 'not-applicable' || record?.status === 'deferred')
    return { ...base, status: record.status, derived: false, lastDone, record };
  const premod = (component: Component) =>
    document.effectivity !== undefined &&
    appliesTo(document.effectivity as Effectivity, component) &&
    !embodies(requirement, component);
  const reopened =
    lastComplied !== undefined &&
    requirement.embodiedWhen.length > 0 &&
    runsAt(inputs.installations, premod, at).some((run) => run.since > lastComplied.at);
  const complied = lastComplied !== undefined && !reopened;
  if (requirement.recurring)
    return {
      ...base,
      status: complied ? 'complied' : 'open',
      derived: false,
      lastDone,
      intervalFrom: complied ? lastComplied.at : requirement.effectiveAt,
      ...withRecord,
    };
  return { ...base, status: complied ? 'complied' : 'open', derived: false, lastDone, ...withRecord };
}

export interface NextDue {
  at?: string;
  FH?: number;
  FC?: number;
}

const DAY_MS = 86_400_000;

/**
 * A recurring requirement against its interval: due one interval after `intervalFrom` (the last
 * compliance, or the effective date when never complied); `due` within the last DUE_WINDOW of the
 * interval, `overdue` at or past it. By days on the calendar; by FH or FC on the unit's accrued usage
 * (`usage`: the totals at `intervalFrom` and at asOf).
 */
export function judgeInterval(
  state: ComplianceState,
  every: NonNullable<Requirement['recurring']>['every'],
  asOf: string,
  usage?: { from: number; now: number },
): { status: ComplianceStatus; nextDue: NextDue } {
  const from = state.intervalFrom!;
  let position: { now: number; due: number; interval: number };
  let nextDue: NextDue;
  if (every.days !== undefined) {
    const due = Date.parse(from) + every.days * DAY_MS;
    position = { now: Date.parse(asOf), due, interval: every.days * DAY_MS };
    nextDue = { at: new Date(due).toISOString() };
  } else {
    const parameter: UsageParameter = every.FH !== undefined ? 'FH' : 'FC';
    const interval = every[parameter]!;
    const due = (usage?.from ?? 0) + interval;
    position = { now: usage?.now ?? 0, due, interval };
    nextDue = { [parameter]: due };
  }
  const status: ComplianceStatus =
    position.now >= position.due
      ? 'overdue'
      : position.now >= position.due - DUE_WINDOW * position.interval
        ? 'due'
        : state.status;
  return { status, nextDue };
}

/** The usage parameter a requirement recurs by, if any. */
export const recurringParameter = (requirement: Requirement): UsageParameter | undefined => {
  const every = requirement.recurring?.every;
  return every?.FH !== undefined ? 'FH' : every?.FC !== undefined ? 'FC' : undefined;
};

/** Statuses a fleet page lists as still to do. */
export const OPEN_STATUSES: readonly ComplianceStatus[] = ['open', 'due', 'overdue'];
