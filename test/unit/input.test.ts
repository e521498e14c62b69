import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { AppError, BadRequest, PayloadTooLarge, UnsupportedMediaType } from '../../shared/domain/errors';
import { fieldPath, MAX_BODY_BYTES, parseInput } from '../../shared/http/input';
import type { Route } from '../../shared/routes';
import { Limit, Slug } from '../../shared/schemas/common';
import { thrownBy } from './thrown';

interface Slot {
  position: string;
  children?: Slot[];
}
const SlotSchema: z.ZodType<Slot> = z.strictObject({
  position: Slug,
  get children() {
    return z.array(SlotSchema).optional();
  },
});

const route: Route = {
  method: 'POST',
  path: '/v1/things/{id}',
  operationId: 'createThing',
  function: 'twins',
  summary: 'A route for the tests',
  auth: false,
  request: {
    params: z.strictObject({ id: z.string().regex(/^T-\d+$/) }),
    query: z.strictObject({ limit: Limit, dryRun: z.enum(['true', 'false']).optional() }),
    body: z.strictObject({ name: z.string().min(1), configuration: z.array(SlotSchema) }),
  },
  responses: { 201: { description: 'Created' } },
};

/** Takes any JSON body: for the limits of the body itself. */
const anyBodyRoute: Route = { ...route, request: { body: z.unknown() } };

const validBody = { name: 'thing', configuration: [{ position: 'a', children: [{ position: 'b' }] }] };

function eventOf(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/things/{id}',
    rawPath: '/v1/things/T-1',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { id: 'T-1' },
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
    body: JSON.stringify(validBody),
    isBase64Encoded: false,
    ...overrides,
  };
}

