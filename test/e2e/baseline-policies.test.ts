import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext, loadFunction } from '../../infra/local/functions';
import { BASELINE_JOB_EVENT } from '../../shared/domain/baseline-schedule';
import { runPolicy } from '../../shared/services/scheduled-baselines';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/**
 * Baselines on a schedule, driven by a fake clock: the job is run at chosen times after the
 * policy's boundaries (on time, retried, concurrently, months late), and through the twins function
 * as EventBridge Scheduler invokes it.
 */
let api: TestApi;
let tenant: string;
let engineer: Caller;
const twins: Record<string, string> = {};
const policy = {
  name: 'Quarterly configuration record',
  selector: { site: 'SCHED' },
  every: 'quarterly',
  naming: '{yyyy}-Q{q}',
};

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('sched');
  engineer = await api.as(tenant, ['engineer']);
  for (const [serial, site] of [
    ['S-1', 'SCHED'],
    ['S-2', 'SCHED'],
    ['S-3', 'ELSEWHERE'],
  ] as const) {
    const created = await engineer('POST', '/v1/twins', { body: aircraftRecord(serial, { site }) });
    expect(created.status, created.text).toBe(201);
    twins[serial] = created.body.id;
  }
}, 60_000);
afterAll(() => api.stop());
afterEach(() => vi.useRealTimers());

const baselineNames = async (serial: string) => {
  const listed = await engineer('GET', `/v1/twins/${twins[serial]}/baselines?limit=100`);
  expect(listed.status, listed.text).toBe(200);
  return listed.body.items
    .map((baseline: { name: string; at: string }) => `${baseline.name}@${baseline.at}`)
    .sort();
};

/** The boundary after the quarter the policy was created in, and the ones after it. */
const quarterAfter = (time: string, quarters = 1) => {
  const date = new Date(time);
  return new Date(Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3 + 3 * quarters, 1));
};
const label = (boundary: Date) => {
  const closing = new Date(boundary.getTime() - 1);
  return `${closing.getUTCFullYear()}-Q${Math.floor(closing.getUTCMonth() / 3) + 1}@${boundary.toISOString()}`;
};
const minutesAfter = (time: Date, minutes: number) => new Date(time.getTime() + minutes * 60_000);

