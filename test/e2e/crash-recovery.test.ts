import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/store/keys';
import { LOCAL_TABLE_NAME } from '../../shared/store/table';
import { aircraftRecord, wideRecord } from '../support/fixtures';
import { devToken, post, type Started, startLocal } from '../support/local-process';

const workDirs: string[] = [];
const running: Started[] = [];
afterAll(() => {
  for (const run of running) run.child.kill('SIGKILL');
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

const newDataDir = () => {
  const cwd = mkdtempSync(join(tmpdir(), 'twinthread-crash-'));
  workDirs.push(cwd);
  return cwd;
};

const start = async (cwd: string, env: Record<string, string> = {}) => {
  const run = await startLocal(cwd, [], env);
  running.push(run);
  return run;
};

/** `kill -9`: no shutdown hook runs, nothing is flushed or undone. */
const killHard = async (run: Started) => {
  run.child.kill('SIGKILL');
  await run.exited;
};

/** Reads one item of the child's embedded DynamoDB (straight from the store, as a poll). */
const getItem = (run: Started, key: { PK: string; SK: string }) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: run.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  )
    .send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: key, ConsistentRead: true }))
    .then((result) => result.Item);

const waitFor = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const get = async (url: string, token: string) => {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('kill -9 during a 10,000-position create, then a restart on the same data', () => {
  it('leaves no twin.created event of the twin that never became visible', async () => {
    // Prepare
    const cwd = newDataDir();
    const first = await start(cwd);
    const body = wideRecord('KILL-1', 10_000);
    const guard = keys.serialGuard('acme', body.product.partNumber, body.serialNumber);
    // Act: the create is killed once its as-built change set is in (written after the 10,002 guards,
    // with the event until the fix), long before its last transaction
    void post(`${first.url}/v1/twins`, body, await devToken(first.url)).catch(() => undefined);
    const held = await waitFor(() => getItem(first, guard));
    await waitFor(() => getItem(first, keys.changeSet('acme', String(held.twinId), 1)));
    await killHard(first);
    const second = await start(cwd);
    const token = await devToken(second.url);
    const twinId = String(held.twinId);
    const feed = await get(`${second.url}/v1/events?settled=false&limit=100`, token);
    const twinFeed = await get(`${second.url}/v1/events?settled=false&twinId=${twinId}`, token);
    const read = await get(`${second.url}/v1/twins/${twinId}`, token);
    const listed = await get(`${second.url}/v1/twins?serialNumber=KILL-1`, token);
    // Assess: the crash left a pending twin behind (the test really killed it midway)...
    expect((await getItem(second, keys.twinMeta('acme', twinId)))?.status).toBe('pending');
    // ...and nothing of it is visible, not even in the change feed
    expect(feed.body.items).toEqual([]);
    expect(twinFeed.body.items).toEqual([]);
    expect(read.status).toBe(404);
    expect(listed.body.items).toEqual([]);
    await killHard(second);
  }, 120_000);
});

/** Polls the job until it is no longer running (bounded by polls, not by the clock). */
const settledJob = async (url: string, token: string, id: string) => {
  for (let poll = 0; poll < 600; poll++) {
    const job = await get(`${url}/v1/exports/${id}`, token);
    if (job.body.status !== 'running') return job.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`export ${id} still running after 600 polls`);
};

/** The lines of a finished export, without what differs between two runs (job id, times of export). */
const linesOf = async (job: Record<string, unknown>) =>
  (await (await fetch(String(job.downloadUrl))).text())
    .trim()
    .split('\n')
    .map((text) => {
      const { exportedAt: _e, asOf: _a, knownAt: _k, jobId: _j, startedAt: _s, ...line } = JSON.parse(text);
      return line;
    });

describe('kill -9 of a tenant export mid-stage, then a restart on the same data', () => {
  it('stays running only until its lease ends: the next GET hands it on and it completes with every line', async () => {
    // Prepare: a stall of 1 s instead of 5 minutes, and a tenant large enough for a stage to take a while
    const cwd = newDataDir();
    const env = { EXPORT_STALL_MS: '1000' };
    const first = await start(cwd, env);
    const token = await devToken(first.url);
    for (let batch = 0; batch < 30; batch++)
      await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          post(`${first.url}/v1/twins`, aircraftRecord(`EXP-${batch}-${index}`), token),
        ),
      );
    // Act: killed while its first stage holds the job
    const job = (await (await post(`${first.url}/v1/exports`, {}, token)).json()) as { id: string };
    const jobKey = keys.exportJob('acme', job.id);
    await waitFor(async () => ((await getItem(first, jobKey))?.leaseId ? true : undefined));
    await killHard(first);
    const second = await start(cwd, env);
    const stalled = await getItem(second, jobKey);
    const again = await devToken(second.url);
    const revived = await settledJob(second.url, again, job.id);
    const uninterrupted = await settledJob(
      second.url,
      again,
      String(((await (await post(`${second.url}/v1/exports`, {}, again)).json()) as { id: string }).id),
    );
    // Assess: it really was killed mid-stage...
    expect(stalled).toMatchObject({ status: 'running', stage: 1, leaseId: expect.any(String) });
    // ...and was handed on and completed as if nothing had happened
    expect(revived).toMatchObject({ status: 'done', twins: 300 });
    expect(await linesOf(revived)).toEqual(await linesOf(uninterrupted));
    await killHard(second);
  }, 180_000);
});
