import { presentDocument } from './domain/document';
import { readDocument } from './store/document-store';
import { presignDownload } from './store/objects';

/** A document version's metadata and a short-lived presigned download URL (the latest available, or `version`). */
export async function documentDownload(
  tenant: string,
  documentId: string,
  version: number | undefined,
  now: Date,
) {
  const read = await readDocument(tenant, documentId, version, now);
  const download = await presignDownload(tenant, read.record, read.version, now);
  return {
    document: presentDocument(read.record, read.version, read.versions),
    downloadUrl: download.url,
    downloadExpiresAt: download.expiresAt,
  };
}
