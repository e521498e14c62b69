import { LIFECYCLE_STATES } from './lifecycle-states';
import type { ChangeSetRecord } from './records';

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

/** The lifecycle at valid time `asOf`, as recorded up to `knownAt`: the last move effective by then. */
export function lifecycleAt(
  changeSets: readonly ChangeSetRecord[],
  asOf: string,
  knownAt: string,
): LifecycleState {
  let state: LifecycleState = 'as-built';
  for (const changeSet of byEffectiveTime(changeSets)) {
    if (changeSet.recordedAt > knownAt || changeSet.effectiveAt > asOf) continue;
    for (const operation of changeSet.operations) if (operation.op === 'lifecycle') state = operation.to;
  }
  return state;
}

const byEffectiveTime = (changeSets: readonly ChangeSetRecord[]) =>
  [...changeSets].sort((a, b) =>
    a.effectiveAt === b.effectiveAt ? a.seq - b.seq : a.effectiveAt < b.effectiveAt ? -1 : 1,
  );
