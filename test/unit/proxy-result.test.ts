import { describe, expect, it } from 'vitest';
import { ok, toProxyResult } from '../../shared/http/response';

describe('toProxyResult', () => {
  it('sends bodies as JSON by default, strings included', () => {
    // Act
    const object = toProxyResult(ok({ a: 1 }));
    const text = toProxyResult(ok('plain'));
    // Assess
    expect(object).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}\n',
    });
    expect(text.body).toBe('"plain"\n');
    expect(text.headers?.['content-type']).toBe('application/json');
  });

  it('sends a string as is when its content type is not JSON', () => {
    // Act
    const html = toProxyResult({
      status: 200,
      body: '<!doctype html><p>hi</p>',
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    // Assess
    expect(html).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!doctype html><p>hi</p>',
    });
  });

  it('still JSON-encodes a string declared as a JSON type', () => {
    // Act
    const result = toProxyResult({
      status: 200,
      body: 'x',
      headers: { 'content-type': 'application/problem+json' },
    });
    // Assess
    expect(result.body).toBe('"x"\n');
  });

  it('sends bytes base64-encoded, flagged for API Gateway, with their content type', () => {
    // Prepare
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    // Act
    const typed = toProxyResult({ status: 200, body: bytes, headers: { 'content-type': 'text/css' } });
    const untyped = toProxyResult({ status: 200, body: new Uint8Array(bytes) });
    // Assess
    expect(typed).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/css' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect(untyped.headers?.['content-type']).toBe('application/octet-stream');
    expect(Buffer.from(untyped.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('sends no body and no content type when there is none', () => {
    // Act
    const result = toProxyResult({ status: 304, headers: { etag: '"a"' } });
    // Assess
    expect(result).toEqual({ statusCode: 304, headers: { etag: '"a"' }, body: '' });
  });
});
