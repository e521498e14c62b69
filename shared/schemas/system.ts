import * as z from 'zod';

export const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

/** Only the frame is described: the document itself says what it contains. */
export const ApiDescription = z
  .looseObject({
    openapi: z.string().meta({ example: '3.1.0' }),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'ApiDescription', description: 'An OpenAPI 3.1 document' });

export const DocsAssetParams = z.strictObject({
  asset: z.string().min(1).max(64).meta({
    description: 'A file of the bundled reference viewer',
    example: 'swagger-ui-bundle.js',
  }),
});

export const DocsAssetHeaders = z.object({
  'If-None-Match': z
    .string()
    .optional()
    .meta({ description: 'The `ETag` of the copy the client holds: 304 when it is current' }),
});

/** A text answer that is not JSON (HTML, JavaScript, CSS): the schema of its body is a string. */
export const TextBody = z.string();
