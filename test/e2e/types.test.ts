import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Component, CreateTwinBody } from '../../shared/schemas/twin';
import { dynamodbCalls } from '../../shared/store/clients';
import { type ApiResponse, type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';
import { nodeAt } from '../support/tree';

let api: TestApi;
let admin: Caller;
let engineer: Caller;
let viewer: Caller;
let outsider: Caller;

const ENGINE_V1 = {
  kind: 'component',
  description: 'A turbofan engine',
  attributes: {
    thrust: { type: 'number', required: true, unit: 'kN' },
    grade: { type: 'enum', values: ['A', 'B'] },
  },
};
const ENGINE_V2 = {
  ...ENGINE_V1,
  attributes: { ...ENGINE_V1.attributes, overhaulInterval: { type: 'integer', unit: 'h' } },
};

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('types');
  admin = await api.as(tenant, ['admin']);
  engineer = await api.as(tenant, ['engineer']);
  viewer = await api.as(tenant, ['viewer']);
  outsider = await api.as(newTenant('outsider'), ['admin']);
  expect((await admin('PUT', '/v1/types/engine', { body: ENGINE_V1 })).status).toBe(201);
});
afterAll(() => api.stop());

/** The message the problem gives for `path`, failing when it names no such field. */
const messageAt = (response: ApiResponse, path: string): string => {
  expectProblem(response, 400, path);
  return response.body.errors.find((error: { path: string }) => error.path === path).message;
};

/** An aircraft whose first engine is typed `engine` with these attributes. */
const withTypedEngine = (serial: string, attributes?: Component['attributes']): CreateTwinBody => {
  const record = aircraftRecord(serial);
  const engine = record.configuration[0]!;
  engine.component = { ...engine.component!, type: 'engine', ...(attributes ? { attributes } : {}) };
  return record;
};

const change = (id: string, version: number, body: unknown) =>
  engineer('POST', `/v1/twins/${id}/changes`, { body, headers: { 'if-match': `"${version}"` } });

describe('defining a type', () => {
  it('stores version 1 with its definition, readable by every role', async () => {
    // Act
    const response = await viewer('GET', '/v1/types/engine');
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toMatchObject({ name: 'engine', version: 1, ...ENGINE_V1 });
    expect(response.body.createdAt).toEqual(expect.any(String));
  });

  it('lets only admins define types (403)', async () => {
    expectProblem(await engineer('PUT', '/v1/types/engine', { body: ENGINE_V2 }), 403);
    expect((await admin('GET', '/v1/types/engine')).body.version).toBe(1);
  });

  it.each([
    ['an enum without values', { grade: { type: 'enum' } }, 'body.attributes.grade.values'],
    ['values on a number', { thrust: { type: 'number', values: ['1'] } }, 'body.attributes.thrust.values'],
    ['an unknown attribute type', { thrust: { type: 'float' } }, 'body.attributes.thrust.type'],
    ['an unsafe attribute name', { 'thr ust': { type: 'number' } }, 'body.attributes.thr ust'],
    ['an unknown field', { thrust: { type: 'number', min: 0 } }, 'body.attributes.thrust.min'],
  ])('refuses %s, naming the field', async (_, attributes, field) => {
    expectProblem(
      await admin('PUT', '/v1/types/bad', { body: { kind: 'component', attributes } }),
      400,
      field,
    );
    expectProblem(await admin('GET', '/v1/types/bad'), 404);
  });

  it('refuses an unknown kind and a type name that is not a slug', async () => {
    expectProblem(
      await admin('PUT', '/v1/types/bad', { body: { kind: 'robot', attributes: {} } }),
      400,
      'body.kind',
    );
    expectProblem(
      await admin('PUT', '/v1/types/Bad%23Name', { body: { kind: 'twin', attributes: {} } }),
      400,
      'path.name',
    );
  });

  it('answers 404 for an unknown type or version', async () => {
    expectProblem(await admin('GET', '/v1/types/turbine'), 404);
    expectProblem(await admin('GET', '/v1/types/engine?version=99'), 404);
  });
});

