import { LIFECYCLE_STATES } from './lifecycle-states';
import type { ChangeSetRecord, LifecycleMove } from './records';

export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/**
 * Lifecycle moves go forward only (skipping states is forward), except that a unit in service
 * goes to maintenance and back. Once retired, only recycling is left.
 */
export function canMove(from: LifecycleState, to: LifecycleState): boolean {
  if (from === to) return false;
  if (from === 'in-service' && to === 'maintenance') return true;
  if (from === 'maintenance' && to === 'in-service') return true;
  if (from === 'retired') return to === 'recycled';
  return LIFECYCLE_STATES.indexOf(to) > LIFECYCLE_STATES.indexOf(from);
}

/** A retired or recycled unit takes no change but the move to recycled. */
export const isReadOnly = (state: LifecycleState) => state === 'retired' || state === 'recycled';

/** The lifecycle moves a history's change sets made, in record order. */
export const lifecycleMovesOf = (changeSets: readonly ChangeSetRecord[]): LifecycleMove[] =>
  changeSets.flatMap((changeSet) =>
    changeSet.operations.flatMap((operation) =>
      operation.op === 'lifecycle'
        ? [
            {
              to: operation.to,
              effectiveAt: changeSet.effectiveAt,
              recordedAt: changeSet.recordedAt,
              seq: changeSet.seq,
            },
          ]
        : [],
    ),
  );

/** The lifecycle at valid time `asOf`, as recorded up to `knownAt`: the last move effective by then. */
export function lifecycleAt(moves: readonly LifecycleMove[], asOf: string, knownAt: string): LifecycleState {
  let state: LifecycleState = 'as-built';
  for (const move of byEffectiveTime(moves)) {
    if (move.recordedAt > knownAt || move.effectiveAt > asOf) continue;
    state = move.to;
  }
  return state;
}

const byEffectiveTime = (moves: readonly LifecycleMove[]) =>
  [...moves].sort((a, b) =>
    a.effectiveAt === b.effectiveAt ? a.seq - b.seq : a.effectiveAt < b.effectiveAt ? -1 : 1,
  );
