import type { ChangeSetBody, Operation } from '../schemas/change';
import { attributeMapProblem, MAX_DEPTH, MAX_POSITIONS } from '../schemas/common';
import type { Component } from '../schemas/twin';
import type { BaselineRecord } from './baseline';
import {
  componentIdentity,
  heldAt,
  type InstallationRecord,
  type Interval,
  type PositionRecord,
  parentPath,
} from './configuration';
import { Conflict, InstalledElsewhere, invalidField } from './errors';
import type { InspectionRecord } from './inspection';
import { canMove, isReadOnly, lifecycleAt } from './lifecycle';
import type { InstalledSoftware } from './software';
import type { LinkRecord } from './thread';
import { effectiveTimeOf, mergeAttributes, type TwinRecord } from './twin';

export interface Actor {
  sub: string;
  tenant: string;
}

/** How the as-built record appears in history: the first change set of every twin. */
export interface AsBuiltOperation {
  op: 'as-built';
  positions: number;
  components: number;
}

type FieldChange<T> = { from: T | null; to: T | null };

/**
 * How an edit of the twin's own fields (`PATCH /v1/twins/{id}`) appears in history: each field that
 * changed, from → to (`null`: absent); `attributes` lists only the attributes that changed.
 */
export interface SetTwinOperation {
  op: 'set-twin';
  site?: FieldChange<string>;
  type?: FieldChange<string>;
  attributes?: Record<string, FieldChange<unknown>>;
}

/**
 * The twin's own fields (site, type, attributes) over a bitemporal interval, like a position's:
 * append-only, opened by the edit of version `seq`, closed once by the next edit.
 */
export interface TwinFieldsRecord extends Omit<Interval, 'path'> {
  site?: string;
  type?: string;
  typeVersion?: number;
  attributes: Record<string, unknown>;
}

/** A change set as recorded: append-only, the source of the twin's history. */
export interface ChangeSetRecord {
  id: string;
  /** The twin version this change set produced. */
  seq: number;
  reason: string;
  workOrder?: string;
  effectiveAt: string;
  recordedAt: string;
  actor: Actor;
  operations: (Operation | AsBuiltOperation | SetTwinOperation)[];
  /** Every position the operations touch (for history by position). */
  paths: string[];
}

/** A stay of this twin inside another twin (systems of systems): position `path` of twin `parentId`. */
export interface MountRecord {
  parentId: string;
  path: string;
  validFrom: string;
  validTo: string | null;
  recordedAt: string;
  closedAt?: string;
  /** Who recorded the installation, and who the removal. */
  actor?: Actor;
  closedBy?: Actor;
}

/** What a twin is made of in storage: its record and every interval and change set it ever had. */
export interface TwinHistory {
  record: TwinRecord;
  positions: PositionRecord[];
  installations: InstallationRecord[];
  changeSets: ChangeSetRecord[];
  /** Where this twin was itself installed, over time. */
  mounts?: MountRecord[];
  /** Where this twin is installed now, if it is. */
  mountedIn?: { twinId: string; path: string; since: string };
  /** Named snapshots (as loaded from the store; a plan does not touch them). */
  baselines?: BaselineRecord[];
  /** Inspections of the twin (as loaded from the store; a plan does not touch them). */
  inspections?: InspectionRecord[];
  /** Documents linked to the twin or its positions. */
  links?: LinkRecord[];
  /** The twin's own fields over time (absent on twins recorded before they were kept: then only now is known). */
  twinFields?: TwinFieldsRecord[];
}

/** What a serialized component's own record must do when the change is applied. */
export type ComponentEffect =
  | { kind: 'arrive'; component: Component; path: string; at: string }
  | { kind: 'leave'; component: Component; path: string; since: string; at: string }
  | { kind: 'move'; component: Component; from: string; to: string; since: string; at: string }
  | { kind: 'update'; component: Component; path: string };

/** The writes a change set makes: new intervals, intervals to close, component effects. */
export interface ChangePlan {
  changeSet: ChangeSetRecord;
  twin: TwinRecord;
  openPositions: PositionRecord[];
  closePositions: PositionRecord[];
  openInstallations: InstallationRecord[];
  closeInstallations: InstallationRecord[];
  components: ComponentEffect[];
  /** Installed twins (systems of systems) that arrive, leave or move: recorded on them too. */
  twins: ComponentEffect[];
  /** The software the twin carries after the change (kept on the twin for installed-base counts). */
  software?: InstalledSoftware[];
}

