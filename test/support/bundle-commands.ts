import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import type { FunctionName } from '../../shared/routes';

/** The IAM action each SDK command needs (DynamoDB document client and low-level client, S3). */
const ACTION_OF_COMMAND: Record<string, string | null> = {
  Get: 'dynamodb:GetItem',
  GetItem: 'dynamodb:GetItem',
  TransactGet: 'dynamodb:GetItem',
  TransactGetItems: 'dynamodb:GetItem',
  BatchGet: 'dynamodb:BatchGetItem',
  Query: 'dynamodb:Query',
  Put: 'dynamodb:PutItem',
  PutItem: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  UpdateItem: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  DeleteItem: 'dynamodb:DeleteItem',
  BatchWrite: 'dynamodb:BatchWriteItem',
  // authorized per entry: see TRANSACTION_ENTRIES
  TransactWrite: null,
  // HeadObject is authorized as s3:GetObject; a multipart upload's calls as s3:PutObject
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  // the exchange function's self-invocation has its own policy (test/infra/exchange.test.ts)
  Invoke: null,
  // tenant-scoped credentials (shared/store/scoped-credentials.ts), with sts:TagSession beside it
  AssumeRole: 'sts:AssumeRole',
  // the cursor key, read once per cold start by the functions that page (FunctionAccess.pages)
  GetSecretValue: 'secretsmanager:GetSecretValue',
};

/** TransactWriteItems entries and the action each needs. */
const TRANSACTION_ENTRIES: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/**
 * The AWS actions a function's code can need: its bundle (esbuild drops what no path reaches) is
 * read for every SDK command it constructs and every kind of transaction entry it writes.
 */
export async function actionsInBundle(name: FunctionName): Promise<{ actions: string[]; unknown: string[] }> {
  const { outputFiles } = await build({
    ...esbuildOptions(name, '/tmp/twinthread-bundle-scan'),
    minify: false,
    sourcemap: false,
    write: false,
    logLevel: 'silent',
  });
  const code = outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '';
  const commands = new Set(
    [...code.matchAll(/new (?:import_[\w$]+\.)?(\w+?)Command\d*\(/g)].map((m) => m[1]!),
  );
  const actions = new Set<string>();
  const unknown: string[] = [];
  for (const command of commands) {
    const action = ACTION_OF_COMMAND[command];
    if (action === undefined) unknown.push(command);
    else if (action !== null) actions.add(action);
  }
  if (commands.has('TransactWrite')) {
    for (const [, entry] of code.matchAll(/\b(Put|Update|Delete|ConditionCheck): \{/g)) {
      actions.add(TRANSACTION_ENTRIES[entry!]!);
    }
  }
  return { actions: [...actions].sort(), unknown };
}
