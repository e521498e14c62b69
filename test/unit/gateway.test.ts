import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { compileRoutes, matchRoute, toApiGatewayEvent } from '../../infra/local/gateway';
import { parseInput } from '../../shared/http/input';
import { type Route, routes } from '../../shared/routes';

const route = (method: Route['method'], path: string): Route => ({
  method,
  path,
  operationId: `${method} ${path}`,
  function: 'twins',
  summary: 'A route for the tests',
  auth: false,
  responses: { 200: { description: 'OK' } },
});

// Parameter routes first: the literal ones must win whatever the declaration order.
const table = [
  route('GET', '/v1/things/{id}'),
  route('GET', '/v1/things/{owner}/{id}'),
  route('GET', '/v1/things/special'),
  route('GET', '/v1/things/{id}/parts'),
  route('GET', '/v1/things/special/parts'),
  route('POST', '/v1/things/{id}'),
  route('GET', '/v1/things'),
  route('GET', '/openapi.json'),
];
const compiled = compileRoutes(table);
const match = (method: string, path: string) => {
  const found = matchRoute(compiled, method, path);
  return found && { path: found.route.path, method: found.route.method, params: found.params };
};

describe('matchRoute', () => {
  it('matches a literal path without parameters', () => {
    // Act, Assess
    expect(match('GET', '/v1/things')).toEqual({ path: '/v1/things', method: 'GET', params: {} });
  });

  it('captures path parameters by name', () => {
    // Act, Assess
    expect(match('GET', '/v1/things/T-1')?.params).toEqual({ id: 'T-1' });
    expect(match('GET', '/v1/things/acme/T-1')).toEqual({
      path: '/v1/things/{owner}/{id}',
      method: 'GET',
      params: { owner: 'acme', id: 'T-1' },
    });
  });

  it('prefers literal routes to parameter routes, as API Gateway does', () => {
    // Act, Assess
    expect(match('GET', '/v1/things/special')?.path).toBe('/v1/things/special');
    expect(match('GET', '/v1/things/special/parts')?.path).toBe('/v1/things/special/parts');
    expect(match('GET', '/v1/things/other/parts')?.path).toBe('/v1/things/{id}/parts');
  });

  it.each([
    ['a%2Fb', 'a/b'],
    ['a%20b', 'a b'],
    ['%C3%A9t%C3%A9', 'été'],
    ['a%23b', 'a#b'],
    ['a%25b', 'a%b'],
    ['a+b', 'a+b'],
  ])('decodes the parameter %s as %j', (raw, decoded) => {
    // Act
    const found = match('GET', `/v1/things/${raw}`);
    // Assess
    expect(found?.path).toBe('/v1/things/{id}');
    expect(found?.params.id).toBe(decoded);
  });

  it('requires the method to match', () => {
    // Act, Assess
    expect(match('POST', '/v1/things/T-1')?.method).toBe('POST');
    expect(match('DELETE', '/v1/things/T-1')).toBeUndefined();
    expect(match('POST', '/v1/things/special')?.path).toBe('/v1/things/{id}');
    expect(match('get', '/v1/things')).toBeUndefined();
  });

  it.each(['/v1/things/', '/v1/things/a/b/c/d', '/v1/thingsX', '/v1', '/openapiXjson', '/v1/things//parts'])(
    'matches nothing for %s',
    (path) => {
      // Act, Assess
      expect(match('GET', path)).toBeUndefined();
    },
  );

  it("finds the service's own routes", () => {
    // Prepare
    const service = compileRoutes(routes);
    // Act
    const list = matchRoute(service, 'GET', '/v1/twins');
    const one = matchRoute(service, 'GET', '/v1/twins/01JD3Q6Z8V1K9M2N3P4R5S6T7V');
    const health = matchRoute(service, 'GET', '/health');
    // Assess
    expect(list?.route.operationId).toBe('listTwins');
    expect(one?.route.operationId).toBe('getTwin');
    expect(one?.params).toEqual({ id: '01JD3Q6Z8V1K9M2N3P4R5S6T7V' });
    expect(health?.route.auth).toBe(false);
  });
});

/** What toApiGatewayEvent reads of a request, as Node's HTTP server gives it (header names lower-case). */
const requestOf = (method: string, headers: IncomingMessage['headers']): IncomingMessage =>
  ({
    method,
    httpVersion: '1.1',
    headers,
    socket: { remoteAddress: '10.0.0.7' },
  }) as unknown as IncomingMessage;

const REQUEST_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7V';

