import { type InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/exchange/handler';
import { config } from '../../shared/config';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import { nextModelVersion } from '../../shared/domain/conformance';
import { asBuiltHistory, newTwinRecord } from '../../shared/domain/twin';
import { nextTypeVersion } from '../../shared/domain/types';
import type { View } from '../../shared/domain/view';
import { USAGE_LINE_RECORDS } from '../../shared/schemas/tenant-lines';
import type { AttributeDefinition } from '../../shared/schemas/types';
import {
  type ExportStage,
  type ExportStageOptions,
  exportJobAnswer,
  MAX_STAGE_ATTEMPTS,
  reviveStalledExport,
  runExportStage,
  runTenantExport,
  type StageOutcome,
  stallMs,
  startTenantExport,
} from '../../shared/services/tenant-export';
import { s3Client } from '../../shared/store/clients';
import { putModelVersion } from '../../shared/store/conformance-store';
import { createDocument } from '../../shared/store/document-store';
import { claimExportStage, getExportJob } from '../../shared/store/export-store';
import { keys } from '../../shared/store/keys';
import { recordOverhaul } from '../../shared/store/overhaul-store';
import { putPartMaster } from '../../shared/store/part-store';
import { createGrant, createView, setRoleView, updateView } from '../../shared/store/sharing-store';
import { inTenantScope } from '../../shared/store/tenant-scope';
import { createTwin, loadTwinParts } from '../../shared/store/twin-store';
import { putTypeVersion } from '../../shared/store/type-store';
import { putUsageParameter, recordUsage } from '../../shared/store/usage-store';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

// Stages are forced small: parts of 2 KB (s3rver does not enforce S3's 5 MiB) and few lines a stage.
const EXPORTED_AT = new Date('2025-06-01T12:00:00Z');
const now = () => EXPORTED_AT;
const SMALL = { now, partBytes: 2048 } satisfies ExportStageOptions;
const actor = { sub: 'test', tenant: 'test' };

async function addTwin(tenant: string, serialNumber: string): Promise<string> {
  const body = aircraftRecord(serialNumber);
  const created = new Date();
  const record = newTwinRecord(body, ulid(), created);
  await createTwin(
    tenant,
    asBuiltHistory(record, flattenAsBuilt(body.configuration), actor, ulid()),
    created,
  );
  return record.id;
}

async function addDocument(tenant: string, title: string): Promise<string> {
  const at = new Date().toISOString();
  const file = { contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) };
  const id = ulid();
  await createDocument(
    tenant,
    { id, kind: 'manual', title, ...file, latestVersion: 1, createdAt: at, createdBy: 'test', updatedAt: at },
    { version: 1, ...file, status: 'pending', createdAt: at, createdBy: 'test' },
  );
  return id;
}

/** Runs a job's stages in turn as the hand-offs ask (the test sees every stage), `between` each. */
async function drive(
  tenant: string,
  id: string,
  options: ExportStageOptions,
  between?: (next: ExportStage) => Promise<void>,
) {
  const outcomes: (StageOutcome | 'threw')[] = [];
  let next: ExportStage | undefined = { tenant, id, stage: 1 };
  while (next) {
    const { stage } = next;
    next = undefined;
    const handOff = async (following: ExportStage) => {
      next = following;
    };
    outcomes.push(
      await runExportStage(tenant, id, stage, { ...options, handOff }).catch(() => 'threw' as const),
    );
    if (next && between) await between(next);
  }
  return outcomes;
}

// biome-ignore lint/suspicious/noExplicitAny: export lines are checked field by field
type Line = any;

