import { environmentFromJsonable, type JsonObject } from '@aas-core-works/aas-core3.0-typescript/jsonization';
import { verify } from '@aas-core-works/aas-core3.0-typescript/verification';
import { expect } from 'vitest';

/** The environment parses as AAS V3.0 JSON and passes every constraint of the metamodel (aas-core3.0). */
export function expectValidAas(json: JsonObject) {
  const parsed = environmentFromJsonable(json);
  expect(parsed.error?.message ?? null, `${parsed.error?.path} ${parsed.error?.message}`).toBeNull();
  const errors = [...verify(parsed.value!)].map((error) => `${error.path}: ${error.message}`);
  expect(errors, errors.join('\n')).toEqual([]);
}
