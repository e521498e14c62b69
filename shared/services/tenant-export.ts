import { config } from '../config';
import type { Actor } from '../domain/change-set';
import { NotFound } from '../domain/errors';
import { ulid } from '../ids';
import { BUSINESS_METRICS, countBusiness } from '../observability/metrics';
import { complianceRecordsOfTwin } from '../store/compliance-store';
import { loadCursorKey, withCursorBinding } from '../store/cursor';
import { listDocuments } from '../store/document-store';
import {
  abortExportUpload,
  checkpointExportStage,
  claimExportStage,
  createExportJob,
  createExportUpload,
  EXPORT_COUNTS,
  EXPORT_PHASES,
  type ExportCheckpoint,
  type ExportJobRecord,
  type ExportPhase,
  type ExportProgress,
  finishExportJob,
  getExportJob,
  invokeExportJob,
  MIN_PART_BYTES,
  openLineWriter,
  presignExportDownload,
  recordExportStageFailure,
  renewExportLease,
  reviveExportStage,
  type StageLease,
  StageLost,
  saveExportUpload,
} from '../store/export-store';
import { getRoleViews, listGrants, listViews, viewVersions } from '../store/sharing-store';
import { inTenantScope } from '../store/tenant-scope';
import { listTwins, loadTwin } from '../store/twin-store';
import { listTypes, typeVersions } from '../store/type-store';
import { type PhaseSource, phase } from './export-phase';
import { jsonExportOf } from './export-service';
import { DEFINITION_PHASES, TWIN_RECORD_PHASES } from './record-export';

/**
 * The lines of a tenant export: a header, then one line per type (every version), the usage
 * parameters (one line), part masters and configuration models (every version), documents, twins
 * (each its JSON export), the usage records of each twin and parameter (in lines of at most 500),
 * serialized components (stays, opening balances, overhauls, removals), the compliance records of
 * each twin (one line per twin with records), views (every version), the role views (one line) and
 * one per grant the tenant gave. `twinthread.tenant/3` had the documents after the compliance
 * records, and no `source` on document and compliance-records lines; `twinthread.tenant/2` had no
 * usage parameters, parts, models, usage or component lines.
 */
export const EXPORT_LINE_FORMAT = 'twinthread.tenant/4';

const PAGE = 100;
const PARALLEL_LOADS = 8;

/** A stage's time where no invocation says otherwise (locally): Lambda's maximum. */
const STAGE_MS = 15 * 60_000;
/**
 * A stage stops at the first part boundary once less than this remains. Reaching it means writing
 * at most one more part (5 MiB of lines: seconds at the rates measured), well inside the margin.
 */
export const STAGE_MARGIN_MS = 2 * 60_000;
/** A stage that failed this often fails the job (its upload aborted). */
export const MAX_STAGE_ATTEMPTS = 3;
/**
 * A running job nobody works on for this long is stalled: its stage was killed (memory, timeout,
 * `kill -9`) or its invocation never started. A hand-off is claimed within seconds; a claimed stage
 * holds a lease this long and renews it three times as often while it runs, so a stage that died is
 * noticed at most this long after its last sign of life. `EXPORT_STALL_MS` sets it (tests).
 * @default 5 minutes
 */
export const stallMs = () => config.exportStallMs();

const FAILED = 'The export could not be completed: start a new one';

/** One stage of one job: what an invocation (or, locally, an in-process run) is asked to do. */
export interface ExportStage {
  tenant: string;
  id: string;
  stage: number;
}

export interface ExportStageOptions {
  /** Clock of the export lines (`exportedAt`). @default the system clock */
  now?: () => Date;
  /** Least size of a part. @default MIN_PART_BYTES (S3's minimum; tests use less, s3rver allows it) */
  partBytes?: number;
  /** Time left to this stage. @default deployed, the invocation's; locally 15 minutes from its start */
  remainingMs?: () => number;
  /** A stage stops at the next part boundary once less time remains. @default STAGE_MARGIN_MS */
  marginMs?: number;
  /** A stage stops at the next part boundary once it wrote this many lines (tests force many stages). */
  maxLines?: number;
  /** Runs the next stage or a retry. @default {@link dispatchExportStage} */
  handOff?: (next: ExportStage) => Promise<void>;
}

