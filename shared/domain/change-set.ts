import type { ChangeSetBody, Operation } from '../schemas/change';
import { attributeMapProblem, MAX_DEPTH, MAX_POSITIONS } from '../schemas/common';
import type { Component } from '../schemas/twin';
import {
  componentIdentity,
  type InstallationRecord,
  type Interval,
  type PositionRecord,
  parentPath,
} from './configuration';
import { currentStateOf } from './current';
import { Conflict, InstalledElsewhere, invalidField } from './errors';
import { canMove, isReadOnly, type LifecycleState } from './lifecycle';
import type {
  Actor,
  ChangeSetRecord,
  CurrentPosition,
  LifecycleMove,
  TwinHistory,
  TwinRecord,
  TwinState,
} from './records';
import { type InstalledSoftware, softwareSummary, updatedSoftwareSummary } from './software';
import { effectiveTimeOf, mergeAttributes } from './twin';

export type {
  Actor,
  AsBuiltOperation,
  ChangeSetRecord,
  MountRecord,
  SetTwinOperation,
  TwinFieldsRecord,
  TwinHistory,
} from './records';

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
  /**
   * The current items after the change: each touched position that exists (its open interval and
   * installation, last event now), and each touched one that does not, with the time it was vacated.
   */
  current: { put: CurrentPosition[]; vacated: Record<string, string> };
  /** The order the next added position gets. */
  nextOrder: number;
  /** How many positions the twin has after the change. */
  positionCount: number;
  /** The lifecycle move the change makes, if any (its own item, for time travel). */
  lifecycleMove?: LifecycleMove;
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

/** A change set being planned: the configuration as the operations so far left it. */
interface Draft {
  state: TwinState;
  /** Effective (valid) time and record time of the change. */
  at: string;
  recordedAt: string;
  slots: Map<string, Slot>;
  seats: Map<string, Seat>;
  lifecycle: LifecycleState;
  nextOrder: number;
  /** How many positions the twin has (the draft's slots hold only the ones the change reads). */
  positionCount: number;
  touched: Set<string>;
}

type Planner<Op extends Operation['op']> = (
  draft: Draft,
  operation: Extract<Operation, { op: Op }>,
  field: string,
) => void;

const describe = (component: Component) =>
  component.serialNumber === undefined
    ? `${component.partNumber}`
    : `${component.partNumber} serial ${component.serialNumber}`;

const currentIndex = new WeakMap<TwinState, Map<string, CurrentPosition>>();
function currentOf(state: TwinState, path: string): CurrentPosition | undefined {
  let index = currentIndex.get(state);
  if (!index) {
    index = new Map(state.current.map((entry) => [entry.position.path, entry]));
    currentIndex.set(state, index);
  }
  return index.get(path);
}

/** A back-dated change must be the latest event of every position it touches. */
function touch(draft: Draft, path: string) {
  const last = currentOf(draft.state, path)?.lastEventAt ?? draft.state.vacated[path];
  if (last !== undefined && last > draft.at) {
    throw new Conflict(
      `Position ${path} changed at ${last}, after this change's effective time ${draft.at}: a back-dated change must be the latest of each position it touches`,
    );
  }
  draft.touched.add(path);
}

function requireSlot(draft: Draft, path: string, field: string) {
  if (!draft.slots.has(path)) throw new Conflict(`${field}: the twin has no position ${path} at ${draft.at}`);
}

function occupied(draft: Draft, path: string, field: string): Seat {
  const seat = draft.seats.get(path);
  if (!seat) throw new Conflict(`${field}: position ${path} holds no component at ${draft.at}`);
  return seat;
}

function requireEmpty(draft: Draft, path: string, field: string) {
  const seat = draft.seats.get(path);
  if (seat) {
    throw new Conflict(`${field}: position ${path} already holds ${describe(seat.component)} at ${draft.at}`);
  }
}