interface Slot {
  name?: string;
  order: number;
  origin?: PositionRecord;
}

interface Seat {
  component: Component;
  since: string;
  origin?: InstallationRecord;
}

/**
 * The last valid time at which anything happened to `path`: an interval opened or closed there, or a
 * change set that touched it (even one that left no interval behind, e.g. a component moved through).
 */
function lastEventAt(intervals: readonly Interval[], changeSets: readonly ChangeSetRecord[], path: string) {
  let last: string | undefined;
  const seen = (time: string) => {
    if (last === undefined || time > last) last = time;
  };
  for (const interval of intervals) {
    if (interval.path !== path) continue;
    seen(interval.validFrom);
    if (interval.validTo !== null) seen(interval.validTo);
  }
  for (const changeSet of changeSets) if (changeSet.paths.includes(path)) seen(changeSet.effectiveAt);
  return last;
}

/**
 * Plans a change set: checks each operation against the configuration at its effective time and
 * returns the writes that record it. Operations apply in order, on the result of the previous ones,
 * and the plan keeps only the net effect (nothing of an intermediate state is written).
 *
 * Back-dating is allowed (`effectiveAt` in the past, not before `builtAt`) as long as the change is
 * the latest event of every position it touches: a change cannot be slipped in before a later
 * recorded change of the same position, since that later change was judged on a different state.
 */
