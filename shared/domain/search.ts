import type { Component } from '../schemas/twin';
import type { DocumentRecord } from './document';
import type { InspectionRecord, TwinRecord } from './records';

/**
 * Search (GET /v1/search): pure rules, no I/O. Every searchable field of a twin, serialized
 * component, document or inspection becomes index entries of normalized tokens: an identifier
 * (serial, part number, site, kind, an attribute value) is one token, matched by prefix; free text
 * (a title, a product name, findings) is one token per word. Matching is case-insensitive (NFC,
 * lower case); look-alikes are not folded, as everywhere else.
 */

export const SEARCH_KINDS = ['twin', 'component', 'document', 'inspection'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** `I`: a whole identifier (prefix matched by the whole query); `W`: one word of a text. */
export type TokenKind = 'I' | 'W';

/** One index entry: what a token finds, and what a view needs to know to show it or not. */
export interface SearchEntry {
  kind: SearchKind;
  /** Twin id, `<partNumber>/<serialNumber>`, document id, inspection id. */
  id: string;
  label: string;
  /** The field the token comes from (`serialNumber`, `attributes.tailNumber`, `title`, ...). */
  field: string;
  tokenKind: TokenKind;
  token: string;
  twinId?: string;
  /** Components: their kind (a view may hide it). */
  componentKind?: Component['kind'];
  /** Documents: their kind (a view may hide it). */
  documentKind?: string;
  /** Inspections: the positions observed (a view shows an inspection only through them). */
  paths?: string[];
}

/** At most this many words of one text field are indexed (findings, titles): one item each. */
export const MAX_WORDS_PER_FIELD = 24;
/** Tokens are cut to this many characters (DynamoDB keys stay small; a longer prefix still matches). */
export const MAX_TOKEN_LENGTH = 100;
/** Words of a query that count (more are ignored). */
export const MAX_QUERY_WORDS = 5;

/** The normalized form every token and query is compared in. */
export const normalizeSearchText = (text: string) => text.normalize('NFC').trim().toLowerCase();

const cut = (token: string) => Array.from(token).slice(0, MAX_TOKEN_LENGTH).join('');

/** The distinct words of a text, in order, normalized: letters and digits, anything else separates. */
export function wordsOf(text: string, max = MAX_WORDS_PER_FIELD): string[] {
  const words = normalizeSearchText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .map(cut);
  return [...new Set(words)].slice(0, max);
}

type Tokens = { tokenKind: TokenKind; token: string }[];

/**
 * An identifier: the whole value, and its words too when it holds spaces (an inspector's name); a
 * serial such as `HVC-88` stays one token (its pieces would find every serial ending in 88).
 */
export function identifierTokens(value: string): Tokens {
  const whole = cut(normalizeSearchText(value));
  if (whole.length === 0) return [];
  const words = /\s/u.test(whole) ? wordsOf(value) : [];
  return [{ tokenKind: 'I', token: whole }, ...words.map((token) => ({ tokenKind: 'W' as const, token }))];
}

/** A text: its words. */
export const textTokens = (value: string): Tokens =>
  wordsOf(value).map((token) => ({ tokenKind: 'W' as const, token }));

type Base = Omit<SearchEntry, 'field' | 'tokenKind' | 'token'>;
const entriesOf = (base: Base, field: string, tokens: Tokens): SearchEntry[] =>
  tokens.map((token) => ({ ...base, field, ...token }));

/** Attribute values that are searched: strings and numbers (each element of an array). */
const attributeValues = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).flatMap((item) =>
    typeof item === 'string' || typeof item === 'number' ? [String(item)] : [],
  );

export const twinLabel = (twin: Pick<TwinRecord, 'serialNumber' | 'product'>) =>
  `${twin.serialNumber} · ${twin.product.name ?? twin.product.partNumber}`;