/** A serialized component, or a twin, goes in: not already in this twin, not the twin itself. */
function requireArrival(draft: Draft, component: Component, field: string) {
  const identity = componentIdentity(component);
  if (identity !== null) {
    for (const [path, seat] of draft.seats) {
      if (componentIdentity(seat.component) === identity) {
        throw new InstalledElsewhere(
          `${field}: ${describe(component)} is already installed at ${path} of this twin`,
          describe(component),
          { path },
          field,
        );
      }
    }
  }
  if (component.twinId === draft.state.record.id)
    throw new Conflict(`${field}: a twin cannot be installed in itself`);
}

const install: Planner<'install'> = (draft, operation, field) => {
  touch(draft, operation.position);
  requireSlot(draft, operation.position, field);
  requireEmpty(draft, operation.position, field);
  requireArrival(draft, operation.component, field);
  draft.seats.set(operation.position, { component: operation.component, since: draft.at });
};

const remove: Planner<'remove'> = (draft, operation, field) => {
  touch(draft, operation.position);
  occupied(draft, operation.position, field);
  draft.seats.delete(operation.position);
};

const replace: Planner<'replace'> = (draft, operation, field) => {
  touch(draft, operation.position);
  const current = occupied(draft, operation.position, field);
  draft.seats.delete(operation.position);
  const identity = componentIdentity(current.component);
  if (identity !== null && identity === componentIdentity(operation.component)) {
    throw new Conflict(`${field}: ${describe(current.component)} is already there: use update to change it`);
  }
  requireArrival(draft, operation.component, field);
  draft.seats.set(operation.position, { component: operation.component, since: draft.at });
};

const move: Planner<'move'> = (draft, operation, field) => {
  touch(draft, operation.from);
  touch(draft, operation.to);
  const current = occupied(draft, operation.from, field);
  requireSlot(draft, operation.to, field);
  requireEmpty(draft, operation.to, field);
  draft.seats.delete(operation.from);
  draft.seats.set(operation.to, { component: current.component, since: draft.at });
};

const update: Planner<'update'> = (draft, operation, field) => {
  touch(draft, operation.position);
  const current = occupied(draft, operation.position, field);
  const component: Component = { ...current.component };
  if (operation.softwareVersion !== undefined) component.softwareVersion = operation.softwareVersion;
  if (operation.revision !== undefined) component.revision = operation.revision;
  if (operation.attributes !== undefined) {
    const attributes = mergeAttributes(current.component.attributes ?? {}, operation.attributes);
    const problem = attributeMapProblem(attributes);
    if (problem !== null) throw invalidField(`${field}.attributes`, `${problem} once merged`);
    if (Object.keys(attributes).length > 0) component.attributes = attributes as Component['attributes'];
    else delete component.attributes;
  }
  draft.seats.set(operation.position, { component, since: current.since });
};

const addPosition: Planner<'add-position'> = (draft, operation, field) => {
  touch(draft, operation.position);
  if (draft.slots.has(operation.position))
    throw new Conflict(`${field}: position ${operation.position} already exists at ${draft.at}`);
  const parent = parentPath(operation.position);
  if (parent !== null) {
    touch(draft, parent);
    requireSlot(draft, parent, field);
  }
  if (operation.position.split('/').length > MAX_DEPTH)
    throw invalidField(`${field}.position`, `deeper than ${MAX_DEPTH}`);
  if (draft.positionCount >= MAX_POSITIONS)
    throw new Conflict(`${field}: the twin already has ${MAX_POSITIONS} positions`);
  draft.positionCount++;
  draft.slots.set(operation.position, {
    ...(operation.name === undefined ? {} : { name: operation.name }),
    order: draft.nextOrder++,
  });
};