describe('toApiGatewayEvent', () => {
  it('builds a payload 2.0 event with route, path, query, headers, cookies and parameters', () => {
    // Prepare
    const request = requestOf('POST', {
      host: 'localhost:3000',
      'content-type': 'application/json',
      'user-agent': 'vitest',
      'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
      cookie: 'session=abc; theme=dark',
    });
    const url = new URL('http://localhost:3000/v1/things/a%2Fb?tag=x&tag=y&q=two%20words&empty=');
    const body = Buffer.from('{"name":"thing"}');
    // Act
    const event = toApiGatewayEvent(request, url, body, table[5]!, { id: 'a/b' }, REQUEST_ID);
    // Assess
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/things/{id}',
      rawPath: '/v1/things/a%2Fb',
      rawQueryString: 'tag=x&tag=y&q=two%20words&empty=',
      queryStringParameters: { tag: 'x,y', q: 'two words', empty: '' },
      pathParameters: { id: 'a/b' },
      cookies: ['session=abc', 'theme=dark'],
      body: '{"name":"thing"}',
      isBase64Encoded: false,
    });
    expect(event.headers).toStrictEqual({
      host: 'localhost:3000',
      'content-type': 'application/json',
      'user-agent': 'vitest',
      'x-forwarded-for': '10.0.0.1,10.0.0.2',
    });
    expect(event.requestContext).toMatchObject({
      http: {
        method: 'POST',
        path: '/v1/things/a%2Fb',
        protocol: 'HTTP/1.1',
        sourceIp: '10.0.0.7',
        userAgent: 'vitest',
      },
      requestId: REQUEST_ID,
      routeKey: 'POST /v1/things/{id}',
      stage: '$default',
      domainName: 'localhost:3000',
    });
    expect(event.requestContext.timeEpoch).toBeGreaterThan(0);
  });

  it('leaves out query, parameters, cookies and body when the request has none', () => {
    // Act
    const event = toApiGatewayEvent(
      requestOf('GET', { host: 'localhost' }),
      new URL('http://localhost/v1/things'),
      Buffer.alloc(0),
      table[6]!,
      {},
      REQUEST_ID,
    );
    // Assess
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.rawQueryString).toBe('');
    expect(event.requestContext.http.method).toBe('GET');
  });

  it.each(['application/octet-stream', 'image/png', 'application/pdf', undefined])(
    'encodes a body of content type %s in base64',
    (contentType) => {
      // Prepare
      const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
      const headers = contentType === undefined ? {} : { 'content-type': contentType };
      // Act
      const event = toApiGatewayEvent(
        requestOf('POST', headers),
        new URL('http://localhost/v1/things/T-1'),
        bytes,
        table[5]!,
        { id: 'T-1' },
        REQUEST_ID,
      );
      // Assess
      expect(event.isBase64Encoded).toBe(true);
      expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
    },
  );

  it.each([
    'text/plain; charset=utf-8',
    'application/xml',
    'application/x-www-form-urlencoded',
    'application/merge-patch+json',
  ])('passes a body of content type %s as text', (contentType) => {
    // Act
    const event = toApiGatewayEvent(
      requestOf('POST', { 'content-type': contentType }),
      new URL('http://localhost/v1/things/T-1'),
      Buffer.from('été'),
      table[5]!,
      { id: 'T-1' },
      REQUEST_ID,
    );
    // Assess
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('été');
  });

  it('makes an event that parseInput reads back', () => {
    // Prepare
    const strict: Route = {
      ...table[5]!,
      request: {
        params: z.strictObject({ id: z.string() }),
        query: z.strictObject({ tag: z.string() }),
        body: z.strictObject({ name: z.string() }),
      },
    };
    const binaryJson = Buffer.from('{"name":"thing"}');
    // Act
    const event = toApiGatewayEvent(
      requestOf('POST', { 'content-type': 'application/json' }),
      new URL('http://localhost/v1/things/a%2Fb?tag=x&tag=y'),
      binaryJson,
      strict,
      { id: 'a/b' },
      REQUEST_ID,
    );
    const input = parseInput(strict, event);
    // Assess
    expect(input).toStrictEqual({ params: { id: 'a/b' }, query: { tag: 'x,y' }, body: { name: 'thing' } });
  });
});

describe('query keys and path encodings a client may send', () => {
  it('keeps keys named like Object.prototype members as plain values', () => {
    const match = matchRoute(compileRoutes(routes), 'GET', '/v1/twins')!;
    const url = new URL('http://localhost/v1/twins?toString=abc&constructor=x&site=a&site=b');
    const request = {
      headers: {},
      method: 'GET',
      httpVersion: '1.1',
      socket: { remoteAddress: '127.0.0.1' },
    };
    const event = toApiGatewayEvent(request as never, url, Buffer.alloc(0), match.route, match.params, 'id');
    expect({ ...event.queryStringParameters }).toEqual({ toString: 'abc', constructor: 'x', site: 'a,b' });
  });

  it('answers a badly encoded path parameter with a 400, not a crash', () => {
    expect(() => matchRoute(compileRoutes(routes), 'GET', '/v1/twins/%E0%A4%A')).toThrow(/percent-encoding/);
  });
});