/** What a stage did: ended the job, handed the rest on, or found the job elsewhere and did nothing. */
export type StageOutcome = 'done' | 'handed-off' | 'failed' | 'skipped';

interface ExportEntry {
  /** The progress count the line adds to (the role-views line adds to none), and by how much. */
  kind?: keyof ExportProgress;
  count: number;
  line: unknown;
  /** Where a stage stopping right after this line resumes. */
  resume: () => Pick<ExportCheckpoint, 'phase' | 'cursor' | 'skip'>;
}

/** Every phase's listing: types by name, twins, documents, views and grants by id, the role views once. */
const PHASES: Record<ExportPhase, PhaseSource<{ id: string }>> = {
  types: phase({
    kind: 'types',
    list: async (tenant, page) => {
      const listed = await listTypes(tenant, {}, page);
      return { ...listed, items: listed.items.map((type) => ({ id: type.name })) };
    },
    lines: (tenant, items) =>
      Promise.all(
        items.map(async ({ id: name }) => {
          const versions = await typeVersions(tenant, name);
          return versions.length === 0 ? null : { type: 'type', name, versions };
        }),
      ),
  }),
  ...DEFINITION_PHASES,
  twins: phase({
    kind: 'twins',
    list: (tenant, page) => listTwins(tenant, {}, page),
    lines: async (tenant, items, clock) => {
      const histories = await Promise.all(items.map((record) => loadTwin(tenant, record.id)));
      const lines: unknown[] = [];
      for (const history of histories)
        lines.push(history ? { type: 'twin', ...(await jsonExportOf(tenant, history, clock())) } : null);
      return lines;
    },
  }),
  ...TWIN_RECORD_PHASES,
  'compliance-records': complianceRecordsPhase(),
  documents: phase({
    kind: 'documents',
    list: (tenant, page) => listDocuments(tenant, {}, page),
    lines: async (tenant, items) =>
      items.map((document) => ({ type: 'document', source: { tenant }, document })),
  }),
  views: phase({
    kind: 'views',
    list: (tenant, page) => listViews(tenant, page),
    lines: (tenant, items) =>
      Promise.all(
        items.map(async ({ id }) => {
          const versions = await viewVersions(tenant, id);
          return versions.length === 0 ? null : { type: 'view', id, versions };
        }),
      ),
  }),
  'role-views': phase({
    list: async () => ({ items: [{ id: 'role-views' }] }),
    lines: async (tenant) => [{ type: 'role-views', roles: (await getRoleViews(tenant)).roles }],
  }),
  grants: phase({
    kind: 'grants',
    list: (tenant, page) => listGrants(tenant, {}, page),
    lines: async (_tenant, items) => items.map((grant) => ({ type: 'grant', grant })),
  }),
};

/** One line per twin with compliance records: `{type: 'compliance-records', source, twinId, records}` (every record, corrections included). */
function complianceRecordsPhase() {
  return phase({
    list: (tenant, page) => listTwins(tenant, {}, page),
    lines: (tenant, items) =>
      Promise.all(
        items.map(async ({ id }) => {
          const records = await complianceRecordsOfTwin(tenant, id);
          return records.length === 0
            ? null
            : { type: 'compliance-records', source: { tenant }, twinId: id, records };
        }),
      ),
  });
}

/**
 * The lines of the tenant, phase by phase (EXPORT_PHASES) and in listing order, from a checkpoint on.
 * A checkpoint holds the phase, the cursor of a page and the ids of that page already written: the
 * page is listed again and those ids are skipped (each only once: twins created meanwhile may shift
 * them to a later page), so no line is written twice and a stage may stop anywhere inside a page.
 * An item of several lines stopped inside is skipped as `<id>#<lines written>`: its first lines are
 * skipped on resuming (its lines come in an order that only grows at the end, e.g. record time).
 */
