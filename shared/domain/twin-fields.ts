import type { SetTwinOperation, TwinFieldsRecord } from './change-set';
import { heldAt } from './configuration';
import type { TwinRecord } from './twin';

/** The twin fields that travel in time (the rest of the record is identity, or current by nature). */
export type TwinFields = Pick<TwinRecord, 'site' | 'type' | 'typeVersion' | 'attributes'>;

/** A twin record's own fields, as an interval holds them. */
export const fieldsOf = (record: TwinFields): TwinFields => ({
  ...(record.site === undefined ? {} : { site: record.site }),
  ...(record.type === undefined ? {} : { type: record.type }),
  ...(record.typeVersion === undefined ? {} : { typeVersion: record.typeVersion }),
  attributes: record.attributes,
});

/**
 * The twin's fields at valid time `asOf` as recorded up to `knownAt`, or `undefined` when no interval
 * holds then (a twin recorded before its fields were kept: the current record is all there is).
 */
export function twinFieldsAt(
  intervals: readonly TwinFieldsRecord[] | undefined,
  asOf: string,
  knownAt: string,
): TwinFields | undefined {
  let held: TwinFieldsRecord | undefined;
  for (const interval of intervals ?? []) {
    if (!heldAt(interval, asOf, knownAt)) continue;
    // two intervals held at once only while a later record time has not closed the first: the later edit wins
    if (held === undefined || interval.seq > held.seq) held = interval;
  }
  return held === undefined ? undefined : fieldsOf(held);
}

const change = <T>(from: T | undefined, to: T | undefined) => ({ from: from ?? null, to: to ?? null });

/** What an edit changed, field by field (attributes by name): the history entry's operation. */
export function setTwinOperation(before: TwinFields, after: TwinFields): SetTwinOperation {
  const attributes: NonNullable<SetTwinOperation['attributes']> = {};
  for (const name of new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)])) {
    const from = before.attributes[name];
    const to = after.attributes[name];
    if (JSON.stringify(from) !== JSON.stringify(to)) attributes[name] = change(from, to);
  }
  return {
    op: 'set-twin',
    ...(before.site === after.site ? {} : { site: change(before.site, after.site) }),
    ...(before.type === after.type ? {} : { type: change(before.type, after.type) }),
    ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
  };
}
