import { describe, expect, it } from 'vitest';
import { applyPlan, planChangeSet, type TwinHistory } from '../../shared/domain/change-set';
import { flattenAsBuilt, installedAt } from '../../shared/domain/configuration';
import type { AppError } from '../../shared/domain/errors';
import {
  correctionChangeSet,
  correctionOperations,
  findDiscrepancies,
  type InspectionRecord,
  inspectionPage,
  newInspection,
  type Observation,
  openDiscrepancies,
} from '../../shared/domain/inspection';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { InspectionBody } from '../../shared/schemas/inspection';
import { aircraftRecord } from '../support/fixtures';
import { thrownBy } from './thrown';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ACTOR = { sub: 'inspector@ops', tenant: 'ops' };
const TWIN_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7V';
const INSPECTION_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7W';
const NOW_TIMES = { asOf: NOW.toISOString(), knownAt: NOW.toISOString() };

/** The fixture aircraft (serial MSN), built 2024-05-01, as-built only. */
function aircraft(): TwinHistory {
  const body = aircraftRecord('MSN');
  const record = newTwinRecord(body, TWIN_ID, new Date('2024-05-01T09:00:00Z'));
  return asBuiltHistory(record, flattenAsBuilt(body.configuration), ACTOR, '01JD3Q6Z8V1K9M2N3P4R5S6T7X');
}

const judge = (observed: Observation[], history = aircraft()) =>
  findDiscrepancies(history, observed, NOW_TIMES);

describe('the discrepancies of an inspection', () => {
  it('finds a component reported missing where one is recorded', () => {
    // Act
    const found = judge([{ path: 'hvac/controller', serialNumber: null }]);
    // Assess
    expect(found).toEqual([
      {
        path: 'hvac/controller',
        kind: 'missing',
        expected: { partNumber: 'HVAC-CTL-9', serialNumber: 'MSN-HVC' },
        observed: null,
      },
    ]);
  });

  it('finds an unexpected serial, and a serial in a position recorded empty', () => {
    // Act
    const found = judge([
      { path: 'engine-1', serialNumber: 'ESN-OTHER' },
      { path: 'cabin', serialNumber: 'SEAT-1', partNumber: 'SEAT-9' },
    ]);
    // Assess
    expect(found).toEqual([
      {
        path: 'engine-1',
        kind: 'unexpected-serial',
        expected: { partNumber: 'CFM56-5B4', serialNumber: 'MSN-ESN-1' },
        observed: { serialNumber: 'ESN-OTHER' },
      },
      {
        path: 'cabin',
        kind: 'unexpected-serial',
        expected: null,
        observed: { partNumber: 'SEAT-9', serialNumber: 'SEAT-1' },
      },
    ]);
  });

  it('finds another part number under the same serial, and a serial where the component has none', () => {
    // Act
    const found = judge([
      { path: 'engine-2', serialNumber: 'MSN-ESN-2', partNumber: 'CFM56-7B' },
      { path: 'engine-1/fadec/sw', serialNumber: 'SW-1' },
    ]);
    // Assess
    expect(found.map(({ path, kind }) => [path, kind])).toEqual([
      ['engine-2', 'unexpected-serial'],
      ['engine-1/fadec/sw', 'unexpected-serial'],
    ]);
  });

  it('finds a version mismatch with the same serial, or no serial on either side and the same part', () => {
    // Act
    const found = judge([
      { path: 'engine-1/fadec/sw', partNumber: 'FADEC-SW', softwareVersion: '5.3.0' },
      { path: 'engine-2/fadec', serialNumber: 'MSN-FDC-2', softwareVersion: '2.0.0' },
    ]);
    // Assess
    expect(found).toEqual([
      {
        path: 'engine-1/fadec/sw',
        kind: 'version-mismatch',
        expected: { partNumber: 'FADEC-SW', softwareVersion: '5.2.1' },
        observed: { partNumber: 'FADEC-SW', softwareVersion: '5.3.0' },
      },
      {
        path: 'engine-2/fadec',
        kind: 'version-mismatch',
        expected: { partNumber: 'FADEC-3', serialNumber: 'MSN-FDC-2' },
        observed: { serialNumber: 'MSN-FDC-2', softwareVersion: '2.0.0' },
      },
    ]);
  });

  it('finds a position the configuration does not have', () => {
    // Act
    const found = judge([{ path: 'apu', serialNumber: 'APU-1' }]);
    // Assess
    expect(found).toEqual([{ path: 'apu', kind: 'unknown-position', observed: { serialNumber: 'APU-1' } }]);
  });

  it('does not judge what matches, nor positions and fields the inspection leaves out', () => {
    // Act
    const found = judge([
      { path: 'hvac/controller', serialNumber: 'MSN-HVC', partNumber: 'HVAC-CTL-9' },
      { path: 'engine-1/fadec/sw', softwareVersion: '5.2.1' },
      { path: 'engine-2' },
      { path: 'cabin', serialNumber: null },
      { path: 'cabin/row-1', serialNumber: null, partNumber: undefined },
    ]);
    // Assess: only the unknown cabin/row-1; engine-1 and the rest of the tree are not mentioned.
    expect(found.map(({ path, kind }) => [path, kind])).toEqual([['cabin/row-1', 'unknown-position']]);
  });

  it('judges against the configuration at performedAt, not the current one', () => {
    // Prepare: the controller replaced on 2026-01-10.
    const history = aircraft();
    const plan = planChangeSet(
      history,
      {
        reason: 'controller swap',
        effectiveAt: '2026-01-10T00:00:00Z',
        operations: [
          {
            op: 'replace',
            position: 'hvac/controller',
            component: { partNumber: 'HVAC-CTL-9', serialNumber: 'HVC-NEW', kind: 'electrical' },
          },
        ],
      },
      { now: NOW, actor: ACTOR, changeSetId: '01JD3Q6Z8V1K9M2N3P4R5S6T7Y' },
    );
    const changed = applyPlan(history, plan);
    const observed = [{ path: 'hvac/controller', serialNumber: 'MSN-HVC' }];
    // Act
    const before = findDiscrepancies(changed, observed, {
      asOf: '2025-12-01T00:00:00.000Z',
      knownAt: NOW.toISOString(),
    });
    const after = findDiscrepancies(changed, observed, NOW_TIMES);
    // Assess
    expect(before).toEqual([]);
    expect(after.map(({ kind }) => kind)).toEqual(['unexpected-serial']);
  });
});

