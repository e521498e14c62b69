/**
 * `npm start`: the whole product on this machine, no AWS account, no network.
 *   --memory           keep nothing on disk (else under .data/)
 *   PORT               gateway port (default 3000); DYNAMODB_PORT, S3_PORT (default: free ports)
 *   AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE   accept an outside issuer's tokens (turns /dev/token off)
 *   AUTH_CLIENT_IDS    with them: client ids accepted in access tokens (client_id, no aud)
 *   BASELINE_JOB_INTERVAL_MS   how often the scheduled baselines job runs (default 60000; 0: never)
 */
import { ENV } from '../../shared/config';
import { startLocalStack } from './stack';

// The SDK is pinned (see STACK.md) below the releases that need Node 22: its reminder is noise locally.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const port = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`${name} must be a port number`);
  return parsed;
};

/** The scheduled baselines job's timer (EventBridge Scheduler deployed). */
function baselineJob(): { baselineJobIntervalMs?: number } {
  const raw = process.env.BASELINE_JOB_INTERVAL_MS;
  const interval = raw === undefined || raw === '' ? 60_000 : Number(raw);
  if (!Number.isInteger(interval) || interval < 0)
    throw new Error('BASELINE_JOB_INTERVAL_MS must be a number of ms');
  return interval === 0 ? {} : { baselineJobIntervalMs: interval };
}

const outside = [ENV.jwksUrl, ENV.issuer, ENV.audience].map((name) => process.env[name]);
if (outside.some(Boolean) && !outside.every(Boolean)) {
  throw new Error(`Set all of ${ENV.jwksUrl}, ${ENV.issuer}, ${ENV.audience}, or none`);
}

const stack = await startLocalStack({
  memory: process.argv.includes('--memory'),
  port: port('PORT', 3000),
  dynamodbPort: port('DYNAMODB_PORT', 0),
  s3Port: port('S3_PORT', 0),
  ...baselineJob(),
  ...(outside.every(Boolean)
    ? { auth: { jwksUrl: outside[0]!, issuer: outside[1]!, audience: outside[2]! } }
    : {}),
});

console.log(`twinthread is running at ${stack.url}`);
console.log(`  DynamoDB ${stack.dynamodbEndpoint}   S3 ${stack.s3Endpoint}`);
console.log(
  outside.every(Boolean)
    ? `  tokens from ${process.env[ENV.issuer]}`
    : `  dev tokens: curl -s -X POST ${stack.url}/dev/token -H 'content-type: application/json' -d '{"tenant":"acme","roles":["admin"]}'`,
);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
