import * as z from 'zod';
import { DOCUMENT_KINDS } from '../domain/document';
import {
  AttributeName,
  Cursor,
  Id,
  Identifier,
  IsoDateTime,
  Label,
  Limit,
  PositionPath,
  Role,
  TenantId,
} from './common';
import { COMPONENT_KINDS } from './twin';

/** What a party or a role sees of a twin. An absent list allows everything, an empty list nothing. */
export const ViewBody = z
  .strictObject({
    name: Label(128),
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
    usage: z
      .boolean()
      .optional()
      .meta({ description: 'Usage, life and removals (absent: hidden; shown only with true)' }),
    conformance: z.boolean().optional().meta({
      description:
        'Conformance to the configuration model, compliance with bulletins and directives, allowed alternatives (absent: hidden)',
    }),
  })
  .meta({ id: 'ViewDefinition' });
export type ViewBody = z.infer<typeof ViewBody>;

export const GRANT_PURPOSES = ['contractor', 'paas', 'supplier', 'other'] as const;
export const GRANT_PERMISSIONS = ['read', 'inspect', 'change'] as const;
export type GrantPermission = (typeof GRANT_PERMISSIONS)[number];

export const TwinSelector = z
  .strictObject({
    ids: z.array(Id).min(1).max(100).optional(),
    site: Label(128).optional(),
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
    grantee: TenantId.meta({ description: 'Tenant id of the party that receives the grant' }),
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
  grantee: TenantId.optional(),
  active: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'Only grants in force now (true) or not (false)' }),
});
export const RoleViewParams = z.strictObject({ role: Role });
export const RoleViewBody = z.strictObject({
  viewId: Id.nullable().meta({ description: 'null: the role sees everything' }),
});

export const SharedTwinParams = z.strictObject({ owner: TenantId, id: Id });
export const SharedListQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  purpose: z.enum(GRANT_PURPOSES).optional(),
  partNumber: Identifier.optional(),
  owner: TenantId.optional(),
});
export const InstalledBaseQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  partNumber: Identifier.optional(),
  owner: TenantId.optional(),
});
export const SharedDocumentParams = z.strictObject({ owner: TenantId, id: Id, documentId: Id });
/** A serial installed in a shared twin: its usage and life are read through that twin's grants. */
export const SharedComponentParams = z.strictObject({
  owner: TenantId,
  id: Id,
  partNumber: Identifier,
  serialNumber: Identifier,
});

export const View = ViewBody.extend({
  id: Id,
  version: z.number().int(),
  createdAt: IsoDateTime,
}).meta({ id: 'View' });

export const ViewList = z
  .object({ items: z.array(View), nextCursor: z.string().optional() })
  .meta({ id: 'ViewList' });

export const Grant = z
  .object({
    id: Id,
    owner: z.string(),
    grantee: z.string(),
    viewId: Id,
    viewVersion: z
      .number()
      .int()
      .meta({ description: 'The view version the grant pinned when it was given' }),
    view: View,
    twins: TwinSelector,
    purpose: z.enum(GRANT_PURPOSES),
    permissions: z.array(z.enum(GRANT_PERMISSIONS)),
    validFrom: IsoDateTime.optional(),
    validTo: IsoDateTime.optional(),
    active: z.boolean(),
    createdAt: IsoDateTime,
    revokedAt: IsoDateTime.optional(),
    declinedAt: IsoDateTime.optional().meta({
      description: 'When the grantee declined it: it then gives no access (shown to the owner)',
    }),
    declinedBy: z.object({ sub: z.string(), tenant: z.string() }).optional(),
  })
  .meta({ id: 'Grant' });

export const GrantList = z
  .object({ items: z.array(Grant), nextCursor: z.string().optional() })
  .meta({ id: 'GrantList' });

export const RoleViews = z
  .object({ roles: z.record(z.string(), Id), views: z.record(z.string(), View) })
  .meta({ id: 'RoleViews' });

const SharedItem = z.object({ owner: z.string(), twin: z.record(z.string(), z.unknown()) });

export const SharedTwinList = z
  .object({ items: z.array(SharedItem), nextCursor: z.string().optional() })
  .meta({
    id: 'SharedTwinList',
    description: 'Twins shared with my tenant, each projected through its grants',
  });

export const InstalledBase = z
  .object({
    items: z.array(SharedItem),
    counts: z
      .object({
        byProduct: z.record(z.string(), z.number().int()),
        bySoftwareVersion: z.record(z.string(), z.record(z.string(), z.number().int())),
      })
      .optional()
      .meta({ description: 'Over the whole installed base; on the first page' }),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'InstalledBase' });

export const ReceivedGrantsQuery = z.strictObject({ owner: TenantId.optional() });

export const ReceivedGrantParams = z.strictObject({ id: Id });

export const DeclinedGrant = z
  .object({ id: Id, owner: z.string(), declinedAt: IsoDateTime })
  .meta({ id: 'DeclinedGrant', description: 'A grant my tenant declined: it gives no access from now on' });

export const ReceivedGrantList = z
  .object({ items: z.array(Grant.omit({ active: true, declinedAt: true, declinedBy: true })) })
  .meta({ id: 'ReceivedGrantList', description: 'Grants in force now, given to my tenant' });