export function planChangeSet(
  history: TwinHistory,
  body: ChangeSetBody,
  context: { now: Date; actor: Actor; changeSetId: string },
): ChangePlan {
  const recordedAt = context.now.toISOString();
  const { record } = history;
  const at = effectiveTimeOf(record, body.effectiveAt, context.now);
  const seq = record.version + 1;
  const intervals: Interval[] = [...history.positions, ...history.installations];

  // The configuration at the effective time, as known now.
  const slots = new Map<string, Slot>();
  for (const position of history.positions) {
    if (heldAt(position, at, recordedAt))
      slots.set(position.path, { name: position.name, order: position.order, origin: position });
  }
  const seats = new Map<string, Seat>();
  for (const installation of history.installations) {
    if (heldAt(installation, at, recordedAt)) {
      seats.set(installation.path, {
        component: installation.component,
        since: installation.since,
        origin: installation,
      });
    }
  }
  const initialSeats = new Map(seats);
  const initialSlots = new Map(slots);
  let nextOrder = Math.max(-1, ...history.positions.map((position) => position.order)) + 1;

  let lifecycle = lifecycleAt(history.changeSets, '9999-12-31T23:59:59.999Z', recordedAt);
  const lastLifecycleChange = history.changeSets
    .filter((changeSet) => changeSet.operations.some((operation) => operation.op === 'lifecycle'))
    .reduce<string | undefined>(
      (last, changeSet) =>
        last === undefined || changeSet.effectiveAt > last ? changeSet.effectiveAt : last,
      undefined,
    );

  const touched = new Set<string>();
  const touch = (path: string) => {
    const last = lastEventAt(intervals, history.changeSets, path);
    if (last !== undefined && last > at) {
      throw new Conflict(
        `Position ${path} changed at ${last}, after this change's effective time ${at}: a back-dated change must be the latest of each position it touches`,
      );
    }
    touched.add(path);
  };
  const requireSlot = (path: string, field: string) => {
    if (!slots.has(path)) throw new Conflict(`${field}: the twin has no position ${path} at ${at}`);
  };
  const occupied = (path: string, field: string) => {
    const seat = seats.get(path);
    if (!seat) throw new Conflict(`${field}: position ${path} holds no component at ${at}`);
    return seat;
  };
  const requireEmpty = (path: string, field: string) => {
    const seat = seats.get(path);
    if (seat) {
      throw new Conflict(`${field}: position ${path} already holds ${describe(seat.component)} at ${at}`);
    }
  };
  const requireNotHere = (component: Component, field: string) => {
    const identity = componentIdentity(component);
    if (identity === null) return;
    for (const [path, seat] of seats) {
      if (componentIdentity(seat.component) === identity) {
        throw new InstalledElsewhere(
          `${field}: ${describe(component)} is already installed at ${path} of this twin`,
          describe(component),
          { path },
          field,
        );
      }
    }
  };
  const requireOwnTwinNot = (component: Component, field: string) => {
    if (component.twinId === record.id) throw new Conflict(`${field}: a twin cannot be installed in itself`);
  };

  body.operations.forEach((operation, index) => {
    const field = `body.operations[${index}]`;
    if (
      isReadOnly(lifecycle) &&
      !(operation.op === 'lifecycle' && operation.to === 'recycled' && lifecycle === 'retired')
    ) {
      throw new Conflict(`${field}: the twin is ${lifecycle}: it takes no change but recycling`);
    }
    switch (operation.op) {
      case 'install': {
        touch(operation.position);
        requireSlot(operation.position, field);
        requireEmpty(operation.position, field);
        requireNotHere(operation.component, field);
        requireOwnTwinNot(operation.component, field);
        seats.set(operation.position, { component: operation.component, since: at });
        break;
      }
      case 'remove': {
        touch(operation.position);
        occupied(operation.position, field);
        seats.delete(operation.position);
        break;
      }
      case 'replace': {
        touch(operation.position);
        const current = occupied(operation.position, field);
        seats.delete(operation.position);
        if (
          componentIdentity(current.component) !== null &&
          componentIdentity(current.component) === componentIdentity(operation.component)
        ) {
          throw new Conflict(
            `${field}: ${describe(current.component)} is already there: use update to change it`,
          );
        }
        requireNotHere(operation.component, field);
        requireOwnTwinNot(operation.component, field);
        seats.set(operation.position, { component: operation.component, since: at });
        break;
      }
      case 'move': {
        touch(operation.from);
        touch(operation.to);
        const current = occupied(operation.from, field);
        requireSlot(operation.to, field);
        requireEmpty(operation.to, field);
        seats.delete(operation.from);
        seats.set(operation.to, { component: current.component, since: at });
        break;
      }
      case 'update': {
        touch(operation.position);
        const current = occupied(operation.position, field);
        const component: Component = { ...current.component };
        if (operation.softwareVersion !== undefined) component.softwareVersion = operation.softwareVersion;
        if (operation.revision !== undefined) component.revision = operation.revision;
        if (operation.attributes !== undefined) {
          const attributes = mergeAttributes(current.component.attributes ?? {}, operation.attributes);
          const problem = attributeMapProblem(attributes);
          if (problem !== null) throw invalidField(`${field}.attributes`, `${problem} once merged`);
          if (Object.keys(attributes).length > 0)
            component.attributes = attributes as Component['attributes'];
          else delete component.attributes;
        }
        seats.set(operation.position, { component, since: current.since });
        break;
      }
      case 'add-position': {
        touch(operation.position);
        if (slots.has(operation.position))
          throw new Conflict(`${field}: position ${operation.position} already exists at ${at}`);
        const parent = parentPath(operation.position);
        if (parent !== null) {
          touch(parent);
          requireSlot(parent, field);
        }
        if (operation.position.split('/').length > MAX_DEPTH)
          throw invalidField(`${field}.position`, `deeper than ${MAX_DEPTH}`);
        if (slots.size >= MAX_POSITIONS)
          throw new Conflict(`${field}: the twin already has ${MAX_POSITIONS} positions`);
        slots.set(operation.position, {
          ...(operation.name === undefined ? {} : { name: operation.name }),
          order: nextOrder++,
        });
        break;
      }
      case 'remove-position': {
        touch(operation.position);
        requireSlot(operation.position, field);
        if (seats.has(operation.position))
          throw new Conflict(`${field}: position ${operation.position} is not empty`);
        const prefix = `${operation.position}/`;
        const child = [...slots.keys()].find((path) => path.startsWith(prefix));
        if (child !== undefined)
          throw new Conflict(`${field}: position ${operation.position} still has ${child}`);
        slots.delete(operation.position);
        break;
      }
      case 'lifecycle': {
        if (lastLifecycleChange !== undefined && lastLifecycleChange > at) {
          throw new Conflict(`${field}: the lifecycle changed at ${lastLifecycleChange}, after ${at}`);
        }
        if (!canMove(lifecycle, operation.to))
          throw new Conflict(`${field}: the lifecycle cannot go from ${lifecycle} to ${operation.to}`);
        lifecycle = operation.to;
        break;
      }
    }
  });

  const interval = { validFrom: at, validTo: null, recordedAt, seq };
  const closing = { validTo: at, closedAt: recordedAt };
  const plan: ChangePlan = {
    changeSet: {
      id: context.changeSetId,
      seq,
      reason: body.reason,
      ...(body.workOrder === undefined ? {} : { workOrder: body.workOrder }),
      effectiveAt: at,
      recordedAt,
      actor: context.actor,
      operations: body.operations,
      paths: [...touched].sort(),
    },
    twin: { ...record, lifecycle, version: seq, updatedAt: recordedAt },
    openPositions: [],
    closePositions: [],
    openInstallations: [],
    closeInstallations: [],
    components: [],
    twins: [],
  };
  for (const path of touched) {
    const before = initialSlots.get(path);
    const after = slots.get(path);
    if (before && !after) plan.closePositions.push({ ...before.origin!, ...closing });
    if (!before && after) {
      plan.openPositions.push({
        path,
        ...(after.name === undefined ? {} : { name: after.name }),
        order: after.order,
        ...interval,
      });
    }
    const seatBefore = initialSeats.get(path);
    const seatAfter = seats.get(path);
    if (seatBefore === seatAfter) continue;
    if (seatBefore) plan.closeInstallations.push({ ...seatBefore.origin!, ...closing });
    if (seatAfter)
      plan.openInstallations.push({
        path,
        component: seatAfter.component,
        since: seatAfter.since,
        ...interval,
      });
  }
  plan.components = stayEffects(initialSeats, seats, at, componentIdentity);
  for (const effect of plan.components) {
    if (effect.kind !== 'arrive') continue;
    // Not here at the effective time, but recorded here later: it would be in two places at once.
    const later = history.installations.find(
      (installation) =>
        installation.validFrom > at &&
        componentIdentity(installation.component) === componentIdentity(effect.component),
    );
    if (later) {
      throw new InstalledElsewhere(
        `${describe(effect.component)} is installed at ${later.path} of this twin from ${later.validFrom}, after ${at}`,
        describe(effect.component),
        { path: later.path },
      );
    }
  }
  plan.twins = stayEffects(initialSeats, seats, at, (component) => component.twinId ?? null).filter(
    (effect) => effect.kind !== 'update',
  );
  return plan;
}

