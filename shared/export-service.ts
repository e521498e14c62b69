import { monotonicFactory, ulid } from 'ulid';
import type { Actor, TwinHistory } from './domain/change-set';
import { invalidField, NotFound } from './domain/errors';
import { documentIdsOf, twinExport } from './domain/export';
import { importMapping, planImport } from './domain/import';
import { assembleTwin } from './domain/twin';
import type { ExportQuery, TwinExportBody } from './schemas/exchange';
import { getDocuments, listDocuments } from './store/document-store';
import {
  createExportJob,
  type ExportJobRecord,
  finishExportJob,
  getExportJob,
  MIN_PART_BYTES,
  openLineWriter,
  presignExportDownload,
} from './store/export-store';
import { AlreadyImported, findImport, type ImportMarker, writeImport } from './store/import-store';
import { listTwins, loadTwin } from './store/twin-store';

/** The lossless JSON export of a twin of the tenant (with the metadata of the documents it names). */
export async function jsonExportOf(
  tenant: string,
  history: TwinHistory,
  now: Date,
  at: { asOf?: string; knownAt?: string } = {},
) {
  const documents = await getDocuments(tenant, documentIdsOf(history));
  return twinExport(history, now, {
    tenant,
    documents,
    ...(at.asOf === undefined ? {} : { asOf: new Date(at.asOf).toISOString() }),
    ...(at.knownAt === undefined ? {} : { knownAt: new Date(at.knownAt).toISOString() }),
  });
}

/** A twin of the caller's tenant, with its whole history, or 404. */
export async function visibleTwin(tenant: string, twinId: string): Promise<TwinHistory> {
  const history = await loadTwin(tenant, twinId);
  if (!history) throw new NotFound(`No twin ${twinId}`);
  return history;
}

/** Refuses a read time before the twin existed, like `GET /v1/twins/{id}` does. */
export function checkExportTimes(history: TwinHistory, query: Pick<ExportQuery, 'asOf' | 'knownAt'>) {
  if (query.asOf !== undefined && new Date(query.asOf).toISOString() < history.record.builtAt)
    throw invalidField('query.asOf', `must not be before the twin was built (${history.record.builtAt})`);
  if (query.knownAt !== undefined && new Date(query.knownAt).toISOString() < history.record.createdAt)
    throw invalidField(
      'query.knownAt',
      `must not be before the twin was recorded (${history.record.createdAt})`,
    );
}

/** The answer of an import: the copy (as of now), the id mapping and notes. */
async function importAnswer(
  tenant: string,
  body: TwinExportBody,
  marker: ImportMarker,
  replayed: boolean,
  now: Date,
) {
  const history = await visibleTwin(tenant, marker.twinId);
  const at = now.toISOString();
  return {
    twin: assembleTwin(history, { asOf: at, knownAt: at }),
    replayed,
    source: { tenant: marker.source.tenant, twinId: marker.source.twinId },
    mapping: importMapping(body, marker.ids),
    notes: marker.notes,
    transactions: marker.transactions,
  };
}

/**
 * Imports one exported twin into `tenant` as a new twin. Idempotent by its natural key, the source
 * tenant and twin: a second import of it (concurrent or later) answers the first copy.
 */
export async function importTwin(tenant: string, body: TwinExportBody, actor: Actor, now: Date) {
  const source = { tenant: body.source.tenant, twinId: body.source.twinId };
  const earlier = await findImport(tenant, source);
  if (earlier) return { status: 200, body: await importAnswer(tenant, body, earlier, true, now) };
  const plan = planImport(body, { now, actor, newId: monotonicFactory() });
  try {
    const { transactions } = await writeImport(tenant, plan, { now, actor });
    const marker: ImportMarker = {
      twinId: plan.ids.twin,
      source: plan.source,
      ids: plan.ids,
      notes: plan.notes,
      importedAt: now.toISOString(),
      transactions,
    };
    return { status: 201, body: await importAnswer(tenant, body, marker, false, now) };
  } catch (error) {
    if (!(error instanceof AlreadyImported)) throw error;
    return { status: 200, body: await importAnswer(tenant, body, error.marker, true, now) };
  }
}

/** The lines of a tenant export: a header, one per twin (its JSON export), one per document. */
export const EXPORT_LINE_FORMAT = 'twinthread.tenant/1';

const PAGE = 100;
const PARALLEL_LOADS = 8;

/**
 * Runs a tenant export job: pages through every twin of the tenant (listTwins), writes each one's
 * lossless export as a line, then every document of the tenant, to one NDJSON object in S3 (a
 * multipart upload: memory stays at one part). Ends the job `done` with counts, or `failed`.
 */
export async function runTenantExport(
  tenant: string,
  jobId: string,
  options: { now?: () => Date; partBytes?: number } = {},
): Promise<void> {
  const clock = options.now ?? (() => new Date());
  const job = await getExportJob(tenant, jobId);
  if (job?.status !== 'running') return;
  const writer = await openLineWriter(tenant, jobId, options.partBytes ?? MIN_PART_BYTES);
  let twins = 0;
  let documents = 0;
  try {
    await writer.write({
      type: 'header',
      format: EXPORT_LINE_FORMAT,
      tenant,
      jobId,
      startedAt: job.createdAt,
    });
    let cursor: string | undefined;
    do {
      const page = await listTwins(tenant, {}, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (let start = 0; start < page.items.length; start += PARALLEL_LOADS) {
        const histories = await Promise.all(
          page.items.slice(start, start + PARALLEL_LOADS).map((record) => loadTwin(tenant, record.id)),
        );
        for (const history of histories) {
          if (!history) continue;
          await writer.write({ type: 'twin', ...(await jsonExportOf(tenant, history, clock())) });
          twins++;
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    do {
      const page = await listDocuments(tenant, {}, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const document of page.items) {
        await writer.write({ type: 'document', document });
        documents++;
      }
      cursor = page.nextCursor;
    } while (cursor);
    const { bytes } = await writer.close();
    await finishExportJob(tenant, jobId, {
      status: 'done',
      finishedAt: clock().toISOString(),
      twins,
      documents,
      bytes,
    });
  } catch (error) {
    await writer.abort();
    await finishExportJob(tenant, jobId, {
      status: 'failed',
      finishedAt: clock().toISOString(),
      error: 'The export could not be completed: start a new one',
    });
    throw error;
  }
}

/** Records a new running export job of the tenant. */
export async function startTenantExport(tenant: string, actor: Actor, now: Date): Promise<ExportJobRecord> {
  const job: ExportJobRecord = {
    id: ulid(),
    status: 'running',
    createdAt: now.toISOString(),
    createdBy: actor.sub,
  };
  await createExportJob(tenant, job);
  return job;
}

/** A job of the caller's tenant (404 otherwise), with a presigned download once it is done. */
export async function exportJobAnswer(tenant: string, jobId: string, now: Date) {
  const job = await getExportJob(tenant, jobId);
  if (!job) throw new NotFound(`No export ${jobId}`);
  const { createdBy: _createdBy, ...shown } = job;
  if (job.status !== 'done') return shown;
  const download = await presignExportDownload(tenant, jobId, now);
  return { ...shown, downloadUrl: download.url, expiresAt: download.expiresAt };
}
