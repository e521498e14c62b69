import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ExportEntry, exportedEntries } from '../../cli/sources';

const directory = mkdtempSync(join(tmpdir(), 'twinthread-export-entries-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Ids by name (the lines carry ULIDs). */
const ID = {
  AD1: '01J000000000000000000000A1',
  AD2: '01J000000000000000000000A2',
  SB1: '01J000000000000000000000B1',
  SB2: '01J000000000000000000000B2',
  GONE: '01J000000000000000000000G0',
  R1: '01J000000000000000000000R1',
  T1: '01J000000000000000000000T1',
} as const;
const nameOf = new Map<string, string>(Object.entries(ID).map(([name, id]) => [id, name]));

const document = (id: string, kind: string, supersedes?: string[]) => ({
  id,
  kind,
  title: `document ${id}`,
  contentType: 'application/pdf',
  size: 1,
  sha256: 'a'.repeat(64),
  createdAt: '2025-01-01T00:00:00Z',
  createdBy: 'engineer',
  updatedAt: '2025-01-01T00:00:00Z',
  requirement: {
    mandatory: true,
    effectiveAt: '2025-01-01T00:00:00Z',
    embodiedWhen: [],
    ...(supersedes ? { supersedes } : {}),
  },
});

const record = {
  id: ID.R1,
  twinId: ID.T1,
  documentId: ID.SB1,
  status: 'complied',
  at: '2025-02-01T00:00:00Z',
};
const compliance = {
  type: 'compliance-records',
  twinId: ID.T1,
  records: [
    { ...record, recordedAt: '2025-02-01T00:00:00Z', evidence: [], actor: { sub: 's', tenant: 'src' } },
  ],
};

async function entriesOf(lines: unknown[]): Promise<ExportEntry[]> {
  const file = join(directory, `${Math.random()}.ndjson`);
  writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  const entries: ExportEntry[] = [];
  for await (const entry of exportedEntries(file)) entries.push(entry);
  return entries;
}

const named = (entries: ExportEntry[]) =>
  entries.map((entry) =>
    entry.kind !== 'record'
      ? entry.kind
      : entry.body.type === 'document'
        ? nameOf.get(entry.body.document.id)
        : entry.body.type,
  );

describe('exportedEntries', () => {
  it('sends a document after the documents its requirement supersedes, whatever the file order', async () => {
    // Act: a directive superseding a bulletin (listed first, by kind), which another bulletin supersedes
    const entries = await entriesOf([
      { type: 'header', format: 'twinthread.tenant/4', tenant: 'src' },
      {
        type: 'document',
        source: { tenant: 'src' },
        document: document(ID.AD1, 'airworthiness-directive', [ID.SB1]),
      },
      {
        type: 'document',
        source: { tenant: 'src' },
        document: document(ID.AD2, 'airworthiness-directive', [ID.AD1]),
      },
      { type: 'document', source: { tenant: 'src' }, document: document(ID.SB1, 'service-bulletin') },
      {
        type: 'document',
        source: { tenant: 'src' },
        document: document(ID.SB2, 'service-bulletin', [ID.GONE]),
      },
      { ...compliance, source: { tenant: 'src' } },
    ]);
    // Assess: what names a document never met follows the documents (the importer notes it)
    expect(named(entries)).toEqual(['SB1', 'AD1', 'AD2', 'SB2', 'compliance-records']);
  });

  it('reads a twinthread.tenant/3 file: its source from the header, compliance records after its documents', async () => {
    // Act
    const entries = await entriesOf([
      { type: 'header', format: 'twinthread.tenant/3', tenant: 'src' },
      compliance,
      { type: 'document', document: document(ID.SB1, 'service-bulletin') },
    ]);
    // Assess
    expect(named(entries)).toEqual(['SB1', 'compliance-records']);
    expect(entries.map((entry) => entry.kind === 'record' && entry.body)).toEqual([
      expect.objectContaining({ source: { tenant: 'src' } }),
      expect.objectContaining({ source: { tenant: 'src' } }),
    ]);
  });
});