/**
 * How each component's stay changes between two configurations: arrivals, departures, moves within
 * the twin, updates. `identityOf` says which components are followed (serialized ones, or twins).
 */
function stayEffects(
  before: Map<string, Seat>,
  after: Map<string, Seat>,
  at: string,
  identityOf: (component: Component) => string | null,
): ComponentEffect[] {
  const locate = (seats: Map<string, Seat>) => {
    const located = new Map<string, { path: string; seat: Seat }>();
    for (const [path, seat] of seats) {
      const identity = identityOf(seat.component);
      if (identity !== null) located.set(identity, { path, seat });
    }
    return located;
  };
  const was = locate(before);
  const is = locate(after);
  const effects: ComponentEffect[] = [];
  for (const [identity, now] of is) {
    const then = was.get(identity);
    const { component } = now.seat;
    if (!then) effects.push({ kind: 'arrive', component, path: now.path, at });
    else if (then.path !== now.path) {
      effects.push({ kind: 'move', component, from: then.path, to: now.path, since: then.seat.since, at });
    } else if (now.seat !== then.seat) effects.push({ kind: 'update', component, path: now.path });
  }
  for (const [identity, then] of was) {
    if (is.has(identity)) continue;
    effects.push({
      kind: 'leave',
      component: then.seat.component,
      path: then.path,
      since: then.seat.since,
      at,
    });
  }
  return effects;
}

const describe = (component: Component) =>
  component.serialNumber === undefined
    ? `${component.partNumber}`
    : `${component.partNumber} serial ${component.serialNumber}`;

/** The twin's history once the plan is recorded (what the store will hold after the transaction). */
export function applyPlan(history: TwinHistory, plan: ChangePlan): TwinHistory {
  const closed = <T extends Interval>(records: readonly T[], closes: readonly T[]) => {
    const byKey = new Map(closes.map((close) => [intervalKey(close), close]));
    return records.map((record) => byKey.get(intervalKey(record)) ?? record);
  };
  return {
    record: plan.twin,
    positions: [...closed(history.positions, plan.closePositions), ...plan.openPositions],
    installations: [...closed(history.installations, plan.closeInstallations), ...plan.openInstallations],
    changeSets: [...history.changeSets, plan.changeSet],
  };
}

const intervalKey = (interval: Interval) =>
  `${interval.path}\u0000${interval.validFrom}\u0000${interval.seq}`;
