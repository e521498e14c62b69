import { describe, expect, it } from 'vitest';
import type { ComplianceRecordData } from '../../shared/domain/compliance';
import {
  complianceRecordsOfCopy,
  documentCopy,
  type ExportedDocument,
} from '../../shared/domain/document-import';

const directive: ExportedDocument & Record<string, unknown> = {
  id: 'AD-2',
  kind: 'airworthiness-directive',
  title: 'AD 2026-0042',
  contentType: 'text/plain',
  size: 12,
  sha256: 'a'.repeat(64),
  createdAt: '2026-01-02T01:00:00+01:00',
  createdBy: 'engineer-1',
  updatedAt: '2026-02-01T00:00:00Z',
  latestVersion: 3,
  availableVersion: 2,
  // a field no document holds (a hostile line): never written
  PK: 'TENANT#other#DOC#1',
  requirement: {
    mandatory: true,
    effectiveAt: '2026-01-10T00:00:00Z',
    embodiedWhen: [],
    recurring: { every: { days: 30 } },
    supersedes: ['SB-1', 'SB-GONE'],
  },
};

const record = (overrides: Partial<ComplianceRecordData>): ComplianceRecordData => ({
  id: 'R-1',
  twinId: 'TWIN-SRC',
  documentId: 'AD-2',
  status: 'complied',
  at: '2026-03-01T00:00:00Z',
  recordedAt: '2026-03-02T00:00:00.000Z',
  evidence: [],
  actor: { sub: 'tech-1', tenant: 'source' },
  ...overrides,
});

describe('documentCopy', () => {
  it('keeps metadata, requirement and times, starts one pending version, maps superseded documents', () => {
    // Act
    const { copy, notes } = documentCopy(directive, 'COPY-AD', {
      sourceTenant: 'source',
      createdBy: 'importer',
      copyOf: (id) => (id === 'SB-1' ? 'COPY-SB' : undefined),
    });
    // Assess
    expect(copy.record).toMatchObject({
      id: 'COPY-AD',
      kind: 'airworthiness-directive',
      title: 'AD 2026-0042',
      latestVersion: 1,
      createdAt: '2026-01-02T00:00:00.000Z',
      createdBy: 'engineer-1',
      updatedAt: '2026-02-01T00:00:00.000Z',
      importedFrom: { tenant: 'source', documentId: 'AD-2' },
      requirement: { mandatory: true, recurring: { every: { days: 30 } }, supersedes: ['COPY-SB'] },
    });
    expect(copy.record).not.toHaveProperty('availableVersion');
    expect(copy.record).not.toHaveProperty('PK');
    expect(copy.version).toMatchObject({ version: 1, status: 'pending', size: 12 });
    expect(notes).toEqual([expect.stringContaining('SB-GONE')]);
  });
});

describe('complianceRecordsOfCopy', () => {
  it('moves records to the copy and its documents, keeping ids, times and corrections', () => {
    // Prepare
    const copies = new Map([
      ['AD-2', 'COPY-AD'],
      ['WO-1', 'COPY-WO'],
    ]);
    const records = [
      record({ evidence: ['WO-1', 'WO-GONE'] }),
      record({ id: 'R-2', corrects: 'R-1', recordedAt: '2026-03-05T00:00:00.000Z' }),
      record({ id: 'R-3', documentId: 'SB-GONE' }),
    ];
    // Act
    const copied = complianceRecordsOfCopy(records, 'TWIN-COPY', (id) => copies.get(id));
    // Assess
    expect(copied.records).toEqual([
      record({
        twinId: 'TWIN-COPY',
        documentId: 'COPY-AD',
        evidence: ['COPY-WO'],
        at: '2026-03-01T00:00:00.000Z',
      }),
      record({
        id: 'R-2',
        twinId: 'TWIN-COPY',
        documentId: 'COPY-AD',
        corrects: 'R-1',
        at: '2026-03-01T00:00:00.000Z',
        recordedAt: '2026-03-05T00:00:00.000Z',
      }),
    ]);
    expect(copied.notes).toEqual([
      expect.stringContaining('evidence WO-GONE'),
      expect.stringContaining('document SB-GONE'),
    ]);
  });
});