const appErrorOf = (act: () => unknown): AppError => {
  const error = thrownBy(act);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

/** `n` arrays nested in one another: `[[[ ]]]` is 3 deep. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseInput', () => {
  it('returns the validated params, query and body', () => {
    // Prepare
    const event = eventOf({ queryStringParameters: { limit: '10', dryRun: 'true' } });
    // Act
    const input = parseInput(route, event);
    // Assess
    expect(input).toStrictEqual({
      params: { id: 'T-1' },
      query: { limit: 10, dryRun: 'true' },
      body: validBody,
    });
  });

  it('applies the defaults of the query schema when there is no query string', () => {
    // Act
    const input = parseInput(route, eventOf());
    // Assess
    expect(input.query).toStrictEqual({ limit: 25 });
  });

  it('names every invalid field by its path in the request', () => {
    // Prepare
    const event = eventOf({
      pathParameters: { id: 'nope' },
      queryStringParameters: { limit: '500' },
      body: JSON.stringify({
        name: 'thing',
        configuration: [{ position: 'ok', children: [{ position: 'ok' }, { position: 'Not A Slug' }] }, {}],
      }),
    });
    // Act
    const error = appErrorOf(() => parseInput(route, event));
    // Assess
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.status).toBe(400);
    expect(error.errors?.map((field) => field.path)).toEqual([
      'path.id',
      'query.limit',
      'body.configuration[0].children[1].position',
      'body.configuration[1].position',
    ]);
    expect(error.detail).toContain('body.configuration[0].children[1].position: ');
  });

  it('names unknown fields as such, in the body and in the query', () => {
    // Prepare
    const event = eventOf({
      queryStringParameters: { sort: 'name' },
      body: JSON.stringify({ ...validBody, colour: 'red', configuration: [{ position: 'a', size: 3 }] }),
    });
    // Act
    const error = appErrorOf(() => parseInput(route, event));
    // Assess
    expect(error.errors).toEqual(
      expect.arrayContaining([
        { path: 'query.sort', message: 'unknown field' },
        { path: 'body.colour', message: 'unknown field' },
        { path: 'body.configuration[0].size', message: 'unknown field' },
      ]),
    );
    expect(error.errors).toHaveLength(3);
  });

  it('reads a base64-encoded body', () => {
    // Prepare
    const event = eventOf({
      body: Buffer.from(JSON.stringify(validBody)).toString('base64'),
      isBase64Encoded: true,
    });
    // Act
    const input = parseInput(route, event);
    // Assess
    expect(input.body).toStrictEqual(validBody);
  });

  it(`accepts a body of exactly ${MAX_BODY_BYTES} bytes`, () => {
    // Prepare
    const body = JSON.stringify({ pad: '' });
    const padded = JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES - body.length) });
    // Act
    const input = parseInput(anyBodyRoute, eventOf({ body: padded }));
    // Assess
    expect(padded).toHaveLength(MAX_BODY_BYTES);
    expect((input.body as { pad: string }).pad).toHaveLength(MAX_BODY_BYTES - body.length);
  });

  it('refuses a body over 6 MB with 413, counting bytes rather than characters', () => {
    // Prepare: 3 MB of two-byte characters is over 6 MB of UTF-8
    const body = JSON.stringify({ pad: 'é'.repeat(MAX_BODY_BYTES / 2) });
    // Act
    const error = appErrorOf(() => parseInput(anyBodyRoute, eventOf({ body })));
    // Assess
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expect(error).toBeInstanceOf(PayloadTooLarge);
    expect(error.status).toBe(413);
  });

  it('counts the decoded bytes of a base64 body', () => {
    // Prepare
    const atLimit = Buffer.from(JSON.stringify('x'.repeat(MAX_BODY_BYTES - 2)));
    const overLimit = Buffer.from(JSON.stringify('x'.repeat(MAX_BODY_BYTES - 1)));
    const base64 = (bytes: Buffer) => eventOf({ body: bytes.toString('base64'), isBase64Encoded: true });
    // Act
    const accepted = parseInput(anyBodyRoute, base64(atLimit));
    const error = appErrorOf(() => parseInput(anyBodyRoute, base64(overLimit)));
    // Assess
    expect(accepted.body).toHaveLength(MAX_BODY_BYTES - 2);
    expect(error.status).toBe(413);
  });

  it.each(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonp'])(
    'refuses a body of content type %s with 415',
    (contentType) => {
      // Act
      const error = appErrorOf(() =>
        parseInput(route, eventOf({ headers: { 'content-type': contentType } })),
      );
      // Assess
      expect(error).toBeInstanceOf(UnsupportedMediaType);
      expect(error.status).toBe(415);
    },
  );

  it('refuses a body without a content type with 415', () => {
    // Act
    const error = appErrorOf(() => parseInput(route, eventOf({ headers: {} })));
    // Assess
    expect(error.status).toBe(415);
  });

  it.each(['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json'])(
    'accepts a JSON body of content type %s',
    (contentType) => {
      // Act
      const input = parseInput(route, eventOf({ headers: { 'content-type': contentType } }));
      // Assess
      expect(input.body).toStrictEqual(validBody);
    },
  );

  it('refuses malformed JSON with 400 at body', () => {
    // Act
    const error = appErrorOf(() => parseInput(route, eventOf({ body: '{"name": "thing",' })));
    // Assess
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.errors).toHaveLength(1);
    expect(error.errors?.[0]?.path).toBe('body');
    expect(error.errors?.[0]?.message).toMatch(/^malformed JSON/);
  });

  it('requires a body when the route takes one', () => {
    // Act
    const error = appErrorOf(() => parseInput(route, eventOf({ body: undefined })));
    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ path: 'body', message: 'required' }]);
  });

  it('accepts JSON nested 100 levels deep', () => {
    // Act
    const input = parseInput(anyBodyRoute, eventOf({ body: nested(100) }));
    // Assess
    expect(input.body).toBeInstanceOf(Array);
  });

  it('refuses JSON nested deeper than 100 levels with 400 at body', () => {
    // Act
    const error = appErrorOf(() => parseInput(anyBodyRoute, eventOf({ body: nested(101) })));
    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ path: 'body', message: 'nested deeper than 100 levels' }]);
  });

  it('counts the depth of objects as well as arrays', () => {
    // Prepare
    let deep: unknown = 1;
    for (let level = 0; level < 101; level++) deep = level % 2 === 0 ? { next: deep } : [deep];
    // Act
    const error = appErrorOf(() => parseInput(anyBodyRoute, eventOf({ body: JSON.stringify(deep) })));
    // Assess
    expect(error.errors?.[0]?.path).toBe('body');
  });

  it('refuses any query parameter on a route that declares no query, naming it', () => {
    // Prepare
    const noQuery: Route = { ...route, method: 'GET', request: { params: route.request?.params } };
    const event = eventOf({ queryStringParameters: { verbose: '1' } });
    // Act
    const error = appErrorOf(() => parseInput(noQuery, event));
    // Assess
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ path: 'query.verbose', message: 'unknown field' }]);
  });

  it('does not read the body of a route that takes none', () => {
    // Prepare
    const noBody: Route = { ...route, method: 'GET', request: { params: route.request?.params } };
    const event = eventOf({ headers: { 'content-type': 'text/plain' }, body: 'not JSON' });
    // Act
    const input = parseInput(noBody, event);
    // Assess
    expect(input).toStrictEqual({ params: { id: 'T-1' }, query: {}, body: undefined });
  });
});

describe('fieldPath', () => {
  it.each<[string, PropertyKey[], string]>([
    ['body', ['configuration', 0, 'children', 2, 'position'], 'body.configuration[0].children[2].position'],
    ['query', ['limit'], 'query.limit'],
    ['path', ['id'], 'path.id'],
    ['body', [], 'body'],
    ['body', [3], 'body[3]'],
    ['body', ['attributes', '0'], 'body.attributes.0'],
  ])('joins %s and %j as %s', (prefix, path, expected) => {
    // Act, Assess
    expect(fieldPath(prefix, path)).toBe(expected);
  });
});
