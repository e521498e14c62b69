import * as z from 'zod';
import { DOCUMENT_KINDS, MAX_DOCUMENT_BYTES } from '../domain/document';
import { Cursor, Id, Identifier, IsoDateTime, Limit, Text } from './common';
import { Requirement } from './compliance';
import { Effectivity } from './effectivity';

export const DocumentKind = z.enum(DOCUMENT_KINDS).meta({ id: 'DocumentKind' });

const ContentType = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9][\w.+-]*\/[A-Za-z0-9][\w.+-]*(\s*;.*)?$/, 'must be a media type, e.g. application/pdf')
  .meta({ description: 'Media type; each kind accepts its own', example: 'application/pdf' });

const Size = z
  .number()
  .int()
  .min(1)
  .max(MAX_DOCUMENT_BYTES)
  .meta({ description: 'Size in bytes, 1 byte to 5 GiB' });

const Sha256 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal digits')
  .meta({ description: 'SHA-256 of the content, hex (kept in lower case)' });

export const CreateDocumentBody = z
  .strictObject({
    kind: DocumentKind,
    title: Text(256),
    contentType: ContentType,
    size: Size,
    sha256: Sha256,
    effectivity: Effectivity.optional(),
    requirement: Requirement.optional().meta({
      description: 'Service bulletins and airworthiness directives only: what complying with it means',
    }),
  })
  .meta({ id: 'CreateDocument' });
export type CreateDocumentBody = z.infer<typeof CreateDocumentBody>;

export const CreateVersionBody = z
  .strictObject({
    contentType: ContentType.optional().meta({ description: "Default: the document's current one" }),
    size: Size,
    sha256: Sha256,
    requirement: Requirement.optional().meta({
      description: "Replaces the document's requirement from this version on (bulletins and directives only)",
    }),
  })
  .meta({ id: 'CreateDocumentVersion' });
export type CreateVersionBody = z.infer<typeof CreateVersionBody>;

export const DocumentIdParams = z.strictObject({ id: Id });

export const GetDocumentQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional().meta({ description: 'Default: the latest available' }),
});
export type GetDocumentQuery = z.infer<typeof GetDocumentQuery>;

export const ListDocumentsQuery = z.strictObject({
  kind: DocumentKind.optional(),
  partNumber: Identifier.optional().meta({ description: 'Effectivity part number' }),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type ListDocumentsQuery = z.infer<typeof ListDocumentsQuery>;

const VersionStatus = z.enum(['pending', 'available']);

export const DocumentVersion = z
  .object({
    version: z.number().int(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    status: VersionStatus,
    createdAt: IsoDateTime,
    createdBy: z.string(),
    availableAt: IsoDateTime.optional(),
  })
  .meta({ id: 'DocumentVersion' });

export const Document = z
  .object({
    id: Id,
    kind: DocumentKind,
    title: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    effectivity: Effectivity.optional(),
    requirement: Requirement.optional(),
    version: z.number().int().meta({ description: 'The version this answer describes' }),
    status: VersionStatus,
    latestVersion: z.number().int(),
    availableVersion: z.number().int().optional(),
    versions: z.array(DocumentVersion).optional(),
    createdAt: IsoDateTime,
    createdBy: z.string(),
    updatedAt: IsoDateTime,
  })
  .meta({ id: 'Document' });

const Upload = {
  uploadUrl: z.url().meta({ description: 'Presigned PUT, valid 5 minutes' }),
  uploadHeaders: z
    .record(z.string(), z.string())
    .meta({ description: 'Headers the PUT must carry (they are signed)' }),
  uploadExpiresAt: IsoDateTime,
};

export const CreatedDocument = z.object({ document: Document, ...Upload }).meta({ id: 'CreatedDocument' });

export const CreatedVersion = z
  .object({ documentId: Id, ...DocumentVersion.shape, ...Upload })
  .meta({ id: 'CreatedDocumentVersion' });

export const DocumentDownload = z
  .object({
    document: Document,
    downloadUrl: z.url().meta({ description: 'Presigned GET, valid 5 minutes' }),
    downloadExpiresAt: IsoDateTime,
  })
  .meta({ id: 'DocumentDownload' });

export const DocumentList = z
  .object({ items: z.array(Document), nextCursor: z.string().optional() })
  .meta({ id: 'DocumentList' });