describe('validating an as-built record', () => {
  it('refuses a typed component without a required attribute, naming its path', async () => {
    // Act
    const response = await engineer('POST', '/v1/twins', { body: withTypedEngine('TYP-1') });
    // Assess
    expect(messageAt(response, 'body.configuration[0].component.attributes.thrust')).toBe(
      'required (number, kN)',
    );
    expect((await engineer('GET', '/v1/twins?serialNumber=TYP-1')).body.items).toEqual([]);
  });

  it('refuses a value of the wrong type and a value outside the enum', async () => {
    const response = await engineer('POST', '/v1/twins', {
      body: withTypedEngine('TYP-2', { thrust: '120', grade: 'C' }),
    });
    expect(messageAt(response, 'body.configuration[0].component.attributes.thrust')).toBe(
      'must be a number (kN)',
    );
    expect(messageAt(response, 'body.configuration[0].component.attributes.grade')).toBe(
      'must be one of A, B',
    );
  });

  it('names a typed component deep in the tree', async () => {
    // Prepare
    const record = aircraftRecord('TYP-3');
    const fadec = record.configuration[1]!.children![0]!;
    fadec.component = { ...fadec.component!, type: 'engine', attributes: { thrust: 120, colour: 'red' } };
    // Act
    const response = await engineer('POST', '/v1/twins', { body: record });
    // Assess
    expect(messageAt(response, 'body.configuration[1].children[0].component.attributes.colour')).toBe(
      'not an attribute of type engine (version 1)',
    );
  });

  it('refuses a type nobody defined, naming body.type and the component type', async () => {
    const unknownTwinType = await engineer('POST', '/v1/twins', {
      body: aircraftRecord('TYP-4', { type: 'airliner' }),
    });
    expect(messageAt(unknownTwinType, 'body.type')).toBe('no type airliner is defined');
    const record = aircraftRecord('TYP-4');
    record.configuration[0]!.component = { ...record.configuration[0]!.component!, type: 'turbine' };
    expectProblem(
      await engineer('POST', '/v1/twins', { body: record }),
      400,
      'body.configuration[0].component.type',
    );
  });

  it('checks the twin itself against its type, and records the version it was checked with', async () => {
    // Prepare: an engine twin (systems of systems: a twin may carry a component type)
    const engineTwin = (attributes: Record<string, unknown>) => ({
      serialNumber: `ESN-${Object.keys(attributes).length}-${String(attributes.thrust)}`,
      product: { partNumber: 'CFM56-5B4' },
      type: 'engine',
      attributes,
      configuration: [],
    });
    // Act
    const missing = await engineer('POST', '/v1/twins', { body: engineTwin({}) });
    const wrong = await engineer('POST', '/v1/twins', { body: engineTwin({ thrust: 'lots' }) });
    const right = await engineer('POST', '/v1/twins', { body: engineTwin({ thrust: 120.5, grade: 'A' }) });
    // Assess
    expect(messageAt(missing, 'body.attributes.thrust')).toBe('required (number, kN)');
    expect(messageAt(wrong, 'body.attributes.thrust')).toBe('must be a number (kN)');
    expect(right.status).toBe(201);
    expect(right.body).toMatchObject({
      type: 'engine',
      typeVersion: 1,
      attributes: { thrust: 120.5, grade: 'A' },
    });
  });

  it('refuses a twin type on a component', async () => {
    await admin('PUT', '/v1/types/airliner', { body: { kind: 'twin', attributes: {} } });
    const record = aircraftRecord('TYP-5');
    record.configuration[0]!.component = { ...record.configuration[0]!.component!, type: 'airliner' };
    const response = await engineer('POST', '/v1/twins', { body: record });
    expect(messageAt(response, 'body.configuration[0].component.type')).toMatch(/twin type/);
  });
});

