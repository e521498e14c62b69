import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { config } from '../config';
import { documentClient, s3Client } from './clients';
import { keys, withoutKeys } from './keys';
import { PRESIGN_SECONDS } from './objects';
import { TTL_ATTRIBUTE } from './table';

const table = () => config.tableName();

/** Jobs (and the answer naming their object) are kept 7 days; the object's lifetime is the bucket's. */
const JOB_DAYS = 7;

export type ExportStatus = 'running' | 'done' | 'failed';

/** A tenant-wide export: its state in the table, its NDJSON in the bucket. */
export interface ExportJobRecord {
  id: string;
  status: ExportStatus;
  createdAt: string;
  createdBy: string;
  finishedAt?: string;
  twins?: number;
  documents?: number;
  bytes?: number;
  error?: string;
}

export async function createExportJob(tenant: string, job: ExportJobRecord): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.exportJob(tenant, job.id),
        entity: 'export-job',
        ...job,
        [TTL_ATTRIBUTE]: Math.floor(Date.parse(job.createdAt) / 1000) + JOB_DAYS * 86_400,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function getExportJob(tenant: string, id: string): Promise<ExportJobRecord | null> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: table(), Key: keys.exportJob(tenant, id), ConsistentRead: true }),
  );
  if (!Item) return null;
  const { entity: _entity, ...job } = withoutKeys(Item);
  return job as unknown as ExportJobRecord;
}

/** Ends a running job (once: a second end, e.g. a retried invocation, changes nothing). */
export async function finishExportJob(
  tenant: string,
  id: string,
  outcome: Pick<ExportJobRecord, 'status' | 'finishedAt' | 'twins' | 'documents' | 'bytes' | 'error'>,
): Promise<void> {
  const fields = Object.entries(outcome).filter(([, value]) => value !== undefined);
  await documentClient()
    .send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.exportJob(tenant, id),
        UpdateExpression: `SET ${fields.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: {
          ...Object.fromEntries(fields.map(([name], index) => [`#f${index}`, name])),
          '#status': 'status',
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(fields.map(([, value], index) => [`:f${index}`, value])),
          ':running': 'running',
        },
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}

/** S3 refuses parts under 5 MiB, except the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * Writes one object as a stream of lines, in parts of at least `partBytes` (a multipart upload):
 * memory stays at one part whatever the export's size. `close` completes it, `abort` drops it.
 */
export async function openLineWriter(tenant: string, jobId: string, partBytes = MIN_PART_BYTES) {
  const Bucket = config.bucketName();
  const Key = keys.exportObject(tenant, jobId);
  const { UploadId } = await s3Client().send(
    new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/x-ndjson' }),
  );
  const parts: { PartNumber: number; ETag: string }[] = [];
  let buffered: Buffer[] = [];
  let size = 0;
  let bytes = 0;
  const flush = async () => {
    if (size === 0 && parts.length > 0) return;
    const PartNumber = parts.length + 1;
    const { ETag } = await s3Client().send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: Buffer.concat(buffered) }),
    );
    parts.push({ PartNumber, ETag: ETag ?? '' });
    buffered = [];
    size = 0;
  };
  return {
    async write(line: unknown) {
      const chunk = Buffer.from(`${JSON.stringify(line)}\n`);
      buffered.push(chunk);
      size += chunk.length;
      bytes += chunk.length;
      if (size >= partBytes) await flush();
    },
    async close() {
      await flush();
      await s3Client().send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      );
      return { bytes };
    },
    async abort() {
      await s3Client()
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
        .catch(() => undefined);
    },
  };
}

/** A presigned GET of a finished export (minutes). */
export async function presignExportDownload(tenant: string, jobId: string, now: Date) {
  const command = new GetObjectCommand({
    Bucket: config.bucketName(),
    Key: keys.exportObject(tenant, jobId),
    ResponseContentType: 'application/x-ndjson',
  });
  const url = await getSignedUrl(s3Client(), command, { expiresIn: PRESIGN_SECONDS });
  return { url, expiresAt: new Date(now.getTime() + PRESIGN_SECONDS * 1000).toISOString() };
}

/** What the exchange function receives when it invokes itself to run a job. */
export interface ExportJobEvent {
  exportJob: { tenant: string; id: string };
}

export const isExportJobEvent = (event: unknown): event is ExportJobEvent => {
  const job = (event as Partial<ExportJobEvent> | null)?.exportJob;
  return typeof job?.tenant === 'string' && typeof job.id === 'string';
};

let lambda: LambdaClient | undefined;

/**
 * Deployed, a job runs in its own asynchronous invocation of this very function (Lambda retries it
 * on failure, the API answer does not wait); `null` elsewhere, where the caller runs it in-process.
 */
export async function invokeExportJob(tenant: string, id: string): Promise<'invoked' | null> {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!functionName) return null;
  lambda ??= new LambdaClient({});
  const payload: ExportJobEvent = { exportJob: { tenant, id } };
  await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  return 'invoked';
}