async function linesOf(tenant: string, id: string): Promise<Line[]> {
  const object = await s3Client().send(
    new GetObjectCommand({ Bucket: config.bucketName(), Key: keys.exportObject(tenant, id) }),
  );
  const text = (await object.Body?.transformToString()) ?? '';
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

const idsOf = (lines: Line[]) =>
  lines.map((line) => {
    switch (line.type) {
      case 'twin':
        return line.source.twinId;
      case 'document':
        return line.document.id;
      case 'type':
        return line.name;
      case 'view':
        return line.id;
      case 'grant':
        return line.grant.id;
      case 'part':
        return line.partNumber;
      case 'configuration-model':
        return line.productPartNumber;
      case 'usage':
        return `${line.source.twinId}/${line.parameter}/${line.records[0].id}`;
      case 'component':
        return `${line.partNumber}/${line.serialNumber}`;
      default:
        return line.type;
    }
  });

async function addType(tenant: string, name: string, versions: number) {
  for (let version = 1; version <= versions; version++) {
    const attributes: Record<string, AttributeDefinition> = {};
    for (let index = 0; index < version; index++) attributes[`a${index}`] = { type: 'string' };
    await putTypeVersion(tenant, name, (latest) =>
      nextTypeVersion(name, { kind: 'component', attributes }, latest, { now: new Date(), actor }),
    );
  }
}

async function addView(tenant: string, name: string, versions: number): Promise<View> {
  let view: View = { id: ulid(), version: 1, name, positions: ['hvac'] };
  await createView(tenant, view);
  for (let version = 2; version <= versions; version++) {
    view = { ...view, version, positions: [...(view.positions ?? []), `p${version}`] };
    await updateView(tenant, view);
  }
  return view;
}

async function addGrant(owner: string, view: View): Promise<string> {
  const id = ulid();
  // the owner's admin gives it: in the owner's scope (the grantee's feed is its peer)
  await inTenantScope(owner, () =>
    createGrant({
      id,
      owner,
      grantee: 'stages-grantee',
      view,
      twins: { site: 'TLS' },
      purpose: 'contractor',
      permissions: ['read'],
      createdAt: new Date().toISOString(),
      createdBy: actor,
    }),
  );
  return id;
}

const startJob = (tenant: string) => startTenantExport(tenant, actor, new Date());

const WATCH = 'exportStageWatch';
afterEach(() => {
  s3Client().middlewareStack.remove(WATCH);
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Every S3 command sent from now on; `fail` makes the ones it picks fail as a 5xx would. */
function watchS3(fail: (command: string, input: Record<string, unknown>) => boolean = () => false) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  s3Client().middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as Record<string, unknown>;
      sent.push({ command, input });
      if (fail(command, input)) {
        throw Object.assign(new Error('simulated S3 failure'), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: WATCH },
  );
  return sent;
}

const bulk = newTenant('stages');
const small = newTenant('stages-small');
const bulkTwins: string[] = [];
const bulkDocuments: string[] = [];
const bulkTypes: string[] = [];
const bulkViews: string[] = [];
const bulkGrants: string[] = [];
/** The usage records of one twin: more than two lines of them. */
const BUSY_RECORDS = 18 * 60;
let reference: Line[];

beforeAll(async () => {
  // more than a page (100) of twins and of documents, so stages stop inside and across pages
  for (let start = 0; start < 105; start += 15) {
    bulkTwins.push(
      ...(await Promise.all(
        Array.from({ length: 15 }, (_, index) =>
          addTwin(bulk, `STG-${String(start + index).padStart(3, '0')}`),
        ),
      )),
    );
  }
  for (let index = 0; index < 130; index++) bulkDocuments.push(await addDocument(bulk, `Manual ${index}`));
  // enough types, views and grants (small lines) that stages stop inside those phases too
  for (let index = 0; index < 30; index++) {
    const name = `type-${String(index).padStart(2, '0')}`;
    await addType(bulk, name, 1 + (index % 3));
    bulkTypes.push(name);
  }
  const views: View[] = [];
  for (let index = 0; index < 20; index++) views.push(await addView(bulk, `View ${index}`, 1 + (index % 2)));
  bulkViews.push(...views.map((view) => view.id));
  await setRoleView(bulk, 'viewer', views[0]!);
  for (let index = 0; index < 30; index++)
    bulkGrants.push(await addGrant(bulk, views[index % views.length]!));
  // usage parameters, part masters and models (every version), usage of some twins: one of them in
  // several lines (a stage may stop inside its records), and the serials of every twin (components)
  for (const name of ['FH', 'FC']) await putUsageParameter(bulk, name, { unit: name }, new Date());
  for (let index = 0; index < 30; index++)
    for (let version = 1; version <= 1 + (index % 2); version++)
      await putPartMaster(
        bulk,
        `PN-${String(index).padStart(2, '0')}`,
        { llp: version > 1, lifeLimits: [] },
        new Date(),
      );
  for (let index = 0; index < 20; index++)
    for (let version = 1; version <= 1 + (index % 2); version++)
      await putModelVersion(bulk, `PROD-${index}`, (latest) =>
        nextModelVersion(
          `PROD-${index}`,
          { positions: [], rules: [], validate: version > 1 ? 'warn' : 'enforce' },
          latest,
          {
            now: new Date(),
            actor,
          },
        ),
      );
  const productOf = (twinId: string) => ({ id: twinId, productPartNumber: 'A320-214' });
  for (const twinId of bulkTwins.slice(0, 20))
    await recordUsage(
      bulk,
      productOf(twinId),
      { records: [{ parameter: 'FH', at: '2025-01-01T10:00:00Z', delta: 2 }] },
      new Date(),
    );
  const busy = bulkTwins[20]!;
  for (let flight = 0; flight < BUSY_RECORDS; flight += 60)
    await recordUsage(
      bulk,
      productOf(busy),
      {
        records: Array.from({ length: 60 }, (_, index) => ({
          parameter: 'FC',
          at: new Date(Date.parse('2025-01-01T00:00:00Z') + (flight + index) * 3_600_000).toISOString(),
          delta: 1,
        })),
      },
      new Date(),
    );
  // every serial of 30 twins overhauled: a component line each (several per twin)
  for (const twinId of bulkTwins.slice(0, 30)) {
    const serial = (await loadTwinParts(bulk, twinId, { current: true }))!.state.current.flatMap(
      ({ installation }) => (installation?.component.serialNumber ? [installation.component] : []),
    );
    for (const { partNumber, serialNumber } of serial)
      await recordOverhaul(
        bulk,
        { partNumber, serialNumber: serialNumber! },
        { at: '2025-02-01T00:00:00Z' },
        new Date(),
      );
  }
  for (let index = 0; index < 6; index++) await addTwin(small, `SML-${index}`);
  for (let index = 0; index < 3; index++) await addDocument(small, `Small manual ${index}`);
  // the reference: the same tenant exported in one stage
  const job = await startJob(bulk);
  expect(await drive(bulk, job.id, SMALL)).toEqual(['done']);
  reference = await linesOf(bulk, job.id);
}, 120_000);

describe('a tenant export in stages', () => {
  it('writes, over many stages, exactly the lines of a one-stage export, each twin and document once', async () => {
    // Prepare
    const job = await startJob(bulk);
    const stoppedIn = new Set<string>();
    const insideItems = new Set<string>();
    // Act: stages of 9 lines, which stop inside the multi-line items of this tenant (documents come first)
    const outcomes = await drive(bulk, job.id, { ...SMALL, maxLines: 9 }, async () => {
      const checkpoint = (await getExportJob(bulk, job.id))?.checkpoint;
      if (checkpoint) stoppedIn.add(checkpoint.phase);
      if (checkpoint?.skip.some((id) => id.includes('#'))) insideItems.add(checkpoint.phase);
    });
    // Assess
    expect(outcomes.length).toBeGreaterThan(10);
    expect([...stoppedIn].sort()).toEqual([
      'components',
      'configuration-models',
      'documents',
      'grants',
      'parts',
      'twins',
      'types',
      'usage',
      'views',
    ]);
    // stopped inside a twin's several component lines, and inside its several usage lines
    expect([...insideItems].sort()).toEqual(['components', 'usage']);
    expect(outcomes.slice(0, -1).every((outcome) => outcome === 'handed-off')).toBe(true);
    expect(outcomes.at(-1)).toBe('done');
    const lines = await linesOf(bulk, job.id);
    expect(lines[0]).toMatchObject({
      type: 'header',
      format: 'twinthread.tenant/4',
      tenant: bulk,
      jobId: job.id,
    });
    expect(lines.slice(1)).toEqual(reference.slice(1));
    const ofType = (type: string) => idsOf(lines.filter((line) => line.type === type));
    expect(idsOf(lines.slice(1))).toEqual([
      ...bulkTypes,
      'usage-parameters',
      ...ofType('part'),
      ...ofType('configuration-model'),
      ...idsOf(lines.filter((line) => line.type === 'document')),
      ...ofType('twin'),
      ...ofType('usage'),
      ...ofType('component'),
      ...idsOf(lines.filter((line) => line.type === 'view')),
      'role-views',
      ...idsOf(lines.filter((line) => line.type === 'grant')),
    ]);
    expect(idsOf(lines.slice(1)).sort()).toEqual(
      [
        ...bulkTypes,
        ...bulkTwins,
        ...bulkDocuments,
        ...bulkViews,
        'role-views',
        ...bulkGrants,
        'usage-parameters',
        ...['part', 'configuration-model', 'usage', 'component'].flatMap(ofType),
      ].sort(),
    );
    expect(lines.filter((line) => line.type === 'type').map((line) => line.versions.length)).toEqual(
      bulkTypes.map((_, index) => 1 + (index % 3)),
    );
    expect(await exportJobAnswer(bulk, job.id, new Date())).toMatchObject({
      status: 'done',
      twins: 105,
      documents: 130,
      types: 30,
      views: 20,
      grants: 30,
      usageParameters: 2,
      parts: 30,
      configurationModels: 20,
      usageRecords: 20 + BUSY_RECORDS,
      // the engines, FADECs and HVAC controller of the twins overhauled
      components: 30 * 5,
    });
    expect(ofType('usage')).toHaveLength(20 + Math.ceil(BUSY_RECORDS / USAGE_LINE_RECORDS));
    expect(lines.filter((line) => line.type === 'part').map((line) => line.versions.length)).toEqual(
      Array.from({ length: 30 }, (_, index) => 1 + (index % 2)),
    );
  });

  it('runs a failed stage again from its checkpoint: the object is whole, no line twice', async () => {
    // Prepare: the third stage fails at its second part, once
    const job = await startJob(bulk);
    let stage = 1;
    let partsOfStage = 0;
    let failures = 0;
    watchS3((command) => {
      if (command !== 'UploadPartCommand') return false;
      partsOfStage++;
      if (stage !== 3 || partsOfStage !== 2 || failures > 0) return false;
      failures++;
      return true;
    });
    // Act
    const outcomes = await drive(bulk, job.id, { ...SMALL, maxLines: 30 }, async (next) => {
      stage = next.stage;
      partsOfStage = 0;
    });
    // Assess
    expect(failures).toBe(1);
    expect(outcomes.filter((outcome) => outcome === 'threw')).toHaveLength(1);
    expect(outcomes.indexOf('threw')).toBe(2);
    expect(outcomes.at(-1)).toBe('done');
    const lines = await linesOf(bulk, job.id);
    expect(lines.slice(1)).toEqual(reference.slice(1));
    const ids = idsOf(lines.slice(1));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does nothing on a duplicate or late invocation of a stage', async () => {
    // Prepare: stage 1 ran and handed on
    const job = await startJob(small);
    const handedOn: ExportStage[] = [];
    const options = { ...SMALL, maxLines: 2, handOff: async (next: ExportStage) => void handedOn.push(next) };
    expect(await runExportStage(small, job.id, 1, options)).toBe('handed-off');
    const before = await getExportJob(small, job.id);
    const sent = watchS3();
    // Act: stage 1 again, stage 2 twice at once
    const late = await runExportStage(small, job.id, 1, options);
    const twice = await Promise.all([
      runExportStage(small, job.id, 2, options),
      runExportStage(small, job.id, 2, options),
    ]);
    // Assess
    expect(late).toBe('skipped');
    expect(handedOn).toEqual([{ tenant: small, id: job.id, stage: 2 }, expect.anything()]);
    expect(twice.filter((outcome) => outcome === 'skipped')).toHaveLength(1);
    expect(before).toMatchObject({ stage: 2, status: 'running' });
    const parts = sent
      .filter((call) => call.command === 'UploadPartCommand')
      .map((call) => call.input.PartNumber);
    expect(new Set(parts).size).toBe(parts.length);
  });

  it('writes nothing when an ended stage is invoked again', async () => {
    // Prepare
    const job = await startJob(small);
    const outcomes = await drive(small, job.id, { ...SMALL, maxLines: 3 });
    const ended = await getExportJob(small, job.id);
    const sent = watchS3();
    // Act
    const again = await Promise.all(
      outcomes.map((_, index) => runExportStage(small, job.id, index + 1, SMALL)),
    );
    // Assess
    expect(again.every((outcome) => outcome === 'skipped')).toBe(true);
    expect(sent).toEqual([]);
    expect(await getExportJob(small, job.id)).toEqual(ended);
  });

  it(`fails the job after ${MAX_STAGE_ATTEMPTS} failures of a stage and aborts its upload`, async () => {
    // Prepare: every part after the first fails
    const job = await startJob(small);
    const sent = watchS3((command, input) => command === 'UploadPartCommand' && Number(input.PartNumber) > 1);
    // Act
    const outcomes = await drive(small, job.id, { ...SMALL, maxLines: 1 });
    // Assess
    expect(outcomes).toEqual(['handed-off', 'threw', 'threw', 'threw']);
    const failed = await getExportJob(small, job.id);
    const uploadIds = new Set(sent.filter((call) => call.input.UploadId).map((call) => call.input.UploadId));
    expect(uploadIds.size).toBe(1);
    expect(sent.filter((call) => call.command === 'AbortMultipartUploadCommand')).toEqual([
      {
        command: 'AbortMultipartUploadCommand',
        input: expect.objectContaining({ UploadId: [...uploadIds][0] }),
      },
    ]);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'The export could not be completed: start a new one',
      twins: 1,
    });
    expect(failed).not.toHaveProperty('uploadId');
    expect(failed).not.toHaveProperty('checkpoint');
    expect(await runExportStage(small, job.id, 2, SMALL)).toBe('skipped');
    expect(await exportJobAnswer(small, job.id, new Date())).not.toHaveProperty('downloadUrl');
  });

  it('resumes a job whose running stage failed once the service is back (runTenantExport)', async () => {
    // Prepare: stage 2 fails twice, then S3 answers again
    const job = await startJob(small);
    let failures = 0;
    watchS3((command, input) => command === 'UploadPartCommand' && input.PartNumber === 3 && failures++ < 2);
    // Act
    await runTenantExport(small, job.id, { ...SMALL, maxLines: 2 });
    // Assess
    expect(failures).toBe(3);
    expect(await exportJobAnswer(small, job.id, new Date())).toMatchObject({
      status: 'done',
      twins: 6,
      documents: 3,
    });
  });
});

