import { createFunctionHandler } from '../../shared/http/handler';
import { ok } from '../../shared/http/response';
import { openApiDocument } from '../../shared/schemas/openapi';

/** Public endpoints: liveness and the API description. */
export const handler = createFunctionHandler('system', {
  health: async () => ok({ status: 'ok' }),
  openapi: async () => ok(openApiDocument()),
});
