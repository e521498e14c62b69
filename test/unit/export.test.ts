import { describe, expect, it } from 'vitest';
import type { TwinHistory } from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { documentIdsOf, EXPORT_FORMAT, twinExport } from '../../shared/domain/export';
import { importMapping, planImport } from '../../shared/domain/import';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { projectThroughView } from '../../shared/domain/view';
import { TwinExport, type TwinExportBody } from '../../shared/schemas/exchange';
import { aircraftRecord } from '../support/fixtures';
import { thrownBy } from './thrown';

const actor = { sub: 'planner', tenant: 'source' };
const builtAt = new Date('2026-01-01T00:00:00Z');

function history(): TwinHistory {
  const record = newTwinRecord(aircraftRecord('U-1'), 'TWIN-1', builtAt);
  const base = asBuiltHistory(record, flattenAsBuilt(aircraftRecord('U-1').configuration), actor, 'CS-1');
  // the FADEC of engine 1 was replaced on 2026-02-01, recorded on 2026-03-01
  const replaced = base.installations.find((installation) => installation.path === 'engine-1/fadec')!;
  return {
    ...base,
    record: { ...base.record, version: 2 },
    installations: [
      ...base.installations.filter((installation) => installation !== replaced),
      { ...replaced, validTo: '2026-02-01T00:00:00.000Z', closedAt: '2026-03-01T00:00:00.000Z' },
      {
        path: 'engine-1/fadec',
        component: { partNumber: 'FADEC-3', serialNumber: 'U-1-FDC-9', kind: 'electrical' },
        since: '2026-02-01T00:00:00.000Z',
        validFrom: '2026-02-01T00:00:00.000Z',
        validTo: null,
        recordedAt: '2026-03-01T00:00:00.000Z',
        seq: 2,
      },
    ],
    changeSets: [
      ...base.changeSets,
      {
        id: 'CS-2',
        seq: 2,
        reason: 'engine FADEC swap',
        effectiveAt: '2026-02-01T00:00:00.000Z',
        recordedAt: '2026-03-01T00:00:00.000Z',
        actor,
        operations: [
          {
            op: 'replace',
            position: 'engine-1/fadec',
            component: { partNumber: 'FADEC-3', serialNumber: 'U-1-FDC-9', kind: 'electrical' },
          },
        ],
        paths: ['engine-1/fadec'],
      },
    ],
    links: [
      { documentId: 'DOC-M', position: 'engine-1', createdAt: '2026-01-02T00:00:00.000Z', actor },
      { documentId: 'DOC-J', position: 'hvac', createdAt: '2026-01-02T00:00:00.000Z', actor },
    ],
    inspections: [],
    baselines: [],
  };
}

const documents = [
  { id: 'DOC-M', kind: 'manual', title: 'Engine manual', createdAt: '2026-01-02T00:00:00.000Z' },
  { id: 'DOC-J', kind: 'job-plan', title: 'HVAC plan', createdAt: '2026-01-02T00:00:00.000Z' },
].map((document) => ({
  ...document,
  contentType: 'application/pdf',
  size: 1,
  sha256: 'a'.repeat(64),
  latestVersion: 1,
  createdBy: 'planner',
  updatedAt: document.createdAt,
})) as never[];

const exported = () =>
  twinExport(history(), new Date('2026-04-01T00:00:00Z'), {
    tenant: 'source',
    documents,
    asOf: '2026-01-15T00:00:00.000Z',
  });

const asBody = (value: unknown): TwinExportBody => TwinExport.parse(JSON.parse(JSON.stringify(value)));

describe('twinExport', () => {
  it('carries every interval with its record times, and the twin as of asOf', () => {
    // Act
    const result = exported();
    // Assess
    expect(result.format).toBe(EXPORT_FORMAT);
    expect(result.source).toEqual({ tenant: 'source', twinId: 'TWIN-1' });
    expect(result.installations.filter((item) => item.path === 'engine-1/fadec')).toHaveLength(2);
    expect(result.installations.at(-1)).toMatchObject({ seq: 2, recordedAt: '2026-03-01T00:00:00.000Z' });
    const fadec = result.twin.configuration[0]!.children[0]!;
    expect(fadec.component?.serialNumber).toBe('U-1-FDC-1');
    expect(documentIdsOf(history())).toEqual(['DOC-M', 'DOC-J']);
    expect(() => asBody(result)).not.toThrow();
  });
});

