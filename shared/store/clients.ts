import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** DynamoDB requests sent by this process, counted by an SDK middleware (read by the benchmarks). */
export const dynamodbCalls = { count: 0, byCommand: {} as Record<string, number> };

let dynamo: { endpoint: string | undefined; client: DynamoDBDocumentClient } | undefined;
let s3: { endpoint: string | undefined; client: S3Client } | undefined;

/** The DynamoDB document client, created once per endpoint (reused across invocations). */
export function documentClient(): DynamoDBDocumentClient {
  const endpoint = config.dynamodbEndpoint();
  if (dynamo && dynamo.endpoint === endpoint) return dynamo.client;
  const base = new DynamoDBClient(
    endpoint === undefined ? {} : { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
  );
  base.middlewareStack.add(
    (next, context) => async (args) => {
      dynamodbCalls.count++;
      const command = String(context.commandName ?? 'unknown');
      dynamodbCalls.byCommand[command] = (dynamodbCalls.byCommand[command] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'twinthreadCallCounter' },
  );
  // convertClassInstanceToMap: a map whose own key is "constructor" is still a map (the schemas refuse
  // such attribute names; this keeps any other such key from being a 500)
  const client = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  dynamo = { endpoint, client };
  return client;
}

/** The S3 client; against the local S3 server it needs path style and no default checksums. */
export function s3Client(): S3Client {
  const endpoint = config.s3Endpoint();
  if (s3 && s3.endpoint === endpoint) return s3.client;
  const client = new S3Client(
    endpoint === undefined
      ? {}
      : {
          endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          // Without these, uploads to s3rver are stored corrupted (aws-chunked CRC32 framing).
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        },
  );
  s3 = { endpoint, client };
  return client;
}

/** Tests: the S3 client this process uses from now on (e.g. one recording its requests); see `closeClients`. */
export function useS3Client(client: S3Client): void {
  s3 = { endpoint: config.s3Endpoint(), client };
}

/** Closes the clients' connections (a script that is done; a Lambda never needs this). */
export function closeClients(): void {
  dynamo?.client.destroy();
  s3?.client.destroy();
  dynamo = undefined;
  s3 = undefined;
}
