import { NotFound } from '../../shared/domain/errors';
import { loadTwinParts } from '../../shared/store/twin-store';

export type TimeQuery = { asOf?: string; knownAt?: string };
/** A serialized part in a route's path. */
export type Serial = { partNumber: string; serialNumber: string };

/** asOf and knownAt in the stored UTC form, asOf defaulting to now. */
export const timesOf = (query: TimeQuery, now: Date) => ({
  asOf: new Date(query.asOf ?? now).toISOString(),
  ...(query.knownAt === undefined ? {} : { knownAt: new Date(query.knownAt).toISOString() }),
});

export async function twinOf(tenant: string, id: string) {
  const twin = await loadTwinParts(tenant, id, {});
  if (!twin) throw new NotFound(`No twin ${id}`);
  return twin.state.record;
}
