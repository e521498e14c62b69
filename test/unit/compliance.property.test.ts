import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ComplianceRecordData, complianceState, judgeInterval } from '../../shared/domain/compliance';
import type { InstallationRecord } from '../../shared/domain/configuration';
import type { Requirement } from '../../shared/schemas/compliance';

// Derived compliance through asOf and knownAt (the pure judgement) against a naive model that replays
// the events known at knownAt up to asOf, position by position.

const PATHS = ['engine-1/sw', 'engine-2/sw'];
const VERSIONS = ['5.2.1', '5.2.2', '5.3.0', '5.4.0'];
const embodied = (version: string) => version >= '5.3.0';
const requirement: Requirement = {
  mandatory: true,
  effectiveAt: '2020-01-01T00:00:00.000Z',
  embodiedWhen: [{ partNumber: 'SW', softwareVersions: '>=5.3.0' }],
};
const document = {
  id: 'SB',
  kind: 'service-bulletin' as const,
  title: 'SB',
  createdAt: '2020-01-01T00:00:00.000Z',
  effectivity: { partNumber: 'SW' },
  requirement,
};
const time = (day: number) => new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString();

/** An event: on day `day`, recorded as the `order`-th write, position `path` gets software `version`. */
interface Event {
  day: number;
  path: string;
  version: string;
  order: number;
}

/** The intervals the store keeps for these events (recorded in valid-time order, one per day and path). */
function intervalsOf(events: readonly Event[]): InstallationRecord[] {
  const intervals: InstallationRecord[] = [];
  for (const path of PATHS) {
    const own = events.filter((event) => event.path === path);
    own.forEach((event, index) => {
      const next = own[index + 1];
      intervals.push({
        path,
        component: { partNumber: 'SW', kind: 'software', softwareVersion: event.version },
        validFrom: time(event.day),
        since: time(own[0]!.day),
        validTo: next ? time(next.day) : null,
        recordedAt: time(1000 + event.order),
        ...(next ? { closedAt: time(1000 + next.order) } : {}),
        seq: event.order + 1,
      });
    });
  }
  return intervals;
}

/** The naive answer: replay what was known at knownAt up to asOf, position by position. */
function naive(events: readonly Event[], asOf: string, knownAt: string, record?: ComplianceRecordData) {
  const known = events.filter((event) => time(1000 + event.order) <= knownAt && time(event.day) <= asOf);
  const runs: string[] = [];
  let premodSince: string | null = null;
  for (const path of PATHS) {
    const own = known.filter((event) => event.path === path);
    const last = own.at(-1);
    if (!last) continue;
    let start = own.length - 1;
    const holds = embodied(last.version);
    while (start > 0 && embodied(own[start - 1]!.version) === holds) start--;
    if (holds) runs.push(time(own[start]!.day));
    else if (premodSince === null || time(own[start]!.day) > premodSince) premodSince = time(own[start]!.day);
  }
  if (runs.length > 0) return { status: 'complied', derived: true, lastDone: runs.sort()[0] };
  const inForce = record !== undefined && record.recordedAt <= knownAt && record.at <= asOf;
  const complied = inForce && !(premodSince !== null && premodSince > record.at);
  // a reopened requirement still says when it was last done
  return { status: complied ? 'complied' : 'open', derived: false, lastDone: inForce ? record.at : null };
}

const events = fc
  .array(
    fc.record({
      day: fc.integer({ min: 1, max: 60 }),
      path: fc.constantFrom(...PATHS),
      version: fc.constantFrom(...VERSIONS),
    }),
    {
      minLength: 1,
      maxLength: 12,
    },
  )
  .map((list) => {
    // one event per day and path, recorded in valid-time order (as forward changes are)
    const unique = [...new Map(list.map((event) => [`${event.day}|${event.path}`, event])).values()];
    return unique
      .sort((a, b) => a.day - b.day || (a.path < b.path ? -1 : 1))
      .map((event, order) => ({ ...event, order }));
  });

describe('derived compliance (property)', () => {
  it('equals the naive replay at every asOf and knownAt, with or without a manual record', () => {
    fc.assert(
      fc.property(
        events,
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 20 }),
        fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        (list, asOfDay, knownOrder, recordDay) => {
          const asOf = time(asOfDay);
          const knownAt = time(1000 + knownOrder);
          const record: ComplianceRecordData | undefined =
            recordDay === undefined
              ? undefined
              : {
                  id: 'R1',
                  twinId: 'T',
                  documentId: 'SB',
                  status: 'complied',
                  at: time(recordDay),
                  recordedAt: time(1000),
                  evidence: [],
                  actor: { sub: 'x', tenant: 't' },
                };
          const state = complianceState(document, {
            installations: intervalsOf(list),
            records: record ? [record] : [],
            superseders: [],
            at: { asOf, knownAt },
          });
          expect({ status: state.status, derived: state.derived, lastDone: state.lastDone }).toEqual(
            naive(list, asOf, knownAt, record),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('recurring by days: due only inside the window, overdue at or past nextDue', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 900 }), (days, elapsed) => {
        const from = time(0);
        const asOf = time(elapsed);
        const judged = judgeInterval(
          { documentId: 'SB', status: 'complied', derived: false, lastDone: from, intervalFrom: from },
          { days },
          asOf,
        );
        const expected = elapsed >= days ? 'overdue' : elapsed >= days - 0.1 * days ? 'due' : 'complied';
        expect(judged.status).toBe(expected);
        expect(judged.nextDue.at).toBe(time(days));
      }),
    );
  });
});
