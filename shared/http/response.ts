import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { aasResult } from '../domain/aas-api';
import {
  AppError,
  BadRequest,
  MAX_DETAIL_LENGTH,
  MAX_REPORTED_ERRORS,
  PayloadTooLarge,
  ServiceUnavailable,
} from '../domain/errors';

/** What an operation returns: the handler turns it into the Lambda proxy result. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Does the request ask for no representation in the answer (RFC 7240 `Prefer: return=minimal`)?
 * Other preferences are ignored, as the RFC lets a server do.
 */
export const prefersMinimal = (headers: Record<string, string | undefined>): boolean =>
  /(^|[,;\s])return\s*=\s*"?minimal"?(?=$|[,;\s])/i.test(headers.prefer ?? '');

/** A JSON body as every answer sends it: ending with a newline, so that pasted curl output ends its line. */
export const jsonBody = (value: unknown): string => `${JSON.stringify(value)}\n`;

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({
  status: 200,
  body,
  headers,
});

/**
 * Bodies are JSON, except bytes (sent base64-encoded, as API Gateway expects binary answers) and
 * strings whose `content-type` header says they are something else (HTML, JavaScript, CSS).
 */
export function toProxyResult(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  const hasBody = result.body !== undefined;
  if (result.body instanceof Uint8Array) {
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/octet-stream', ...result.headers },
      body: Buffer.from(result.body).toString('base64'),
      isBase64Encoded: true,
    };
  }
  const type = result.headers?.['content-type'];
  if (typeof result.body === 'string' && type !== undefined && !/json/i.test(type)) {
    return { statusCode: result.status, headers: { ...result.headers }, body: result.body };
  }
  return {
    statusCode: result.status,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...result.headers },
    body: hasBody ? jsonBody(result.body) : '',
  };
}

/**
 * Headers of every API answer, problems included: never stored by a browser or a proxy (answers are
 * per caller and carry tenant data), never sniffed into another type. An answer that sets its own
 * caching (the docs viewer's files) keeps it; nosniff is always sent.
 */
export function withApiHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const lower = Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  return { 'cache-control': 'no-store', ...lower, 'x-content-type-options': 'nosniff' };
}

/** AWS errors that mean "slow down", answered as 503 with Retry-After rather than 500. */
const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalServerError',
]);

/** DynamoDB's refusal of an item over 400 KB: the schemas bound what is stored, this is the backstop. */
const isItemTooLarge = (error: unknown): boolean =>
  (error as { name?: string })?.name === 'ValidationException' &&
  /item size (to update )?has exceeded/i.test((error as Error).message ?? '');

/** The DynamoDB marshaller's refusal of a number it cannot store exactly (the schemas bound numbers; backstop). */
const isUnstorableNumber = (error: unknown): boolean =>
  error instanceof Error &&
  /^(Number .* is (greater|lesser) than Number\.M(AX|IN)_SAFE_INTEGER|Special numeric value)/.test(
    error.message,
  );

/** How many field errors there were, when the answer lists only the first MAX_REPORTED_ERRORS. */
function errorCountOf(error: AppError): { errorCount?: number } {
  const count = Math.max(error.errorCount ?? 0, error.errors?.length ?? 0);
  return count > MAX_REPORTED_ERRORS ? { errorCount: count } : {};
}

/** Turns any error into an RFC 9457 problem. Only AppError details reach the client. */
export function problemOf(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  const known =
    error instanceof AppError
      ? error
      : THROTTLING.has((error as { name?: string })?.name ?? '')
        ? new ServiceUnavailable('The service is busy: retry shortly', 1)
        : isItemTooLarge(error)
          ? new PayloadTooLarge('The write would make a record larger than the store takes (400 KB)', [
              { path: 'body', message: 'too large to store' },
            ])
          : isUnstorableNumber(error)
            ? new BadRequest('The body holds a number that cannot be stored exactly', [
                { path: 'body', message: 'a number is out of the range stored exactly' },
              ])
            : new AppError(500, 'Internal error', `Something went wrong on our side (request ${requestId})`);
  return {
    statusCode: known.status,
    headers: { 'content-type': 'application/problem+json', ...known.headers },
    body: jsonBody({
      type: known.type,
      title: known.title,
      status: known.status,
      detail:
        known.detail.length > MAX_DETAIL_LENGTH
          ? `${known.detail.slice(0, MAX_DETAIL_LENGTH - 1)}…`
          : known.detail,
      instance: requestId,
      ...(known.errors ? { errors: known.errors.slice(0, MAX_REPORTED_ERRORS) } : {}),
      ...errorCountOf(known),
    }),
  };
}

/** A problem answer as the AAS API's Result (application/json), for the /aas routes. */
export function asAasResult(
  problem: APIGatewayProxyStructuredResultV2,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  const body = JSON.parse(String(problem.body));
  return {
    ...problem,
    headers: { ...problem.headers, 'content-type': 'application/json' },
    body: jsonBody(aasResult(body, requestId, new Date())),
  };
}
