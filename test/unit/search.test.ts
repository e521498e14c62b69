import { describe, expect, it } from 'vitest';
import type { InspectionRecord, TwinRecord } from '../../shared/domain/records';
import {
  componentEntries,
  documentEntries,
  entryChanges,
  identifierTokens,
  inspectionEntries,
  MAX_WORDS_PER_FIELD,
  parseQuery,
  rankMatches,
  type SearchEntry,
  twinEntries,
  wordsOf,
} from '../../shared/domain/search';
import { searchableAttributes } from '../../shared/domain/types';
import { projectThroughView } from '../../shared/domain/view';

const twin: TwinRecord = {
  id: 'T1',
  serialNumber: 'MSN-4711',
  product: { partNumber: 'A320-214', name: 'Airbus A320' },
  site: 'HAM',
  lifecycle: 'in-service',
  type: 'aircraft',
  typeVersion: 1,
  attributes: { tailNumber: 'D-AIBC', leaseRate: 4242, callsigns: ['DLH1', 'DLH2'] },
  version: 1,
  builtAt: '2024-01-01T00:00:00Z',
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z',
};

const inspection: InspectionRecord = {
  id: 'I1',
  performedAt: '2026-03-01T10:00:00Z',
  recordedAt: '2026-03-01T10:00:00Z',
  inspector: 'Sam Cooper',
  findings: 'Corrosion on the bracket; bracket replaced',
  observed: [{ path: 'hvac/controller' }, { path: 'engine-1' }],
  actor: { sub: 's', tenant: 't' },
  discrepancies: [],
};

describe('tokens', () => {
  it('normalizes to NFC lower case and splits words on anything but letters and digits', () => {
    expect(wordsOf('  Reload FADEC software, SB 73-0042 ')).toEqual([
      'reload',
      'fadec',
      'software',
      'sb',
      '73',
      '0042',
    ]);
    expect(wordsOf('Cafe\u0301 CAFÉ café')).toEqual(['café']);
    expect(wordsOf('a b c d e f g h i j k l m n o p q r s t u v w x y z').length).toBe(MAX_WORDS_PER_FIELD);
  });

  it('keeps an identifier whole, and adds its words only when it has several', () => {
    expect(identifierTokens('HVC-88')).toEqual([{ tokenKind: 'I', token: 'hvc-88' }]);
    expect(identifierTokens('Sam Cooper')).toEqual([
      { tokenKind: 'I', token: 'sam cooper' },
      { tokenKind: 'W', token: 'sam' },
      { tokenKind: 'W', token: 'cooper' },
    ]);
    // look-alikes are not folded: Cyrillic А is not Latin A
    expect(identifierTokens('А320')[0]!.token).not.toBe('a320');
  });

  it('parses a query into its whole and its first words', () => {
    expect(parseQuery(' Airbus  A3 ')).toEqual({ whole: 'airbus  a3', words: ['airbus', 'a3'] });
    expect(parseQuery('a b c d e f g').words).toHaveLength(5);
  });
});

describe('entries', () => {
  it('of a twin: serial, part number, name words, site and only the searchable attributes', () => {
    const entries = twinEntries(twin, ['tailNumber', 'callsigns']);
    expect(entries.map((entry) => `${entry.field}:${entry.tokenKind}:${entry.token}`)).toEqual([
      'serialNumber:I:msn-4711',
      'product.partNumber:I:a320-214',
      'product.name:W:airbus',
      'product.name:W:a320',
      'site:I:ham',
      'attributes.tailNumber:I:d-aibc',
      'attributes.callsigns:I:dlh1',
      'attributes.callsigns:I:dlh2',
    ]);
    expect(entries.every((entry) => entry.kind === 'twin' && entry.twinId === 'T1')).toBe(true);
    expect(twinEntries(twin, []).some((entry) => entry.field.startsWith('attributes.'))).toBe(false);
  });

  it('of a component only when serialized; of documents and inspections', () => {
    expect(componentEntries({ partNumber: 'FADEC-SW', kind: 'software', softwareVersion: '5.2.1' })).toEqual(
      [],
    );
    const component = componentEntries({
      partNumber: 'HVAC-CTL-9',
      serialNumber: 'HVC-88',
      kind: 'electrical',
    });
    expect(component.map((entry) => [entry.id, entry.field, entry.token, entry.componentKind])).toEqual([
      ['HVAC-CTL-9/HVC-88', 'serialNumber', 'hvc-88', 'electrical'],
      ['HVAC-CTL-9/HVC-88', 'partNumber', 'hvac-ctl-9', 'electrical'],
    ]);
    const document = documentEntries({
      id: 'D1',
      kind: 'service-bulletin',
      title: 'SB 73-0042',
      effectivity: { partNumber: 'FADEC-SW' },
    });
    expect(document.map((entry) => `${entry.field}:${entry.token}`)).toEqual([
      'title:sb',
      'title:73',
      'title:0042',
      'effectivity.partNumber:fadec-sw',
      'kind:service-bulletin',
    ]);
    const found = inspectionEntries('T1', inspection);
    expect(found[0]).toMatchObject({
      kind: 'inspection',
      twinId: 'T1',
      paths: ['hvac/controller', 'engine-1'],
    });
    expect(found.filter((entry) => entry.field === 'findings').map((entry) => entry.token)).toEqual([
      'corrosion',
      'on',
      'the',
      'bracket',
      'replaced',
    ]);
  });

  it('an edit removes what the record no longer has and puts the rest', () => {
    const before = twinEntries(twin, ['tailNumber']);
    const after = twinEntries({ ...twin, site: 'CDG', attributes: { tailNumber: 'D-AIBC' } }, ['tailNumber']);
    const { remove, put } = entryChanges(before, after);
    expect(remove.map((entry) => entry.token)).toEqual(['ham']);
    expect(put).toEqual(after);
  });

  it('the searchable attributes of a type', () => {
    expect(searchableAttributes(null)).toEqual([]);
    expect(
      searchableAttributes({
        attributes: { tailNumber: { type: 'string', searchable: true }, seats: { type: 'integer' } },
      }),
    ).toEqual(['tailNumber']);
  });
});

