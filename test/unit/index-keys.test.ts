import { describe, expect, it } from 'vitest';
import { keys } from '../../shared/store/keys';
import { INDEXES } from '../../shared/store/table';

const component = {
  partNumber: 'PN-1',
  serialNumber: 'SN-1',
  kind: 'software' as const,
  softwareVersion: '1.2.3',
};

const SEARCH_ENTRY = { kind: 'twin', id: 'T1', field: 'serialNumber', tokenKind: 'I', token: 'msn-1' };

/** Every index key set keys.ts builds, for tenant `acme` (the grantee index: for grantee `cool-air`). */
const indexKeySets = (): Record<string, unknown>[] => [
  keys.twinIndexKeys('acme', { id: 'T1', serialNumber: 'MSN-1', site: 'TLS', partNumber: 'A320' }),
  keys.documentIndexKeys('acme', { id: 'D1', kind: 'manual', partNumber: 'PN-1' }),
  keys.fleetKeys('acme', 'T1', { path: 'engine-1', component }),
  keys.fleetHistoryKeys('acme', 'T1', { path: 'engine-1', component }),
  keys.eventIndexKeys('acme', 'E1', 'T1'),
  keys.typeIndexKeys('acme', 'engine'),
  keys.viewIndexKeys('acme', 'V1'),
  keys.grantIndexKeys('acme', 'cool-air', 'G1'),
  keys.searchEntry('acme', SEARCH_ENTRY),
];

describe('index partition keys carry the tenant prefix (dynamodb:LeadingKeys of the scoped roles)', () => {
  it('starts every index partition key keys.ts builds with TENANT#<tenant>#', () => {
    // Prepare
    const partitionAttributes = Object.values(INDEXES).map((index) => index.partitionKey);
    // Act
    const values = indexKeySets().flatMap((set) =>
      partitionAttributes.filter((name) => name in set).map((name) => [name, String(set[name])] as const),
    );
    // Assess
    expect(new Set(values.map(([name]) => name))).toEqual(new Set(partitionAttributes));
    for (const [name, value] of values)
      expect(value, name).toMatch(
        name === INDEXES.grantee.partitionKey ? /^TENANT#cool-air#/ : /^TENANT#acme#/,
      );
  });
});
