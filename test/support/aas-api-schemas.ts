import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import spec from './standards/aas-api-schemas.json' with { type: 'json' };

/**
 * The schemas of the AAS API itself (admin-shell-io/aas-specs-api, copied into
 * standards/aas-api-schemas.json with their source): OpenAPI 3.0 schemas, checked with Ajv. The
 * patterns work on UTF-16 code units (surrogate ranges), so they compile without the `u` flag.
 */
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const DOCUMENT = 'https://admin-shell.io/aas/API/3/2/schemas';
ajv.addSchema({ $id: DOCUMENT, components: spec.components }, DOCUMENT);

export type AasApiSchema = keyof typeof spec.components.schemas;

/** How a body disagrees with the named schema of the AAS API (empty: it validates). */
export function aasApiMismatches(schema: AasApiSchema, body: unknown): string[] {
  const validate = ajv.getSchema(`${DOCUMENT}#/components/schemas/${schema}`);
  if (!validate) return [`no schema ${schema}`];
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((error) => `${schema}${error.instancePath} ${error.message}`);
}