describe('PUT/GET/DELETE /v1/baseline-policies/{id}', () => {
  let createdAt: string;

  it('creates, replaces, reads and lists a policy', async () => {
    const created = await engineer('PUT', '/v1/baseline-policies/quarterly', { body: policy });
    expect(created.status, created.text).toBe(201);
    createdAt = created.body.createdAt;
    expect(created.body).toMatchObject({ id: 'quarterly', naming: '{yyyy}-Q{q}', every: 'quarterly' });
    expect(created.body.nextBoundary).toBe(quarterAfter(createdAt).toISOString());
    const replaced = await engineer('PUT', '/v1/baseline-policies/quarterly', { body: policy });
    expect(replaced.status).toBe(200);
    expect(replaced.body.createdAt).toBe(createdAt);
    expect((await engineer('GET', '/v1/baseline-policies/quarterly')).body.name).toBe(policy.name);
    const listed = await engineer('GET', '/v1/baseline-policies');
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual(['quarterly']);
  });

  it('refuses bad policies naming the field', async () => {
    const put = (body: object) =>
      engineer('PUT', '/v1/baseline-policies/bad', { body: { ...policy, ...body } });
    expectProblem(await put({ every: 'cron' }), 400, 'body.cron');
    expectProblem(await put({ every: 'cron', cron: 'every day' }), 400, 'body.cron');
    expectProblem(await put({ every: 'cron', cron: '*/5 * * * *' }), 400, 'body.cron');
    expectProblem(await put({ every: 'monthly', naming: '{yyyy}' }), 400, 'body.naming');
    expectProblem(await put({ every: 'weekly' }), 400, 'body.every');
    expectProblem(await put({ selector: {} }), 400, 'body.selector');
    expectProblem(await put({ colour: 'red' }), 400);
    expect((await engineer('GET', '/v1/baseline-policies/bad')).status).toBe(404);
    const viewer = await api.as(tenant, ['viewer']);
    expect((await viewer('PUT', '/v1/baseline-policies/bad', { body: policy })).status).toBe(403);
  });

  it('takes each selected twin once at the boundary, however often and late the job runs', async () => {
    const first = quarterAfter(createdAt);
    // a run out of time takes nothing and leaves the policy where it was: the next run does it
    const cutShort = await runPolicy(tenant, 'quarterly', minutesAfter(first, 5), Date.now() - 1);
    expect(cutShort?.outcomes.taken).toBe(0);
    expect(await baselineNames('S-1')).toEqual([]);
    const run = await runPolicy(tenant, 'quarterly', minutesAfter(first, 5));
    expect(run?.outcomes.taken).toBe(2);
    expect(await baselineNames('S-1')).toEqual([label(first)]);
    expect(await baselineNames('S-3')).toEqual([]);

    // retried, and two runs at once: nothing twice
    await runPolicy(tenant, 'quarterly', minutesAfter(first, 5));
    await Promise.all([
      runPolicy(tenant, 'quarterly', minutesAfter(first, 20)),
      runPolicy(tenant, 'quarterly', minutesAfter(first, 20)),
    ]);
    expect(await baselineNames('S-1')).toEqual([label(first)]);

    // the job did not run for half a year: both missed quarters are caught up, each at its boundary
    const late = minutesAfter(quarterAfter(createdAt, 3), 60 * 24 * 2);
    const caughtUp = await runPolicy(tenant, 'quarterly', late);
    expect(caughtUp?.periods).toEqual(
      [quarterAfter(createdAt, 2), quarterAfter(createdAt, 3)].map((d) => d.toISOString()),
    );
    expect(await baselineNames('S-2')).toEqual(
      [first, quarterAfter(createdAt, 2), quarterAfter(createdAt, 3)].map(label).sort(),
    );
    const policyNow = await engineer('GET', '/v1/baseline-policies/quarterly');
    expect(policyNow.body.nextBoundary).toBe(quarterAfter(createdAt, 4).toISOString());

    const events = await engineer('GET', '/v1/events?type=baseline.scheduled&settled=false&limit=100');
    expect(events.body.items).toHaveLength(6);
    expect(events.body.items[0]).toMatchObject({ policyId: 'quarterly', type: 'baseline.scheduled' });
  });

  it('runs as EventBridge Scheduler invokes the twins function, on the fake clock', async () => {
    const boundary = quarterAfter(createdAt, 4);
    // a baseline of the same name taken by hand: the scheduled one is not taken over it
    const byHand = await engineer('POST', `/v1/twins/${twins['S-2']}/baselines`, {
      body: { name: label(boundary).split('@')[0] },
    });
    expect(byHand.status, byHand.text).toBe(201);
    const handler = await loadFunction('twins');
    vi.useFakeTimers({ toFake: ['Date'], now: minutesAfter(boundary, 3) });
    const answer = await handler(BASELINE_JOB_EVENT as never, lambdaContext('twins', 'scheduled'), {
      signal: new AbortController().signal,
    });
    vi.useRealTimers();
    expect(answer).toMatchObject({ taken: expect.any(Number) });
    expect(await baselineNames('S-1')).toContain(label(boundary));
    expect(
      (await baselineNames('S-2')).filter((name: string) => name.startsWith(label(boundary).split('@')[0]!)),
    ).toHaveLength(1);
  });

  it('stops when deleted; the baselines it took stay', async () => {
    expect((await engineer('DELETE', '/v1/baseline-policies/quarterly')).status).toBe(204);
    expect((await engineer('GET', '/v1/baseline-policies/quarterly')).status).toBe(404);
    expect(await runPolicy(tenant, 'quarterly', quarterAfter(createdAt, 8))).toBeUndefined();
    expect(await baselineNames('S-1')).toHaveLength(4);
  });
});
