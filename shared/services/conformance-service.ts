import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  type Configuration,
  type ConfigurationModelRecord,
  judgeConfiguration,
  modelCovers,
  statusOf,
} from '../domain/conformance';
import type { TwinRecord } from '../domain/records';
import {
  allCurrentPositions,
  type ConformanceRecord,
  checkpointRejudge,
  latestModel,
  type RejudgeJob,
  rejudgeJob,
  saveRejudged,
  storedConformance,
} from '../store/conformance-store';
import { loadCursorKey, withCursorBinding } from '../store/cursor';
import { inTenantScope } from '../store/tenant-scope';
import { listTwins, loadTwinParts } from '../store/twin-store';
import { configurationOf, preparedModel } from './conformance-check';

/** A unit's conformance as answered: `status: null` when no model applies to it. */
export function judgedWith(
  tenant: string,
  record: Pick<TwinRecord, 'id' | 'serialNumber'>,
  model: ConfigurationModelRecord | null,
  configuration: Configuration,
) {
  if (!model || !modelCovers(model, record.serialNumber))
    return { twinId: record.id, status: null, modelVersion: null, findings: [] };
  const findings = judgeConfiguration(preparedModel(tenant, model), configuration);
  return { twinId: record.id, status: statusOf(findings), modelVersion: model.version, findings };
}

const shown = (record: ConformanceRecord) => ({
  twinId: record.twinId,
  status: record.status,
  modelVersion: record.modelVersion,
  findings: record.findings,
});

/**
 * A unit's conformance now: as stored when it was judged under the latest model version (one GetItem
 * each), else judged now from its current items (a new version whose re-judgement has not reached it).
 */
export async function conformanceNow(tenant: string, record: TwinRecord) {
  const [model, stored] = await Promise.all([
    latestModel(tenant, record.product.partNumber),
    storedConformance(tenant, record.id),
  ]);
  if (model && stored && stored.modelVersion === model.version) return shown(stored);
  const current = model ? await allCurrentPositions(tenant, record.id) : [];
  return judgedWith(tenant, record, model, configurationOf(current));
}

/** Units a stage judges per page of the product's list. */
const PAGE = 25;
/** A stage stops once less than this remains of its invocation (deployed) or after this many pages (locally). */
const STAGE_MARGIN_MS = 10_000;
const LOCAL_PAGES_PER_STAGE = 4;

/** The job a new model version starts: written in the same transaction as the version. */
export const newRejudgeJob = (model: ConfigurationModelRecord): RejudgeJob => ({
  productPartNumber: model.productPartNumber,
  version: model.version,
  status: 'running',
  judged: 0,
  stage: 0,
  startedAt: model.createdAt,
});

/** A job as the API shows it: never its cursor. */
export const shownJob = ({ cursor: _cursor, ...job }: RejudgeJob) => job;

/** What the twins function receives when it invokes itself to run a stage. */
export interface RejudgeEvent {
  rejudge: { tenant: string; productPartNumber: string; version: number };
}
export const isRejudgeEvent = (event: unknown): event is RejudgeEvent => {
  const job = (event as Partial<RejudgeEvent> | null)?.rejudge;
  return (
    typeof job?.tenant === 'string' &&
    typeof job.productPartNumber === 'string' &&
    Number.isInteger(job.version)
  );
};

let lambda: LambdaClient | undefined;

/** Deployed, a stage runs in an asynchronous invocation of this function; locally in this process. */
export async function dispatchRejudgeStage(tenant: string, productPartNumber: string, version: number) {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (functionName) {
    lambda ??= new LambdaClient({});
    const payload: RejudgeEvent = { rejudge: { tenant, productPartNumber, version } };
    await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );
    return;
  }
  setImmediate(() => void runRejudgeStage(tenant, productPartNumber, version).catch(() => undefined));
}

/**
 * One stage of a re-judgement: pages of the product's units, each judged from its current items and
 * written only if the unit did not change meanwhile; a checkpoint after each page; the next stage
 * dispatched while units remain. A newer model version supersedes the job. Returns the job after it.
 */
export async function runRejudgeStage(
  tenant: string,
  productPartNumber: string,
  version: number,
  options: { remainingMs?: () => number; dispatch?: boolean; now?: () => Date } = {},
): Promise<RejudgeJob | null> {
  await loadCursorKey();
  // a stage runs in the tenant's scope (deployed, a self-invocation arrives outside any request)
  return inTenantScope(tenant, () =>
    withCursorBinding({ tenant, query: `rejudge ${productPartNumber}` }, () =>
      rejudgeStage(tenant, productPartNumber, version, options),
    ),
  );
}

