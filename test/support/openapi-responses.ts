import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as z from 'zod';
import type { Route } from '../../shared/routes';
import { openApiDocument } from '../../shared/schemas/openapi';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked field by field
type Json = any;

const document = openApiDocument() as Json;
const DOCUMENT_ID = 'https://twinthread.local/openapi.json';

/**
 * JSON Schema 2020-12 (the dialect of OpenAPI 3.1) with formats checked. Strict: an unknown keyword
 * or format fails, except the annotations OpenAPI adds to JSON Schema.
 */
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
addFormats(ajv);
// the formats zod writes that ajv-formats does not know, checked with zod's own expression
ajv.addFormat('ulid', z.regexes.ulid);
for (const keyword of ['example', 'discriminator', 'xml', 'externalDocs']) ajv.addKeyword(keyword);
// the document is added whole, so that its `$ref`s resolve: its own fields are no keywords to check
for (const keyword of Object.keys(document)) ajv.addKeyword(keyword);
ajv.addSchema(document, DOCUMENT_ID);

const pointer = (...segments: string[]) =>
  segments
    .map((segment) => encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1')))
    .join('/');

/** What a client saw: status, headers and the body as text. */
export interface SeenResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * How the answer disagrees with the document: its status not declared for the operation, its media
 * type not declared for the status, its body not valid against the declared schema (Ajv 2020-12,
 * formats on), a body where none is declared, or a JSON body that does not end with a newline.
 * Empty when the document describes the answer exactly.
 */
export function mismatchesWithDocument(route: Route, response: SeenResponse): string[] {
  const where = `${route.method} ${route.path} ${response.status}`;
  const responses = document.paths?.[route.path]?.[route.method.toLowerCase()]?.responses;
  if (!responses) return [`${route.method} ${route.path} is not in the document`];
  let declared = responses[String(response.status)];
  let base = pointer('paths', route.path, route.method.toLowerCase(), 'responses', String(response.status));
  if (!declared) return [`${where}: the status is not declared`];
  if (declared.$ref) {
    const name = String(declared.$ref).split('/').pop()!;
    declared = document.components.responses[name];
    base = pointer('components', 'responses', name);
  }
  const content: Record<string, unknown> | undefined = declared.content;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!content) return response.text === '' ? [] : [`${where}: a body where the document declares none`];
  if (!Object.hasOwn(content, type))
    return [`${where}: media type "${type}" is not among ${Object.keys(content).join(', ')}`];
  const json = /^application\/([a-z.+-]*\+)?json$/.test(type);
  let body: unknown = response.text;
  if (json) {
    if (!response.text.endsWith('\n')) return [`${where}: the JSON body does not end with a newline`];
    try {
      body = JSON.parse(response.text);
    } catch {
      return [`${where}: the body is not JSON`];
    }
  }
  const validate = ajv.getSchema(`${DOCUMENT_ID}#/${base}/${pointer('content', type, 'schema')}`);
  if (!validate) return [`${where}: no schema for ${type}`];
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((error) => `${where}: ${error.instancePath || '/'} ${error.message}`);
}
