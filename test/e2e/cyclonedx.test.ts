import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

// biome-ignore lint/suspicious/noExplicitAny: the BOM is walked freely; the CycloneDX validator checks its shape
type Json = Record<string, any>;

let api: TestApi;
let owner: Caller;
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/** Validated with the CycloneDX library's own JSON schema (1.6, strict). */
async function expectValidBom(bom: Json) {
  expect(await validator.validate(JSON.stringify(bom))).toBeNull();
}

const property = (component: Json, name: string) =>
  component.properties?.find((item: Json) => item.name === `twinthread:${name}`)?.value;
const byPosition = (components: Json[], path: string): Json | undefined => {
  for (const component of components) {
    if (property(component, 'position') === path) return component;
    const inside = byPosition(component.components ?? [], path);
    if (inside) return inside;
  }
  return undefined;
};

beforeAll(async () => {
  api = await startApi();
  owner = await api.as(newTenant('cdx'), ['admin']);
  // the tenant's software type declares the package URL of its parts
  const type = await owner('PUT', '/v1/types/fadec-software', {
    body: { kind: 'component', attributes: { purl: { type: 'string', required: true } } },
  });
  expect(type.status, type.text).toBeLessThan(300);
});
afterAll(() => api.stop());

describe('GET /v1/twins/{id}/export?format=cyclonedx', () => {
  it('answers a CycloneDX 1.6 BOM that the CycloneDX library validates: hardware and software nested as installed, now and as of the past', async () => {
    // Prepare: software of the tenant's type, with its package URL; a FADEC swap recorded later
    const record = aircraftRecord('CDX-1');
    const sw = record.configuration[0]!.children![0]!.children![0]!;
    sw.component = {
      ...sw.component!,
      type: 'fadec-software',
      attributes: { purl: 'pkg:generic/acme/fadec-sw' },
    };
    const twin = (await owner('POST', '/v1/twins', { body: record })).body;
    expect(twin.id, JSON.stringify(twin)).toBeDefined();
    const changed = await owner('POST', `/v1/twins/${twin.id}/changes`, {
      headers: { 'if-match': '"1"' },
      body: {
        reason: 'SB',
        effectiveAt: '2025-06-01T00:00:00Z',
        operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
      },
    });
    expect(changed.status, changed.text).toBe(200);
    // Act
    const now = await owner('GET', `/v1/twins/${twin.id}/export?format=cyclonedx`);
    const past = await owner('GET', `/v1/twins/${twin.id}/export?format=cyclonedx&asOf=2025-01-01T00:00:00Z`);
    // Assess
    expect(now.status, now.text).toBe(200);
    await expectValidBom(now.body);
    await expectValidBom(past.body);
    // the validator does judge: a component of a type CycloneDX does not know is refused
    const odd = { ...now.body, components: [{ ...now.body.components[0], type: 'spaceship' }] };
    expect(await validator.validate(JSON.stringify(odd))).not.toBeNull();
    expect(now.body).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(property(now.body.metadata.component, 'serialNumber')).toBe('CDX-1');
    const engine = byPosition(now.body.components, 'engine-1')!;
    expect(engine).toMatchObject({ type: 'device', name: 'CFM56-5B4' });
    expect(property(engine, 'serialNumber')).toBe('CDX-1-ESN-1');
    // nested as installed: engine → FADEC → software
    const fadec = engine.components[0];
    expect(fadec).toMatchObject({ name: 'FADEC-3', version: 'C' });
    expect(property(fadec, 'serialNumber')).toBe('CDX-1-FDC-1');
    expect(fadec.components[0]).toMatchObject({
      type: 'firmware',
      name: 'FADEC-SW',
      version: '5.3.0',
      purl: 'pkg:generic/acme/fadec-sw@5.3.0',
    });
    expect(byPosition(past.body.components, 'engine-1/fadec/sw')).toMatchObject({
      version: '5.2.1',
      purl: 'pkg:generic/acme/fadec-sw@5.2.1',
    });
    // software without a purl attribute has none; the empty cabin position is no component
    expect(byPosition(now.body.components, 'engine-2/fadec/sw')!.purl).toBeUndefined();
    expect(byPosition(now.body.components, 'cabin')).toBeUndefined();
    expect(byPosition(now.body.components, 'hvac/controller')).toMatchObject({ name: 'HVAC-CTL-9' });
  });
});

describe('POST /v1/fleet/impact with a purl', () => {
  it('finds the serials that run a package version range, through the software part numbers its purl attribute maps to', async () => {
    // Prepare: two software part numbers of one package, at versions in and out of the range; another package
    const withSoftware = (serial: string, partNumber: string, version: string, purl: string) => {
      const record = aircraftRecord(serial);
      const sw = record.configuration[0]!.children![0]!.children![0]!;
      sw.component = {
        partNumber,
        kind: 'software',
        softwareVersion: version,
        type: 'fadec-software',
        attributes: { purl },
      };
      return record;
    };
    const lib = 'pkg:npm/%40acme/telemetry';
    for (const record of [
      withSoftware('PURL-1', 'TLM-A', '2.1.0', `${lib}@2.1.0`),
      withSoftware('PURL-2', 'TLM-B', '2.3.5', lib),
      withSoftware('PURL-3', 'TLM-A', '3.0.0', lib),
      withSoftware('PURL-4', 'OTHER-SW', '2.2.0', 'pkg:npm/other'),
    ])
      expect((await owner('POST', '/v1/twins', { body: record })).status).toBe(201);
    // Act
    const hit = await owner('POST', '/v1/fleet/impact', {
      body: { purl: lib, softwareVersion: '>=2.0.0 <3.0.0' },
    });
    const none = await owner('POST', '/v1/fleet/impact', {
      body: { purl: 'pkg:npm/unknown', softwareVersion: '*' },
    });
    const versioned = await owner('POST', '/v1/fleet/impact', { body: { purl: `${lib}@2.1.0` } });
    const both = await owner('POST', '/v1/fleet/impact', { body: { purl: lib, partNumber: 'TLM-A' } });
    const notPurl = await owner('POST', '/v1/fleet/impact', { body: { purl: 'lodash' } });
    // Assess
    expect(hit.status, hit.text).toBe(200);
    expect(hit.body.total).toBe(2);
    expect(
      hit.body.affected.map((item: Json) => `${item.serialNumber} ${item.component.partNumber}`).sort(),
    ).toEqual(['PURL-1 TLM-A', 'PURL-2 TLM-B']);
    expect(none.body).toMatchObject({ total: 0, affected: [] });
    for (const refused of [versioned, both, notPurl]) expect(refused.status, refused.text).toBe(400);
    expect(versioned.body.errors[0].path).toBe('body.purl');
    expect(both.body.errors[0].path).toBe('body.partNumber');
  });
});
