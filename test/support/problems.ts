import { expect } from 'vitest';
import type { ApiResponse } from './api';

/** Asserts an RFC 9457 problem with `status`, naming `field` among its errors when given. */
export function expectProblem(response: ApiResponse, status: number, field?: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  if (field) expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(field);
}
