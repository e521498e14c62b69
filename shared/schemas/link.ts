import * as z from 'zod';
import { DOCUMENT_KINDS } from '../domain/document';
import { Cursor, Id, Identifier, IsoDateTime, Limit, PositionPath } from './common';
import { RequirementCompliance } from './compliance';
import { AllowedPart } from './conformance';
import { Document } from './document';
import { ComponentLife } from './usage';

export const LinkBody = z
  .strictObject({
    documentId: Id,
    position: PositionPath.optional(),
    component: z.strictObject({ partNumber: Identifier, serialNumber: Identifier }).optional(),
  })
  .refine((body) => !(body.position && body.component), {
    message: 'link to a position or a component, not both',
  })
  .meta({
    id: 'LinkRequest',
    description: 'Without position or component, the document is linked to the twin',
  });
export type LinkBody = z.infer<typeof LinkBody>;

export const Link = z
  .object({
    documentId: Id,
    twinId: Id.optional(),
    position: z.string().optional(),
    component: z.object({ partNumber: z.string(), serialNumber: z.string() }).optional(),
    createdAt: IsoDateTime,
  })
  .meta({ id: 'Link' });

export const ThreadQuery = z.strictObject({
  position: PositionPath.optional().meta({ description: 'Only this position and its subtree' }),
  kind: z.enum(DOCUMENT_KINDS).optional(),
  asOf: IsoDateTime.optional().meta({ description: 'The configuration whose documents apply (default now)' }),
  limit: Limit.meta({ description: 'Inspections and changes per page (1–100, default 25), newest first' }),
  changesCursor: Cursor.optional().meta({ description: "The previous answer's changesNextCursor" }),
  inspectionsCursor: Cursor.optional().meta({ description: "The previous answer's inspectionsNextCursor" }),
});
export type ThreadQuery = z.infer<typeof ThreadQuery>;

export const Thread = z
  .object({
    documents: z.array(
      z.object({
        document: z.record(z.string(), z.unknown()),
        via: z.enum(['link', 'effectivity']),
        path: z.string().optional(),
      }),
    ),
    inspections: z.array(z.record(z.string(), z.unknown())),
    changes: z.array(z.record(z.string(), z.unknown())),
    inspectionsNextCursor: z
      .string()
      .optional()
      .meta({ description: 'More inspections follow: pass it as inspectionsCursor' }),
    changesNextCursor: z
      .string()
      .optional()
      .meta({ description: 'More changes follow: pass it as changesCursor' }),
  })
  .meta({ id: 'Thread' });

export const ApplicabilityQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: Cursor.optional(),
  scope: z.enum(['tenant', 'installed-base']).default('tenant').meta({
    description:
      "tenant (default): my own units; installed-base: the units other tenants shared with mine under paas or supplier grants, each through its grants' view",
  }),
});

export const Applicability = z
  .object({
    document: Document,
    total: z.number().int().optional().meta({
      description: 'Every unit it applies to; absent through a role view that hides positions or kinds',
    }),
    items: z.array(
      z.object({
        twinId: Id,
        path: z.string(),
        component: z.record(z.string(), z.unknown()),
        owner: z
          .string()
          .optional()
          .meta({ description: 'scope=installed-base: the tenant owning the unit' }),
        serialNumber: z.string().optional().meta({ description: "scope=installed-base: the unit's serial" }),
      }),
    ),
    scope: z.enum(['installed-base']).optional(),
    byOwner: z.record(z.string(), z.number().int()).optional().meta({
      description: 'scope=installed-base: the units it applies to, by owner',
    }),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'Applicability' });

export const WorkPackageQuery = z.strictObject({ position: PositionPath });

export const WorkPackage = z
  .object({
    twinId: Id,
    serialNumber: z.string(),
    position: z.string(),
    installed: z.array(
      z.object({ path: z.string(), component: z.record(z.string(), z.unknown()).nullable() }),
    ),
    documents: Thread.shape.documents,
    lastInspection: z.record(z.string(), z.unknown()).nullable(),
    openDiscrepancies: z.array(z.record(z.string(), z.unknown())),
    lifeRemaining: z
      .array(ComponentLife.extend({ path: z.string() }))
      .optional()
      .meta({ description: 'Life of the life-limited parts in scope (absent through a view without usage)' }),
    allowedAlternatives: z
      .array(z.object({ path: z.string(), modelVersion: z.number().int(), allowed: z.array(AllowedPart) }))
      .optional()
      .meta({
        description: "What the product's configuration model allows at each position, preferred first",
      }),
    openRequirements: z.array(RequirementCompliance).optional().meta({
      description:
        'Bulletins and directives applicable to the parts in scope not yet complied (open, due, overdue; absent through a view without conformance)',
    }),
  })
  .meta({ id: 'WorkPackage' });