describe('projectThroughView: export parts', () => {
  it('leaves out intervals, change sets, links and documents outside the view', () => {
    // Act
    const projected = projectThroughView(
      { shape: 'export', body: exported() },
      { positions: ['hvac'], documentKinds: ['job-plan'] },
    ) as ReturnType<typeof exported>;
    // Assess
    expect(new Set(projected.positions.map((item) => item.path))).toEqual(
      new Set(['hvac', 'hvac/controller']),
    );
    expect(projected.installations.map((item) => item.path)).toEqual(['hvac/controller']);
    expect(projected.changeSets.map((item) => item.id)).toEqual(['CS-1']);
    expect(projected.links.map((link) => link.documentId)).toEqual(['DOC-J']);
    expect(projected.links[0]).not.toHaveProperty('actor');
    expect(projected.documents.map((document) => document.id)).toEqual(['DOC-J']);
    expect(JSON.stringify(projected)).not.toContain('engine-1');
  });

  it('drops installations of hidden kinds, and every past interval and record when the view hides history', () => {
    // Act
    const byKind = projectThroughView(
      { shape: 'export', body: exported() },
      { kinds: ['software'] },
    ) as ReturnType<typeof exported>;
    const present = projectThroughView({ shape: 'export', body: exported() }, { history: false }) as Record<
      string,
      unknown
    >;
    // Assess
    expect(new Set(byKind.installations.map((item) => item.component.kind))).toEqual(new Set(['software']));
    for (const part of ['mounts', 'history', 'twinFields']) expect(present).not.toHaveProperty(part);
    // the recorded parts are the present only: as one as-built record at the export's time
    const intervals = [present.positions, present.installations].flat() as {
      validFrom: string;
      seq: number;
    }[];
    expect(intervals.length).toBeGreaterThan(0);
    expect(new Set(intervals.map((interval) => `${interval.validFrom}|${interval.seq}`))).toEqual(
      new Set([`${present.asOf}|1`]),
    );
    const [only, ...more] = present.changeSets as { seq: number; effectiveAt: string }[];
    expect(more).toEqual([]);
    expect(only).toMatchObject({ seq: 1, effectiveAt: present.asOf });
  });

  it('passes an AAS environment only through a view that hides nothing', () => {
    // Prepare
    const aas = { assetAdministrationShells: [], submodels: [] };
    // Act / Assess
    expect(projectThroughView({ shape: 'export', body: aas }, {})).toEqual(aas);
    expect(projectThroughView({ shape: 'export', body: aas }, { twinAttributes: [] })).toBeUndefined();
  });
});

describe('planImport', () => {
  const context = () => {
    let next = 0;
    return {
      now: new Date('2026-05-01T00:00:00Z'),
      actor,
      newId: () => `NEW-${String(next++).padStart(3, '0')}`,
      // the documents' copies in this tenant, restored before the twin (one per source document)
      documentCopies: new Map([
        ['DOC-J', 'COPY-J'],
        ['DOC-M', 'COPY-M'],
      ]),
    };
  };

  it('gives new ids, keeps record times, and links the copies of the documents', () => {
    // Act
    const body = asBody(exported());
    const plan = planImport(body, context());
    // Assess
    expect(plan.history.record).toMatchObject({ id: 'NEW-000', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(plan.history.record.importedFrom).toMatchObject({ tenant: 'source', twinId: 'TWIN-1' });
    expect(plan.history.changeSets.map((changeSet) => [changeSet.id, changeSet.recordedAt])).toEqual([
      ['NEW-001', '2026-01-01T00:00:00.000Z'],
      ['NEW-002', '2026-03-01T00:00:00.000Z'],
    ]);
    const byKey = (items: { path: string; seq: number }[]) =>
      [...items].sort((a, b) => `${a.path}|${a.seq}`.localeCompare(`${b.path}|${b.seq}`));
    expect(byKey(plan.history.installations)).toEqual(byKey(history().installations));
    expect(importMapping(body, plan.ids)).toMatchObject({
      twins: { 'TWIN-1': 'NEW-000' },
      changeSets: { 'CS-1': 'NEW-001', 'CS-2': 'NEW-002' },
      documents: { 'DOC-J': 'COPY-J', 'DOC-M': 'COPY-M' },
    });
    expect(plan.history.links?.map((link) => link.documentId)).toEqual(['COPY-M', 'COPY-J']);
    expect(plan.notes.join(' ')).toContain('content stays with the source tenant');
  });

  it('normalizes times to UTC, so that intervals compare as strings', () => {
    // Prepare
    const body = asBody(exported());
    body.installations[0]!.validFrom = '2026-01-01T01:00:00+01:00';
    // Act
    const plan = planImport(body, context());
    // Assess
    expect(plan.history.installations[0]!.validFrom).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses intervals no store could hold, naming the field', () => {
    // Prepare
    const body = asBody(exported());
    const [first] = body.installations;
    const broken = {
      ...body,
      installations: [...body.installations, { ...first!, validFrom: '2026-01-05T00:00:00Z' }],
      changeSets: body.changeSets.map((changeSet) => ({ ...changeSet, seq: 1 })),
    };
    // Act
    const error = thrownBy(() => planImport(broken, context())) as {
      status: number;
      errors: { path: string }[];
    };
    // Assess
    expect(error.status).toBe(400);
    expect(error.errors.map((item) => item.path)).toEqual(
      expect.arrayContaining([
        `body.installations[${body.installations.length}].path`,
        'body.changeSets[1].seq',
      ]),
    );
  });

  it('drops what cannot be carried over, with a note: installed twins of the source tenant', () => {
    // Prepare
    const body = asBody(exported());
    body.installations[0]!.component = {
      ...body.installations[0]!.component,
      twinId: '01J0000000000000000000000A',
    };
    // Act
    const plan = planImport(body, context());
    // Assess
    expect(plan.history.installations[0]!.component).not.toHaveProperty('twinId');
    expect(plan.notes.join(' ')).toContain('01J0000000000000000000000A');
  });
});
