import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '../..');
// tsx as a loader of one node process (not its CLI, which runs a second one): a kill reaches the stack
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const START = join(ROOT, 'infra/local/start.ts');

export const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

export interface Started {
  child: ChildProcess;
  url: string;
  /** The embedded DynamoDB and S3, as the start banner names them. */
  dynamodbEndpoint: string;
  s3Endpoint: string;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it (the same script, one process), in `cwd`, waiting for its banner. */
export async function startLocal(
  cwd: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', TSX_LOADER, START, ...args], {
    cwd,
    env: { ...process.env, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let output = '';
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (/ S3 \S+\n/.test(output)) ready();
    });
    child.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    void exited.then((code) => fail(new Error(`exited ${code}: ${output}`)));
  });
  const endpoint = (name: string) => new RegExp(`${name} (\\S+)`).exec(output)![1]!;
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    dynamodbEndpoint: endpoint('DynamoDB'),
    s3Endpoint: endpoint('S3'),
    exited,
  };
}

export const post = (url: string, body: unknown, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

/** A dev token of the local stack at `url`. */
export const devToken = async (url: string, tenant = 'acme', roles = ['admin']) =>
  ((await (await post(`${url}/dev/token`, { tenant, roles })).json()) as { token: string }).token;
