import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import contentDisposition from 'content-disposition';
import { config } from '../config';
import { downloadAs, type ObjectHead, sha256Base64 } from '../domain/document';
import { ServiceUnavailable } from '../domain/errors';
import { s3Client } from './clients';
import { keys } from './keys';

/** Presigned URLs live 5 minutes. */
export const PRESIGN_SECONDS = 300;

export interface PresignedUpload {
  url: string;
  /** Headers the PUT must send as they are: they are part of the signature. */
  headers: Record<string, string>;
  expiresAt: string;
}

const expiry = (now: Date) => new Date(now.getTime() + PRESIGN_SECONDS * 1000).toISOString();

/**
 * A presigned PUT for one version of a document. Signed with it: the content type, the SHA-256
 * (S3 refuses a body with another digest) and `If-None-Match: *` (S3 refuses a second upload to
 * the same key, so an uploaded version can never be replaced). The local S3 (s3rver) checks none
 * of these three: locally, a wrong body or a second upload is only caught by the size check on read.
 * The checksum stays a header (not hoisted into the query), so the client sends it like the others.
 */
export async function presignUpload(
  tenant: string,
  documentId: string,
  version: { version: number; contentType: string; sha256: string },
  now: Date,
): Promise<PresignedUpload> {
  const checksum = sha256Base64(version.sha256);
  const command = new PutObjectCommand({
    Bucket: config.bucketName(),
    Key: keys.documentObject(tenant, documentId, version.version),
    ContentType: version.contentType,
    IfNoneMatch: '*',
    ChecksumSHA256: checksum,
  });
  const url = await s3Call('prepare the upload', () =>
    getSignedUrl(s3Client(), command, {
      expiresIn: PRESIGN_SECONDS,
      signableHeaders: new Set(['content-type']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    }),
  );
  return {
    url,
    headers: {
      'content-type': version.contentType,
      'if-none-match': '*',
      'x-amz-checksum-sha256': checksum,
    },
    expiresAt: expiry(now),
  };
}

/**
 * A presigned GET of one version, answered as an attachment named after the document (RFC 6266,
 * with an RFC 5987 `filename*` for names beyond ASCII) and with a content type that never renders
 * as a page (see `downloadAs`).
 */
export async function presignDownload(
  tenant: string,
  document: { id: string; title: string },
  version: { version: number; contentType: string },
  now: Date,
): Promise<{ url: string; expiresAt: string }> {
  const served = downloadAs(document.title, version.contentType);
  const command = new GetObjectCommand({
    Bucket: config.bucketName(),
    Key: keys.documentObject(tenant, document.id, version.version),
    ResponseContentType: served.contentType,
    ResponseContentDisposition: contentDisposition(served.fileName, {
      // the plain `filename` of older clients: ASCII only, accents dropped
      fallback: served.fileName.normalize('NFKD').replace(/[^\x20-\x7e]/g, '') || 'document',
    }),
  });
  const url = await s3Call('prepare the download', () =>
    getSignedUrl(s3Client(), command, { expiresIn: PRESIGN_SECONDS }),
  );
  return { url, expiresAt: expiry(now) };
}

/**
 * What S3 holds under a version's key, or `null` when nothing was uploaded. Without
 * `s3:ListBucket`, S3 answers a missing key with 403 rather than 404: both mean "not uploaded".
 * Any other failure (5xx, network, throttling) is a 503: the caller may retry, nothing changed.
 */
export async function headObject(
  tenant: string,
  documentId: string,
  version: number,
): Promise<ObjectHead | null> {
  try {
    const head = await s3Client().send(
      new HeadObjectCommand({
        Bucket: config.bucketName(),
        Key: keys.documentObject(tenant, documentId, version),
        ChecksumMode: 'ENABLED',
      }),
    );
    return {
      size: head.ContentLength ?? 0,
      // a full-object SHA-256 only (a multipart composite checksum ends in "-<parts>")
      ...(head.ChecksumSHA256 && !head.ChecksumSHA256.includes('-') ? { sha256: head.ChecksumSHA256 } : {}),
    };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (error as { name?: string }).name;
    if (status === 404 || status === 403 || name === 'NotFound' || name === 'NoSuchKey') return null;
    throw new ServiceUnavailable('The document store (S3) did not answer: retry shortly', 2);
  }
}

async function s3Call<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw new ServiceUnavailable(`Could not ${what} (S3): retry shortly`, 2);
  }
}
