import fc from 'fast-check';
import { monotonicFactory, ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../shared/domain/errors';
import { feedPage, feedStart, isSettled, settledBound } from '../../shared/domain/feed';
import { thrownBy } from './thrown';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (milliseconds: number) => ulid(milliseconds);

describe('the settle window', () => {
  it('serves an event built before now - window and holds back one built at or after it', () => {
    // Prepare
    const window = 2000;
    const edge = NOW.getTime() - window;
    // Act, Assess
    expect(isSettled(at(edge - 1), NOW, window)).toBe(true);
    expect(isSettled(at(edge), NOW, window)).toBe(false);
    expect(isSettled(at(edge + 1), NOW, window)).toBe(false);
    expect(isSettled(at(NOW.getTime()), NOW, window)).toBe(false);
  });

  it('with a window of 0 serves everything built before now', () => {
    expect(isSettled(at(NOW.getTime() - 1), NOW, 0)).toBe(true);
    expect(isSettled(at(NOW.getTime()), NOW, 0)).toBe(false);
  });

  it('agrees with the id time for any event time, window and random part', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: -5000, max: 5000 }),
        (sinceEpoch, window, offset) => {
          const now = new Date(NOW.getTime() + sinceEpoch);
          const built = now.getTime() - window + offset;
          fc.pre(built >= 0);
          expect(isSettled(at(built), now, window)).toBe(built < now.getTime() - window);
        },
      ),
    );
  });

  it('bounds ids as a DynamoDB sort key would compare them (a ULID time prefix)', () => {
    // Act
    const bound = settledBound(NOW, 2000);
    // Assess
    expect(bound).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(`EVT#${at(NOW.getTime() - 2001)}` < `EVT#${bound}`).toBe(true);
    expect(`EVT#${at(NOW.getTime() - 2000)}` < `EVT#${bound}`).toBe(false);
  });

  it('keeps a late commit in the feed: an id older than the last one served is never skipped', () => {
    // Prepare: writer A builds its event at t, writer B at t + 5 ms; B commits first, A 300 ms later
    const window = 2000;
    const t = NOW.getTime() - 1000;
    const a = at(t);
    const b = at(t + 5);
    const readAt = new Date(t + 100); // after B's commit, before A's
    // Act
    const servedThen = [b].filter((id) => isSettled(id, readAt, window));
    // Assess: B is not served yet, so a reader cannot move past A before A commits
    expect(servedThen).toEqual([]);
    expect(a < b).toBe(true);
    expect(isSettled(a, new Date(t + window + 1), window)).toBe(true);
  });
});

describe('where a page starts', () => {
  const id = monotonicFactory()(NOW.getTime());

  it('is after= or the position a cursor holds', () => {
    expect(feedStart(undefined, undefined)).toBeUndefined();
    expect(feedStart(id, undefined)).toBe(id);
    expect(feedStart(undefined, id)).toBe(id);
    expect(feedStart(id, id)).toBe(id);
  });

  it('refuses after= and a cursor that disagree, naming query.after', () => {
    const error = thrownBy(() => feedStart(id, at(NOW.getTime() + 1))) as BadRequest;
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.errors?.map((entry) => entry.path)).toEqual(['query.after']);
  });

  it('refuses a cursor whose position is not an event id, naming query.cursor', () => {
    const error = thrownBy(() => feedStart(undefined, 'ZZZZ')) as BadRequest;
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.errors?.map((entry) => entry.path)).toEqual(['query.cursor']);
  });
});

describe('a page of the feed', () => {
  const events = ['A', 'B', 'C'].map((id) => ({ id }));

  it('cuts at the limit and resumes after the last event returned', () => {
    expect(feedPage(events, 2, undefined)).toEqual({ items: events.slice(0, 2), resumeAfter: 'B' });
  });

  it('ends when the read ended', () => {
    expect(feedPage(events, 3, undefined)).toEqual({ items: events });
  });

  it('resumes after the last id read when a filtered read stopped early', () => {
    expect(feedPage(events.slice(0, 1), 3, 'X')).toEqual({ items: events.slice(0, 1), resumeAfter: 'X' });
  });
});
