import * as z from 'zod';
import { Cursor, IsoDateTime, Limit, TenantId } from './common';
import { AasReference } from './exchange';

/**
 * The AAS API read profile (AAS API 3.1 AAS and Submodel Repository, 3.2 history): parameters and
 * answers. Shells and submodels are declared loosely, as the AAS metamodel defines them; the tests
 * validate the answers against the schemas of the AAS API itself (test/support/standards).
 */

const Identifier = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+={0,2}$/)
  .meta({ description: 'The identifier (id) of the shell or submodel, base64url-encoded' });

export const ShellParams = z.object({ aasIdentifier: Identifier });
export const SubmodelParams = z.object({ submodelIdentifier: Identifier });
export const ElementParams = z.object({
  submodelIdentifier: Identifier,
  idShortPath: z
    .string()
    .min(1)
    .max(4096)
    .meta({ description: 'idShorts joined by dots, list items by index: EntryNode.engine_1[0]' }),
});
const Owner = z.object({ owner: TenantId });
export const SharedShellParams = Owner.extend(ShellParams.shape);
export const SharedSubmodelParams = Owner.extend(SubmodelParams.shape);
export const SharedElementParams = Owner.extend(ElementParams.shape);
export const OwnerParams = Owner;

export const AasPageQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
export type AasPageQuery = z.infer<typeof AasPageQuery>;
export const AasHistoryQuery = z.strictObject({
  date: IsoDateTime.meta({ description: 'The valid time (asOf) of the version asked for' }),
});
export const RecentChangesQuery = z.strictObject({
  updatedFrom: IsoDateTime.optional().meta({ description: 'Changes recorded at or after this time' }),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type RecentChangesQuery = z.infer<typeof RecentChangesQuery>;

export const AasShell = z
  .looseObject({
    modelType: z.literal('AssetAdministrationShell'),
    id: z.string(),
    assetInformation: z.looseObject({ assetKind: z.string() }),
    submodels: z.array(AasReference).optional(),
  })
  .meta({ id: 'AasShell', description: 'An Asset Administration Shell (IDTA-01001 V3.0 JSON)' });
export const AasSubmodel = z
  .looseObject({ modelType: z.literal('Submodel'), id: z.string() })
  .meta({ id: 'AasSubmodel', description: 'A Submodel (IDTA-01001 V3.0 JSON)' });
export const AasSubmodelElement = z
  .looseObject({ modelType: z.string() })
  .meta({ id: 'AasSubmodelElement', description: 'A SubmodelElement (IDTA-01001 V3.0 JSON)' });
export const AasValue = z
  .unknown()
  .meta({ id: 'AasValue', description: 'The value-only serialization (IDTA-01002 ValueOnly)' });

const paged = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      paging_metadata: z.object({ cursor: z.string().optional() }),
      result: z.array(item),
    })
    .meta({ id, description: 'A page (IDTA-01002 PagedResult): paging_metadata.cursor continues it' });

export const AasShellsPage = paged(AasShell, 'AasShellsPage');
export const AasSubmodelsPage = paged(AasSubmodel, 'AasSubmodelsPage');
export const AasReferencesPage = paged(AasReference, 'AasReferencesPage');
const RecentChange = z.object({
  id: z.string(),
  type: z.enum(['CREATED', 'UPDATED']),
  updatedAt: IsoDateTime,
  semanticId: AasReference.optional(),
  globalAssetId: z.string().optional(),
});
export const AasRecentChangesPage = paged(RecentChange, 'AasRecentChangesPage');

export const AasResult = z
  .object({
    messages: z.array(
      z.object({
        code: z.string(),
        messageType: z.enum(['Undefined', 'Info', 'Warning', 'Error', 'Exception']),
        text: z.string(),
        timestamp: z.string(),
        correlationId: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'AasResult', description: 'An AAS API Result (IDTA-01002): one message per problem' });