/** A twin's entries: serial, product part number and name, site, and the attributes its type marks searchable. */
export function twinEntries(twin: TwinRecord, searchable: readonly string[]): SearchEntry[] {
  const base: Base = { kind: 'twin', id: twin.id, label: twinLabel(twin), twinId: twin.id };
  return [
    ...entriesOf(base, 'serialNumber', identifierTokens(twin.serialNumber)),
    ...entriesOf(base, 'product.partNumber', identifierTokens(twin.product.partNumber)),
    ...(twin.product.name === undefined
      ? []
      : entriesOf(base, 'product.name', textTokens(twin.product.name))),
    ...(twin.site === undefined ? [] : entriesOf(base, 'site', identifierTokens(twin.site))),
    ...searchable.flatMap((name) =>
      attributeValues(twin.attributes[name]).flatMap((value) =>
        entriesOf(base, `attributes.${name}`, identifierTokens(value)),
      ),
    ),
  ];
}

/** The id a serialized component is found by (the path of `GET /v1/components/{partNumber}/{serialNumber}`). */
export const componentSearchId = (component: { partNumber: string; serialNumber: string }) =>
  `${component.partNumber}/${component.serialNumber}`;

/**
 * A serialized component's entries (serial, part number): written when it first arrives anywhere and
 * kept for good, so that a removed component stays findable; where it is now is read at search time.
 * A part without a serial number has no identity of its own (the fleet index finds its units).
 */
export function componentEntries(component: Component): SearchEntry[] {
  if (component.serialNumber === undefined) return [];
  const serialized = { partNumber: component.partNumber, serialNumber: component.serialNumber };
  const base: Base = {
    kind: 'component',
    id: componentSearchId(serialized),
    label: `${component.partNumber} ${component.serialNumber}`,
    componentKind: component.kind,
  };
  return [
    ...entriesOf(base, 'serialNumber', identifierTokens(component.serialNumber)),
    ...entriesOf(base, 'partNumber', identifierTokens(component.partNumber)),
  ];
}

/** A document's entries: the words of its title, the part number of its effectivity, its kind. */
export function documentEntries(
  document: Pick<DocumentRecord, 'id' | 'kind' | 'title' | 'effectivity'>,
): SearchEntry[] {
  const base: Base = {
    kind: 'document',
    id: document.id,
    label: document.title,
    documentKind: document.kind,
  };
  return [
    ...entriesOf(base, 'title', textTokens(document.title)),
    ...(document.effectivity === undefined
      ? []
      : entriesOf(base, 'effectivity.partNumber', identifierTokens(document.effectivity.partNumber))),
    ...entriesOf(base, 'kind', identifierTokens(document.kind)),
  ];
}

/** An inspection's entries: its inspector and the words of its findings. */
export function inspectionEntries(twinId: string, inspection: InspectionRecord): SearchEntry[] {
  const base: Base = {
    kind: 'inspection',
    id: inspection.id,
    label: `${inspection.inspector} · ${inspection.performedAt.slice(0, 10)}`,
    twinId,
    paths: inspection.observed.map((observation) => observation.path),
  };
  return [
    ...entriesOf(base, 'inspector', identifierTokens(inspection.inspector)),
    ...(inspection.findings === undefined
      ? []
      : entriesOf(base, 'findings', textTokens(inspection.findings))),
  ];
}

/** The identity of an entry's item: one per thing, field and token. */
export const entryKey = (entry: Pick<SearchEntry, 'kind' | 'id' | 'field' | 'tokenKind' | 'token'>) =>
  `${entry.kind}#${entry.id}#${entry.tokenKind}#${entry.token}#${entry.field}`;

/**
 * What an edit changes in the index: the entries of the record before that the record after no
 * longer has (to delete), and those after (to put: a put of an unchanged entry is harmless).
 */
export function entryChanges(before: readonly SearchEntry[], after: readonly SearchEntry[]) {
  const kept = new Set(after.map(entryKey));
  return { remove: before.filter((entry) => !kept.has(entryKey(entry))), put: [...after] };
}

