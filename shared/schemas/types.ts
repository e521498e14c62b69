import * as z from 'zod';
import { Cursor, IsoDateTime, Limit, RESERVED_ATTRIBUTE_NAMES, Slug, Text, withinBytes } from './common';

export const TYPE_KINDS = ['twin', 'component'] as const;
export const ATTRIBUTE_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'enum'] as const;

/** Attribute names a type may declare: a letter, then letters, digits, "_" or "-" (camelCase allowed). */
export const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Most attributes one type may declare (a twin carries at most 200). */
export const MAX_TYPE_ATTRIBUTES = 200;

/** Most bytes of the attribute definitions of one type version, as JSON (one item holds them). */
export const MAX_TYPE_ATTRIBUTES_BYTES = 128 * 1024;

const AttributeName = z
  .string()
  .regex(ATTRIBUTE_NAME_PATTERN, 'must start with a letter, then letters, digits, "_" or "-" (1 to 64)')
  .refine(
    (name) => !RESERVED_ATTRIBUTE_NAMES.includes(name),
    `must not be ${RESERVED_ATTRIBUTE_NAMES.join(', ')}`,
  );

export const AttributeDefinition = z
  .strictObject({
    type: z.enum(ATTRIBUTE_TYPES),
    required: z.boolean().optional(),
    unit: Text(32).optional(),
    values: z.array(Text(128)).min(1).max(100).optional().meta({ description: 'Allowed values (enum only)' }),
    description: Text(1024).optional(),
    searchable: z.boolean().optional().meta({
      description: 'Whether GET /v1/search finds twins by this attribute (a tail number); default false',
    }),
  })
  .superRefine((definition, context) => {
    if (definition.type === 'enum' && definition.values === undefined)
      context.addIssue({ code: 'custom', path: ['values'], message: 'required for an enum' });
    if (definition.type !== 'enum' && definition.values !== undefined)
      context.addIssue({ code: 'custom', path: ['values'], message: 'only an enum has values' });
    if (definition.values && new Set(definition.values).size !== definition.values.length)
      context.addIssue({ code: 'custom', path: ['values'], message: 'must not repeat a value' });
  })
  .meta({ id: 'AttributeDefinition' });
export type AttributeDefinition = z.infer<typeof AttributeDefinition>;

export const PutTypeBody = z
  .strictObject({
    kind: z.enum(TYPE_KINDS),
    description: Text(1024).optional(),
    attributes: withinBytes(
      z
        .record(AttributeName, AttributeDefinition)
        .refine((record) => Object.keys(record).length <= MAX_TYPE_ATTRIBUTES, {
          message: `at most ${MAX_TYPE_ATTRIBUTES} attributes`,
        })
        .meta({ maxProperties: MAX_TYPE_ATTRIBUTES }),
      MAX_TYPE_ATTRIBUTES_BYTES,
      'the attribute definitions',
    ),
    additionalAttributes: z.boolean().optional().meta({
      description: 'Whether attributes the type does not declare are accepted (default false)',
    }),
  })
  .meta({ id: 'TypeDefinitionBody', description: 'A new version of a tenant-defined type' });
export type PutTypeBody = z.infer<typeof PutTypeBody>;

export const TypeDefinition = z
  .object({
    name: z.string(),
    version: z.number().int(),
    kind: z.enum(TYPE_KINDS),
    description: z.string().optional(),
    attributes: z.record(z.string(), AttributeDefinition),
    additionalAttributes: z.boolean(),
    createdAt: IsoDateTime,
    createdBy: z.object({ sub: z.string(), tenant: z.string() }),
  })
  .meta({ id: 'TypeDefinition' });

export const TypeList = z
  .object({ items: z.array(TypeDefinition), nextCursor: z.string().optional() })
  .meta({ id: 'TypeList', description: 'The latest version of each type, by name' });

export const TypeNameParams = z.strictObject({ name: Slug });

export const GetTypeQuery = z.strictObject({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000_000)
    .optional()
    .meta({ description: 'A given version (default the latest)' }),
});
export type GetTypeQuery = z.infer<typeof GetTypeQuery>;

export const ListTypesQuery = z.strictObject({
  kind: z.enum(TYPE_KINDS).optional(),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type ListTypesQuery = z.infer<typeof ListTypesQuery>;
