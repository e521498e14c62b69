import * as z from 'zod';
import { MAX_REPORTED_ERRORS } from '../domain/errors';
import { TENANT_PATTERN } from '../domain/tenant';

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

/**
 * Characters no text may hold: C0/C1 controls other than tab, line feed and carriage return, and
 * lone surrogates (they cannot be encoded as UTF-8, so they would not read back).
 */
const UNSTORABLE = /(?![\t\n\r])\p{Cc}|\p{Cs}/u;
const storable = (value: string) => !UNSTORABLE.test(value);
const STORABLE_MESSAGE = 'must not contain control characters or lone surrogates';

/** Free text of at most `max` characters, possibly empty: NFC-normalized, no controls but tab and newlines. */
export const FreeText = (max: number) =>
  z.string().normalize('NFC').max(max).refine(storable, STORABLE_MESSAGE);

/** Bounded free text (reasons, titles, descriptions), not empty. */
export const Text = (max: number) => FreeText(max).min(1);

/**
 * The identifier alphabet (README "Limits"): printable Unicode. Refused: every character of general
 * category C (controls, format characters such as the bidi overrides U+202A-U+202E and U+2066-U+2069,
 * zero-width characters and the BOM, lone surrogates, private use, unassigned code points) and the
 * line and paragraph separators; whitespace at either end. Values are NFC-normalized first, so "é"
 * typed precomposed or decomposed is one identifier. Look-alikes (Latin "A" and Cyrillic "А", "0"
 * and "O") are distinct characters and are not folded.
 */
const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;
const PRINTABLE_MESSAGE =
  'must be printable: no control, format (bidi, zero-width), private-use or unassigned characters, no lone surrogates';
const EDGE_SPACE = /^\s|\s$/u;
/** What cannot go into one URL path segment unambiguously (API Gateway decodes the path before routing). */
const PATH_UNSAFE = /[/\\#%?]/;
const DOT_SEGMENT = /^\.{1,2}$/;

/** An identifier of the alphabet above, 1 to `max` characters (UTF-16 code units) after NFC. */
export const Label = (max: number) =>
  z
    .string()
    .normalize('NFC')
    .min(1)
    .max(max)
    .refine((value) => !NOT_PRINTABLE.test(value), PRINTABLE_MESSAGE)
    .refine((value) => !EDGE_SPACE.test(value), 'must not start or end with whitespace');

/** Most characters of a part number, serial number or other identifier. */
export const MAX_IDENTIFIER_LENGTH = 128;

/**
 * Part numbers, serial numbers, OEMs: identifiers that go into URL paths
 * (`/v1/components/{partNumber}/{serialNumber}`) and keys, so they also exclude `/ \ # % ?` and are
 * not `.` or `..`.
 */
export const Identifier = Label(MAX_IDENTIFIER_LENGTH)
  .refine((value) => !PATH_UNSAFE.test(value), 'must not contain "/", "\\", "#", "%" or "?"')
  .refine((value) => !DOT_SEGMENT.test(value), 'must not be "." or ".."')
  .meta({
    description:
      'Printable Unicode, NFC-normalized: no control, format (bidi, zero-width), private-use or unassigned characters, no lone surrogates, no whitespace at either end, none of / \\ # % ?, not . or .. (README "Limits")',
  });

/** A tenant id, as tokens carry it: it goes into every key, so it keeps to a safe alphabet (no "#"). */
export const TenantId = z
  .string()
  .regex(TENANT_PATTERN, 'must be a tenant id: letters, digits, ".", "_" or "-", 1 to 64 characters')
  .meta({ example: 'acme-air' });

/** Attribute names that would reach an object's prototype: refused everywhere an attribute is named. */
export const RESERVED_ATTRIBUTE_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];
export const MAX_ATTRIBUTE_NAME_LENGTH = 128;
export const AttributeName = Label(MAX_ATTRIBUTE_NAME_LENGTH).refine(
  (name) => !RESERVED_ATTRIBUTE_NAMES.includes(name),
  `must not be ${RESERVED_ATTRIBUTE_NAMES.join(', ')}`,
);

/** Most attributes one twin or component carries. */
export const MAX_ATTRIBUTES = 200;
/** Longest string attribute value. */
export const MAX_ATTRIBUTE_STRING = 4096;
/** Most values of one array attribute. */
export const MAX_ATTRIBUTE_ARRAY = 100;
/** Most bytes of one attribute map, as JSON (UTF-8): a twin or component item stays far below 400 KB. */
export const MAX_ATTRIBUTES_BYTES = 32 * 1024;
/** Smallest magnitude of a non-zero number DynamoDB stores (1E-130). */
const MIN_NUMBER_MAGNITUDE = 1e-130;

