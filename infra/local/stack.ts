import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { ENV } from '../../shared/config';
import {
  INDEXES,
  LOCAL_BUCKET_NAME,
  LOCAL_TABLE_NAME,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
} from '../../shared/store/table';
import { createDevIssuer, DEV_AUDIENCE, DEV_ISSUER } from './dev-issuer';
import { startLocalDynamo } from './dynamodb';
import { createGateway } from './gateway';
import { startLocalScheduler } from './scheduler';

export interface LocalStackOptions {
  /** Keep nothing on disk (else data lives under `dataDir`). */
  memory?: boolean;
  /** @default '.data' */
  dataDir?: string;
  /** Gateway port; 0 picks a free one. @default 0 */
  port?: number;
  dynamodbPort?: number;
  s3Port?: number;
  /** Start only DynamoDB and S3 (for tests that call the store directly). @default true */
  gateway?: boolean;
  /** An outside token issuer; without it a dev issuer signs tokens at POST /dev/token. */
  auth?: { jwksUrl: string; issuer: string; audience: string };
  /** Run the scheduled baselines job every this many ms, as EventBridge Scheduler does deployed. @default off */
  baselineJobIntervalMs?: number;
}

export interface LocalStack {
  /** Gateway base URL, e.g. `http://127.0.0.1:3000` (absent when started without the gateway). */
  url?: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  /** The environment the functions run with (also set on `process.env`). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Creates the table as the CDK stack declares it, if it is missing. */
export async function ensureTable(endpoint: string, tableName = LOCAL_TABLE_NAME): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const attributes = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of Object.values(INDEXES)) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.values(INDEXES).map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  // dynalite does not expire items, but accepting the setting keeps the table shaped as deployed.
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    )
    .catch(() => undefined);
  client.destroy();
}

export async function ensureBucket(endpoint: string, bucket = LOCAL_BUCKET_NAME): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  // The console uploads and downloads with presigned URLs straight from the browser (another origin).
  await client.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'] }],
      },
    }),
  );
  client.destroy();
}

const listen = (server: Server, port: number) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

/**
 * Starts the whole product locally: embedded DynamoDB (with transactions) and S3, the table and
 * bucket, and the gateway that runs the Lambda handlers in this process.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir ?? '.data';
  const s3Dir = options.memory ? mkdtempSync(join(tmpdir(), 'twinthread-s3-')) : join(dataDir, 's3');
  if (!options.memory) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
  mkdirSync(s3Dir, { recursive: true });

  const dynamo = await startLocalDynamo({
    ...(options.memory ? {} : { path: join(dataDir, 'dynamodb') }),
    port: options.dynamodbPort ?? 0,
  });
  const s3 = new S3rver({ port: options.s3Port ?? 0, address: '127.0.0.1', silent: true, directory: s3Dir });
  const s3Address = await s3.run();
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  await ensureTable(dynamo.endpoint);
  await ensureBucket(s3Endpoint);

  const env: Record<string, string> = {
    [ENV.tableName]: LOCAL_TABLE_NAME,
    [ENV.bucketName]: LOCAL_BUCKET_NAME,
    [ENV.dynamodbEndpoint]: dynamo.endpoint,
    [ENV.s3Endpoint]: s3Endpoint,
    AWS_REGION: 'us-east-1',
    // page cursors are sealed with a key made at each start: a restart ends every open cursor
    [ENV.cursorKey]: randomBytes(32).toString('base64'),
  };
  let gateway: Server | undefined;
  let url: string | undefined;
  if (options.gateway !== false) {
    const devIssuer = options.auth ? undefined : await createDevIssuer();
    gateway = createGateway({ devIssuer });
    const port = await listen(gateway, options.port ?? 0);
    url = `http://127.0.0.1:${port}`;
    const auth = options.auth ?? {
      jwksUrl: `${url}/dev/jwks.json`,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    };
    env[ENV.jwksUrl] = auth.jwksUrl;
    env[ENV.issuer] = auth.issuer;
    env[ENV.audience] = auth.audience;
  }
  Object.assign(process.env, env);
  const scheduler =
    options.baselineJobIntervalMs === undefined
      ? undefined
      : startLocalScheduler(options.baselineJobIntervalMs);

  let stopped = false;
  return {
    ...(url ? { url } : {}),
    dynamodbEndpoint: dynamo.endpoint,
    s3Endpoint,
    env,
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler?.stop();
      if (gateway) {
        gateway.closeAllConnections();
        await new Promise((resolve) => gateway!.close(resolve));
      }
      await s3.close();
      await dynamo.close();
      if (options.memory) rmSync(s3Dir, { recursive: true, force: true });
    },
  };
}
