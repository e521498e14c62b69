import { describe, expect, it } from 'vitest';
import {
  type AppError,
  BadRequest,
  Conflict,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  PreconditionFailed,
  PreconditionRequired,
  ServiceUnavailable,
  Unauthorized,
  UnprocessableContent,
  UnsupportedMediaType,
} from '../../shared/domain/errors';
import { ok, problemOf, toProxyResult } from '../../shared/http/response';
import { Problem } from '../../shared/schemas/common';

const REQUEST_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7V';

const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '') as Record<string, unknown>;

describe('problemOf', () => {
  it.each<[AppError, number, string]>([
    [
      new BadRequest('body.name: required', [{ path: 'body.name', message: 'required' }]),
      400,
      'Invalid input',
    ],
    [new Unauthorized('An Authorization: Bearer token is required'), 401, 'Unauthorized'],
    [new Forbidden('The role viewer may not do this'), 403, 'Forbidden'],
    [new NotFound(), 404, 'Not found'],
    [new Conflict('The component is installed elsewhere'), 409, 'Conflict'],
    [new PreconditionFailed('The twin is at version 4, not 3'), 412, 'Precondition failed'],
    [new PayloadTooLarge('The body is larger than 6291456 bytes'), 413, 'Payload too large'],
    [new UnsupportedMediaType('The body must be application/json'), 415, 'Unsupported media type'],
    [new UnprocessableContent('Idempotency key reused'), 422, 'Unprocessable content'],
    [new PreconditionRequired('If-Match is required'), 428, 'Precondition required'],
    [new ServiceUnavailable('Busy', 3), 503, 'Service unavailable'],
  ])('answers %s with status %i as an RFC 9457 problem', (error, status, title) => {
    // Act
    const result = problemOf(error, REQUEST_ID);
    // Assess
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.body).toMatch(/\}\n$/);
    const body = bodyOf(result);
    expect(Problem.strict().safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ title, status, detail: error.detail, instance: REQUEST_ID });
    expect(body.type).toBe(`/problems/${title.toLowerCase().replaceAll(' ', '-')}`);
  });

  it('carries the field errors of an invalid input, and none otherwise', () => {
    // Act
    const invalid = bodyOf(
      problemOf(new BadRequest('x', [{ path: 'query.limit', message: 'too big' }]), 'r'),
    );
    const notFound = bodyOf(problemOf(new NotFound(), 'r'));
    // Assess
    expect(invalid.errors).toEqual([{ path: 'query.limit', message: 'too big' }]);
    expect(notFound).not.toHaveProperty('errors');
  });

  it('passes on the headers of the error', () => {
    // Act
    const unauthorized = problemOf(new Unauthorized('no token'), REQUEST_ID);
    const busy = problemOf(new ServiceUnavailable('busy', 7), REQUEST_ID);
    // Assess
    expect(unauthorized.headers?.['www-authenticate']).toBe('Bearer');
    expect(busy.headers?.['retry-after']).toBe('7');
  });

  it('answers an unexpected error with a 500 that does not leak its message', () => {
    // Prepare
    const error = new Error(
      'ConditionalCheckFailed on table twinthread-prod-Table arn:aws:dynamodb:eu-west-1:1234',
    );
    // Act
    const result = problemOf(error, REQUEST_ID);
    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.body).not.toContain('ConditionalCheckFailed');
    expect(result.body).not.toContain('arn:aws');
    expect(result.body).not.toContain('twinthread-prod');
    expect(bodyOf(result)).toMatchObject({ status: 500, title: 'Internal error', instance: REQUEST_ID });
    expect(bodyOf(result).detail).toContain(REQUEST_ID);
  });

  it.each([['a string thrown'], [null], [undefined], [42], [{ message: 'secret' }]])(
    'answers a thrown %j with a 500',
    (thrown) => {
      // Act
      const result = problemOf(thrown, REQUEST_ID);
      // Assess
      expect(result.statusCode).toBe(500);
      expect(result.body).not.toContain('secret');
      expect(result.body).not.toContain('a string thrown');
    },
  );

  it.each([
    'ThrottlingException',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'SlowDown',
    'ServiceUnavailable',
    'InternalServerError',
  ])('answers an AWS %s with 503 and retry-after', (name) => {
    // Prepare
    const error = Object.assign(new Error('Rate exceeded for table twinthread-prod'), { name });
    // Act
    const result = problemOf(error, REQUEST_ID);
    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('1');
    expect(result.body).not.toContain('twinthread-prod');
    expect(bodyOf(result).status).toBe(503);
  });

  it('answers a plain object named ThrottlingException with 503', () => {
    // Act
    const result = problemOf({ name: 'ThrottlingException' }, REQUEST_ID);
    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
  });
});

describe('toProxyResult', () => {
  it('serialises a body as JSON with its content type and the given headers', () => {
    // Act
    const result = toProxyResult({ status: 201, body: { id: 'x', n: 1 }, headers: { etag: '"1"' } });
    // Assess
    expect(result).toStrictEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', etag: '"1"' },
      body: '{"id":"x","n":1}\n',
    });
  });

  it('sends an empty body and no content type when there is no body', () => {
    // Act
    const result = toProxyResult({ status: 204 });
    // Assess
    expect(result).toStrictEqual({ statusCode: 204, headers: {}, body: '' });
  });

  it('serialises falsy bodies rather than dropping them', () => {
    // Act
    const result = toProxyResult({ status: 200, body: null });
    // Assess
    expect(result.body).toBe('null\n');
    expect(result.headers?.['content-type']).toBe('application/json');
  });

  it('builds a 200 with ok()', () => {
    // Act
    const result = toProxyResult(ok([1, 2], { 'cache-control': 'no-store' }));
    // Assess
    expect(result).toStrictEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: '[1,2]\n',
    });
  });
});

describe('problemOf bounds what it answers', () => {
  it('lists the first 100 field errors and counts them all', () => {
    const errors = Array.from({ length: 150 }, (_, index) => ({
      path: `body.items[${index}]`,
      message: 'bad',
    }));
    const body = bodyOf(problemOf(new BadRequest('x'.repeat(10_000), errors), REQUEST_ID));
    expect(body.errors).toHaveLength(100);
    expect(body.errorCount).toBe(150);
    expect((body.detail as string).length).toBeLessThanOrEqual(4000);
    expect(Problem.safeParse(body).success).toBe(true);
  });

  it('takes the count an input check gives when it kept only the first errors', () => {
    const body = bodyOf(
      problemOf(new BadRequest('x', [{ path: 'body.a', message: 'bad' }], 120_000), REQUEST_ID),
    );
    expect(body.errorCount).toBe(120_000);
  });

  it("answers DynamoDB's refusal of an item over 400 KB as 413, not 500", () => {
    const refusal = Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
      name: 'ValidationException',
    });
    const result = problemOf(refusal, REQUEST_ID);
    expect(result.statusCode).toBe(413);
    expect(bodyOf(result).errors).toEqual([{ path: 'body', message: 'too large to store' }]);
  });
});

describe('problemOf and numbers the marshaller refuses', () => {
  it('answers 400 rather than 500 should one slip past the schemas', () => {
    const refusal = new Error(
      'Number 1e+300 is greater than Number.MAX_SAFE_INTEGER. Use NumberValue from @aws-sdk/lib-dynamodb.',
    );
    const result = problemOf(refusal, REQUEST_ID);
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).errors).toEqual([
      { path: 'body', message: 'a number is out of the range stored exactly' },
    ]);
  });
});
