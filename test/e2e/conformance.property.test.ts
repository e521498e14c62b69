import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConfigurationModelRecord,
  judgeConfiguration,
  prepareModel,
  statusOf,
} from '../../shared/domain/conformance';
import type { Component, Node } from '../../shared/schemas/twin';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftModel } from '../support/conformance';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

// Through the API: for random change-set sequences (and a new model version on the way), the stored
// conformance of the unit equals a pure judgement of its configuration now, and conformance as of each
// past instant equals the judgement of the configuration then with the model version in force then.

let api: TestApi;
let admin: Caller;
const PN = 'A320-214';

beforeAll(async () => {
  api = await startApi();
  admin = await api.as(newTenant('conform-prop'), ['admin']);
});
afterAll(() => api.stop());

const flatten = (nodes: readonly Node[], into = new Map<string, Component | null>()) => {
  for (const node of nodes) {
    into.set(node.path, node.component);
    flatten(node.children, into);
  }
  return into;
};

const operation = fc.oneof(
  fc.constantFrom('HVAC-CTL-9', 'HVAC-CTL-10', 'HVAC-X').map((partNumber) => ({
    op: 'replace',
    position: 'hvac/controller',
    component: {
      partNumber,
      serialNumber: `S-${Math.random().toString(36).slice(2, 10)}`,
      kind: 'electrical',
    },
  })),
  fc.constantFrom('4.0.0', '5.0.0', '5.3.0', '3.9.9').map((softwareVersion) => ({
    op: 'update',
    position: 'engine-1/fadec/sw',
    softwareVersion,
  })),
  fc.constant({ op: 'remove', position: 'engine-2/fadec/sw' }),
  fc.constant({ op: 'add-position', position: 'cabin/galley' }),
  fc.constant({ op: 'remove-position', position: 'cabin/galley' }),
);

const judge = (model: ConfigurationModelRecord | null, nodes: readonly Node[]) => {
  if (!model) return { status: null, findings: [] };
  const findings = judgeConfiguration(prepareModel(model), flatten(nodes));
  return { status: statusOf(findings), findings };
};

describe('stored and past conformance', () => {
  it('equal a pure judgement of the configuration with the model in force', async () => {
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        async (operations, newModelAt, strictSecond) => {
          const created = await admin('POST', '/v1/twins', { body: aircraftRecord(`PROP-${++serial}`) });
          const id = created.body.id as string;
          let version = created.body.version as number;
          const instants: string[] = [];
          for (const [index, op] of operations.entries()) {
            if (index === newModelAt) {
              const next = aircraftModel({ validate: 'warn' });
              if (strictSecond) next.rules[0]!.requires!.softwareVersions = '>=5.3.0';
              expect(
                (await admin('PUT', `/v1/configuration-models/${PN}`, { body: next })).status,
              ).toBeLessThan(300);
            }
            const answer = await admin('POST', `/v1/twins/${id}/changes?validate=warn`, {
              body: { reason: 'prop', operations: [op] },
              headers: { 'if-match': `"${version}"` },
            });
            if (answer.status !== 200) continue; // e.g. removing a position that is not there
            version = answer.body.version;
            const latest = await admin('GET', `/v1/configuration-models/${PN}`);
            const model = latest.status === 200 ? (latest.body as ConfigurationModelRecord) : null;
            const stored = (await admin('GET', `/v1/twins/${id}/conformance`)).body;
            const twin = (await admin('GET', `/v1/twins/${id}`)).body;
            expect({ status: stored.status, findings: stored.findings }).toEqual(
              judge(model, twin.configuration),
            );
            instants.push(new Date().toISOString());
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          for (const asOf of instants) {
            const past = (await admin('GET', `/v1/twins/${id}/conformance?asOf=${asOf}`)).body;
            expect(past.twinId, JSON.stringify(past)).toBe(id);
            const then = (await admin('GET', `/v1/twins/${id}?asOf=${asOf}`)).body;
            const model =
              past.modelVersion === null
                ? null
                : ((await admin('GET', `/v1/configuration-models/${PN}?version=${past.modelVersion}`))
                    .body as ConfigurationModelRecord);
            expect({ status: past.status, findings: past.findings }).toEqual(
              judge(model, then.configuration),
            );
          }
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});