describe('a new inspection', () => {
  it('is refused before the twin was built and in the future', () => {
    // Prepare
    const history = aircraft();
    const input = (performedAt: string) => ({
      performedAt,
      inspector: 'J. Doe',
      observed: [{ path: 'cabin' }],
    });
    // Act
    const early = thrownBy(() =>
      newInspection(history, input('2024-04-30T00:00:00Z'), { id: INSPECTION_ID, now: NOW, actor: ACTOR }),
    ) as AppError;
    const future = thrownBy(() =>
      newInspection(history, input('2026-03-01T12:10:00Z'), { id: INSPECTION_ID, now: NOW, actor: ACTOR }),
    ) as AppError;
    const skewed = newInspection(history, input('2026-03-01T12:04:00+00:00'), {
      id: INSPECTION_ID,
      now: NOW,
      actor: ACTOR,
    });
    // Assess
    expect(early.status).toBe(400);
    expect(early.errors?.[0]?.path).toBe('body.performedAt');
    expect(future.status).toBe(400);
    expect(skewed.performedAt).toBe('2026-03-01T12:04:00.000Z');
  });

  it('refuses duplicate paths and an empty position with a part number (schema)', () => {
    // Act
    const result = InspectionBody.safeParse({
      performedAt: '2026-03-01T00:00:00Z',
      inspector: 'J. Doe',
      observed: [
        { path: 'cabin' },
        { path: 'cabin', serialNumber: 'X' },
        { path: 'hvac', serialNumber: null, partNumber: 'P' },
      ],
    });
    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining(['observed.1.path', 'observed.2']),
    );
  });
});