describe('deployed, each stage is an invocation of the exchange function', () => {
  const invocations = () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'twinthread-exchange');
    const send = vi.spyOn(LambdaClient.prototype, 'send').mockResolvedValue({ StatusCode: 202 } as never);
    return () =>
      send.mock.calls.map(([command]) => {
        const input = (command as InvokeCommand).input;
        return {
          FunctionName: input.FunctionName,
          InvocationType: input.InvocationType,
          event: JSON.parse(Buffer.from(input.Payload as Uint8Array).toString()),
        };
      });
  };

  it('hands the rest to a new invocation when the time left is below the margin', async () => {
    // Prepare
    const job = await startJob(small);
    const invoked = invocations();
    // Act
    const outcome = await runExportStage(small, job.id, 1, { ...SMALL, remainingMs: () => 60_000 });
    // Assess
    expect(outcome).toBe('handed-off');
    expect(invoked()).toEqual([
      {
        FunctionName: 'twinthread-exchange',
        InvocationType: 'Event',
        event: { exportJob: { tenant: small, id: job.id, stage: 2 } },
      },
    ]);
    expect(await exportJobAnswer(small, job.id, new Date())).toMatchObject({ status: 'running', stage: 2 });
  });

  it('invokes a failed stage again, the same stage', async () => {
    // Prepare
    const job = await startJob(small);
    const invoked = invocations();
    watchS3((command) => command === 'UploadPartCommand');
    // Act
    const run = runExportStage(small, job.id, 1, SMALL);
    // Assess
    await expect(run).rejects.toThrow('simulated S3 failure');
    expect(invoked().map((call) => call.event)).toEqual([
      { exportJob: { tenant: small, id: job.id, stage: 1 } },
    ]);
    expect(await getExportJob(small, job.id)).toMatchObject({ status: 'running', stage: 1, attempts: 1 });
  });

  it('runs the stage an event names with the time the invocation has left, and ignores a stale one', async () => {
    // Prepare
    const job = await startJob(small);
    const context = { getRemainingTimeInMillis: () => 600_000 } as Context;
    const signal = new AbortController().signal;
    const event = (stage?: number) => ({
      exportJob: { tenant: small, id: job.id, ...(stage ? { stage } : {}) },
    });
    // Act
    const answer = await handler(event() as never, context, { signal });
    const stale = await handler(event(1) as never, context, { signal });
    // Assess
    expect(answer).toEqual({ statusCode: 200 });
    expect(stale).toEqual({ statusCode: 200 });
    expect(await exportJobAnswer(small, job.id, new Date())).toMatchObject({ status: 'done', twins: 6 });
  });
});