describe('a type that evolves', () => {
  let twinId: string;

  beforeAll(async () => {
    const created = await engineer('POST', '/v1/twins', { body: withTypedEngine('EVO-1', { thrust: 120 }) });
    expect(created.status).toBe(201);
    twinId = created.body.id;
    const second = await admin('PUT', '/v1/types/engine', { body: ENGINE_V2 });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ name: 'engine', version: 2 });
  });

  it('keeps version 1 readable as it was', async () => {
    const first = await viewer('GET', '/v1/types/engine?version=1');
    expect(first.body.version).toBe(1);
    expect(Object.keys(first.body.attributes).sort()).toEqual(['grade', 'thrust']);
    expect((await viewer('GET', '/v1/types/engine')).body.attributes.overhaulInterval).toEqual({
      type: 'integer',
      unit: 'h',
    });
  });

  it('leaves existing engines valid: readable and changeable', async () => {
    // Act
    const read = await viewer('GET', `/v1/twins/${twinId}`);
    const updated = await change(twinId, 1, {
      reason: 'overhaul schedule',
      operations: [{ op: 'update', position: 'engine-1', attributes: { overhaulInterval: 20000 } }],
    });
    // Assess
    expect(read.status).toBe(200);
    expect(updated.status).toBe(200);
    expect(nodeAt(updated.body, 'engine-1')?.component).toMatchObject({
      type: 'engine',
      attributes: { thrust: 120, overhaulInterval: 20000 },
    });
  });

  it('checks attribute updates of a typed component against the version in force', async () => {
    const response = await change(twinId, 2, {
      reason: 'typo',
      operations: [{ op: 'update', position: 'engine-1', attributes: { overhaulInterval: 1.5 } }],
    });
    expect(messageAt(response, 'body.operations[0].attributes.overhaulInterval')).toBe(
      'must be an integer (h)',
    );
    const removal = await change(twinId, 2, {
      reason: 'forget thrust',
      operations: [{ op: 'update', position: 'engine-1', attributes: { thrust: null } }],
    });
    expect(messageAt(removal, 'body.operations[0].attributes.thrust')).toBe('required (number, kN)');
  });

  it('refuses to install an engine with a bad enum value, and leaves the twin unchanged', async () => {
    // Prepare
    const before = await viewer('GET', `/v1/twins/${twinId}`);
    // Act
    const response = await change(twinId, before.body.version, {
      reason: 'engine change',
      operations: [
        {
          op: 'replace',
          position: 'engine-1',
          component: {
            partNumber: 'CFM56-5B4',
            serialNumber: 'EVO-NEW-ESN',
            kind: 'mechanical',
            type: 'engine',
            attributes: { thrust: 118, grade: 'Z' },
          },
        },
      ],
    });
    // Assess
    expect(messageAt(response, 'body.operations[0].component.attributes.grade')).toBe('must be one of A, B');
    const after = await viewer('GET', `/v1/twins/${twinId}`);
    expect(after.body.version).toBe(before.body.version);
    expect(nodeAt(after.body, 'engine-1')?.component?.serialNumber).toBe('EVO-1-ESN-1');
  });

  it('installs a valid engine against the latest version', async () => {
    const before = await viewer('GET', `/v1/twins/${twinId}`);
    const response = await change(twinId, before.body.version, {
      reason: 'engine change',
      operations: [
        {
          op: 'replace',
          position: 'engine-2',
          component: {
            partNumber: 'CFM56-5B4',
            serialNumber: 'EVO-NEW-ESN-2',
            kind: 'mechanical',
            type: 'engine',
            attributes: { thrust: 118, grade: 'B', overhaulInterval: 18000 },
          },
        },
      ],
    });
    expect(response.status).toBe(200);
    expect(nodeAt(response.body, 'engine-2')?.component).toMatchObject({
      type: 'engine',
      attributes: { grade: 'B' },
    });
  });
});

describe('a later version that adds a required attribute', () => {
  let twinId: string;

  beforeAll(async () => {
    await admin('PUT', '/v1/types/pump', {
      body: { kind: 'twin', attributes: { flow: { type: 'number', required: true, unit: 'm3/h' } } },
    });
    const created = await engineer('POST', '/v1/twins', {
      body: {
        serialNumber: 'PMP-1',
        product: { partNumber: 'PUMP-7' },
        type: 'pump',
        attributes: { flow: 40 },
        configuration: [],
      },
    });
    twinId = created.body.id;
    await admin('PUT', '/v1/types/pump', {
      body: {
        kind: 'twin',
        attributes: {
          flow: { type: 'number', required: true, unit: 'm3/h' },
          commissionedOn: { type: 'date', required: true },
        },
      },
    });
  });

  it('lets an old twin be patched without it, checking what is written against the new version', async () => {
    // Act
    const patched = await engineer('PATCH', `/v1/twins/${twinId}`, {
      body: { attributes: { flow: 42 } },
      headers: { 'if-match': '"1"' },
    });
    const bad = await engineer('PATCH', `/v1/twins/${twinId}`, {
      body: { attributes: { commissionedOn: '2026-02-30' } },
      headers: { 'if-match': '"2"' },
    });
    // Assess
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ attributes: { flow: 42 }, typeVersion: 2 });
    expect(messageAt(bad, 'body.attributes.commissionedOn')).toMatch(/must be a date/);
  });

  it('asks new twins for it', async () => {
    const response = await engineer('POST', '/v1/twins', {
      body: {
        serialNumber: 'PMP-2',
        product: { partNumber: 'PUMP-7' },
        type: 'pump',
        attributes: { flow: 40 },
        configuration: [],
      },
    });
    expect(messageAt(response, 'body.attributes.commissionedOn')).toBe('required (date)');
  });

  it('asks a twin given the type anew for all its required attributes', async () => {
    const other = await engineer('POST', '/v1/twins', {
      body: {
        serialNumber: 'PMP-3',
        product: { partNumber: 'PUMP-7' },
        attributes: { flow: 40 },
        configuration: [],
      },
    });
    const typed = await engineer('PATCH', `/v1/twins/${other.body.id}`, {
      body: { type: 'pump' },
      headers: { 'if-match': '"1"' },
    });
    expect(messageAt(typed, 'body.attributes.commissionedOn')).toBe('required (date)');
    const untyped = await engineer('PATCH', `/v1/twins/${twinId}`, {
      body: { type: null },
      headers: { 'if-match': '"2"' },
    });
    expect(untyped.status).toBe(200);
    expect(untyped.body.type).toBeUndefined();
    expect(untyped.body.typeVersion).toBeUndefined();
  });
});

