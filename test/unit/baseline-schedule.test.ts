import { describe, expect, it } from 'vitest';
import {
  boundariesBetween,
  checkedTerms,
  nextBoundary,
  periodName,
} from '../../shared/domain/baseline-schedule';
import { projectThroughView } from '../../shared/domain/view';

describe('baseline schedule boundaries', () => {
  it('puts monthly, quarterly and yearly boundaries at 00:00 UTC of the first day', () => {
    // Act / Assess
    expect(nextBoundary({ every: 'monthly' }, new Date('2026-01-31T23:59:59Z')).toISOString()).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    expect(nextBoundary({ every: 'monthly' }, new Date('2026-02-01T00:00:00Z')).toISOString()).toBe(
      '2026-03-01T00:00:00.000Z',
    );
    expect(nextBoundary({ every: 'quarterly' }, new Date('2026-11-15T00:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(nextBoundary({ every: 'yearly' }, new Date('2026-01-01T00:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(
      nextBoundary({ every: 'cron', cron: '0 6 * * 1' }, new Date('2026-12-02T10:00:00Z')).toISOString(),
    ).toBe('2026-12-07T06:00:00.000Z');
  });

  it('lists every missed boundary up to now, bounded per run', () => {
    // Act / Assess
    expect(
      boundariesBetween({ every: 'quarterly' }, '2026-02-10T00:00:00.000Z', new Date('2026-10-01T00:00:00Z')),
    ).toEqual(['2026-04-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']);
    expect(
      boundariesBetween(
        { every: 'monthly' },
        '2020-01-01T00:00:00.000Z',
        new Date('2026-01-01T00:00:00Z'),
        5,
      ),
    ).toHaveLength(5);
  });

  it('names the period that ends at the boundary', () => {
    // Act / Assess
    expect(periodName('{yyyy}-Q{q}', '2026-04-01T00:00:00.000Z')).toBe('2026-Q1');
    expect(periodName('{yyyy}-Q{q}', '2027-01-01T00:00:00.000Z')).toBe('2026-Q4');
    expect(periodName('Monthly {yyyy}-{mm}', '2026-03-01T00:00:00.000Z')).toBe('Monthly 2026-02');
    expect(periodName('{at}', '2026-12-07T06:00:00.000Z')).toBe('2026-12-07T06:00Z');
  });

  it('refuses names that repeat, cron without every: cron, and schedules finer than hourly', () => {
    // Prepare
    const now = new Date('2026-12-02T00:00:00Z');
    const terms = { name: 'p', selector: { site: 'X' } };
    // Act / Assess
    expect(() => checkedTerms({ ...terms, every: 'monthly', naming: '{yyyy}-Q{q}' }, now)).toThrow(/naming/);
    expect(() => checkedTerms({ ...terms, every: 'monthly', cron: '0 0 1 * *' }, now)).toThrow(/cron/);
    expect(() => checkedTerms({ ...terms, every: 'cron', cron: '*/10 * * * *' }, now)).toThrow(/hourly/);
    expect(checkedTerms({ ...terms, every: 'yearly' }, now).naming).toBe('{yyyy}');
  });
});

describe('baseline events through a view', () => {
  it('drops baseline.scheduled events where the view hides baselines', () => {
    // Prepare
    const body = {
      items: [{ type: 'baseline.scheduled', twinId: 'T', recordedAt: '2026-01-01T00:00:00Z', name: 'Q' }],
    };
    // Act / Assess
    expect(
      (projectThroughView({ shape: 'events', body }, { baselines: false }) as typeof body).items,
    ).toEqual([]);
    expect((projectThroughView({ shape: 'events', body }, {}) as typeof body).items).toHaveLength(1);
  });
});