describe('applying the discrepancies', () => {
  const inspect = (history: TwinHistory, observed: Observation[]): InspectionRecord =>
    newInspection(
      history,
      { performedAt: '2026-02-01T00:00:00Z', inspector: 'J. Doe', observed },
      { id: INSPECTION_ID, now: NOW, actor: ACTOR },
    );

  it('maps each kind to its operation, and never invents a position', () => {
    // Prepare
    const history = aircraft();
    const inspection = inspect(history, [
      { path: 'engine-2/fadec', serialNumber: null },
      { path: 'hvac/controller', serialNumber: 'HVC-2' },
      { path: 'cabin', serialNumber: 'SEAT-1', partNumber: 'SEAT-9' },
      { path: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
      { path: 'apu', serialNumber: 'APU-1', partNumber: 'APU-131' },
    ]);
    // Act
    const operations = correctionOperations(history, inspection, {
      asOf: inspection.performedAt,
      knownAt: inspection.recordedAt,
    });
    // Assess
    expect(operations).toEqual([
      { op: 'remove', position: 'engine-2/fadec' },
      {
        op: 'replace',
        position: 'hvac/controller',
        component: { partNumber: 'HVAC-CTL-9', serialNumber: 'HVC-2', kind: 'electrical' },
      },
      {
        op: 'install',
        position: 'cabin',
        component: { partNumber: 'SEAT-9', serialNumber: 'SEAT-1', kind: 'mechanical' },
      },
      { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
    ]);
  });

  it('is one change set, effective when performed, that leaves the configuration as found', () => {
    // Prepare
    const history = aircraft();
    const inspection = inspect(history, [
      { path: 'hvac/controller', serialNumber: 'HVC-2', softwareVersion: '1.1' },
      { path: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
    ]);
    // Act
    const body = correctionChangeSet(history, inspection);
    const changed = applyPlan(
      history,
      planChangeSet(history, body, { now: NOW, actor: ACTOR, changeSetId: '01JD3Q6Z8V1K9M2N3P4R5S6T7Z' }),
    );
    // Assess
    expect(body).toMatchObject({
      reason: `inspection ${INSPECTION_ID} by J. Doe`,
      effectiveAt: '2026-02-01T00:00:00.000Z',
    });
    const installed = installedAt(changed.installations, NOW.toISOString(), NOW.toISOString());
    expect(installed.get('hvac/controller')).toEqual({
      partNumber: 'HVAC-CTL-9',
      serialNumber: 'HVC-2',
      kind: 'electrical',
      softwareVersion: '1.1',
    });
    expect(installed.get('engine-1/fadec/sw')?.softwareVersion).toBe('5.3.0');
    expect(findDiscrepancies(changed, inspection.observed, NOW_TIMES)).toEqual([]);
  });
});

describe('a page of inspections', () => {
  it('is newest performed first and continues after the cursor', () => {
    // Prepare
    const at = (performedAt: string, id: string) => ({ performedAt, id }) as InspectionRecord;
    const all = [
      at('2026-01-01T00:00:00.000Z', 'A'),
      at('2026-03-01T00:00:00.000Z', 'B'),
      at('2026-02-01T00:00:00.000Z', 'C'),
    ];
    // Act
    const first = inspectionPage(all, { limit: 2 });
    const second = inspectionPage(all, { limit: 2, ...(first.last ? { after: first.last } : {}) });
    // Assess
    expect(first.items.map(({ id }) => id)).toEqual(['B', 'C']);
    expect(first.last).toEqual({ performedAt: '2026-02-01T00:00:00.000Z', id: 'C' });
    expect(second.items.map(({ id }) => id)).toEqual(['A']);
    expect(second.last).toBeUndefined();
  });
});

describe('open discrepancies of a position', () => {
  const inspectAt = (history: TwinHistory, performedAt: string, id: string, observed: Observation[]) => ({
    ...history,
    inspections: [
      ...(history.inspections ?? []),
      newInspection(history, { performedAt, inspector: 'J. Doe', observed }, { id, now: NOW, actor: ACTOR }),
    ],
  });
  const first = (history: TwinHistory) =>
    inspectAt(history, '2026-01-10T00:00:00Z', '01JD3Q6Z8V1K9M2N3P4R5S6T80', [
      { path: 'engine-1/fadec', serialNumber: null },
      { path: 'engine-1/fadec/sw', softwareVersion: '5.0.0' },
      { path: 'engine-1', serialNumber: 'MSN-ESN-1' },
    ]);
  const kinds = (discrepancies: { path: string; kind: string }[]) =>
    discrepancies.map(({ path, kind }) => `${path} ${kind}`);

  it('stay open when a later inspection judges only another position of the subtree', () => {
    // Prepare
    const history = inspectAt(first(aircraft()), '2026-02-01T00:00:00Z', '01JD3Q6Z8V1K9M2N3P4R5S6T81', [
      { path: 'engine-1', serialNumber: 'MSN-ESN-1' },
    ]);
    // Act
    const open = openDiscrepancies(history, 'engine-1', NOW_TIMES);
    // Assess
    expect(kinds(open)).toEqual(['engine-1/fadec missing', 'engine-1/fadec/sw version-mismatch']);
    expect(kinds(openDiscrepancies(history, 'engine-1/fadec/sw', NOW_TIMES))).toEqual([
      'engine-1/fadec/sw version-mismatch',
    ]);
    expect(openDiscrepancies(history, 'engine-2', NOW_TIMES)).toEqual([]);
  });

  it('close when a later inspection judges that same position again and finds it as recorded', () => {
    // Prepare
    const history = inspectAt(first(aircraft()), '2026-02-01T00:00:00Z', '01JD3Q6Z8V1K9M2N3P4R5S6T81', [
      { path: 'engine-1/fadec', serialNumber: 'MSN-FDC-1' },
    ]);
    // Act, Assess
    expect(kinds(openDiscrepancies(history, 'engine-1', NOW_TIMES))).toEqual([
      'engine-1/fadec/sw version-mismatch',
    ]);
  });

  it('close when the configuration comes to match what was found', () => {
    // Prepare
    const inspected = first(aircraft());
    const corrected = applyPlan(
      inspected,
      planChangeSet(
        inspected,
        {
          reason: 'reload',
          operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.0.0' }],
        },
        { now: NOW, actor: ACTOR, changeSetId: '01JD3Q6Z8V1K9M2N3P4R5S6T82' },
      ),
    );
    const history = { ...corrected, inspections: inspected.inspections };
    // Act, Assess
    expect(kinds(openDiscrepancies(history, 'engine-1', NOW_TIMES))).toEqual(['engine-1/fadec missing']);
    expect(openDiscrepancies(history, 'engine-1/fadec/sw', NOW_TIMES)).toEqual([]);
  });
});
