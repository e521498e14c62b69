import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { BadRequest, type FieldError, PayloadTooLarge, UnsupportedMediaType } from '../domain/errors';
import type { Route } from '../routes';

/** Lambda's request payload limit. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** JSON nested deeper than this is refused before validation walks it. */
const MAX_JSON_DEPTH = 100;

/** The query of a route that declares none: any parameter is unknown (a typo is never silently dropped). */
const NO_QUERY = z.strictObject({});

export interface RequestInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

/** Validates path parameters, query and body of a request against its route's schemas. */
export function parseInput(route: Route, event: APIGatewayProxyEventV2): RequestInput {
  const errors: FieldError[] = [];
  const params = validate(route.request?.params, event.pathParameters ?? {}, 'path', errors);
  const query = validate(
    route.request?.query ?? NO_QUERY,
    event.queryStringParameters ?? {},
    'query',
    errors,
  );
  const body = route.request?.body
    ? validate(route.request.body, readJsonBody(event), 'body', errors)
    : undefined;
  if (errors.length > 0) {
    throw new BadRequest(errors.map((error) => `${error.path}: ${error.message}`).join('; '), errors);
  }
  return { params: params ?? {}, query: query ?? {}, body };
}

function validate(schema: z.ZodType | undefined, value: unknown, prefix: string, errors: FieldError[]) {
  if (!schema) return value as Record<string, unknown>;
  const result = schema.safeParse(value);
  if (result.success) return result.data as Record<string, unknown>;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ path: fieldPath(prefix, [...issue.path, key]), message: 'unknown field' });
    } else {
      errors.push({ path: fieldPath(prefix, issue.path), message: issue.message });
    }
    if (errors.length >= 50) break;
  }
  return undefined;
}

/** `body.configuration[0].children[2].position` */
export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (joined, segment) =>
      typeof segment === 'number' ? `${joined}[${segment}]` : `${joined}.${String(segment)}`,
    prefix,
  );
}

function readJsonBody(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES)
    throw new PayloadTooLarge(`The body is larger than ${MAX_BODY_BYTES} bytes`);
  const contentType = event.headers?.['content-type'] ?? '';
  if (bytes.length > 0 && !/^application\/([a-z.+-]*\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaType('The body must be application/json');
  }
  if (bytes.length === 0)
    throw new BadRequest('body: a JSON body is required', [{ path: 'body', message: 'required' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    const message = `malformed JSON: ${(error as Error).message}`;
    throw new BadRequest(`body: ${message}`, [{ path: 'body', message }]);
  }
  if (depthOf(parsed) > MAX_JSON_DEPTH) {
    const message = `nested deeper than ${MAX_JSON_DEPTH} levels`;
    throw new BadRequest(`body: ${message}`, [{ path: 'body', message }]);
  }
  return parsed;
}

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) break;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
