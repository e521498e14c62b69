import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { s3Client } from '../../shared/store/clients';
import { loadDocument } from '../../shared/store/document-store';
import { type Caller, startApi, type TestApi } from '../support/api';
import { feedOf } from '../support/feed';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

const OUTAGE = 'simulatedS3Outage';

let api: TestApi;
let caller: Caller;
const tenant = newTenant('outage');

beforeAll(async () => {
  api = await startApi();
  caller = await api.as(tenant, ['engineer']);
});
afterAll(() => api.stop());
afterEach(() => {
  s3Client().middlewareStack.remove(OUTAGE);
});

/** S3 fails (as a 5xx or a dropped connection would) for the given commands, until removed. */
function simulateOutage(commands: string[]) {
  s3Client().middlewareStack.add(
    (next, context) => async (args) => {
      if (commands.includes(String(context.commandName))) {
        throw Object.assign(new Error('socket hang up'), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: OUTAGE },
  );
}

const content = Buffer.from('inspection report of the left engine');
const body = {
  kind: 'inspection-report',
  title: 'Borescope, engine 1',
  contentType: 'application/pdf',
  size: content.length,
  sha256: createHash('sha256').update(content).digest('hex'),
};

it('answers 503 while S3 cannot be asked about an upload, keeps the version pending, then makes it available', async () => {
  // Prepare
  const created = await caller('POST', '/v1/documents', { body });
  const id = created.body.document.id;
  const put = await fetch(created.body.uploadUrl, {
    method: 'PUT',
    headers: created.body.uploadHeaders,
    body: content,
  });
  expect(put.status).toBe(200);
  simulateOutage(['HeadObjectCommand']);
  // Act
  const duringOutage = await caller('GET', `/v1/documents/${id}`);
  const pending = await loadDocument(tenant, id);
  s3Client().middlewareStack.remove(OUTAGE);
  const afterOutage = await caller('GET', `/v1/documents/${id}`);
  // Assess
  expectProblem(duringOutage, 503);
  expect(duringOutage.headers.get('retry-after')).toBeTruthy();
  expect(pending?.versions.map((version) => version.status)).toEqual(['pending']);
  expect(pending?.record.availableVersion).toBeUndefined();
  expect(afterOutage.status).toBe(200);
  expect(afterOutage.body.document).toMatchObject({ version: 1, status: 'available' });
  const events = (await feedOf(tenant)).filter((event) => event.documentId === id);
  expect(events.map((event) => [event.type, event.version])).toEqual([['document.version.available', 1]]);
});

it('records the document pending when the upload URL cannot be prepared, and a new version recovers', async () => {
  // Prepare
  simulateOutage(['PutObjectCommand']);
  // Act
  const failed = await caller('POST', '/v1/documents', { body: { ...body, title: 'Recovered report' } });
  s3Client().middlewareStack.remove(OUTAGE);
  const listed = await caller('GET', '/v1/documents?kind=inspection-report');
  const recorded = listed.body.items.find((doc: { title: string }) => doc.title === 'Recovered report');
  const retry = await caller('POST', `/v1/documents/${recorded.id}/versions`, {
    body: { size: body.size, sha256: body.sha256 },
  });
  await fetch(retry.body.uploadUrl, { method: 'PUT', headers: retry.body.uploadHeaders, body: content });
  const read = await caller('GET', `/v1/documents/${recorded.id}`);
  // Assess
  expectProblem(failed, 503);
  expect(failed.body.detail).toContain(recorded.id);
  expect(recorded).toMatchObject({ status: 'pending' });
  expect(read.status).toBe(200);
  expect(read.body.document).toMatchObject({ version: 2, availableVersion: 2 });
});