describe('cost', () => {
  /** DynamoDB requests by command while `action` runs (the gateway runs the handlers in this process). */
  const callsDuring = async (action: () => Promise<unknown>) => {
    const before = { ...dynamodbCalls.byCommand };
    await action();
    return Object.fromEntries(
      Object.entries(dynamodbCalls.byCommand)
        .map(([command, count]) => [command, count - (before[command] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
  };

  it('costs a write that names a type one GetItem more than the same write without', async () => {
    const plain = await callsDuring(() => engineer('POST', '/v1/twins', { body: aircraftRecord('COST-1') }));
    const typed = await callsDuring(() =>
      engineer('POST', '/v1/twins', { body: withTypedEngine('COST-2', { thrust: 100 }) }),
    );
    expect(typed).toEqual({ ...plain, GetItemCommand: (plain.GetItemCommand ?? 0) + 1 });
  });
});

describe('concurrent definitions', () => {
  it('gives each of several concurrent PUTs its own version', async () => {
    // Act
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        admin('PUT', '/v1/types/valve', {
          body: { kind: 'component', description: `writer ${index}`, attributes: {} },
        }),
      ),
    );
    // Assess
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(responses.map((response) => response.body.version).sort()).toEqual([1, 2, 3, 4, 5]);
    const latest = await viewer('GET', '/v1/types/valve');
    const fifth = responses.find((response) => response.body.version === 5)!;
    expect(latest.body.description).toBe(fifth.body.description);
  });
});

describe('listing', () => {
  it('lists the latest version of each type, paged and by kind', async () => {
    const first = await viewer('GET', '/v1/types?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const all = await viewer('GET', '/v1/types?limit=100');
    const names = all.body.items.map((type: { name: string }) => type.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['engine', 'pump', 'valve', 'airliner']));
    expect(all.body.items.find((type: { name: string }) => type.name === 'engine').version).toBe(2);
    const twins = await viewer('GET', '/v1/types?kind=twin');
    expect(twins.body.items.map((type: { kind: string }) => type.kind)).not.toContain('component');
    const second = await viewer('GET', `/v1/types?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].name).not.toBe(first.body.items[0].name);
  });
});

describe('isolation', () => {
  it("gives another tenant 404 for the first tenant's type, the same as a missing one", async () => {
    const theirs = await outsider('GET', '/v1/types/engine');
    const missing = await outsider('GET', '/v1/types/nothing-here');
    expectProblem(theirs, 404);
    expect({ ...theirs.body, detail: undefined, instance: undefined }).toEqual({
      ...missing.body,
      detail: undefined,
      instance: undefined,
    });
    expect(JSON.stringify(theirs.body)).not.toContain('kN');
    expectProblem(await outsider('GET', '/v1/types/engine?version=1'), 404);
    expect((await outsider('GET', '/v1/types')).body.items).toEqual([]);
  });

  it("cannot validate against the first tenant's types", async () => {
    const response = await outsider('POST', '/v1/twins', { body: withTypedEngine('ISO-1', { thrust: 100 }) });
    expect(messageAt(response, 'body.configuration[0].component.type')).toBe('no type engine is defined');
  });

  it('keeps its own definition of the same name apart', async () => {
    const own = await outsider('PUT', '/v1/types/engine', { body: { kind: 'component', attributes: {} } });
    expect(own.status).toBe(201);
    expect(own.body.version).toBe(1);
    expect((await admin('GET', '/v1/types/engine')).body.attributes.thrust).toBeDefined();
  });
});
