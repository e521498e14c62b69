import type { Requirement } from '../schemas/compliance';
import type { CreateDocumentBody } from '../schemas/document';
import type { Effectivity } from '../schemas/effectivity';
import { invalidField } from './errors';

export const DOCUMENT_KINDS = [
  'cad',
  'simulation',
  'requirement',
  'change-order',
  'service-bulletin',
  'airworthiness-directive',
  'job-plan',
  'inspection-report',
  'sensor-data',
  'manual',
  'certificate',
  'other',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Largest document version: one presigned PUT (S3's single-upload limit). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 ** 3;

const TEXTUAL = ['application/pdf', 'text/markdown', 'text/plain', 'text/html'];

/** Media types each kind accepts; `null` accepts any. */
const CONTENT_TYPES: Record<DocumentKind, readonly string[] | null> = {
  cad: ['model/step', 'model/gltf+json', 'model/gltf-binary', 'application/octet-stream'],
  simulation: ['application/octet-stream', 'application/json'],
  requirement: TEXTUAL,
  'change-order': TEXTUAL,
  'service-bulletin': TEXTUAL,
  'airworthiness-directive': TEXTUAL,
  'job-plan': TEXTUAL,
  manual: TEXTUAL,
  certificate: TEXTUAL,
  'inspection-report': ['application/pdf', 'image/jpeg', 'image/png'],
  'sensor-data': ['text/csv', 'application/json', 'application/octet-stream'],
  other: null,
};

/** `Text/Plain; charset=utf-8` → `text/plain`. */
export const mediaTypeOf = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/**
 * Types a download keeps as uploaded: none of them runs script in a browser. Anything else (HTML,
 * SVG, XML, whatever `other` documents declare) is served as `application/octet-stream`.
 */
const INERT_DOWNLOAD_TYPES: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/csv': 'csv',
  'application/json': 'json',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'model/step': 'step',
  'model/gltf+json': 'gltf',
  'model/gltf-binary': 'glb',
  'application/octet-stream': 'bin',
};

/** Extensions of the types served as bytes, so that a saved file opens with the right program. */
const OTHER_EXTENSIONS: Record<string, string> = {
  'text/html': 'html',
  'application/xhtml+xml': 'xhtml',
  'image/svg+xml': 'svg',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

/**
 * How a version is handed to a browser: always as an attachment (a records system hands out files,
 * it never renders uploads on its storage origin), named after the title with the type's extension,
 * and with its own content type only when that type is inert.
 */
export function downloadAs(title: string, contentType: string): { fileName: string; contentType: string } {
  const media = mediaTypeOf(contentType);
  const inert = Object.hasOwn(INERT_DOWNLOAD_TYPES, media);
  const extension = inert ? INERT_DOWNLOAD_TYPES[media] : OTHER_EXTENSIONS[media];
  // path separators and control characters never reach the file name
  const base = title.replace(/[/\\\p{Cc}]+/gu, '_').trim() || 'document';
  const named = extension && !base.toLowerCase().endsWith(`.${extension}`) ? `${base}.${extension}` : base;
  return { fileName: named, contentType: inert ? contentType : 'application/octet-stream' };
}

export const contentTypesFor = (kind: DocumentKind): readonly string[] | null => CONTENT_TYPES[kind];

export function isContentTypeAllowed(kind: DocumentKind, contentType: string): boolean {
  const allowed = CONTENT_TYPES[kind];
  return allowed === null || allowed.includes(mediaTypeOf(contentType));
}

/** Refuses (400 naming the field) a content type the kind does not take. */
export function assertContentType(kind: DocumentKind, contentType: string, field = 'body.contentType'): void {
  if (!isContentTypeAllowed(kind, contentType)) {
    throw invalidField(field, `a ${kind} document must be one of ${CONTENT_TYPES[kind]?.join(', ')}`);
  }
}

/** S3's `x-amz-checksum-sha256` is the base64 of the digest; the API speaks hex. */
export const sha256Base64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export type VersionStatus = 'pending' | 'available';

/** One version of a document: declared when its upload URL is issued, available once S3 holds it. */
export interface DocumentVersionRecord {
  version: number;
  contentType: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  status: VersionStatus;
  createdAt: string;
  createdBy: string;
  availableAt?: string;
}

/**
 * A document's metadata (its META item). `contentType`, `size` and `sha256` describe its current
 * version: the latest available one, or version 1 while none is.
 */
export interface DocumentRecord {
  id: string;
  kind: DocumentKind;
  title: string;
  effectivity?: Effectivity;
  /** Bulletins and directives: what complying means (the latest version's). */
  requirement?: Requirement;
  contentType: string;
  size: number;
  sha256: string;
  /** Highest version number issued (available or not). */
  latestVersion: number;
  /** Highest available version, absent until one is uploaded. */
  availableVersion?: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** What S3 says about an uploaded object (`null`: no object). */
export interface ObjectHead {
  size: number;
  /** Base64 SHA-256, when S3 keeps one for the object. */
  sha256?: string;
}

export type UploadCheck = 'available' | 'missing' | 'size-mismatch' | 'checksum-mismatch';

/** Is the object S3 holds the version that was declared? */
export function checkUpload(version: DocumentVersionRecord, head: ObjectHead | null): UploadCheck {
  if (head === null) return 'missing';
  if (head.size !== version.size) return 'size-mismatch';
  if (head.sha256 !== undefined && head.sha256 !== sha256Base64(version.sha256)) return 'checksum-mismatch';
  return 'available';
}

export function uploadProblem(
  documentId: string,
  version: DocumentVersionRecord,
  check: UploadCheck,
): string {
  const name = `Version ${version.version} of document ${documentId}`;
  if (check === 'size-mismatch')
    return `${name} was uploaded with another size than the declared ${version.size} bytes: upload it again as a new version`;
  if (check === 'checksum-mismatch')
    return `${name} was uploaded with another SHA-256 than declared: upload it again as a new version`;
  return `${name} is not uploaded yet`;
}

/** The version a read without `?version` answers with: the latest available one. */
export const latestAvailable = (versions: readonly DocumentVersionRecord[]) =>
  versions.filter((version) => version.status === 'available').sort((a, b) => b.version - a.version)[0];

/** Versions newer than the latest available one, newest first: those a read checks in S3. */
export function pendingCandidates(versions: readonly DocumentVersionRecord[], max = 3) {
  const floor = latestAvailable(versions)?.version ?? 0;
  return versions
    .filter((version) => version.status === 'pending' && version.version > floor)
    .sort((a, b) => b.version - a.version)
    .slice(0, max);
}

/** A document as the API shows it, describing `version` (the record's current version by default). */
export function presentDocument(
  record: DocumentRecord,
  version?: DocumentVersionRecord,
  versions?: readonly DocumentVersionRecord[],
) {
  const described = version ?? {
    version: record.availableVersion ?? 1,
    contentType: record.contentType,
    size: record.size,
    sha256: record.sha256,
    status: record.availableVersion === undefined ? ('pending' as const) : ('available' as const),
  };
  return {
    id: record.id,
    kind: record.kind,
    title: record.title,
    contentType: described.contentType,
    size: described.size,
    sha256: described.sha256,
    ...(record.effectivity ? { effectivity: record.effectivity } : {}),
    ...(record.requirement ? { requirement: record.requirement } : {}),
    version: described.version,
    status: described.status,
    latestVersion: record.latestVersion,
    ...(record.availableVersion === undefined ? {} : { availableVersion: record.availableVersion }),
    ...(versions ? { versions: [...versions].sort((a, b) => a.version - b.version) } : {}),
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
  };
}
export type DocumentView = ReturnType<typeof presentDocument>;

/** A new document and its first version, pending until its content is in S3 with the declared size. */
export function newDocument(
  id: string,
  body: CreateDocumentBody,
  by: string,
  at: string,
): { record: DocumentRecord; first: DocumentVersionRecord } {
  const sha256 = body.sha256.toLowerCase();
  const content = { contentType: body.contentType, size: body.size, sha256 };
  return {
    first: { version: 1, ...content, status: 'pending', createdAt: at, createdBy: by },
    record: {
      id,
      kind: body.kind,
      title: body.title,
      ...(body.effectivity ? { effectivity: body.effectivity } : {}),
      ...(body.requirement ? { requirement: body.requirement } : {}),
      ...content,
      latestVersion: 1,
      createdAt: at,
      createdBy: by,
      updatedAt: at,
    },
  };
}

/** Kinds whose documents may carry a requirement (compliance, docs/compliance.md). */
export const REQUIREMENT_KINDS = ['service-bulletin', 'airworthiness-directive'] as const;

/** Refuses (400 naming the field) a requirement on a kind that takes none. */
export function assertRequirementKind(kind: DocumentKind, requirement: unknown, field = 'body.requirement') {
  if (requirement !== undefined && !(REQUIREMENT_KINDS as readonly string[]).includes(kind))
    throw invalidField(
      field,
      `only a service-bulletin or airworthiness-directive carries a requirement, not a ${kind}`,
    );
}