async function* exportEntries(
  tenant: string,
  from: Pick<ExportCheckpoint, 'phase' | 'cursor' | 'skip'>,
  clock: () => Date,
): AsyncGenerator<ExportEntry> {
  let phaseAt = EXPORT_PHASES.indexOf(from.phase);
  let cursor = from.cursor;
  let pending = new Set(from.skip);
  while (phaseAt < EXPORT_PHASES.length) {
    const name = EXPORT_PHASES[phaseAt]!;
    const source = PHASES[name];
    const atPage = { phase: name, ...(cursor ? { cursor } : {}) };
    const page = { limit: PAGE, ...(cursor ? { cursor } : {}) };
    const done: string[] = [];
    const listed = await source.list(tenant, page);
    // items of several lines a former stage stopped inside: how many of their lines it wrote
    const started = new Map<string, number>();
    for (const entry of pending) {
      const [id, written] = entry.split('#');
      if (written !== undefined) started.set(id!, Number(written));
    }
    const fresh = listed.items.filter((item) => {
      const written = pending.delete(item.id);
      if (written) done.push(item.id);
      return !written;
    });
    for (let start = 0; start < fresh.length; start += PARALLEL_LOADS) {
      const batch = fresh.slice(start, start + PARALLEL_LOADS);
      const lines = await source.lines(tenant, batch, clock);
      for (const [index, value] of lines.entries()) {
        const { id } = batch[index]!;
        const itemLines = value === null ? [] : Array.isArray(value) ? value : [value];
        const skipped = started.get(id) ?? 0;
        if (skipped > 0) pending.delete(`${id}#${skipped}`);
        for (let at = skipped; at < itemLines.length; at++) {
          const line = itemLines[at];
          const inside = at + 1 < itemLines.length ? [`${id}#${at + 1}`] : [id];
          const resume = () => ({ ...atPage, skip: [...pending, ...done, ...inside] });
          yield {
            ...(source.kind ? { kind: source.kind } : {}),
            count: source.count?.(line as never) ?? 1,
            line,
            resume,
          };
        }
        done.push(id);
      }
    }
    cursor = listed.nextCursor;
    if (cursor) continue;
    phaseAt++;
    pending = new Set();
  }
}

/**
 * Runs one stage of a tenant export job. The stage takes the job's lease (a duplicate or late
 * invocation of a stage finds the job at a later stage, or leased, and does nothing), resumes the
 * one multipart upload at the last checkpoint and writes lines until its time is nearly spent. It
 * then stops at the next part boundary, records the checkpoint and hands the rest to a new stage.
 *
 * Why at a part boundary: S3 parts but the last must be at least 5 MiB, so bytes buffered below a part
 * would have to outlive the stage (a temporary object to read back and delete: one more object per
 * stage, and s3:DeleteObject). Stopping right after a part was uploaded leaves nothing buffered: the
 * checkpoint is the page cursor plus the ids already written from that page, and the cost is at most
 * one more part of writing after the budget, which the margin covers.
 *
 * A stage that fails releases its lease and is run again from the checkpoint (re-uploading a part
 * number overwrites it; parts not named at completion are dropped), so the object is the same. After
 * {@link MAX_STAGE_ATTEMPTS} failures of a stage the upload is aborted and the job ends `failed`.
 * Retries are this function's: Lambda does not retry the asynchronous invocations (infra/stack.ts).
 */
export async function runExportStage(
  tenant: string,
  jobId: string,
  stage: number,
  options: ExportStageOptions = {},
): Promise<StageOutcome> {
  // the checkpointed listing cursors are sealed to the job, whichever request or invocation runs it
  await loadCursorKey();
  // an invocation of a stage has no token: it runs in the scope of the job's tenant (its item is keyed by it)
  return inTenantScope(tenant, async () => {
    const outcome = await withCursorBinding({ tenant, query: 'tenant export' }, () =>
      runStage(tenant, jobId, stage, options),
    ).catch((error: unknown) => {
      countBusiness(BUSINESS_METRICS.exportStages, 1, { outcome: 'error' });
      throw error;
    });
    countBusiness(BUSINESS_METRICS.exportStages, 1, { outcome });
    return outcome;
  });
}