describe('ranking', () => {
  const entry = (over: Partial<SearchEntry>): SearchEntry => ({
    kind: 'twin',
    id: 'x',
    label: 'x',
    field: 'serialNumber',
    tokenKind: 'I',
    token: 'x',
    ...over,
  });

  it('exact before prefix, identifiers before words, serials before sites', () => {
    const query = parseQuery('hvc-88');
    const hits = rankMatches(query, [
      { entry: entry({ id: 'site', token: 'hvc-88x', field: 'site' }), via: 'whole' },
      { entry: entry({ id: 'prefix', token: 'hvc-881' }), via: 'whole' },
      { entry: entry({ id: 'exact', kind: 'component', token: 'hvc-88' }), via: 'whole' },
    ]);
    expect(hits.map((hit) => hit.entry.id)).toEqual(['exact', 'prefix', 'site']);
  });

  it('a thing matches words only when every word of the query matches one of its words', () => {
    const query = parseQuery('fadec soft');
    const hits = rankMatches(query, [
      {
        entry: entry({ kind: 'document', id: 'both', tokenKind: 'W', token: 'fadec', field: 'title' }),
        via: 0,
      },
      {
        entry: entry({ kind: 'document', id: 'both', tokenKind: 'W', token: 'software', field: 'title' }),
        via: 1,
      },
      {
        entry: entry({ kind: 'document', id: 'one', tokenKind: 'W', token: 'fadec', field: 'title' }),
        via: 0,
      },
    ]);
    expect(hits.map((hit) => [hit.entry.id, hit.matched])).toEqual([['both', 'title']]);
  });

  it('one hit per thing, ties by kind then label', () => {
    const query = parseQuery('a');
    const hits = rankMatches(query, [
      { entry: entry({ kind: 'component', id: 'c', label: 'a', token: 'ab' }), via: 'whole' },
      { entry: entry({ id: 't2', label: 'b', token: 'ab' }), via: 'whole' },
      { entry: entry({ id: 't1', label: 'a', token: 'ab' }), via: 'whole' },
      { entry: entry({ id: 't1', label: 'a', token: 'ac', field: 'site' }), via: 'whole' },
    ]);
    expect(hits.map((hit) => hit.entry.id)).toEqual(['t1', 't2', 'c']);
    expect(hits[0]!.matched).toBe('serialNumber');
  });
});

describe('search hits through a view (the one projection)', () => {
  const hits = [
    { kind: 'twin', id: 't', matched: 'serialNumber' },
    { kind: 'twin', id: 't-attr', matched: 'attributes.leaseRate' },
    { kind: 'twin', id: 't-tail', matched: 'attributes.tailNumber' },
    { kind: 'component', id: 'hvac', componentKind: 'electrical', path: 'hvac/controller', installed: true },
    { kind: 'component', id: 'engine', componentKind: 'mechanical', path: 'engine-1', installed: true },
    { kind: 'component', id: 'spare', componentKind: 'electrical', installed: false },
    { kind: 'document', id: 'plan', documentKind: 'job-plan' },
    { kind: 'document', id: 'manual', documentKind: 'manual' },
    { kind: 'inspection', id: 'i-inspector', field: 'inspector', paths: ['hvac/controller', 'engine-1'] },
    { kind: 'inspection', id: 'i-findings', field: 'findings', paths: ['hvac/controller', 'engine-1'] },
  ];
  const shown = (view: object) =>
    (
      projectThroughView({ shape: 'search', body: { items: hits } }, view) as { items: { id: string }[] }
    ).items.map((hit) => hit.id);

  it('shows everything through the full view', () => {
    expect(shown({})).toEqual(hits.map((hit) => hit.id));
  });

  it('hides matches on hidden attributes, positions, kinds and document kinds', () => {
    expect(
      shown({ positions: ['hvac'], twinAttributes: ['tailNumber'], documentKinds: ['job-plan'] }),
    ).toEqual(['t', 't-tail', 'hvac', 'plan', 'i-inspector']);
    expect(shown({ kinds: ['mechanical'] })).toEqual([
      't',
      't-attr',
      't-tail',
      'engine',
      'plan',
      'manual',
      'i-inspector',
      'i-findings',
    ]);
  });
});
