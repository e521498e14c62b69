import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { PROBLEM_RESPONSES, type Route, type RouteResponse, routes } from '../routes';

const json = (response: RouteResponse) =>
  response.schema ? { content: { 'application/json': { schema: response.schema } } } : {};

const problem = (response: RouteResponse) =>
  response.schema ? { content: { 'application/problem+json': { schema: response.schema } } } : {};

function routeConfig(route: Route): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = { description: response.description, ...json(response) };
  }
  const problems = { ...PROBLEM_RESPONSES };
  if (!route.auth) {
    delete problems[401];
    delete problems[403];
  }
  if (route.ifMatch) {
    problems[412] = {
      description: 'If-Match does not match the current version',
      schema: PROBLEM_RESPONSES[400]!.schema,
    };
    problems[428] = { description: 'If-Match is missing', schema: PROBLEM_RESPONSES[400]!.schema };
  }
  for (const [status, response] of Object.entries(problems)) {
    responses[status] = { description: response.description, ...problem(response) };
  }
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.function],
    ...(route.auth ? { security: [{ bearer: [] }] } : {}),
    request: {
      ...(route.request?.params ? { params: route.request.params } : {}),
      ...(route.request?.query ? { query: route.request.query } : {}),
      ...(route.request?.body
        ? { body: { content: { 'application/json': { schema: route.request.body } } } }
        : {}),
    },
    responses,
  };
}

let document: object | undefined;

/** The OpenAPI 3.1 document, generated once from the route table's zod schemas. */
export function openApiDocument(): object {
  if (document) return document;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const route of routes) registry.registerPath(routeConfig(route));
  document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'twinthread',
      version: '1.0.0',
      description: 'Digital Twin configurations of serialized products and their Digital Thread.',
    },
    servers: [{ url: '/' }],
  });
  return document;
}
