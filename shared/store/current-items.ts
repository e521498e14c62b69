import { currentHistory, currentStateOf } from '../domain/current';
import { lastJudgements } from '../domain/judgement';
import { lifecycleMovesOf } from '../domain/lifecycle';
import type { CurrentPosition, TwinHistory, TwinState } from '../domain/records';
import { softwareSummary } from '../domain/software';
import { currentItem, judgedItem, LAYOUT, lifecycleItem, toTwinRecord, vacatedItem } from './items';

/**
 * The items that keep a twin's current configuration beside its history (layout 2), for a twin written
 * whole (an as-built record, an imported copy, a migrated twin): one `CUR#` item per position, one
 * `GONE#` per position that no longer exists, one `LIFE#` per lifecycle move, one `JUDGED#` per position
 * an inspection observed (its last judgement); and what META holds of it.
 */
export function stateItems(tenant: string, history: TwinHistory, state: TwinState = currentStateOf(history)) {
  const twinId = history.record.id;
  const { version } = history.record;
  return [
    ...state.current.map((entry) => currentItem(tenant, twinId, entry, version)),
    ...Object.entries(state.vacated).map(([path, at]) => vacatedItem(tenant, twinId, path, at, version)),
    ...(history.lifecycles ?? lifecycleMovesOf(history.changeSets)).map((move) =>
      lifecycleItem(tenant, twinId, move),
    ),
    ...lastJudgements(history.inspections ?? []).map((judgement) => judgedItem(tenant, twinId, judgement)),
  ];
}

/**
 * META's part of the current state: the layout, the next position order, the last lifecycle move,
 * how many positions there are and the software installed (both kept up to date by each change from
 * the positions it touches).
 */
export const stateMeta = (state: TwinState) => ({
  layout: LAYOUT,
  nextOrder: state.nextOrder,
  positionCount: state.current.length,
  softwareSummary: softwareSummary(currentHistory(state)),
  ...(state.lifecycleChangedAt === undefined ? {} : { lifecycleChangedAt: state.lifecycleChangedAt }),
});

/** The current state META holds (its record and the parts above), with the current items read beside it. */
export const stateFromMeta = (meta: Record<string, unknown>, current: CurrentPosition[] = []): TwinState => {
  const mountedIn = meta.mountedIn as TwinHistory['mountedIn'];
  return {
    record: toTwinRecord(meta),
    current,
    vacated: {},
    ...(typeof meta.lifecycleChangedAt === 'string' ? { lifecycleChangedAt: meta.lifecycleChangedAt } : {}),
    nextOrder: typeof meta.nextOrder === 'number' ? meta.nextOrder : 0,
    ...(typeof meta.positionCount === 'number' ? { positionCount: meta.positionCount } : {}),
    ...(Array.isArray(meta.softwareSummary)
      ? { software: meta.softwareSummary as NonNullable<TwinState['software']> }
      : {}),
    ...(mountedIn ? { mountedIn } : {}),
    ...(meta.timeline ? { timeline: meta.timeline as NonNullable<TwinState['timeline']> } : {}),
  };
};
