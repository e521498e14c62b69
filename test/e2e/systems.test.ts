import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/** Systems of systems: an engine twin installed on an aircraft twin. */
let api: TestApi;
let call: Caller;
let outsider: Caller;

beforeAll(async () => {
  api = await startApi();
  call = await api.as(newTenant('sys'), ['engineer']);
  outsider = await api.as(newTenant('sys-out'), ['engineer']);
});
afterAll(() => api.stop());

const engineRecord = (serial: string) => ({
  serialNumber: serial,
  product: { partNumber: 'CFM56-5B4', name: 'CFM56 engine' },
  builtAt: '2023-01-01T00:00:00Z',
  configuration: [
    {
      position: 'fan',
      component: { partNumber: 'FAN-22', serialNumber: `${serial}-FAN`, kind: 'mechanical' as const },
    },
    {
      position: 'hpt',
      component: { partNumber: 'HPT-7', serialNumber: `${serial}-HPT`, kind: 'mechanical' as const },
    },
  ],
});

const engineOn = (engineId: string, serial: string) => ({
  partNumber: 'CFM56-5B4',
  serialNumber: serial,
  kind: 'mechanical' as const,
  twinId: engineId,
});

const change = (id: string, version: number, body: unknown, caller = call) =>
  caller('POST', `/v1/twins/${id}/changes`, { body, headers: { 'if-match': `"${version}"` } });

describe('an engine twin on an aircraft twin', () => {
  it('is recorded on both, expands on read, and moves to another aircraft only once removed', async () => {
    // Prepare
    const engine = (await call('POST', '/v1/twins', { body: engineRecord('ESN-SYS-1') })).body;
    const aircraft = aircraftRecord('SYS-A', {
      configuration: [
        { position: 'engine-1', component: engineOn(engine.id, 'ESN-SYS-1') },
        { position: 'engine-2' },
      ],
    });
    const first = (await call('POST', '/v1/twins', { body: aircraft })).body;
    const second = (
      await call('POST', '/v1/twins', {
        body: aircraftRecord('SYS-B', { configuration: [{ position: 'engine-1' }] }),
      })
    ).body;

    // Assess: the aircraft embeds the engine's own configuration on request
    const expanded = await call('GET', `/v1/twins/${first.id}?expand=twins`);
    expect(expanded.body.configuration[0].component.twin).toMatchObject({
      id: engine.id,
      serialNumber: 'ESN-SYS-1',
      configuration: [{ path: 'fan' }, { path: 'hpt' }],
    });
    expect((await call('GET', `/v1/twins/${first.id}`)).body.configuration[0].component.twin).toBeUndefined();

    // Act + Assess: a second aircraft cannot take it while it is on the first
    const taken = await change(second.id, 1, {
      reason: 'engine change',
      operations: [{ op: 'install', position: 'engine-1', component: engineOn(engine.id, 'ESN-SYS-1') }],
    });
    expectProblem(taken, 409);
    expect(taken.body.detail).toContain(first.id);

    // Act: moved to the other wing, then removed, then installed on the second aircraft
    expect(
      (
        await change(first.id, 1, {
          reason: 'swap wings',
          effectiveAt: '2026-02-01T00:00:00Z',
          operations: [{ op: 'move', from: 'engine-1', to: 'engine-2' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await change(first.id, 2, {
          reason: 'engine removal',
          effectiveAt: '2026-03-01T00:00:00Z',
          operations: [{ op: 'remove', position: 'engine-2' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await change(second.id, 1, {
          reason: 'engine change',
          effectiveAt: '2026-03-02T00:00:00Z',
          operations: [{ op: 'install', position: 'engine-1', component: engineOn(engine.id, 'ESN-SYS-1') }],
        })
      ).status,
    ).toBe(200);

    // Assess: the engine's history shows where it flew
    const history = await call('GET', `/v1/twins/${engine.id}/history`);
    const where = history.body.items
      .filter((item: { operations: { op: string }[] }) =>
        ['installed-in', 'removed-from'].includes(item.operations[0]!.op),
      )
      .map(
        (item: { effectiveAt: string; operations: { op: string; twinId: string; position: string }[] }) => [
          item.operations[0]!.op,
          item.operations[0]!.twinId,
          item.operations[0]!.position,
          item.effectiveAt,
        ],
      )
      .sort((a: string[], b: string[]) => (a[3]! < b[3]! ? -1 : 1));
    expect(where).toEqual([
      ['installed-in', first.id, 'engine-1', '2024-05-01T08:00:00.000Z'],
      ['removed-from', first.id, 'engine-1', '2026-02-01T00:00:00.000Z'],
      ['installed-in', first.id, 'engine-2', '2026-02-01T00:00:00.000Z'],
      ['removed-from', first.id, 'engine-2', '2026-03-01T00:00:00.000Z'],
      ['installed-in', second.id, 'engine-1', '2026-03-02T00:00:00.000Z'],
    ]);
    const onSecond = await call('GET', `/v1/twins/${second.id}?expand=twins`);
    expect(onSecond.body.configuration[0].component.twin.id).toBe(engine.id);
    const backThen = await call('GET', `/v1/twins/${first.id}?asOf=2025-01-01T00:00:00Z&expand=twins`);
    expect(backThen.body.configuration[0].component.twin.id).toBe(engine.id);
  });

  it('refuses a twin inside itself, however deep (409)', async () => {
    const engine = (
      await call('POST', '/v1/twins', {
        body: { ...engineRecord('ESN-SYS-2'), configuration: [{ position: 'module' }] },
      })
    ).body;
    const aircraft = (
      await call('POST', '/v1/twins', {
        body: aircraftRecord('SYS-C', {
          configuration: [{ position: 'engine-1', component: engineOn(engine.id, 'ESN-SYS-2') }],
        }),
      })
    ).body;
    const loop = await change(engine.id, 1, {
      reason: 'nonsense',
      operations: [
        {
          op: 'install',
          position: 'module',
          component: { partNumber: 'A320-214', kind: 'mechanical', twinId: aircraft.id },
        },
      ],
    });
    expectProblem(loop, 409);
    const self = await change(engine.id, 1, {
      reason: 'nonsense',
      operations: [
        {
          op: 'install',
          position: 'module',
          component: { partNumber: 'X', kind: 'mechanical', twinId: engine.id },
        },
      ],
    });
    expectProblem(self, 409);
  });

  it('refuses a twinId that names no twin of the tenant (400), and another tenant sees nothing (404)', async () => {
    const engine = (await call('POST', '/v1/twins', { body: engineRecord('ESN-SYS-3') })).body;
    const theirs = (
      await outsider('POST', '/v1/twins', {
        body: aircraftRecord('SYS-X', { configuration: [{ position: 'engine-1' }] }),
      })
    ).body;
    const stolen = await change(
      theirs.id,
      1,
      {
        reason: 'r',
        operations: [{ op: 'install', position: 'engine-1', component: engineOn(engine.id, 'ESN-SYS-3') }],
      },
      outsider,
    );
    expectProblem(stolen, 400);
    expectProblem(await outsider('GET', `/v1/twins/${engine.id}?expand=twins`), 404);
    expectProblem(await outsider('GET', `/v1/twins/${engine.id}/history`), 404);
    expect((await call('GET', `/v1/twins/${engine.id}/history`)).body.items).toHaveLength(1);
  });
});
