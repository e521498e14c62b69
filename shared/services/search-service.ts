import { invalidField } from '../domain/errors';
import { type GrantRecord, grantsFor, sharedView } from '../domain/grant';
import type { TwinRecord } from '../domain/records';
import {
  parseQuery,
  type RankedHit,
  rankMatches,
  type SearchEntry,
  type SearchMatch,
  type SearchQuery,
  twinEntries,
} from '../domain/search';
import { searchableAttributes } from '../domain/types';
import { projectThroughView } from '../domain/view';
import type { Caller } from '../http/auth';
import type { ViewBody } from '../schemas/sharing';
import { batchGetItems } from '../store/batch-get';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { ACTIVE, type Write } from '../store/guarded-transaction';
import { toTwinRecord } from '../store/items';
import { keys } from '../store/keys';
import { entriesByPrefix, searchEdits } from '../store/search-store';
import { asGrantOwner } from '../store/tenant-scope';
import { typeVersion } from '../store/type-store';
import { auditListing, grantsInForce } from './shared-listing';

/**
 * Search over the index (shared/store/search-store.ts): one Query per token of the query, then the
 * few reads that place the matches (where each serialized component is, which twins are live and
 * granted), all proportional to the matches, never to the tenant's size. Matches a view hides are
 * dropped before ranking, so a hidden field never matches and never counts.
 */

/** Matches read per token of a query: beyond, the answer says `complete: false` (refine the query). */
export const MAX_MATCHES_PER_TOKEN = 1000;

/** An entry placed: a component's twin and position now (or nowhere). */
export type PlacedEntry = SearchEntry & { path?: string; installed?: boolean };

export interface SearchPage {
  limit: number;
  cursor?: string;
}

/** The searchable attributes of a twin's type version (none without a type): one GetItem. */
export async function searchableOf(tenant: string, twin: Pick<TwinRecord, 'type' | 'typeVersion'>) {
  if (twin.type === undefined || twin.typeVersion === undefined) return [];
  return searchableAttributes(await typeVersion(tenant, twin.type, twin.typeVersion));
}

/** The index writes of a PATCH of a twin: its entries before and after (attributes, site, type). */
export async function twinEditSearchWrites(
  tenant: string,
  before: TwinRecord,
  after: TwinRecord,
): Promise<Write[]> {
  const [was, is] = await Promise.all([searchableOf(tenant, before), searchableOf(tenant, after)]);
  return searchEdits(tenant, twinEntries(before, was), twinEntries(after, is));
}

/** Every match of the query in a tenant's index: the whole query as an identifier prefix, each word as a word prefix. */
async function matchesIn(tenant: string, query: SearchQuery) {
  const reads = [
    entriesByPrefix(tenant, 'I', query.whole, MAX_MATCHES_PER_TOKEN).then((read) => ({
      ...read,
      via: 'whole' as const,
    })),
    ...query.words.map((word, index) =>
      entriesByPrefix(tenant, 'W', word, MAX_MATCHES_PER_TOKEN).then((read) => ({ ...read, via: index })),
    ),
  ];
  const results = await Promise.all(reads);
  return {
    matches: results.flatMap(({ entries, via }) => entries.map((entry) => ({ entry, via }))),
    complete: results.every((result) => result.complete),
  };
}

/** Where each matched component is now (its META), and which matched twins are live: BatchGets of the matches. */
async function placeMatches(tenant: string, matches: SearchMatch[]) {
  const components = [...new Set(matches.filter((m) => m.entry.kind === 'component').map((m) => m.entry.id))];
  const metas = await batchGetItems(
    components.map((id) => {
      const slash = id.indexOf('/');
      return keys.component(tenant, id.slice(0, slash), id.slice(slash + 1));
    }),
  );
  const installedIn = new Map<string, { twinId: string; path: string }>();
  for (const meta of metas) {
    const place = meta.installedIn as { twinId: string; path: string } | undefined;
    if (place) installedIn.set(`${meta.partNumber}/${meta.serialNumber}`, place);
  }
  const placed: SearchMatch<PlacedEntry>[] = matches.map((match) => {
    if (match.entry.kind !== 'component') return match;
    const place = installedIn.get(match.entry.id);
    const entry = place
      ? { ...match.entry, twinId: place.twinId, path: place.path, installed: true }
      : { ...match.entry, installed: false };
    return { ...match, entry };
  });
  const twinIds = [...new Set(placed.flatMap((match) => (match.entry.twinId ? [match.entry.twinId] : [])))];
  const twinMetas = await batchGetItems(twinIds.map((id) => keys.twinMeta(tenant, id)));
  const twins = new Map<string, TwinRecord>(
    twinMetas.filter((meta) => meta.status === ACTIVE).map((meta) => [meta.id as string, toTwinRecord(meta)]),
  );
  return { placed, twins };
}

