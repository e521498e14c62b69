import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BadRequest, Forbidden, NotFound, PayloadTooLarge } from '../../shared/domain/errors';
import { MAX_BODY_BYTES } from '../../shared/http/input';
import { jsonBody, problemOf, withApiHeaders } from '../../shared/http/response';
import { ulid } from '../../shared/ids';
import { routes as allRoutes, type FunctionName, type Route, routeKey } from '../../shared/routes';
import { type DevIssuer, DevTokenRequest } from './dev-issuer';
import { lambdaContext, loadFunction } from './functions';
import { consoleConfig, localConsoleHeaders, serveStatic, WEB_ROOT } from './static';

export type Invoke = (
  fn: FunctionName,
  event: APIGatewayProxyEventV2,
  requestId: string,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface GatewayOptions {
  /** Without it, /dev/token and /dev/jwks.json do not exist (an outside issuer is configured). */
  devIssuer?: DevIssuer;
  routes?: readonly Route[];
  invoke?: Invoke;
  /** The built console, served for GETs no route takes (default web/dist); false: none. */
  webRoot?: string | false;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

/** `/v1/twins/{id}` → a pattern capturing `id`; literal segments outrank parameters, as in API Gateway. */
export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes
    .map((route) => {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1]!);
          return '([^/]+)';
        })
        .join('/');
      return { route, pattern: new RegExp(`^${source}$`), names };
    })
    .sort((a, b) => a.names.length - b.names.length);
}

export function matchRoute(compiled: CompiledRoute[], method: string, path: string) {
  for (const { route, pattern, names } of compiled) {
    if (route.method !== method) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [index, name] of names.entries()) {
      try {
        params[name] = decodeURIComponent(match[index + 1]!);
      } catch {
        throw new BadRequest(`path.${name}: is not valid percent-encoding`, [
          { path: `path.${name}`, message: 'is not valid percent-encoding' },
        ]);
      }
    }
    return { route, params };
  }
  return undefined;
}

/** The API Gateway HTTP API (payload 2.0) event a Lambda would receive for this request. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  route: Route,
  params: Record<string, string>,
  requestId: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // Repeated keys are joined with commas, as API Gateway does; no prototype keys are consulted.
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams)
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const textual =
    body.length === 0 || /json|text|xml|x-www-form-urlencoded/i.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

const defaultInvoke: Invoke = async (fn, event, requestId) =>
  (await loadFunction(fn))(event, lambdaContext(fn, requestId), { signal: new AbortController().signal });

/**
 * The local API Gateway: turns each HTTP request into the event of its route and calls the very
 * handler the Lambda runs. Its own errors (no route, body too large) are problems too.
 */
export function createGateway(options: GatewayOptions = {}): Server {
  const compiled = compileRoutes(options.routes ?? allRoutes);
  const invoke = options.invoke ?? defaultInvoke;
  const server = createServer((request, response) => {
    const requestId = ulid();
    handle(request, response, requestId).catch((error) =>
      send(response, problemOf(error, requestId), requestId),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse, requestId: string) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (!isLoopbackHost(request.headers.host))
      throw new Forbidden(
        `This local server answers only Host localhost, 127.0.0.1 or [::1], not ${JSON.stringify(request.headers.host ?? '')}`,
      );
    if (options.devIssuer && url.pathname.startsWith('/dev/')) {
      return send(response, await devRoute(options.devIssuer, method, url.pathname, request), requestId);
    }
    const match = matchRoute(compiled, method, url.pathname);
    if (!match) {
      const signIn = consoleConfig(Boolean(options.devIssuer));
      if (method === 'GET' && url.pathname === '/console-config.json')
        return send(response, json(200, signIn), requestId);
      const webRoot = options.webRoot ?? WEB_ROOT;
      const headers = localConsoleHeaders(signIn);
      if (webRoot && (await serveStatic(webRoot, request, response, url.pathname, headers))) return;
      throw new NotFound(`No route ${method} ${url.pathname}`);
    }
    const body = await readBody(request);
    const event = toApiGatewayEvent(request, url, body, match.route, match.params, requestId);
    send(response, await invoke(match.route.function, event, requestId), requestId);
  }

  return server;
}

/** `localhost`, `127.0.0.1` or `[::1]`, with any port. */
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/**
 * The local gateway listens on 127.0.0.1 only, yet a web page can still reach it through DNS
 * rebinding (its own name resolving to 127.0.0.1): its requests then carry that name as Host, so
 * anything but a loopback name is refused before a token is minted or a route runs.
 */
export const isLoopbackHost = (host: string | undefined): boolean => LOOPBACK_HOST.test(host ?? '');

async function devRoute(issuer: DevIssuer, method: string, path: string, request: IncomingMessage) {
  if (method === 'GET' && path === '/dev/jwks.json') return json(200, issuer.jwks);
  if (method !== 'POST' || path !== '/dev/token') throw new NotFound(`No route ${method} ${path}`);
  let body: unknown;
  try {
    body = JSON.parse((await readBody(request)).toString('utf8') || 'null');
  } catch {
    throw new BadRequest('body: malformed JSON', [{ path: 'body', message: 'malformed JSON' }]);
  }
  const parsed = DevTokenRequest.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({
      path: ['body', ...issue.path].join('.'),
      message: issue.message,
    }));
    throw new BadRequest(errors.map((error) => `${error.path}: ${error.message}`).join('; '), errors);
  }
  return json(200, { token: await issuer.sign(parsed.data) });
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: jsonBody(body),
});

/** Reads the body, refusing more than Lambda's payload limit (the socket is drained, not trusted). */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () =>
      tooLarge
        ? reject(new PayloadTooLarge(`The body is larger than ${MAX_BODY_BYTES} bytes`))
        : resolve(Buffer.concat(chunks)),
    );
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2, requestId: string) {
  if (response.headersSent) return;
  // the gateway's own answers (no route, dev tokens, a refused Host) have the API's headers too
  const headers: Record<string, string | string[]> = {
    'x-request-id': requestId,
    ...withApiHeaders(result.headers),
  };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body ?? '';
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}
