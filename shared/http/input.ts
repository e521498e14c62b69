import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import {
  BadRequest,
  type FieldError,
  MAX_REPORTED_ERRORS,
  PayloadTooLarge,
  UnsupportedMediaType,
} from '../domain/errors';
import type { Route } from '../routes';
import { TOO_LARGE } from '../schemas/common';

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

/** Most field errors listed in the detail of a 400 (the answer's `errors` holds up to MAX_REPORTED_ERRORS). */
const MAX_DETAILED = 50;

interface Collected {
  errors: FieldError[];
  /** Every issue found, also those not listed. */
  count: number;
  /** Some value is too large to store (413) rather than invalid. */
  tooLarge: boolean;
}

/** Validates path parameters, query and body of a request against its route's schemas. */
export function parseInput(route: Route, event: APIGatewayProxyEventV2): RequestInput {
  const collected: Collected = { errors: [], count: 0, tooLarge: false };
  const params = validate(route.request?.params, event.pathParameters ?? {}, 'path', collected);
  const query = validate(
    route.request?.query ?? NO_QUERY,
    event.queryStringParameters ?? {},
    'query',
    collected,
  );
  const body = route.request?.body
    ? validate(route.request.body, readJsonBody(event), 'body', collected)
    : undefined;
  const { errors, count, tooLarge } = collected;
  if (count > 0) {
    const listed = errors.slice(0, MAX_DETAILED).map((error) => `${error.path}: ${error.message}`);
    const detail = `${listed.join('; ')}${count > listed.length ? ` (${count} problems in all)` : ''}`;
    throw tooLarge ? new PayloadTooLarge(detail, errors, count) : new BadRequest(detail, errors, count);
  }
  return { params: params ?? {}, query: query ?? {}, body };
}

function validate(schema: z.ZodType | undefined, value: unknown, prefix: string, collected: Collected) {
  if (!schema) return value as Record<string, unknown>;
  const result = schema.safeParse(value);
  if (result.success) return result.data as Record<string, unknown>;
  const add = (path: readonly PropertyKey[], message: string) => {
    collected.count++;
    if (collected.errors.length < MAX_REPORTED_ERRORS)
      collected.errors.push({ path: fieldPath(prefix, path), message });
  };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], 'unknown field');
    } else {
      add(issue.path, issue.message);
      if (issue.code === 'custom' && issue.params?.status === TOO_LARGE.status) collected.tooLarge = true;
    }
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
  const problem = jsonShapeProblem(parsed, 'body');
  if (problem !== null) throw new BadRequest(`${problem.path}: ${problem.message}`, [problem]);
  return parsed;
}

/**
 * What no parsed JSON value may be, before a schema walks it: nested deeper than MAX_JSON_DEPTH, or
 * holding a key `__proto__` anywhere (no field has that name; a schema would silently drop it).
 */
export function jsonShapeProblem(value: unknown, prefix: string): FieldError | null {
  // each entry points at its parent: a path is only spelled out for the answer
  interface Entry {
    value: unknown;
    depth: number;
    parent?: Entry;
    key?: PropertyKey;
  }
  const pathOf = (entry: Entry | undefined, last: PropertyKey): PropertyKey[] => {
    const path = [last];
    for (let at = entry; at?.key !== undefined; at = at.parent) path.unshift(at.key);
    return path;
  };
  const stack: Entry[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const current = entry.value;
    if (current === null || typeof current !== 'object') continue;
    if (entry.depth > MAX_JSON_DEPTH)
      return { path: prefix, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (Object.hasOwn(current, '__proto__'))
      return {
        path: fieldPath(prefix, pathOf(entry, '__proto__')),
        message: 'is not an accepted field name',
      };
    for (const [key, child] of Object.entries(current))
      stack.push({
        value: child,
        depth: entry.depth + 1,
        parent: entry,
        key: Array.isArray(current) ? Number(key) : key,
      });
  }
  return null;
}
