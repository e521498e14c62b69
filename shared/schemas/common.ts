import * as z from 'zod';

/** A position slug: one segment of a configuration path. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Deepest configuration tree accepted (root positions are depth 1). */
export const MAX_DEPTH = 32;
/** Most positions one twin may hold. */
export const MAX_POSITIONS = 10_000;

export const Slug = z
  .string()
  .regex(SLUG_PATTERN, 'must be a slug: lower-case letters, digits, ".", "_" or "-", 1 to 64 characters')
  .meta({ example: 'engine-1' });

export const PositionPath = z
  .string()
  .max(MAX_DEPTH * 65)
  .refine((path) => path.split('/').every((segment) => SLUG_PATTERN.test(segment)), {
    message: 'must be slugs joined by "/"',
  })
  .refine((path) => path.split('/').length <= MAX_DEPTH, {
    message: `must be at most ${MAX_DEPTH} levels deep`,
  })
  .meta({ example: 'engine-1/fadec/sw' });

export const Id = z
  .ulid()
  .meta({ description: 'Server-assigned ULID', example: '01JD3Q6Z8V1K9M2N3P4R5S6T7V' });

export const IsoDateTime = z.iso.datetime({ offset: true }).meta({ example: '2026-03-01T00:00:00Z' });

/** Bounded free text. */
export const Text = (max: number) => z.string().min(1).max(max);

export const Identifier = Text(128).regex(/^[^\s#][^#]*$/, 'must not start with a space or contain "#"');

const AttributeScalar = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);
export const AttributeValue = z.union([AttributeScalar, z.array(AttributeScalar).max(100)]);
export const Attributes = z
  .record(z.string().min(1).max(128), AttributeValue)
  .refine((record) => Object.keys(record).length <= 200, { message: 'at most 200 attributes' })
  .meta({ id: 'Attributes', description: 'Free attributes (validated against the type, when one is set)' });

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(25)
  .meta({ description: 'Page size, 1 to 100' });

export const Cursor = z.string().min(1).max(2048).meta({ description: 'Opaque cursor from a previous page' });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const ROLES = ['admin', 'engineer', 'technician', 'viewer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
