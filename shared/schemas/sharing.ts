import * as z from 'zod';
import { DOCUMENT_KINDS } from '../domain/document';
import { Cursor, Id, Identifier, IsoDateTime, Limit, PositionPath, Role, Text } from './common';
import { COMPONENT_KINDS } from './twin';

const AttributeName = z.string().min(1).max(128);

/** What a party or a role sees of a twin. An absent list allows everything, an empty list nothing. */
export const ViewBody = z
  .strictObject({
    name: Text(128),
    positions: z
      .array(PositionPath)
      .max(100)
      .optional()
      .meta({ description: 'Position path prefixes: a position outside them is absent from every answer' }),
    kinds: z.array(z.enum(COMPONENT_KINDS)).max(3).optional(),
    twinAttributes: z.array(AttributeName).max(200).optional(),
    componentAttributes: z.array(AttributeName).max(200).optional(),
    history: z
      .boolean()
      .optional()
      .meta({ description: 'Change history, time travel and diffs (absent: shown)' }),
    documentKinds: z.array(z.enum(DOCUMENT_KINDS)).max(DOCUMENT_KINDS.length).optional(),
    baselines: z.boolean().optional().meta({ description: 'Baselines (absent: shown)' }),
  })
  .meta({ id: 'ViewDefinition' });
export type ViewBody = z.infer<typeof ViewBody>;

export const GRANT_PURPOSES = ['contractor', 'paas', 'supplier', 'other'] as const;
export const GRANT_PERMISSIONS = ['read', 'inspect', 'change'] as const;
export type GrantPermission = (typeof GRANT_PERMISSIONS)[number];

export const TwinSelector = z
  .strictObject({
    ids: z.array(Id).min(1).max(100).optional(),
    site: Text(128).optional(),
    partNumber: Identifier.optional(),
  })
  .refine((selector) => Object.keys(selector).length > 0, {
    message: 'name the twins: ids, site and/or partNumber',
  })
  .meta({
    id: 'TwinSelector',
    description: 'Twins matching every given field; site and partNumber also cover twins created later',
  });

export const GrantBody = z
  .strictObject({
    grantee: Identifier.meta({ description: 'Tenant id of the party that receives the grant' }),
    viewId: Id,
    twins: TwinSelector,
    purpose: z.enum(GRANT_PURPOSES),
    permissions: z
      .array(z.enum(GRANT_PERMISSIONS))
      .min(1)
      .refine((permissions) => permissions.includes('read'), { message: 'must include read' }),
    validFrom: IsoDateTime.optional(),
    validTo: IsoDateTime.optional(),
  })
  .refine(
    (grant) => !grant.validFrom || !grant.validTo || Date.parse(grant.validFrom) < Date.parse(grant.validTo),
    {
      message: 'validTo must be after validFrom',
      path: ['validTo'],
    },
  )
  .meta({ id: 'GrantRequest' });
export type GrantBody = z.infer<typeof GrantBody>;

export const ViewParams = z.strictObject({ id: Id });
export const ViewQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
export const PageQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export const GrantParams = z.strictObject({ id: Id });
export const ListGrantsQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  grantee: Identifier.optional(),
  active: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'Only grants in force now (true) or not (false)' }),
});
export const RoleViewParams = z.strictObject({ role: Role });
export const RoleViewBody = z.strictObject({
  viewId: Id.nullable().meta({ description: 'null: the role sees everything' }),
});

export const SharedTwinParams = z.strictObject({ owner: Identifier, id: Id });
export const SharedListQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  purpose: z.enum(GRANT_PURPOSES).optional(),
  partNumber: Identifier.optional(),
  owner: Identifier.optional(),
});
export const InstalledBaseQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  partNumber: Identifier.optional(),
  owner: Identifier.optional(),
});
export const SharedDocumentParams = z.strictObject({ owner: Identifier, id: Id, documentId: Id });
