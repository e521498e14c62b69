import { keyId } from './batch-get';
import { keys } from './keys';
import type { TransactEntry } from './transact';

type Key = Record<string, string>;
type Item = Record<string, unknown>;

/**
 * What this process last read or wrote of a twin, valid at one version of it: META, the `CUR#` and
 * `GONE#` items it knows (or knows to be absent; `whole`: every `CUR#` item, so one not known is
 * absent), and the items a change is judged against as last read (the configuration model, the
 * unit's conformance, the compliance part numbers). A change by id whose every item is known here
 * is planned on them without a read (shared/store/change-reads.ts):
 *
 * - the twin's own items change only with its version (every change set, import and as-built record
 *   writes META's version in the same transaction), and the transaction is conditioned on that
 *   version, so a change planned on items of another version never commits;
 * - the judged items change without it, so the transaction also checks that each one is still as
 *   known (`withGuards`), and is planned again from a fresh read when one is not;
 * - where this twin is mounted (`mountedIn`) changes without its version too: it is not kept, and a
 *   change that installs a twin is always read.
 *
 * Entries come from consistent reads only: a TransactGetItems snapshot, or META and every `CUR#` item
 * when those are of one version (`rememberWhole`). After a commit the entry moves to the new version
 * with what the transaction wrote; after a failed one it is dropped. The oldest entries go first
 * beyond `MAX_ITEMS` items in all.
 */
interface Entry {
  version: number;
  meta: Item;
  items: Map<string, Item | null>;
  whole: boolean;
}

const MAX_ITEMS = 50_000;
const entries = new Map<string, Entry>();
let itemCount = 0;

const entryId = (tenant: string, twinId: string) => `${tenant}\u0000${twinId}`;

/** META without what changes apart from the twin's version. */
const keptMeta = (meta: Item): Item => {
  const { mountedIn: _mountedIn, ...kept } = meta;
  return kept;
};

/**
 * The twin's entry at `version`, made anew (with `meta`) when it is unknown or at another version;
 * now the most recently used. Entries are changed in place: a change costs what it wrote, not the
 * twin's size.
 */
function entryAt(id: string, version: number, meta: () => Item): Entry {
  let entry = entries.get(id);
  if (entry) entries.delete(id);
  if (!entry || entry.version !== version) {
    if (entry) itemCount -= entry.items.size;
    entry = { version, meta: keptMeta(meta()), items: new Map(), whole: false };
  }
  entries.set(id, entry);
  return entry;
}

function setItem(entry: Entry, key: string, item: Item | null) {
  if (!entry.items.has(key)) itemCount++;
  entry.items.set(key, item);
}

/** The oldest entries go (never `id`'s) until the items are within bounds. */
function evict(id: string) {
  for (const oldest of entries.keys()) {
    if (itemCount <= MAX_ITEMS || oldest === id) break;
    drop(oldest);
  }
}

function drop(id: string) {
  const entry = entries.get(id);
  if (!entry) return;
  entries.delete(id);
  itemCount -= entry.items.size;
}

/** Whether the key is one of the twin's current (`CUR#`) or vacated (`GONE#`) items. */
function isStateKey(tenant: string, twinId: string, key: Item) {
  if (key.PK !== keys.twinPartition(tenant, twinId)) return false;
  const sk = String(key.SK);
  return sk.startsWith(keys.prefixes.current) || sk.startsWith(keys.prefixes.vacated);
}

/**
 * The twin as known at `version`: META, and for a key its item, null when it is known to be absent,
 * undefined when unknown. Undefined when this process knows no such version of the twin.
 */
export function cachedTwin(tenant: string, twinId: string, version: number) {
  const id = entryId(tenant, twinId);
  const entry = entries.get(id);
  if (!entry || entry.version !== version) return undefined;
  // the most recently used is evicted last
  entries.delete(id);
  entries.set(id, entry);
  return {
    meta: entry.meta,
    get: (key: Key): Item | null | undefined => {
      const known = entry.items.get(keyId(key));
      if (known !== undefined) return known;
      return entry.whole &&
        key.PK === keys.twinPartition(tenant, twinId) &&
        key.SK!.startsWith(keys.prefixes.current)
        ? null
        : undefined;
    },
  };
}

/**
 * Items read with META (`meta`: one consistent read of them all, or later items of the same
 * version; `asked`: the keys read, so that those not among `items` are known to be absent).
 */
export function rememberRead(
  tenant: string,
  twinId: string,
  meta: Item,
  asked: readonly Key[],
  items: readonly Item[],
) {
  const id = entryId(tenant, twinId);
  const entry = entryAt(id, meta.version as number, () => meta);
  const byKey = new Map(items.map((item) => [keyId(item), item]));
  for (const key of asked) setItem(entry, keyId(key), byKey.get(keyId(key)) ?? null);
  evict(id);
}

/**
 * Judged items read beside META at `version` (not in one snapshot with it: the transaction checks
 * them anyway), kept when the twin is known at that version.
 */
export function rememberJudged(
  tenant: string,
  twinId: string,
  version: number,
  asked: readonly Key[],
  items: readonly Item[],
) {
  const known = entries.get(entryId(tenant, twinId));
  if (known?.version === version) rememberRead(tenant, twinId, known.meta, asked, items);
}

/**
 * META and every current item as read one after the other (META first): kept only when they are of
 * one version, i.e. no current item was written by a later change and none is missing (a change
 * that only removed positions lowers META's `positionCount`).
 */
export function rememberWhole(tenant: string, twinId: string, meta: Item, current: readonly Item[]) {
  const version = meta.version as number;
  const ofOneVersion =
    current.length === meta.positionCount && current.every((item) => (item.version as number) <= version);
  if (!ofOneVersion) return;
  const id = entryId(tenant, twinId);
  // what was known at this version (vacated and judged items) stays: the same version, the same items
  const entry = entryAt(id, version, () => meta);
  for (const item of current) setItem(entry, keyId(item), item);
  entry.whole = true;
  evict(id);
}

/**
 * A transaction committed on the twin at `fromVersion`: the entry (if it was at that version) moves
 * to the new one with META's new attributes (`metaSets`) and the twin's items the transaction wrote;
 * a judged item it wrote is known as written, one it updated is no longer known.
 */
export function rememberCommit(
  tenant: string,
  twinId: string,
  fromVersion: number,
  metaSets: Item,
  transaction: readonly TransactEntry[],
) {
  const id = entryId(tenant, twinId);
  const entry = entries.get(id);
  if (!entry || entry.version !== fromVersion) return drop(id);
  const metaKey = keyId(keys.twinMeta(tenant, twinId));
  for (const written of transaction) {
    if (written.Put) {
      const key = keyId(written.Put.Item!);
      if (isStateKey(tenant, twinId, written.Put.Item!) || entry.items.has(key))
        setItem(entry, key, written.Put.Item!);
    } else if (written.Delete) {
      const key = keyId(written.Delete.Key!);
      if (isStateKey(tenant, twinId, written.Delete.Key!) || entry.items.has(key)) setItem(entry, key, null);
    } else if (written.Update && keyId(written.Update.Key!) !== metaKey) {
      if (entry.items.delete(keyId(written.Update.Key!))) itemCount--;
    }
  }
  entry.version = metaSets.version as number;
  entry.meta = { ...entry.meta, ...metaSets };
  evict(id);
}

/** The twin is no longer known (a transaction on it failed, or its state is unsure). */
export const forgetTwin = (tenant: string, twinId: string) => drop(entryId(tenant, twinId));

/** Nothing is known (tests and the bench's cold runs). */
export function forgetAllTwins() {
  entries.clear();
  itemCount = 0;
}
