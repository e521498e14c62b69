import * as z from 'zod';
import { LIFECYCLE_STATES } from '../domain/lifecycle-states';
import {
  Attributes,
  AttributesPatch,
  Cursor,
  Id,
  Identifier,
  IsoDateTime,
  Label,
  Limit,
  PositionPath,
  Slug,
  Text,
} from './common';

export const Lifecycle = z.enum(LIFECYCLE_STATES);

export const COMPONENT_KINDS = ['mechanical', 'electrical', 'software'] as const;

export const Product = z.strictObject({
  partNumber: Identifier,
  revision: Label(64).optional(),
  name: Text(256).optional(),
});

export const Component = z
  .strictObject({
    partNumber: Identifier,
    serialNumber: Identifier.optional(),
    revision: Label(64).optional(),
    kind: z.enum(COMPONENT_KINDS),
    softwareVersion: Label(64).optional(),
    twinId: Id.optional(),
    type: Slug.optional().meta({
      description: 'A component type of the tenant: attributes are validated against it',
    }),
    attributes: Attributes.optional(),
  })
  .meta({ id: 'Component' });
export type Component = z.infer<typeof Component>;

export interface AsBuiltNode {
  position: string;
  name?: string;
  component?: Component | null;
  children?: AsBuiltNode[];
}

export const AsBuiltNode: z.ZodType<AsBuiltNode> = z
  .strictObject({
    position: Slug,
    name: Text(256).optional(),
    component: Component.nullable().optional(),
    get children() {
      return z.array(AsBuiltNode).max(10_000).optional();
    },
  })
  .meta({ id: 'AsBuiltNode' });

export const CreateTwinBody = z
  .strictObject({
    serialNumber: Identifier,
    product: Product,
    oem: Identifier.optional(),
    site: Label(128).optional(),
    type: Slug.optional(),
    attributes: Attributes.optional(),
    builtAt: IsoDateTime.optional(),
    configuration: z.array(AsBuiltNode).max(10_000),
  })
  .meta({ id: 'AsBuiltRecord', description: 'The as-built record a twin is created from' });
export type CreateTwinBody = z.infer<typeof CreateTwinBody>;

export const PatchTwinBody = z
  .strictObject({
    site: Label(128).nullable().optional(),
    type: Slug.nullable().optional(),
    attributes: AttributesPatch.optional(),
    reason: Text(1024).optional().meta({
      description: "Why, for the history entry; default: the fields edited (edit of the twin's site)",
    }),
    workOrder: Label(128).optional(),
    effectiveAt: IsoDateTime.optional().meta({
      description:
        "When it took effect on the unit (valid time); default now. Not before the twin's last edit",
    }),
  })
  .refine((body) => ['site', 'type', 'attributes'].some((field) => field in body), {
    message: 'at least one of site, type, attributes',
  })
  .meta({ id: 'TwinPatch' });
export type PatchTwinBody = z.infer<typeof PatchTwinBody>;

export interface Node {
  position: string;
  path: string;
  name?: string;
  component: Component | null;
  children: Node[];
}

export const Node: z.ZodType<Node> = z
  .object({
    position: z.string(),
    path: z.string(),
    name: z.string().optional(),
    component: Component.nullable(),
    get children() {
      return z.array(Node);
    },
  })
  .meta({ id: 'Node' });

export const Twin = z
  .object({
    id: Id,
    serialNumber: z.string(),
    product: Product,
    oem: z.string().optional(),
    site: z.string().optional(),
    lifecycle: Lifecycle,
    type: z.string().optional(),
    typeVersion: z.number().int().optional().meta({ description: 'The type version last validated against' }),
    attributes: Attributes,
    version: z.number().int(),
    builtAt: IsoDateTime,
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    configuration: z.array(Node),
  })
  .meta({ id: 'Twin' });

export const TwinSummary = Twin.omit({ configuration: true }).meta({ id: 'TwinSummary' });

export const TwinList = z
  .object({ items: z.array(TwinSummary), nextCursor: z.string().optional() })
  .meta({ id: 'TwinList' });

export const TwinIdParams = z.strictObject({ id: Id });

export const ListTwinsQuery = z.strictObject({
  site: Label(128).optional(),
  partNumber: Identifier.optional(),
  serialNumber: Identifier.optional(),
  lifecycle: Lifecycle.optional(),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type ListTwinsQuery = z.infer<typeof ListTwinsQuery>;

export { PositionPath };