/**
 * A number stored exactly: finite, of magnitude at most 2^53 - 1 (so integers are exact and every
 * value round-trips through DynamoDB's decimal numbers), and zero or at least 1e-130 in magnitude.
 */
export const isStorableNumber = (value: unknown): value is number =>
  typeof value === 'number' &&
  Number.isFinite(value) &&
  Math.abs(value) <= Number.MAX_SAFE_INTEGER &&
  (value === 0 || Math.abs(value) >= MIN_NUMBER_MAGNITUDE);

const AttributeNumber = z
  .number()
  .min(-Number.MAX_SAFE_INTEGER)
  .max(Number.MAX_SAFE_INTEGER)
  .refine(
    (value) => value === 0 || Math.abs(value) >= MIN_NUMBER_MAGNITUDE,
    'must be 0 or at least 1e-130 in magnitude',
  );

const AttributeScalar = z.union(
  [
    z.string().max(MAX_ATTRIBUTE_STRING).refine(storable, STORABLE_MESSAGE),
    AttributeNumber,
    z.boolean(),
    z.null(),
  ],
  { error: 'must be a string, a number, true, false or null' },
);
/** The one attribute value every write path takes: a scalar, or an array of at most 100 scalars. */
export const AttributeValue = z.union([AttributeScalar, z.array(AttributeScalar).max(MAX_ATTRIBUTE_ARRAY)], {
  error: `must be a string, a number, true, false, null or an array of at most ${MAX_ATTRIBUTE_ARRAY} of them (no objects)`,
});

/** UTF-8 bytes of a value as JSON. */
const utf8 = new TextEncoder();
export const jsonBytes = (value: unknown): number => utf8.encode(JSON.stringify(value) ?? '').length;

/** The bounds of one attribute map (count and bytes), as a message, or null when it fits. */
export function attributeMapProblem(attributes: Record<string, unknown>): string | null {
  if (Object.keys(attributes).length > MAX_ATTRIBUTES) return `at most ${MAX_ATTRIBUTES} attributes`;
  if (jsonBytes(attributes) > MAX_ATTRIBUTES_BYTES)
    return `at most ${MAX_ATTRIBUTES_BYTES} bytes of attributes (as JSON)`;
  return null;
}

const boundedMap = <T extends z.ZodType>(value: T) =>
  z
    .record(AttributeName, value, {
      // name the rule the key breaks, not just "Invalid key in record"
      error: (issue) => (issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined),
    })
    .superRefine((record, context) => {
      const problem = attributeMapProblem(record);
      if (problem !== null) context.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      maxProperties: MAX_ATTRIBUTES,
      propertyNames: {
        minLength: 1,
        maxLength: MAX_ATTRIBUTE_NAME_LENGTH,
        not: { enum: [...RESERVED_ATTRIBUTE_NAMES] },
      },
    });

/** Most bytes of one record as JSON: DynamoDB's item limit is 400 KB, names and values counted. */
export const MAX_ITEM_BYTES = 350 * 1024;

/** Most bytes of the operations of one change set, as JSON: its record and its event repeat them. */
export const MAX_OPERATIONS_BYTES = 256 * 1024;

/** Most bytes of the observations of one inspection, as JSON: its record also holds the discrepancies. */
export const MAX_OBSERVED_BYTES = 96 * 1024;

/** Issues that mean "too large to store" rather than "invalid": the request is answered 413. */
export const TOO_LARGE = { status: 413 } as const;

/** An array whose JSON must fit `max` bytes (a 413 naming the field otherwise). */
export const withinBytes = <T extends z.ZodType>(schema: T, max: number, what: string) =>
  schema.superRefine((value, context) => {
    if (jsonBytes(value) > max)
      context.addIssue({
        code: 'custom',
        message: `${what} hold more than ${max} bytes as JSON`,
        params: TOO_LARGE,
      });
  });

export const Attributes = boundedMap(AttributeValue).meta({
  id: 'Attributes',
  description: `Free attributes (validated against the type, when one is set): at most ${MAX_ATTRIBUTES}, ${MAX_ATTRIBUTES_BYTES} bytes as JSON`,
});

/** A JSON merge patch of attributes (PATCH of a twin, update of a component): null removes a key. */
export const AttributesPatch = boundedMap(AttributeValue).meta({
  id: 'AttributesPatch',
  description: 'JSON merge patch of the attributes: null removes a key',
});

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
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .max(MAX_REPORTED_ERRORS)
      .optional()
      .meta({ description: `The bad fields, at most ${MAX_REPORTED_ERRORS}` }),
    errorCount: z
      .number()
      .int()
      .optional()
      .meta({
        description: `How many bad fields there were, when there were more than ${MAX_REPORTED_ERRORS}`,
      }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const ROLES = ['admin', 'engineer', 'technician', 'viewer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
