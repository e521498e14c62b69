import type { Interval } from './configuration';
import { lifecycleMovesOf } from './lifecycle';
import type { CurrentPosition, LifecycleMove, TwinHistory, TwinState } from './records';
import { softwareSummary } from './software';

/**
 * The current configuration of a twin, kept beside its append-only history: what the `CUR#<path>`
 * items hold. Derived once from a whole history (the layout migration, tests), then kept up to date by
 * every change's plan, so that nothing read now grows with the twin's past.
 */

const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a);

/** The last valid time anything happened at each path: intervals opened or closed there, changes that touched it. */
function lastEvents(history: TwinHistory): Map<string, string> {
  const last = new Map<string, string>();
  const seen = (path: string, time: string) => last.set(path, later(last.get(path), time));
  const intervals: Interval[] = [...history.positions, ...history.installations];
  for (const interval of intervals) {
    seen(interval.path, interval.validFrom);
    if (interval.validTo !== null) seen(interval.path, interval.validTo);
  }
  for (const changeSet of history.changeSets)
    for (const path of changeSet.paths) seen(path, changeSet.effectiveAt);
  return last;
}

/** A whole history's current state: its open positions and installations, last events, lifecycle. */
export function currentStateOf(history: TwinHistory): TwinState {
  const last = lastEvents(history);
  const installed = new Map(
    history.installations
      .filter((installation) => installation.validTo === null)
      .map((installation) => [installation.path, installation]),
  );
  const current: CurrentPosition[] = history.positions
    .filter((position) => position.validTo === null)
    .map((position) => {
      const installation = installed.get(position.path);
      return {
        position,
        ...(installation ? { installation } : {}),
        lastEventAt: last.get(position.path) ?? position.validFrom,
      };
    });
  const open = new Set(current.map(({ position }) => position.path));
  const vacated = Object.fromEntries([...last].filter(([path]) => !open.has(path)));
  const moves = history.lifecycles ?? lifecycleMovesOf(history.changeSets);
  const lifecycleChangedAt = moves.reduce<string | undefined>(
    (at, move) => later(at, move.effectiveAt),
    undefined,
  );
  return {
    record: history.record,
    current,
    vacated,
    ...(lifecycleChangedAt === undefined ? {} : { lifecycleChangedAt }),
    nextOrder: Math.max(-1, ...history.positions.map((position) => position.order)) + 1,
    positionCount: current.length,
    software: softwareSummary({ installations: [...installed.values()] }),
    ...(history.mountedIn ? { mountedIn: history.mountedIn } : {}),
  };
}

/**
 * The current state seen as a history (its open intervals only, no change sets), for the code that
 * assembles or judges the configuration now: what it answers at (now, now) is what the whole history
 * answers then. The lifecycle is the current one.
 */
export function currentHistory(state: TwinState): TwinHistory {
  const { record } = state;
  const lifecycles: LifecycleMove[] =
    record.lifecycle === 'as-built'
      ? []
      : [{ to: record.lifecycle, effectiveAt: record.builtAt, recordedAt: record.createdAt, seq: 0 }];
  return {
    record,
    positions: state.current.map(({ position }) => position),
    installations: state.current.flatMap(({ installation }) => (installation ? [installation] : [])),
    changeSets: [],
    lifecycles,
    ...(state.mountedIn ? { mountedIn: state.mountedIn } : {}),
  };
}