const removePosition: Planner<'remove-position'> = (draft, operation, field) => {
  touch(draft, operation.position);
  requireSlot(draft, operation.position, field);
  if (draft.seats.has(operation.position))
    throw new Conflict(`${field}: position ${operation.position} is not empty`);
  const prefix = `${operation.position}/`;
  // The first child in path order: what the store's narrowed read of the subtree meets first too, so
  // the refusal names the same child whichever positions were read.
  const child = [...draft.slots.keys()]
    .filter((path) => path.startsWith(prefix))
    .reduce<string | undefined>(
      (first, path) => (first === undefined || path < first ? path : first),
      undefined,
    );
  if (child !== undefined) throw new Conflict(`${field}: position ${operation.position} still has ${child}`);
  draft.slots.delete(operation.position);
  draft.positionCount--;
};

const lifecycle: Planner<'lifecycle'> = (draft, operation, field) => {
  const changedAt = draft.state.lifecycleChangedAt;
  if (changedAt !== undefined && changedAt > draft.at)
    throw new Conflict(`${field}: the lifecycle changed at ${changedAt}, after ${draft.at}`);
  if (!canMove(draft.lifecycle, operation.to))
    throw new Conflict(`${field}: the lifecycle cannot go from ${draft.lifecycle} to ${operation.to}`);
  draft.lifecycle = operation.to;
};

/** One planner per operation: each checks its operation against the draft and plays it there. */
const PLANNERS: { [Op in Operation['op']]: Planner<Op> } = {
  install,
  remove,
  replace,
  move,
  update,
  'add-position': addPosition,
  'remove-position': removePosition,
  lifecycle,
};

/**
 * Plans a change set against the twin's current configuration: checks each operation (one planner
 * per operation) and returns the writes that record it. Operations apply in order, on the result of
 * the previous ones, and the plan keeps only the net effect (nothing of an intermediate state is written).
 *
 * Back-dating is allowed (`effectiveAt` in the past, not before `builtAt`) as long as the change is
 * the latest event of every position it touches: a change cannot be slipped in before a later
 * recorded change of the same position, since that later change was judged on a different state.
 * That rule is also why the current configuration is all a change needs: every position it touches
 * is, at its effective time, as it is now.
 */
export function planChange(
  state: TwinState,
  body: ChangeSetBody,
  context: { now: Date; actor: Actor; changeSetId: string },
): ChangePlan {
  const { record } = state;
  const recordedAt = context.now.toISOString();
  const at = effectiveTimeOf(record, body.effectiveAt, context.now);
  const seq = record.version + 1;
  const draft: Draft = {
    state,
    at,
    recordedAt,
    slots: new Map(
      state.current.map(({ position }) => [
        position.path,
        {
          ...(position.name === undefined ? {} : { name: position.name }),
          order: position.order,
          origin: position,
        },
      ]),
    ),
    seats: new Map(
      state.current.flatMap(({ installation }) =>
        installation
          ? [
              [
                installation.path,
                { component: installation.component, since: installation.since, origin: installation },
              ],
            ]
          : [],
      ),
    ),
    lifecycle: record.lifecycle,
    nextOrder: state.nextOrder,
    positionCount: state.positionCount ?? state.current.length,
    touched: new Set(),
  };
  const initialSlots = new Map(draft.slots);
  const initialSeats = new Map(draft.seats);
  body.operations.forEach((operation, index) => {
    const field = `body.operations[${index}]`;
    if (
      isReadOnly(draft.lifecycle) &&
      !(operation.op === 'lifecycle' && operation.to === 'recycled' && draft.lifecycle === 'retired')
    ) {
      throw new Conflict(`${field}: the twin is ${draft.lifecycle}: it takes no change but recycling`);
    }
    (PLANNERS[operation.op] as Planner<typeof operation.op>)(draft, operation as never, field);
  });
  return netEffect(draft, initialSlots, initialSeats, body, context, seq);
}

