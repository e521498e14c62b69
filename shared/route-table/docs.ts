import { DocsAssetHeaders, DocsAssetParams, TextBody } from '../schemas/system';
import type { Route } from './route';

/** Public: the interactive API reference, served from the bundled viewer (no CDN). */
export const docsRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/docs',
    operationId: 'docsPage',
    function: 'docs',
    summary: 'Interactive reference of this API (Swagger UI reading /openapi.json)',
    auth: false,
    responses: { 200: { description: 'The reference page', schema: TextBody, mediaTypes: ['text/html'] } },
  },
  {
    method: 'GET',
    path: '/docs/{asset}',
    operationId: 'docsAsset',
    function: 'docs',
    summary: 'A script or style sheet of the reference page',
    auth: false,
    request: { params: DocsAssetParams, headers: DocsAssetHeaders },
    responses: {
      200: {
        description: 'The file (gzip-encoded when the client accepts it)',
        schema: TextBody,
        mediaTypes: ['text/javascript', 'text/css'],
      },
      304: { description: 'Not modified: the If-None-Match ETag is the current one (no body)' },
    },
  },
];