async function rejudgeStage(
  tenant: string,
  productPartNumber: string,
  version: number,
  options: { remainingMs?: () => number; dispatch?: boolean; now?: () => Date },
): Promise<RejudgeJob | null> {
  let job = await rejudgeJob(tenant, productPartNumber, version);
  if (job?.status !== 'running') return job;
  const now = options.now ?? (() => new Date());
  const model = await latestModel(tenant, productPartNumber);
  if (!model || model.version !== version) {
    const superseded: RejudgeJob = {
      ...job,
      status: 'superseded',
      stage: job.stage + 1,
      finishedAt: now().toISOString(),
    };
    await checkpointRejudge(tenant, superseded, job.stage);
    return superseded;
  }
  for (let pages = 0; ; pages++) {
    const enough = options.remainingMs
      ? options.remainingMs() < STAGE_MARGIN_MS
      : pages >= LOCAL_PAGES_PER_STAGE;
    if (enough) break;
    const page = await listTwins(
      tenant,
      { partNumber: productPartNumber },
      { limit: PAGE, ...(job.cursor ? { cursor: job.cursor } : {}) },
    );
    for (const twin of page.items) await rejudgeUnit(tenant, model, twin, now());
    const { cursor: _previous, ...rest } = job;
    const next: RejudgeJob = {
      ...rest,
      judged: job.judged + page.items.length,
      stage: job.stage + 1,
      ...(page.nextCursor
        ? { cursor: page.nextCursor }
        : { status: 'done', finishedAt: now().toISOString() }),
    };
    await checkpointRejudge(tenant, next, job.stage);
    job = next;
    if (job.status === 'done') return job;
  }
  if (options.dispatch !== false) await dispatchRejudgeStage(tenant, productPartNumber, version);
  return job;
}

/** Runs a job's stages one after another in this process until it ends (tests, scripts). */
export async function runRejudge(tenant: string, productPartNumber: string, version: number) {
  for (;;) {
    const job = await runRejudgeStage(tenant, productPartNumber, version, { dispatch: false });
    if (job?.status !== 'running') return job;
  }
}

async function rejudgeUnit(
  tenant: string,
  model: ConfigurationModelRecord,
  twin: { id: string; serialNumber: string; version: number },
  now: Date,
) {
  const [current, stored] = await Promise.all([
    allCurrentPositions(tenant, twin.id),
    storedConformance(tenant, twin.id),
  ]);
  if (!modelCovers(model, twin.serialNumber)) return;
  const findings = judgeConfiguration(preparedModel(tenant, model), configurationOf(current));
  await saveRejudged(
    tenant,
    {
      twinId: twin.id,
      serialNumber: twin.serialNumber,
      productPartNumber: model.productPartNumber,
      status: statusOf(findings),
      modelVersion: model.version,
      findings,
      judgedAt: now.toISOString(),
    },
    twin.version,
    stored,
    now,
  );
}

/**
 * A twin just written whole (an as-built record, an imported copy) judged against its product's model
 * and its conformance stored, right after its write: never refused (an as-built record is a fact).
 */
export async function judgeWrittenTwin(tenant: string, twinId: string, now: Date) {
  const loaded = await loadTwinParts(tenant, twinId, {});
  if (!loaded) return;
  const { record } = loaded.state;
  const model = await latestModel(tenant, record.product.partNumber);
  if (model) await rejudgeUnit(tenant, model, record, now);
}

/**
 * What a crew may fit at each position of a work package that the product's model names: the allowed
 * parts, preferred first (absent when no model applies to the unit).
 */
export async function allowedAlternativesOf(tenant: string, record: TwinRecord, paths: readonly string[]) {
  const model = await latestModel(tenant, record.product.partNumber);
  if (!model || !modelCovers(model, record.serialNumber)) return {};
  const { positions } = preparedModel(tenant, model);
  return {
    allowedAlternatives: paths.flatMap((path) => {
      const declared = positions.get(path);
      if (!declared) return [];
      const allowed = [...declared.allowed].sort(
        (a, b) => Number(b.preferred ?? false) - Number(a.preferred ?? false),
      );
      return [{ path, modelVersion: model.version, allowed }];
    }),
  };
}
