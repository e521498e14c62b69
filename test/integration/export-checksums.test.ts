import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { HttpRequest } from '@smithy/types';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import { closeClients, s3Client, useS3Client } from '../../shared/store/clients';
import { crc32Of, createExportUpload, openLineWriter } from '../../shared/store/export-store';
import { keys } from '../../shared/store/keys';
import { newTenant } from '../support/tenants';

interface Sent {
  command: string;
  headers: Record<string, string>;
  body?: string;
  bodyChecksum?: string;
}

/**
 * The client as deployed: no checksum settings, so the SDK's default mode (WHEN_SUPPORTED), which
 * adds a CRC32 to every upload it may; only the connection goes to the local S3 server. A middleware
 * records each request as it leaves (after the checksum and signing steps).
 */
function recordingDeployedClient(sent: Sent[]): S3Client {
  const client = new S3Client({
    endpoint: config.s3Endpoint(),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as HttpRequest;
      const body = request.body as unknown;
      sent.push({
        command: String(context.commandName),
        headers: { ...request.headers },
        ...(typeof body === 'string' ? { body } : {}),
        ...(body instanceof Uint8Array ? { bodyChecksum: crc32Of(Buffer.from(body)) } : {}),
      });
      return next(args);
    },
    { step: 'deserialize', name: 'requestRecorder', priority: 'high' },
  );
  return client;
}

/** Part number → CRC32 of each part a CompleteMultipartUpload body lists. */
const completedParts = (xml: string): Record<number, string | undefined> =>
  Object.fromEntries(
    [...xml.matchAll(/<Part>(.*?)<\/Part>/gs)].map(([, part]) => [
      Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part!)?.[1]),
      /<ChecksumCRC32>([^<]+)<\/ChecksumCRC32>/.exec(part!)?.[1],
    ]),
  );

describe('the multipart upload of a tenant export, under the deployed checksum settings', () => {
  const sent: Sent[] = [];
  const tenant = newTenant('checksums');
  const jobId = ulid();
  const lines = Array.from({ length: 60 }, (_, index) => ({ index, text: `line ${index} `.repeat(8) }));
  let client: S3Client;

  beforeAll(() => {
    client = recordingDeployedClient(sent);
    useS3Client(client);
  });
  afterAll(() => closeClients());

  it('declares CRC32 at create, sends each part with its CRC32 and completes with every part CRC32, across stages', async () => {
    // Prepare
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    const uploadId = await createExportUpload(tenant, jobId);
    // Act: stage 1 stops after its first part, as a stage does; stage 2 resumes from the checkpoint
    const first = openLineWriter(tenant, jobId, { uploadId, partBytes: 1024 });
    let written = 0;
    while (!(await first.write(lines[written++]))) {
      // until a part was uploaded
    }
    const checkpoint = first.uploaded();
    const second = openLineWriter(tenant, jobId, { uploadId, partBytes: 1024, ...checkpoint });
    for (const line of lines.slice(written)) await second.write(line);
    await second.close();

    // Assess
    const create = sent.filter((request) => request.command === 'CreateMultipartUploadCommand');
    const parts = sent.filter((request) => request.command === 'UploadPartCommand');
    const complete = sent.filter((request) => request.command === 'CompleteMultipartUploadCommand');
    expect(create).toHaveLength(1);
    expect(create[0]!.headers['x-amz-checksum-algorithm']).toBe('CRC32');
    expect(parts.length).toBeGreaterThan(2);
    expect(checkpoint.checksums).toHaveLength(checkpoint.etags.length);
    for (const part of parts) {
      // one algorithm only, computed over the bytes sent, in a header (no aws-chunked trailer)
      expect(part.headers['x-amz-checksum-crc32']).toBe(part.bodyChecksum);
      expect(Object.keys(part.headers).filter((name) => /^x-amz-checksum-(?!crc32$)/.test(name))).toEqual([]);
      expect(part.headers['content-encoding'] ?? '').not.toContain('aws-chunked');
      expect(part.headers['x-amz-trailer']).toBeUndefined();
    }
    expect(complete).toHaveLength(1);
    expect(completedParts(complete[0]!.body ?? '')).toEqual(
      Object.fromEntries(parts.map((part, index) => [index + 1, part.headers['x-amz-checksum-crc32']])),
    );
    // the parts the checkpoint carried over are the first stage's, with their checksums
    expect(checkpoint.checksums).toEqual(
      parts.slice(0, checkpoint.etags.length).map((part) => part.headers['x-amz-checksum-crc32']),
    );
    // and the object is the lines, byte for byte
    const object = await s3Client().send(
      new GetObjectCommand({ Bucket: config.bucketName(), Key: keys.exportObject(tenant, jobId) }),
    );
    expect(await object.Body?.transformToString()).toBe(
      lines.map((line) => `${JSON.stringify(line)}\n`).join(''),
    );
  });
});
