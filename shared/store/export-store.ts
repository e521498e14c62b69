import { crc32 } from 'node:zlib';
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

/**
 * The listings of a tenant export, in the order they are written, each after what it depends on:
 * types, usage parameters, part masters and configuration models first (an importer defines them
 * before the twins that name them or are judged by them), documents (restored once, before the twins
 * that link them and the compliance records that name them), then twins, the usage, component and
 * compliance records of the twins (their twin ids map to the copies), views, role views, grants.
 * (`twinthread.tenant/3` had documents after the compliance records.)
 */
export const EXPORT_PHASES = [
  'types',
  'usage-parameters',
  'parts',
  'configuration-models',
  'documents',
  'twins',
  'usage',
  'components',
  'compliance-records',
  'views',
  'role-views',
  'grants',
] as const;
export type ExportPhase = (typeof EXPORT_PHASES)[number];

/** What a job counts: lines of each kind (usage: records, not lines). */
export const EXPORT_COUNTS = [
  'twins',
  'documents',
  'types',
  'views',
  'grants',
  'usageParameters',
  'parts',
  'configurationModels',
  'usageRecords',
  'components',
] as const;

/** What a job wrote so far (at the last checkpoint), then in all. */
export type ExportProgress = Record<(typeof EXPORT_COUNTS)[number], number>;

/**
 * Where a stage stopped: the listing it was in (its phase), the cursor of the page it was in (a page
 * boundary) and the ids (type names) of that page already written (a resumed stage lists the page again and skips them; ids stay
 * until met again, so a twin pushed to a later page by twins created meanwhile is still written once),
 * and the parts uploaded so far (part n has ETag `etags[n - 1]` and CRC32 `checksums[n - 1]`, which
 * the completion names).
 *
 * Size: the item limit is 400 KB. A part takes ~45 bytes (ETag 34 characters, CRC32 8): 2,000 parts
 * (10 GB at 5 MiB) are ~90 KB; the limit is met near 9,000 parts, i.e. ~220 GiB with the growing
 * parts of {@link partBytesOf}; `skip` holds at most two pages of ids (~6 KB).
 */
export interface ExportCheckpoint {
  phase: ExportPhase;
  cursor?: string;
  skip: string[];
  etags: string[];
  /** Absent in checkpoints written before parts carried checksums. */
  checksums?: string[];
  bytes: number;
}

/** A tenant-wide export: its state in the table, its NDJSON in the bucket. */
export interface ExportJobRecord extends Partial<ExportProgress> {
  id: string;
  status: ExportStatus;
  createdAt: string;
  createdBy: string;
  finishedAt?: string;
  /** The stage to run next (or running): a job runs in stages of one invocation each. */
  stage?: number;
  bytes?: number;
  error?: string;
  /** Internal, never answered: the multipart upload, the lease of the running stage, failures of this stage. */
  uploadId?: string;
  checkpoint?: ExportCheckpoint;
  leaseId?: string;
  leaseUntil?: number;
  attempts?: number;
  /** When the job was last handed to a stage that has not claimed it yet (epoch ms; else `createdAt`). */
  handedOffAt?: number;
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
  const { entity: _entity, [TTL_ATTRIBUTE]: _expires, ...job } = withoutKeys(Item);
  return job as unknown as ExportJobRecord;
}

/** The stage holding a job, as its writes prove: a write of another stage or lease changes nothing. */
export interface StageLease {
  stage: number;
  leaseId: string;
}

/** A stage lost its job (a later stage, another holder of the lease, or the job ended): it stops. */
export class StageLost extends Error {
  constructor(tenant: string, id: string, stage: number) {
    super(`Export ${id} of ${tenant} is no longer at stage ${stage}`);
    this.name = 'StageLost';
  }
}

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** `#stage = :stage`; jobs recorded before stages existed have none and are at stage 1. */
const stageIs = (stage: number) =>
  stage === 1 ? '(#stage = :stage OR attribute_not_exists(#stage))' : '#stage = :stage';

