import type { Operation } from '../schemas/change';
import { isStorableNumber } from '../schemas/common';
import type { AsBuiltNode, Component, CreateTwinBody, PatchTwinBody } from '../schemas/twin';
import type { AttributeDefinition, PutTypeBody } from '../schemas/types';
import type { FieldError } from './errors';
import type { Actor } from './records';

/**
 * Tenant-defined types (the dynamic data model): pure rules, no I/O. A type is versioned; whatever
 * names a type is checked against the latest version when it is written, and remembers that version.
 */
export interface TypeRecord {
  name: string;
  version: number;
  kind: 'twin' | 'component';
  description?: string;
  attributes: Record<string, AttributeDefinition>;
  additionalAttributes: boolean;
  createdAt: string;
  createdBy: Actor;
}

/** The next version of a type: 1 for a new name, else one more than the latest. */
export function nextTypeVersion(
  name: string,
  body: PutTypeBody,
  latest: TypeRecord | null,
  context: { now: Date; actor: Actor },
): TypeRecord {
  return {
    name,
    version: (latest?.version ?? 0) + 1,
    kind: body.kind,
    ...(body.description === undefined ? {} : { description: body.description }),
    attributes: body.attributes,
    additionalAttributes: body.additionalAttributes ?? false,
    createdAt: context.now.toISOString(),
    createdBy: context.actor,
  };
}

/** The attributes a type marks `searchable` (GET /v1/search finds twins by their values); none without a type. */
export const searchableAttributes = (type: Pick<TypeRecord, 'attributes'> | null): string[] =>
  type === null
    ? []
    : Object.entries(type.attributes)
        .filter(([, definition]) => definition.searchable === true)
        .map(([name]) => name);

