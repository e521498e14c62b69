import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aircraftRecord } from '../support/fixtures';
import { devToken, post, startLocal as start } from '../support/local-process';

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

  it('answers only loopback Host names (no token through DNS rebinding); DynamoDB and S3 only on 127.0.0.1', async () => {
    // Prepare
    const cwd = mkdtempSync(join(tmpdir(), 'twinthread-start-'));
    workDirs.push(cwd);
    const run = await start(cwd, ['--memory']);
    const port = new URL(run.url).port;
    // Act
    const token = (host: string) =>
      rawRequest(run.url, '/dev/token', host, JSON.stringify({ tenant: 'acme', roles: ['admin'] }));
    const rebound = await token(`attacker.example:${port}`);
    const lookalike = await token(`localhost.attacker.example:${port}`);
    const health = await rawRequest(run.url, '/health', 'attacker.example');
    const loopback = await Promise.all(
      [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost'].map(token),
    );
    const listeners = [run.dynamodbEndpoint, run.s3Endpoint].map((endpoint) =>
      Number(new URL(endpoint).port),
    );
    const reach = await Promise.all(
      listeners.flatMap((listener) =>
        ['127.0.0.1', '127.0.0.2', '::1'].map((host) => connects(host, listener)),
      ),
    );
    run.child.kill('SIGTERM');
    // Assess
    for (const refused of [rebound, lookalike, health]) {
      expect(refused.status).toBe(403);
      expect(refused.type).toBe('application/problem+json');
      expect(refused.body).not.toContain('token":');
    }
    expect(loopback.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect([run.dynamodbEndpoint, run.s3Endpoint].map((endpoint) => new URL(endpoint).hostname)).toEqual([
      '127.0.0.1',
      '127.0.0.1',
    ]);
    // reachable on 127.0.0.1 only: neither another loopback address nor IPv6
    expect(reach).toEqual([true, false, false, true, false, false]);
    expect(await run.exited).toBe(0);
  }, 60_000);
});

/** A request with the Host header a rebound page would send (fetch cannot set Host). */
const rawRequest = (base: string, path: string, host: string, body?: string) =>
  new Promise<{ status: number; type: string; body: string }>((done, fail) => {
    const request = httpRequest(
      `${base}${path}`,
      { method: body ? 'POST' : 'GET', headers: { host, 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () =>
          done({
            status: response.statusCode ?? 0,
            type: response.headers['content-type'] ?? '',
            body: text,
          }),
        );
      },
    );
    request.on('error', fail);
    request.end(body);
  });

/** Whether a TCP connection to host:port is accepted. */
const connects = (host: string, port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