/** One conditional update of a running job at `stage`: the item after it, null when the condition failed. */
async function updateRunningJob(
  tenant: string,
  id: string,
  stage: number,
  update: {
    set?: Record<string, unknown>;
    remove?: string[];
    add?: Record<string, number>;
    condition?: string;
    values?: Record<string, unknown>;
  },
): Promise<Record<string, unknown> | null> {
  const values: Record<string, unknown> = { ':running': 'running', ':stage': stage, ...update.values };
  const clauses: string[] = [];
  const set = Object.entries(update.set ?? {}).filter(([, value]) => value !== undefined);
  if (set.length > 0) clauses.push(`SET ${set.map(([field]) => `#${field} = :set_${field}`).join(', ')}`);
  for (const [field, value] of set) values[`:set_${field}`] = value;
  const add = Object.entries(update.add ?? {});
  if (add.length > 0) clauses.push(`ADD ${add.map(([field]) => `#${field} :add_${field}`).join(', ')}`);
  for (const [field, value] of add) values[`:add_${field}`] = value;
  if (update.remove?.length) clauses.push(`REMOVE ${update.remove.map((field) => `#${field}`).join(', ')}`);
  const condition = [`#status = :running AND ${stageIs(stage)}`, update.condition]
    .filter(Boolean)
    .join(' AND ');
  // every #name used, and only those (DynamoDB refuses unused names)
  const names: Record<string, string> = {};
  for (const [token] of `${clauses.join(' ')} ${condition}`.matchAll(/#\w+/g)) names[token] = token.slice(1);
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.exportJob(tenant, id),
        UpdateExpression: clauses.join(' '),
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ?? {};
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

const LEASE_HELD = '#leaseId = :leaseId';

/**
 * Takes the lease of a running job's `stage` until `until` (epoch ms): null when the job is elsewhere
 * (ended, at another stage: a duplicate or late invocation) or another invocation holds an unexpired
 * lease on it. The holder is the only one to upload parts and to checkpoint.
 */
export async function claimExportStage(
  tenant: string,
  id: string,
  lease: StageLease & { until: number; now: number },
): Promise<ExportJobRecord | null> {
  const item = await updateRunningJob(tenant, id, lease.stage, {
    set: { leaseId: lease.leaseId, leaseUntil: lease.until },
    condition: '(attribute_not_exists(#leaseUntil) OR #leaseUntil < :now)',
    values: { ':now': lease.now },
  });
  if (!item) return null;
  const { entity: _entity, [TTL_ATTRIBUTE]: _expires, ...job } = withoutKeys(item);
  return job as unknown as ExportJobRecord;
}

/** Extends the lease of a stage still holding it (its heartbeat): false when the stage lost the job. */
export async function renewExportLease(
  tenant: string,
  id: string,
  lease: StageLease,
  until: number,
): Promise<boolean> {
  const item = await updateRunningJob(tenant, id, lease.stage, {
    set: { leaseUntil: until },
    condition: LEASE_HELD,
    values: { ':leaseId': lease.leaseId },
  });
  return item !== null;
}

/** Records the job's multipart upload (once, by the holder of the first stage). */
export async function saveExportUpload(tenant: string, id: string, lease: StageLease, uploadId: string) {
  const saved = await updateRunningJob(tenant, id, lease.stage, {
    set: { uploadId },
    condition: `${LEASE_HELD} AND attribute_not_exists(#uploadId)`,
    values: { ':leaseId': lease.leaseId },
  });
  if (!saved) throw new StageLost(tenant, id, lease.stage);
}

/**
 * Ends a stage with its checkpoint and progress, and moves the job to the next stage (lease released,
 * attempts reset). Throws {@link StageLost} when this stage no longer holds the job.
 */
export async function checkpointExportStage(
  tenant: string,
  id: string,
  lease: StageLease,
  checkpoint: ExportCheckpoint,
  progress: ExportProgress,
): Promise<void> {
  const saved = await updateRunningJob(tenant, id, lease.stage, {
    set: { stage: lease.stage + 1, checkpoint, ...progress, attempts: 0, handedOffAt: Date.now() },
    remove: ['leaseId', 'leaseUntil'],
    condition: LEASE_HELD,
    values: { ':leaseId': lease.leaseId },
  });
  if (!saved) throw new StageLost(tenant, id, lease.stage);
}

/** Counts a failed attempt of the stage and releases its lease: the attempts so far, null if not held. */
export async function recordExportStageFailure(
  tenant: string,
  id: string,
  lease: StageLease,
): Promise<number | null> {
  const item = await updateRunningJob(tenant, id, lease.stage, {
    add: { attempts: 1 },
    set: { handedOffAt: Date.now() },
    remove: ['leaseId', 'leaseUntil'],
    condition: LEASE_HELD,
    values: { ':leaseId': lease.leaseId },
  });
  return item ? Number(item.attempts) : null;
}

/**
 * Counts a stalled stage as a failed attempt and hands it on again: its holder vanished (its lease
 * expired) or no invocation ever claimed it. Conditioned on the job being as `seen` (same stage, same
 * hand-off), so of several readers noticing the stall at once only one revives it: the attempts so
 * far, null when another did.
 */
export async function reviveExportStage(
  tenant: string,
  seen: Pick<ExportJobRecord, 'id' | 'stage' | 'handedOffAt'>,
  now: number,
): Promise<number | null> {
  const sameHandOff =
    seen.handedOffAt === undefined ? 'attribute_not_exists(#handedOffAt)' : '#handedOffAt = :seen';
  const item = await updateRunningJob(tenant, seen.id, seen.stage ?? 1, {
    add: { attempts: 1 },
    set: { handedOffAt: now },
    remove: ['leaseId', 'leaseUntil'],
    condition: `(attribute_not_exists(#leaseUntil) OR #leaseUntil < :now) AND ${sameHandOff}`,
    values: { ':now': now, ...(seen.handedOffAt === undefined ? {} : { ':seen': seen.handedOffAt }) },
  });
  return item ? Number(item.attempts) : null;
}

/** Ends a running job at `stage` (once: a second end, e.g. a late invocation, changes nothing). */
export async function finishExportJob(
  tenant: string,
  id: string,
  stage: number,
  outcome: Pick<ExportJobRecord, 'status' | 'finishedAt' | 'bytes' | 'error' | keyof ExportProgress>,
  leaseId?: string,
): Promise<boolean> {
  const ended = await updateRunningJob(tenant, id, stage, {
    set: outcome,
    remove: ['checkpoint', 'uploadId', 'leaseId', 'leaseUntil', 'attempts'],
    ...(leaseId === undefined ? {} : { condition: LEASE_HELD, values: { ':leaseId': leaseId } }),
  });
  return ended !== null;
}

/** S3 refuses parts under 5 MiB, except the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * Parts grow by `partBytes` every 1,000 parts: S3 allows 10,000 parts, which at a constant 5 MiB ends an
 * export at 48 GiB; growing, at 268 GiB. Exports of a few GB keep constant parts.
 */
export const partBytesOf = (partNumber: number, partBytes: number) =>
  partBytes * (1 + Math.floor((partNumber - 1) / 1000));

/**
 * The one checksum algorithm of an export's multipart upload. S3 refuses (InvalidPart) an upload
 * whose create, parts and completion disagree, so all three name it: declared at create, each part
 * sent with its CRC32, the completion listing every part's CRC32.
 */
const CHECKSUM_ALGORITHM = 'CRC32';

/** S3's `x-amz-checksum-crc32`: the big-endian CRC32 of the bytes, base64. */
export const crc32Of = (bytes: Buffer): string => {
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(bytes));
  return checksum.toString('base64');
};

/** Starts the multipart upload of a job's NDJSON object. */
export async function createExportUpload(tenant: string, jobId: string): Promise<string> {
  const { UploadId } = await s3Client().send(
    new CreateMultipartUploadCommand({
      Bucket: config.bucketName(),
      Key: keys.exportObject(tenant, jobId),
      ContentType: 'application/x-ndjson',
      ChecksumAlgorithm: CHECKSUM_ALGORITHM,
    }),
  );
  if (!UploadId) throw new Error('S3 answered no upload id');
  return UploadId;
}

/** Drops a job's multipart upload and its parts (an export that could not be completed). */
export async function abortExportUpload(tenant: string, jobId: string, uploadId: string): Promise<void> {
  await s3Client()
    .send(
      new AbortMultipartUploadCommand({
        Bucket: config.bucketName(),
        Key: keys.exportObject(tenant, jobId),
        UploadId: uploadId,
      }),
    )
    .catch(() => undefined);
}

/**
 * Writes one object as a stream of lines, in parts of at least `partBytes` (a multipart upload):
 * memory stays at one part whatever the export's size. Resumes an upload after the parts a former
 * stage uploaded (`etags`, `checksums`, `bytes`). `write` answers true when it just uploaded a part:
 * the buffer is then empty, the moment a stage may stop. `close` completes the object.
 *
 * Each part's CRC32 is computed here and sent with it (S3 checks it against the bytes and answers
 * it back): the SDK then adds no checksum of its own, whatever its checksum mode, and the body goes
 * as is (the local S3 server stores aws-chunked framing as content).
 */
export function openLineWriter(
  tenant: string,
  jobId: string,
  upload: {
    uploadId: string;
    partBytes?: number;
    etags?: readonly string[];
    checksums?: readonly string[];
    bytes?: number;
  },
) {
  const Bucket = config.bucketName();
  const Key = keys.exportObject(tenant, jobId);
  const { uploadId: UploadId, partBytes = MIN_PART_BYTES } = upload;
  const etags = [...(upload.etags ?? [])];
  const checksums = [...(upload.checksums ?? [])];
  let buffered: Buffer[] = [];
  let size = 0;
  let bytes = upload.bytes ?? 0;
  const flush = async () => {
    if (size === 0 && etags.length > 0) return;
    const PartNumber = etags.length + 1;
    const Body = Buffer.concat(buffered);
    const sent = crc32Of(Body);
    const { ETag, ChecksumCRC32 } = await s3Client().send(
      new UploadPartCommand({
        Bucket,
        Key,
        UploadId,
        PartNumber,
        Body,
        ChecksumAlgorithm: CHECKSUM_ALGORITHM,
        ChecksumCRC32: sent,
      }),
    );
    etags.push(ETag ?? '');
    checksums.push(ChecksumCRC32 ?? sent);
    buffered = [];
    size = 0;
  };
  return {
    async write(line: unknown): Promise<boolean> {
      const chunk = Buffer.from(`${JSON.stringify(line)}\n`);
      buffered.push(chunk);
      size += chunk.length;
      bytes += chunk.length;
      if (size < partBytesOf(etags.length + 1, partBytes)) return false;
      await flush();
      return true;
    },
    /** The parts uploaded so far and their bytes (what a checkpoint records: nothing is buffered). */
    uploaded() {
      if (size > 0) throw new Error('Lines are buffered below a part: not a part boundary');
      return { etags: [...etags], checksums: [...checksums], bytes };
    },
    async close() {
      await flush();
      await s3Client().send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: {
            Parts: etags.map((ETag, index) => ({
              PartNumber: index + 1,
              ETag,
              ...(checksums[index] === undefined ? {} : { ChecksumCRC32: checksums[index] }),
            })),
          },
        }),
      );
      return { bytes };
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

/** What the exchange function receives when it invokes itself to run a stage of a job. */
export interface ExportJobEvent {
  exportJob: { tenant: string; id: string; stage?: number };
}

export const isExportJobEvent = (event: unknown): event is ExportJobEvent => {
  const job = (event as Partial<ExportJobEvent> | null)?.exportJob;
  return (
    typeof job?.tenant === 'string' &&
    typeof job.id === 'string' &&
    (job.stage === undefined || (Number.isInteger(job.stage) && job.stage >= 1))
  );
};

let lambda: LambdaClient | undefined;

/**
 * Deployed, each stage of a job runs in its own asynchronous invocation of this very function (the
 * API answer does not wait); `null` elsewhere, where the caller runs it in-process.
 */
export async function invokeExportJob(tenant: string, id: string, stage = 1): Promise<'invoked' | null> {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!functionName) return null;
  lambda ??= new LambdaClient({});
  const payload: ExportJobEvent = { exportJob: { tenant, id, stage } };
  await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  return 'invoked';
}