/** The matches a view shows (the one projection, applied to each match before ranking). */
const shownThrough = <M extends SearchMatch<PlacedEntry>>(
  view: Omit<ViewBody, 'name'>,
  matches: M[],
): M[] => {
  const shown = projectThroughView(
    { shape: 'search', body: { items: matches.map((match) => match.entry) } },
    view,
  ) as { items: PlacedEntry[] };
  const kept = new Set(shown.items);
  return matches.filter((match) => kept.has(match.entry));
};

/** A hit as answered: typed, with where it is; the index's bookkeeping stays inside. */
function present(hit: RankedHit<PlacedEntry>, owner?: string) {
  const { entry } = hit;
  return {
    kind: entry.kind,
    id: entry.id,
    label: entry.label,
    ...(owner === undefined ? {} : { owner }),
    ...(entry.twinId === undefined ? {} : { twinId: entry.twinId }),
    ...(entry.path === undefined ? {} : { path: entry.path }),
    ...(entry.installed === undefined ? {} : { installed: entry.installed }),
    matched: hit.matched,
    score: hit.score,
  };
}

function pageOf<T>(scope: string, hits: T[], page: SearchPage) {
  const position = decodeCursor(scope, page.cursor);
  const offset = position === undefined ? 0 : Number(position.offset);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw invalidField('query.cursor', 'is not a search cursor');
  const end = offset + page.limit;
  return {
    items: hits.slice(offset, end),
    ...(end < hits.length ? { nextCursor: encodeCursor(scope, { offset: end }) } : {}),
    offset,
  };
}

/**
 * The tenant's own search: twins, components (installed or not), documents and inspections,
 * ranked; through the caller's role view when it carries one.
 */
export async function searchTenant(
  tenant: string,
  q: string,
  view: Omit<ViewBody, 'name'> | undefined,
  page: SearchPage,
) {
  const query = parseQuery(q);
  const { matches, complete } = await matchesIn(tenant, query);
  const { placed, twins } = await placeMatches(tenant, matches);
  // a twin whose create never finished (pending) has no hits, nor do its inspections
  const live = placed.filter(
    (match) =>
      match.entry.kind === 'document' || match.entry.kind === 'component' || twins.has(match.entry.twinId!),
  );
  const hits = rankMatches(query, view === undefined ? live : shownThrough(view, live));
  const { items, nextCursor } = pageOf(JSON.stringify(['search', query]), hits, page);
  return {
    items: items.map((hit) => present(hit)),
    total: hits.length,
    complete,
    ...(nextCursor ? { nextCursor } : {}),
  };
}

/**
 * A grantee's search: over the twins its grants in force show (all owners, or one), each match
 * through the view of the grants covering its twin. Components count only where installed on such a
 * twin at a visible position; documents are found through the twins' threads, not here.
 */
export async function searchShared(
  caller: Caller,
  q: string,
  owner: string | undefined,
  page: SearchPage,
  now: Date,
) {
  const at = now.toISOString();
  const query = parseQuery(q);
  const grants = await grantsInForce(caller, owner === undefined ? {} : { owner }, at);
  const byOwner = new Map<string, GrantRecord[]>();
  for (const grant of grants) byOwner.set(grant.owner, [...(byOwner.get(grant.owner) ?? []), grant]);
  let complete = true;
  const found = await Promise.all(
    [...byOwner].map(async ([grantOwner, ownerGrants]) => {
      // the owner's index and twins in the owner's scope, only for the grants just confirmed
      const { read, placed, twins } = await asGrantOwner(grantOwner, ownerGrants, async () => {
        const read = await matchesIn(grantOwner, query);
        return {
          read,
          ...(await placeMatches(
            grantOwner,
            read.matches.filter((match) => match.entry.kind !== 'document'),
          )),
        };
      });
      complete &&= read.complete;
      return placed.flatMap((match) => {
        const twin = match.entry.twinId === undefined ? undefined : twins.get(match.entry.twinId);
        if (!twin) return [];
        const covering = grantsFor(ownerGrants, twin, at);
        if (covering.length === 0) return [];
        const entry = { ...match.entry, owner: grantOwner, grant: covering[0]!, twin };
        return shownThrough(sharedView(covering), [{ ...match, entry }]);
      });
    }),
  );
  const hits = rankMatches(query, found.flat(), (entry) => `${entry.owner}#${entry.kind}#${entry.id}`);
  const { items, nextCursor } = pageOf(JSON.stringify(['shared-search', owner ?? null, query]), hits, page);
  const seen = new Map(items.map((hit) => [`${hit.entry.owner}#${hit.entry.twin.id}`, hit.entry]));
  await auditListing(
    caller,
    [...seen.values()].map((entry) => ({ grant: entry.grant, record: entry.twin })),
    'search',
    at,
  );
  return {
    items: items.map((hit) => present(hit, hit.entry.owner)),
    total: hits.length,
    complete,
    ...(nextCursor ? { nextCursor } : {}),
  };
}
