import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aircraftRecord } from '../support/fixtures';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const START = join(ROOT, 'infra/local/start.ts');

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it (the same script), in `cwd`, waiting for its "running" line. */
async function start(cwd: string, args: string[] = []): Promise<Started> {
  const port = await freePort();
  const child = spawn(TSX, [START, ...args], {
    cwd,
    env: { ...process.env, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let output = '';
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('is running at')) ready();
    });
    child.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    void exited.then((code) => fail(new Error(`exited ${code}: ${output}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

const post = (url: string, body: unknown, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

const devToken = async (url: string) =>
  ((await (await post(`${url}/dev/token`, { tenant: 'acme', roles: ['admin'] })).json()) as { token: string })
    .token;

const workDirs: string[] = [];
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves the API with dev tokens, keeps data under .data/ across restarts, and stops on SIGTERM and SIGINT', async () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), 'twinthread-start-'));
    workDirs.push(cwd);
    // Act: first run
    const first = await start(cwd);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    const created = await post(`${first.url}/v1/twins`, aircraftRecord('START-1'), await devToken(first.url));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    first.child.kill('SIGTERM');
    // Assess: a clean stop, the port released
    expect(await first.exited).toBe(0);
    await expect(fetch(`${first.url}/health`)).rejects.toThrow();

    // Act: second run over the same .data/
    const second = await start(cwd);
    const read = await fetch(`${second.url}/v1/twins/${id}`, {
      headers: { authorization: `Bearer ${await devToken(second.url)}` },
    });
    second.child.kill('SIGINT');
    // Assess
    expect(read.status).toBe(200);
    expect(((await read.json()) as { serialNumber: string }).serialNumber).toBe('START-1');
    expect(await second.exited).toBe(0);
  }, 90_000);

  it('with --memory keeps nothing, and refuses bad dev-token requests', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'twinthread-start-'));
    workDirs.push(cwd);
    const run = await start(cwd, ['--memory']);
    const bad = await post(`${run.url}/dev/token`, { tenant: 'acme#1', roles: ['pilot'] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    const jwks = (await (await fetch(`${run.url}/dev/jwks.json`)).json()) as { keys: { alg: string }[] };
    expect(jwks.keys[0]?.alg).toBe('ES256');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);
});
