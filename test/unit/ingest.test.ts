import { describe, expect, it } from 'vitest';
import { planChangeSet, type TwinHistory } from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import {
  countByStatus,
  type IngestItem,
  ingestChangeSet,
  judgeTwin,
  operationNamed,
  resultOf,
  twinReference,
  withoutOperationField,
} from '../../shared/domain/ingest';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { IngestBody, type IngestObservation } from '../../shared/schemas/ingest';
import { aircraftRecord } from '../support/fixtures';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const AT = { asOf: NOW.toISOString(), knownAt: NOW.toISOString() };
const ACTOR = { sub: 'pipeline@ops', tenant: 'ops' };
const TWIN_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7V';

function aircraft(): TwinHistory {
  const body = aircraftRecord('MSN');
  const record = newTwinRecord(body, TWIN_ID, new Date('2024-05-01T09:00:00Z'));
  return asBuiltHistory(record, flattenAsBuilt(body.configuration), ACTOR, '01JD3Q6Z8V1K9M2N3P4R5S6T7X');
}

const observe = (path: string, component: IngestObservation['component']): IngestObservation => ({
  twinId: TWIN_ID,
  path,
  component,
});
const itemsOf = (observations: IngestObservation[]): IngestItem[] =>
  observations.map((observation, index) => ({ index, observation }));

describe('judging observations of one twin', () => {
  it('confirms matches, reports differences and refuses unknown or repeated positions', () => {
    // Prepare
    const items = itemsOf([
      observe('engine-1/fadec', { partNumber: 'FADEC-3', serialNumber: 'MSN-FDC-1' }),
      observe('engine-1/fadec', { partNumber: 'FADEC-3' }),
      observe('engine-1/fadec/sw', { partNumber: 'FADEC-SW', softwareVersion: '5.3.0' }),
      observe('engine-7', { partNumber: 'CFM56-5B4' }),
      observe('cabin', { partNumber: 'SEAT-9', serialNumber: 'S1' }),
      observe('engine-2', { partNumber: 'CFM56-5B4' }),
    ]);
    // Act
    const verdicts = judgeTwin(aircraft(), items, AT).map(resultOf);
    // Assess
    expect(verdicts.map((verdict) => verdict.status)).toEqual([
      'match',
      'error',
      'discrepancy',
      'error',
      'discrepancy',
      'match',
    ]);
    expect(verdicts[1]?.detail).toBe('observations[0] already observes engine-1/fadec of this twin');
    expect(verdicts[2]).toMatchObject({
      detail: 'engine-1/fadec/sw: version 5.3.0 observed, 5.2.1 recorded',
      discrepancy: { kind: 'version-mismatch' },
    });
    expect(verdicts[3]?.detail).toBe('the twin has no position engine-7');
    expect(verdicts[4]).toMatchObject({
      detail: 'cabin: SEAT-9 serial S1 observed, nothing recorded',
      discrepancy: { kind: 'unexpected-serial', expected: null },
    });
    expect(verdicts.every((verdict) => !('found' in verdict))).toBe(true);
    expect(countByStatus(verdicts)).toEqual({ match: 2, discrepancy: 2, applied: 0, error: 2 });
  });
});

describe('the change set of an ingest', () => {
  it('installs, replaces and updates, each operation owned by its observation, and plans cleanly', () => {
    // Prepare
    const history = aircraft();
    const observations = [
      observe('engine-2/fadec', { partNumber: 'FADEC-3', serialNumber: 'MSN-FDC-2' }),
      observe('hvac/controller', { partNumber: 'HVAC-CTL-9', serialNumber: 'NEW-HVC' }),
      observe('cabin', { partNumber: 'SEAT-9', serialNumber: 'S1' }),
      observe('engine-1/fadec/sw', { partNumber: 'FADEC-SW', softwareVersion: '5.3.0' }),
    ];
    const verdicts = judgeTwin(history, itemsOf(observations), AT);
    // Act
    const { body, owners } = ingestChangeSet(
      history,
      verdicts,
      new Map(observations.map((o, i) => [i, o])),
      AT,
    );
    // Assess
    expect(body.reason).toBe('ingest');
    expect(body.operations).toEqual([
      {
        op: 'replace',
        position: 'hvac/controller',
        component: { partNumber: 'HVAC-CTL-9', serialNumber: 'NEW-HVC', kind: 'electrical' },
      },
      {
        op: 'install',
        position: 'cabin',
        component: { partNumber: 'SEAT-9', serialNumber: 'S1', kind: 'mechanical' },
      },
      { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
    ]);
    expect(owners).toEqual([1, 2, 3]);
    const plan = planChangeSet(history, body, {
      now: NOW,
      actor: ACTOR,
      changeSetId: '01JD3Q6Z8V1K9M2N3P4R5S6T80',
    });
    expect(plan.twin.version).toBe(2);
  });

  it('is empty when everything matches', () => {
    const history = aircraft();
    const observations = [observe('engine-1', { partNumber: 'CFM56-5B4', serialNumber: 'MSN-ESN-1' })];
    const verdicts = judgeTwin(history, itemsOf(observations), AT);
    expect(ingestChangeSet(history, verdicts, new Map([[0, observations[0]!]]), AT).body.operations).toEqual(
      [],
    );
  });
});

describe('helpers', () => {
  it('groups observations by the twin they name', () => {
    expect(twinReference({ twinId: TWIN_ID, path: 'a', component: { partNumber: 'P' } })).toBe(
      `id:${TWIN_ID}`,
    );
    expect(twinReference({ twinSerialNumber: 'MSN', path: 'a', component: { partNumber: 'P' } })).toBe(
      'serial::MSN',
    );
    expect(
      twinReference({
        twinSerialNumber: 'MSN',
        productPartNumber: 'A320',
        path: 'a',
        component: { partNumber: 'P' },
      }),
    ).toBe('serial:A320:MSN');
  });

  it('reads the operation a change-set error names', () => {
    expect(operationNamed('body.operations[12]: position x already holds y')).toBe(12);
    expect(operationNamed('The twin changed concurrently')).toBeUndefined();
    expect(withoutOperationField('body.operations[3].position: deeper than 32')).toBe('deeper than 32');
  });

  it('validates the request: one twin reference per observation, at most 1,000', () => {
    const observation = { path: 'engine-1', component: { partNumber: 'P' } };
    expect(IngestBody.safeParse({ mode: 'report', observations: [observation] }).success).toBe(false);
    expect(
      IngestBody.safeParse({
        mode: 'report',
        observations: [{ ...observation, twinId: TWIN_ID, twinSerialNumber: 'S' }],
      }).success,
    ).toBe(false);
    expect(
      IngestBody.safeParse({
        mode: 'report',
        observations: [{ ...observation, twinId: TWIN_ID, productPartNumber: 'A' }],
      }).success,
    ).toBe(false);
    const many = Array.from({ length: 1001 }, () => ({ ...observation, twinId: TWIN_ID }));
    expect(IngestBody.safeParse({ mode: 'apply', observations: many }).success).toBe(false);
    expect(IngestBody.safeParse({ mode: 'apply', observations: many.slice(1) }).success).toBe(true);
  });
});