/** "number, kN" or "one of A, B": what an attribute holds, for messages. */
export function describeAttribute(definition: AttributeDefinition): string {
  const what =
    definition.type === 'enum' ? `one of ${(definition.values ?? []).join(', ')}` : definition.type;
  return definition.unit === undefined ? what : `${what}, ${definition.unit}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar date (`2026-03-01`) or an ISO date-time with an offset, that exists in the calendar. */
export function isIsoDate(value: string): boolean {
  if (ISO_DATE.test(value)) return new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) return false;
  const day = value.slice(0, 10);
  return new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
}

/** Is `value` of the attribute's type? */
export function fitsAttribute(definition: AttributeDefinition, value: unknown): boolean {
  switch (definition.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return isStorableNumber(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && isIsoDate(value);
    case 'enum':
      return typeof value === 'string' && (definition.values ?? []).includes(value);
  }
}

const mismatch = (definition: AttributeDefinition): string =>
  definition.type === 'enum'
    ? `must be one of ${(definition.values ?? []).join(', ')}`
    : `must be ${definition.type === 'integer' ? 'an' : 'a'} ${definition.type}${
        definition.type === 'date' ? ' (YYYY-MM-DD or ISO date-time)' : ''
      }${definition.unit === undefined ? '' : ` (${definition.unit})`}`;

const definitionOf = (type: TypeRecord, name: string): AttributeDefinition | undefined =>
  Object.hasOwn(type.attributes, name) ? type.attributes[name] : undefined;

/** One written value against the type: its definition, or refused when the type is closed. */
function checkValue(type: TypeRecord, name: string, value: unknown, field: string): FieldError | null {
  const definition = definitionOf(type, name);
  if (definition === undefined)
    return type.additionalAttributes
      ? null
      : {
          path: `${field}.${name}`,
          message: `not an attribute of type ${type.name} (version ${type.version})`,
        };
  return fitsAttribute(definition, value)
    ? null
    : { path: `${field}.${name}`, message: mismatch(definition) };
}

/**
 * Attributes of something new (a twin created, a component installed, a twin given a type): every
 * required attribute present, every present one valid, none undeclared unless the type allows it.
 * `null` counts as absent. `field` is where the attributes sit in the request (`body.attributes`).
 */
export function checkAttributes(
  type: TypeRecord,
  attributes: Record<string, unknown>,
  field: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, definition] of Object.entries(type.attributes)) {
    const value = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
    if (definition.required && (value === undefined || value === null))
      errors.push({ path: `${field}.${name}`, message: `required (${describeAttribute(definition)})` });
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null) continue;
    const error = checkValue(type, name, value, field);
    if (error) errors.push(error);
  }
  return errors;
}

/**
 * A merge patch of the attributes of something that already has the type: each value written is
 * valid, and a required attribute is not removed. Required attributes the thing lacks and the patch
 * does not touch are not asked for: a later version that adds a required attribute does not block
 * unrelated edits of what was valid when written (it is asked for when the type is set anew).
 */
export function checkAttributePatch(
  type: TypeRecord,
  patch: Record<string, unknown>,
  field: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(patch)) {
    const definition = definitionOf(type, name);
    if (value === null) {
      if (definition?.required)
        errors.push({ path: `${field}.${name}`, message: `required (${describeAttribute(definition)})` });
      continue;
    }
    const error = checkValue(type, name, value, field);
    if (error) errors.push(error);
  }
  return errors;
}

/** Something a write names a type for: where the type and the attributes sit in the request. */
export interface TypedWrite {
  typeName: string;
  /** Where the type name is, to name it when no such type exists. */
  typeField: string;
  /** What carries it: a component must name a component type; a twin may name either kind. */
  use: 'twin' | 'component';
  attributes: Record<string, unknown>;
  attributesField: string;
  mode: 'full' | 'patch';
  /** A type named before it was defined (stored, not in the request): no check when it is unknown. */
  tolerateUnknown?: boolean;
}

const componentWrite = (component: Component, field: string): TypedWrite[] =>
  component.type === undefined
    ? []
    : [
        {
          typeName: component.type,
          typeField: `${field}.type`,
          use: 'component',
          attributes: component.attributes ?? {},
          attributesField: `${field}.attributes`,
          mode: 'full',
        },
      ];

/** What an as-built record names types for: the twin, and every component of its tree that has a type. */
export function asBuiltTypedWrites(body: CreateTwinBody): TypedWrite[] {
  const writes: TypedWrite[] =
    body.type === undefined
      ? []
      : [
          {
            typeName: body.type,
            typeField: 'body.type',
            use: 'twin',
            attributes: body.attributes ?? {},
            attributesField: 'body.attributes',
            mode: 'full',
          },
        ];
  const visit = (nodes: readonly AsBuiltNode[], field: string) => {
    nodes.forEach((node, index) => {
      const at = `${field}[${index}]`;
      if (node.component) writes.push(...componentWrite(node.component, `${at}.component`));
      if (node.children) visit(node.children, `${at}.children`);
    });
  };
  visit(body.configuration, 'body.configuration');
  return writes;
}

/**
 * What a PATCH of a twin names a type for. A new type checks all the merged attributes (the twin
 * becomes a thing of that type); a patch of attributes under the twin's type checks what it writes.
 */
export function twinPatchTypedWrites(
  current: { type?: string; attributes: Record<string, unknown> },
  patch: PatchTwinBody,
  merged: Record<string, unknown>,
): TypedWrite[] {
  if (patch.type === null) return [];
  if (patch.type !== undefined && patch.type !== current.type)
    return [
      {
        typeName: patch.type,
        typeField: 'body.type',
        use: 'twin',
        attributes: merged,
        attributesField: 'body.attributes',
        mode: 'full',
      },
    ];
  if (current.type === undefined || patch.attributes === undefined) return [];
  return [
    {
      typeName: current.type,
      typeField: 'body.type',
      use: 'twin',
      attributes: patch.attributes,
      attributesField: 'body.attributes',
      mode: 'patch',
      tolerateUnknown: patch.type === undefined,
    },
  ];
}

/**
 * What a change set names types for, operation by operation on the configuration as it stands
 * (`installed`: position path → component now there): components installed or replaced with a
 * type, and attribute updates of a component whose type is known.
 */
export function changeSetTypedWrites(
  installed: ReadonlyMap<string, Component>,
  operations: readonly Operation[],
): TypedWrite[] {
  const seats = new Map(installed);
  const writes: TypedWrite[] = [];
  operations.forEach((operation, index) => {
    const field = `body.operations[${index}]`;
    switch (operation.op) {
      case 'install':
      case 'replace':
        writes.push(...componentWrite(operation.component, `${field}.component`));
        seats.set(operation.position, operation.component);
        break;
      case 'remove':
        seats.delete(operation.position);
        break;
      case 'move': {
        const moving = seats.get(operation.from);
        seats.delete(operation.from);
        if (moving) seats.set(operation.to, moving);
        break;
      }
      case 'update': {
        const type = seats.get(operation.position)?.type;
        if (type !== undefined && operation.attributes !== undefined)
          writes.push({
            typeName: type,
            typeField: `${field}.position`,
            use: 'component',
            attributes: operation.attributes,
            attributesField: `${field}.attributes`,
            mode: 'patch',
            tolerateUnknown: true,
          });
        break;
      }
      default:
        break;
    }
  });
  return writes;
}

/** Checks each write against its type (`types`: name → latest version, missing when undefined). */
export function checkTypedWrites(writes: readonly TypedWrite[], types: ReadonlyMap<string, TypeRecord>) {
  const errors: FieldError[] = [];
  for (const write of writes) {
    const type = types.get(write.typeName);
    if (type === undefined) {
      if (!write.tolerateUnknown)
        errors.push({ path: write.typeField, message: `no type ${write.typeName} is defined` });
      continue;
    }
    if (write.use === 'component' && type.kind !== 'component') {
      errors.push({
        path: write.typeField,
        message: `${type.name} is a twin type: a component needs a component type`,
      });
      continue;
    }
    errors.push(
      ...(write.mode === 'full'
        ? checkAttributes(type, write.attributes, write.attributesField)
        : checkAttributePatch(type, write.attributes, write.attributesField)),
    );
  }
  return errors;
}