/** A query: the whole of it (an identifier prefix) and its words (each a word prefix). */
export interface SearchQuery {
  whole: string;
  words: string[];
}

export const parseQuery = (q: string): SearchQuery => ({
  whole: cut(normalizeSearchText(q)),
  words: wordsOf(q, MAX_QUERY_WORDS),
});

/** How much a match in each field weighs: identifiers of the thing itself first. */
const FIELD_WEIGHT: Record<string, number> = {
  serialNumber: 30,
  partNumber: 20,
  'product.partNumber': 20,
  'effectivity.partNumber': 20,
  title: 15,
  'product.name': 10,
  site: 10,
  inspector: 10,
  kind: 5,
  findings: 5,
};
const fieldWeight = (field: string) => FIELD_WEIGHT[field] ?? (field.startsWith('attributes.') ? 15 : 0);

/** One index entry a token query found, and which part of the query found it. */
export interface SearchMatch<E extends SearchEntry = SearchEntry> {
  entry: E;
  /** `whole`: the identifier query; a number: the index of the query word. */
  via: 'whole' | number;
}

export interface RankedHit<E extends SearchEntry = SearchEntry> {
  entry: E;
  score: number;
  /** The field of the best match. */
  matched: string;
}

const KIND_ORDER: Record<SearchKind, number> = { twin: 0, component: 1, document: 2, inspection: 3 };

/**
 * Groups matches by thing and ranks them. A thing is a hit when the whole query is a prefix of one
 * of its identifiers, or when each query word is a prefix of one of its words. Exact beats prefix,
 * identifiers beat words, and the field's weight orders the rest; ties by kind, label and id.
 */
export function rankMatches<E extends SearchEntry>(
  query: SearchQuery,
  matches: readonly SearchMatch<E>[],
  thingOf: (entry: E) => string = (entry) => `${entry.kind}#${entry.id}`,
): RankedHit<E>[] {
  type Thing = { whole?: SearchMatch<E>; words: Map<number, SearchMatch<E>> };
  const things = new Map<string, Thing>();
  const scoreOf = (match: SearchMatch<E>) => {
    const target = match.via === 'whole' ? query.whole : query.words[match.via];
    const exact = match.entry.token === target;
    const base = match.via === 'whole' ? (exact ? 100 : 50) : exact ? 10 : 5;
    return base + fieldWeight(match.entry.field);
  };
  const better = (a: SearchMatch<E> | undefined, b: SearchMatch<E>) =>
    a === undefined || scoreOf(b) > scoreOf(a) ? b : a;
  for (const match of matches) {
    const key = thingOf(match.entry);
    const thing: Thing = things.get(key) ?? { words: new Map() };
    if (match.via === 'whole') thing.whole = better(thing.whole, match);
    else thing.words.set(match.via, better(thing.words.get(match.via), match));
    things.set(key, thing);
  }
  const hits: RankedHit<E>[] = [];
  for (const thing of things.values()) {
    const allWords = query.words.length > 0 && thing.words.size === query.words.length;
    if (!thing.whole && !allWords) continue;
    const wordMatches = allWords ? [...thing.words.values()] : [];
    const wordScore = wordMatches.reduce((sum, match) => sum + scoreOf(match), 0);
    const wholeScore = thing.whole ? scoreOf(thing.whole) : 0;
    const best = thing.whole ?? wordMatches.reduce((a, b) => (scoreOf(b) > scoreOf(a) ? b : a));
    hits.push({ entry: best.entry, score: Math.max(wholeScore, wordScore), matched: best.entry.field });
  }
  return hits.sort(
    (a, b) =>
      b.score - a.score ||
      KIND_ORDER[a.entry.kind] - KIND_ORDER[b.entry.kind] ||
      (a.entry.label < b.entry.label ? -1 : a.entry.label > b.entry.label ? 1 : 0) ||
      (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0),
  );
}