describe('twins created while an export runs', () => {
  it('never writes a twin twice when new twins push written ones to a later page', async () => {
    // Prepare: stage 1 writes 60 twins of the first page; 50 twins sorting first arrive before stage 2
    const job = await startJob(bulk);
    const added: string[] = [];
    // Act
    const outcomes = await drive(bulk, job.id, { ...SMALL, maxLines: 60 }, async (next) => {
      if (next.stage !== 2) return;
      for (let index = 0; index < 50; index += 10) {
        added.push(
          ...(await Promise.all(
            Array.from({ length: 10 }, (_, offset) =>
              addTwin(bulk, `AAA-${String(index + offset).padStart(2, '0')}`),
            ),
          )),
        );
      }
    });
    // Assess
    expect(outcomes.at(-1)).toBe('done');
    const ids = idsOf((await linesOf(bulk, job.id)).slice(1));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => bulkTwins.includes(id)).sort()).toEqual([...bulkTwins].sort());
    expect(ids.filter((id) => bulkDocuments.includes(id))).toHaveLength(130);
  });
});

describe('a stalled job (its stage killed outright, or never started)', () => {
  const later = (from: number, ms: number) => new Date(from + ms);

  it('is handed on again by the first read after the stall, once however many read it, and completes', async () => {
    // Prepare: the job was recorded, but no stage ever claimed it
    const job = await startJob(small);
    const recorded = (await getExportJob(small, job.id))!;
    const handedOn: ExportStage[] = [];
    const handOff = async (next: ExportStage) => void handedOn.push(next);
    const created = Date.parse(job.createdAt);
    // Act
    const early = await reviveStalledExport(small, recorded, later(created, stallMs() - 1_000), { handOff });
    const readers = await Promise.all(
      [1, 2, 3].map(() =>
        reviveStalledExport(small, recorded, later(created, stallMs() + 1_000), { handOff }),
      ),
    );
    // Assess
    expect(early).toEqual(recorded);
    expect(handedOn).toEqual([{ tenant: small, id: job.id, stage: 1 }]);
    expect(readers.map((read) => read?.attempts)).toEqual([1, 1, 1]);
    expect(await drive(small, job.id, SMALL)).toEqual(['done']);
    expect(await exportJobAnswer(small, job.id, new Date())).toMatchObject({ status: 'done', twins: 6 });
  });

  it('hands a claimed stage on as soon as its lease ends, then runs it again to the end (GET, locally)', async () => {
    // Prepare: stage 1 was claimed (its heartbeat last renewed the lease to a minute on), then died
    const job = await startJob(small);
    const claimedAt = Date.now();
    const lease = { stage: 1, leaseId: ulid(), until: claimedAt + 60_000, now: claimedAt };
    expect(await claimExportStage(small, job.id, lease)).not.toBeNull();
    // Act
    const during = await exportJobAnswer(small, job.id, later(claimedAt, 59_000));
    const leasedDuring = await getExportJob(small, job.id);
    const after = await exportJobAnswer(small, job.id, later(claimedAt, 61_000));
    // Assess: no stall added to the lease; locally the stage runs again in this process
    expect(during).toMatchObject({ status: 'running', stage: 1 });
    expect(leasedDuring).toMatchObject({ leaseId: lease.leaseId });
    expect(after).toMatchObject({ status: 'running', stage: 1 });
    await vi.waitFor(async () => expect((await getExportJob(small, job.id))?.status).toBe('done'), {
      timeout: 20_000,
      interval: 50,
    });
    expect(await exportJobAnswer(small, job.id, new Date())).toMatchObject({ twins: 6, documents: 3 });
  });

  it(`fails the job and aborts its upload after ${MAX_STAGE_ATTEMPTS} stalls of a stage`, async () => {
    // Prepare: stage 1 wrote a part and handed on; stage 2 never runs
    const job = await startJob(small);
    const options = { ...SMALL, maxLines: 2, handOff: async () => undefined };
    expect(await runExportStage(small, job.id, 1, options)).toBe('handed-off');
    const sent = watchS3();
    const handedOn: ExportStage[] = [];
    const handOff = async (next: ExportStage) => void handedOn.push(next);
    // Act: every reader finds the job stalled again
    let at = Date.now();
    for (let read = 0; read < MAX_STAGE_ATTEMPTS; read++) {
      at += stallMs() + 1_000;
      await reviveStalledExport(small, (await getExportJob(small, job.id))!, new Date(at), { handOff });
    }
    // Assess
    expect(handedOn).toEqual(Array(MAX_STAGE_ATTEMPTS - 1).fill({ tenant: small, id: job.id, stage: 2 }));
    expect(await getExportJob(small, job.id)).toMatchObject({
      status: 'failed',
      error: 'The export could not be completed: start a new one',
    });
    expect(sent.map((call) => call.command)).toEqual(['AbortMultipartUploadCommand']);
    expect(await runExportStage(small, job.id, 2, SMALL)).toBe('skipped');
  });
});