async function runStage(
  tenant: string,
  jobId: string,
  stage: number,
  options: ExportStageOptions,
): Promise<StageOutcome> {
  const clock = options.now ?? (() => new Date());
  const started = Date.now();
  const remainingMs = options.remainingMs ?? (() => STAGE_MS - (Date.now() - started));
  const marginMs = options.marginMs ?? STAGE_MARGIN_MS;
  const handOff = options.handOff ?? ((next: ExportStage) => dispatchExportStage(next, options));
  const lease: StageLease = { stage, leaseId: ulid() };
  const job = await claimExportStage(tenant, jobId, { ...lease, until: started + stallMs(), now: started });
  if (!job) return 'skipped';
  // the heartbeat: a stage that dies (killed, timed out) stops renewing, and its lease soon ends
  let lost = false;
  const heartbeat = setInterval(() => {
    renewExportLease(tenant, jobId, lease, Date.now() + stallMs()).then(
      (held) => {
        lost ||= !held;
      },
      () => undefined,
    );
  }, stallMs() / 3);
  heartbeat.unref();
  let uploadId = job.uploadId;
  let handedOff = false;
  try {
    if (!uploadId) {
      uploadId = await createExportUpload(tenant, jobId);
      await saveExportUpload(tenant, jobId, lease, uploadId);
    }
    const from: ExportCheckpoint = job.checkpoint ?? { phase: 'types', skip: [], etags: [], bytes: 0 };
    const writer = openLineWriter(tenant, jobId, {
      uploadId,
      partBytes: options.partBytes ?? MIN_PART_BYTES,
      etags: from.etags,
      ...(from.checksums ? { checksums: from.checksums } : {}),
      bytes: from.bytes,
    });
    // a checkpoint follows an uploaded part: no part yet means nothing was written yet
    if (from.etags.length === 0) {
      await writer.write({
        type: 'header',
        format: EXPORT_LINE_FORMAT,
        tenant,
        jobId,
        startedAt: job.createdAt,
      });
    }
    const progress = countsOf(job);
    let lines = 0;
    for await (const entry of exportEntries(tenant, from, clock)) {
      if (lost) throw new StageLost(tenant, jobId, stage);
      const partEnded = await writer.write(entry.line);
      if (entry.kind) progress[entry.kind] += entry.count;
      lines++;
      if (!partEnded || (remainingMs() >= marginMs && lines < (options.maxLines ?? Infinity))) continue;
      await checkpointExportStage(
        tenant,
        jobId,
        lease,
        { ...entry.resume(), ...writer.uploaded() },
        progress,
      );
      handedOff = true;
      await handOff({ tenant, id: jobId, stage: stage + 1 });
      return 'handed-off';
    }
    const { bytes } = await writer.close();
    const finishedAt = clock().toISOString();
    await finishExportJob(
      tenant,
      jobId,
      stage,
      { status: 'done', finishedAt, ...progress, bytes },
      lease.leaseId,
    );
    return 'done';
  } catch (error) {
    if (error instanceof StageLost) return 'skipped';
    // the checkpoint is saved but no stage runs next: nobody would end the job
    const attempts = handedOff ? MAX_STAGE_ATTEMPTS : await recordExportStageFailure(tenant, jobId, lease);
    if (attempts === null) return 'skipped';
    if (attempts < MAX_STAGE_ATTEMPTS) {
      await handOff({ tenant, id: jobId, stage });
    } else {
      if (uploadId) await abortExportUpload(tenant, jobId, uploadId);
      const outcome = { status: 'failed' as const, finishedAt: clock().toISOString(), error: FAILED };
      await finishExportJob(tenant, jobId, handedOff ? stage + 1 : stage, outcome);
      countBusiness(BUSINESS_METRICS.exportJobsFailed);
    }
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * Runs a stage: deployed in a new asynchronous invocation of the exchange function, locally in this
 * process once the caller is done (with the same options but a fresh time budget).
 */
export async function dispatchExportStage(
  next: ExportStage,
  options: ExportStageOptions = {},
): Promise<void> {
  if ((await invokeExportJob(next.tenant, next.id, next.stage)) !== null) return;
  const { remainingMs: _remaining, ...inherited } = options;
  // a failure is recorded on the job
  setImmediate(() => void runExportStage(next.tenant, next.id, next.stage, inherited).catch(() => undefined));
}

/** Runs a job's stages one after the other in this process until it ends (tests and scripts). */
export async function runTenantExport(
  tenant: string,
  jobId: string,
  options: Omit<ExportStageOptions, 'handOff'> = {},
): Promise<void> {
  let next: ExportStage | undefined = {
    tenant,
    id: jobId,
    stage: (await getExportJob(tenant, jobId))?.stage ?? 1,
  };
  while (next) {
    const { stage } = next;
    next = undefined;
    const handOff = async (following: ExportStage) => {
      next = following;
    };
    try {
      await runExportStage(tenant, jobId, stage, { ...options, handOff });
    } catch (error) {
      if (!next) throw error;
    }
  }
}

/** Records a new running export job of the tenant, at its first stage. */
export async function startTenantExport(tenant: string, actor: Actor, now: Date): Promise<ExportJobRecord> {
  const job: ExportJobRecord = {
    id: ulid(),
    status: 'running',
    createdAt: now.toISOString(),
    createdBy: actor.sub,
    stage: 1,
    ...countsOf({}),
  };
  await createExportJob(tenant, job);
  return job;
}

/** A job's counts (0 for a kind a job recorded before it was counted). */
const countsOf = (job: Partial<ExportProgress>) =>
  Object.fromEntries(EXPORT_COUNTS.map((count) => [count, job[count] ?? 0])) as ExportProgress;

/**
 * A job as the API shows it: status and progress (while running, what was written at the last
 * checkpoint and the stage running); never the upload, its parts, the cursor or the lease.
 */
export function shownExportJob(job: ExportJobRecord) {
  const { id, status, createdAt, finishedAt, stage, bytes, error } = job;
  return {
    id,
    status,
    createdAt,
    ...(finishedAt === undefined ? {} : { finishedAt }),
    ...(status === 'running' && stage !== undefined ? { stage } : {}),
    ...Object.fromEntries(
      EXPORT_COUNTS.flatMap((count) => (job[count] === undefined ? [] : [[count, job[count]]])),
    ),
    ...(bytes === undefined ? {} : { bytes }),
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * When a running job counts as stalled (epoch ms): when the lease of its stage ends (its heartbeat
 * stopped), or, with no stage holding it, {@link stallMs} after it was handed on (or recorded).
 */
export function stalledAt(job: ExportJobRecord): number {
  return job.leaseUntil ?? (job.handedOffAt ?? Date.parse(job.createdAt)) + stallMs();
}

/**
 * Lambda does not retry these invocations, and a stage killed outright (out of memory, past its
 * timeout) records nothing: the job would stay `running` for ever. Whoever reads a stalled job hands
 * its stage on again, as one more failed attempt; after {@link MAX_STAGE_ATTEMPTS} the job fails.
 */
export async function reviveStalledExport(
  tenant: string,
  job: ExportJobRecord,
  now: Date,
  options: Pick<ExportStageOptions, 'handOff'> = {},
): Promise<ExportJobRecord | null> {
  if (job.status !== 'running' || now.getTime() <= stalledAt(job)) return job;
  const stage = job.stage ?? 1;
  const attempts = await reviveExportStage(tenant, job, now.getTime());
  if (attempts !== null && attempts >= MAX_STAGE_ATTEMPTS) {
    if (job.uploadId) await abortExportUpload(tenant, job.id, job.uploadId);
    await finishExportJob(tenant, job.id, stage, {
      status: 'failed',
      finishedAt: now.toISOString(),
      error: FAILED,
    });
  } else if (attempts !== null) {
    await (options.handOff ?? dispatchExportStage)({ tenant, id: job.id, stage });
  }
  return getExportJob(tenant, job.id);
}

/** A job of the caller's tenant (404 otherwise), with a presigned download once it is done. */
export async function exportJobAnswer(tenant: string, jobId: string, now: Date) {
  const read = await getExportJob(tenant, jobId);
  const job = read && (await reviveStalledExport(tenant, read, now));
  if (!job) throw new NotFound(`No export ${jobId}`);
  const shown = shownExportJob(job);
  if (job.status !== 'done') return shown;
  const download = await presignExportDownload(tenant, jobId, now);
  return { ...shown, downloadUrl: download.url, expiresAt: download.expiresAt };
}