/** The writes of a planned change: intervals opened and closed, current items, component effects. */
function netEffect(
  draft: Draft,
  initialSlots: Map<string, Slot>,
  initialSeats: Map<string, Seat>,
  body: ChangeSetBody,
  context: { actor: Actor; changeSetId: string },
  seq: number,
): ChangePlan {
  const { at, recordedAt, slots, seats, state } = draft;
  const interval = { validFrom: at, validTo: null, recordedAt, seq };
  const closing = { validTo: at, closedAt: recordedAt };
  const lifecycleMoves = body.operations.filter((operation) => operation.op === 'lifecycle');
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
      paths: [...draft.touched].sort(),
    },
    twin: { ...state.record, lifecycle: draft.lifecycle, version: seq, updatedAt: recordedAt },
    openPositions: [],
    closePositions: [],
    openInstallations: [],
    closeInstallations: [],
    components: [],
    twins: [],
    current: { put: [], vacated: {} },
    nextOrder: draft.nextOrder,
    positionCount: draft.positionCount,
    ...(lifecycleMoves.length > 0
      ? { lifecycleMove: { to: draft.lifecycle, effectiveAt: at, recordedAt, seq } }
      : {}),
  };
  for (const path of [...draft.touched].sort()) {
    const before = initialSlots.get(path);
    const after = slots.get(path);
    let position = before?.origin;
    if (before && !after) plan.closePositions.push({ ...before.origin!, ...closing });
    if (!before && after) {
      position = {
        path,
        ...(after.name === undefined ? {} : { name: after.name }),
        order: after.order,
        ...interval,
      };
      plan.openPositions.push(position);
    }
    const seatBefore = initialSeats.get(path);
    const seatAfter = seats.get(path);
    let installation = seatAfter?.origin;
    if (seatBefore !== seatAfter) {
      if (seatBefore) plan.closeInstallations.push({ ...seatBefore.origin!, ...closing });
      if (seatAfter) {
        installation = { path, component: seatAfter.component, since: seatAfter.since, ...interval };
        plan.openInstallations.push(installation);
      }
    }
    if (after && position) {
      plan.current.put.push({ position, ...(installation ? { installation } : {}), lastEventAt: at });
    } else plan.current.vacated[path] = at;
  }
  // Orders of positions added and removed within the change were never written: not consumed.
  plan.nextOrder = Math.max(state.nextOrder, ...plan.openPositions.map((position) => position.order + 1));
  plan.software = updatedSoftwareSummary(
    state.software ??
      softwareSummary({
        installations: state.current.flatMap(({ installation }) => (installation ? [installation] : [])),
      }),
    plan.current,
  );
  plan.components = stayEffects(initialSeats, seats, at, componentIdentity);
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

/** Plans a change set against a whole history (its current configuration): for tests and tools. */
export const planChangeSet = (
  history: TwinHistory,
  body: ChangeSetBody,
  context: { now: Date; actor: Actor; changeSetId: string },
): ChangePlan => planChange(currentStateOf(history), body, context);

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
    ...(history.lifecycles
      ? { lifecycles: [...history.lifecycles, ...(plan.lifecycleMove ? [plan.lifecycleMove] : [])] }
      : {}),
  };
}

const intervalKey = (interval: Interval) =>
  `${interval.path}\u0000${interval.validFrom}\u0000${interval.seq}`;

/** The state once a plan is recorded (what the current items hold after the transaction). */
export function applyPlanToState(state: TwinState, plan: ChangePlan): TwinState {
  const replaced = new Set([
    ...plan.current.put.map(({ position }) => position.path),
    ...Object.keys(plan.current.vacated),
  ]);
  const vacated = { ...state.vacated, ...plan.current.vacated };
  for (const { position } of plan.current.put) delete vacated[position.path];
  return {
    ...state,
    record: plan.twin,
    current: [...state.current.filter(({ position }) => !replaced.has(position.path)), ...plan.current.put],
    vacated,
    ...(plan.lifecycleMove ? { lifecycleChangedAt: plan.lifecycleMove.effectiveAt } : {}),
    nextOrder: plan.nextOrder,
    positionCount: plan.positionCount,
    ...(plan.software ? { software: plan.software } : {}),
  };
}
