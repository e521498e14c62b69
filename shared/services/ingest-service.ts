import type { Actor } from '../domain/change-set';
import { AppError } from '../domain/errors';
import {
  countByStatus,
  type IngestItem,
  ingestChangeSet,
  judgeTwin,
  operationNamed,
  resultOf,
  type TreeView,
  type TwinNaming,
  twinReference,
  type Verdict,
  withoutOperationField,
} from '../domain/ingest';
import { BUSINESS_METRICS, countBusiness } from '../observability/metrics';
import type { Operation } from '../schemas/change';
import type { IngestAnswer, IngestBody } from '../schemas/ingest';
import { batchGetItems } from '../store/batch-get';
import { keys } from '../store/keys';
import { type LoadedTwin, listTwins, loadTwinParts } from '../store/twin-store';
import { recordChangeSet } from './change-recording';

/** Twins read and written at once: enough to overlap round trips, few enough not to throttle. */
const PARALLEL_TWINS = 16;
/** Attempts of one twin's change set when another writer changes the twin in between. */
export const MAX_ATTEMPTS = 4;

interface Context {
  mode: IngestBody['mode'];
  now: Date;
  actor: Actor;
  /** The caller's role view, if its roles carry one: what it hides is neither judged nor changed. */
  view?: TreeView;
  /** Test seam: called after a twin's change set is planned, before it is written. */
  beforeWrite?: (twinId: string, attempt: number) => Promise<void>;
}

/**
 * Judges (`report`) or records (`apply`) a batch of observations. Each twin is read once; under
 * `apply` its differences become one change set (reason `ingest`), conditioned on the version read and
 * planned again on a concurrent change. A problem of one item (unknown twin or position, a component
 * installed elsewhere) is that item's `error`; the others go on. Errors that are not the items' fault
 * (the store failing) fail the request, which a client retries with the same key.
 */
export async function ingest(tenant: string, body: IngestBody, context: Context): Promise<IngestAnswer> {
  const items: IngestItem[] = body.observations.map((observation, index) => ({ index, observation }));
  const { byTwin, unresolved } = await resolveTwins(tenant, items);
  const verdicts = [...unresolved];
  const twins = [...byTwin.entries()];
  await inParallel(twins, async ([twinId, twinItems]) => {
    verdicts.push(...(await ingestTwin(tenant, twinId, twinItems, context)));
  });
  const results = verdicts.sort((a, b) => a.index - b.index).map(resultOf);
  return { results, counts: countByStatus(results) };
}

export const notFound = (observation: TwinNaming): string =>
  observation.twinId !== undefined
    ? `no twin ${observation.twinId}`
    : `no twin with serial number ${observation.twinSerialNumber}${
        observation.productPartNumber === undefined ? '' : ` of product ${observation.productPartNumber}`
      }`;

/** Items by the twin they name; twins named by serial number are looked up in the tenant's twin list. */
export async function resolveTwins<Item extends { index: number; observation: TwinNaming }>(
  tenant: string,
  items: readonly Item[],
) {
  const references = new Map<string, Item[]>();
  for (const item of items) {
    const reference = twinReference(item.observation);
    references.set(reference, [...(references.get(reference) ?? []), item]);
  }
  const byTwin = new Map<string, Item[]>();
  const unresolved: Verdict[] = [];
  await inParallel([...references.values()], async (group) => {
    const { observation } = group[0]!;
    let twinId = observation.twinId;
    let problem: string | undefined;
    if (twinId === undefined) {
      const { items: found } = await listTwins(
        tenant,
        {
          serialNumber: observation.twinSerialNumber!,
          ...(observation.productPartNumber === undefined
            ? {}
            : { partNumber: observation.productPartNumber }),
        },
        { limit: 2 },
      );
      if (found.length === 0) problem = notFound(observation);
      else if (found.length > 1)
        problem = `serial number ${observation.twinSerialNumber} names twins of several products: give productPartNumber`;
      else twinId = found[0]!.id;
    }
    if (twinId === undefined) {
      for (const item of group) unresolved.push({ index: item.index, status: 'error', detail: problem! });
      return;
    }
    byTwin.set(twinId, [...(byTwin.get(twinId) ?? []), ...group]);
  });
  return { byTwin, unresolved };
}

const times = (now: Date) => ({ asOf: now.toISOString(), knownAt: now.toISOString() });

async function ingestTwin(tenant: string, twinId: string, items: IngestItem[], context: Context) {
  const sorted = [...items].sort((a, b) => a.index - b.index);
  const twin = await loadTwinParts(tenant, twinId, { current: true });
  if (!twin)
    return sorted.map(
      (item): Verdict => ({ index: item.index, status: 'error', detail: notFound(item.observation) }),
    );
  if (context.mode === 'report') return judgeTwin(twin.history, sorted, times(context.now), context.view);
  return applyTwin(tenant, twin, sorted, context);
}

/**
 * One change set for the twin. Re-planned, on a fresh read, when the twin changed in between (412);
 * an item whose operation is refused (the change set names it) is set aside as an error and the
 * rest planned again; any other refusal is an error for each item that would have changed the twin.
 */
async function applyTwin(tenant: string, first: LoadedTwin, items: IngestItem[], context: Context) {
  const refused = new Map<number, Verdict>();
  const observations = new Map(items.map((item) => [item.index, item.observation]));
  let twin: LoadedTwin | null = first;
  let now = context.now;
  let verdicts: Verdict[] = [];
  for (let attempt = 1; ; ) {
    if (!twin)
      return items.map(
        (item): Verdict => ({ index: item.index, status: 'error', detail: notFound(item.observation) }),
      );
    const { history } = twin;
    const open = items.filter((item) => !refused.has(item.index));
    verdicts = judgeTwin(history, open, times(now), context.view);
    const { body, owners } = ingestChangeSet(history, verdicts, observations, times(now));
    const elsewhere = await installedElsewhere(tenant, history.record.id, body.operations, context.view);
    if (elsewhere.size > 0) {
      for (const [operation, detail] of elsewhere) refuse(refused, verdicts, owners[operation]!, detail);
      continue;
    }
    if (body.operations.length === 0) break;
    try {
      await context.beforeWrite?.(history.record.id, attempt);
      const { plan } = await recordChangeSet(tenant, twin, body, {
        expectedVersion: history.record.version,
        now,
        actor: context.actor,
        view: context.view,
      });
      const applied = new Set(owners);
      countBusiness(BUSINESS_METRICS.observationsApplied, applied.size);
      verdicts = verdicts.map((verdict) =>
        applied.has(verdict.index)
          ? { ...verdict, status: 'applied', changeSetId: plan.changeSet.id }
          : verdict,
      );
      break;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.status === 412 && attempt < MAX_ATTEMPTS) {
        attempt++;
        twin = await loadTwinParts(tenant, first.state.record.id, { current: true });
        now = new Date();
        continue;
      }
      const operation = error.status === 412 ? undefined : operationNamed(error.detail);
      if (operation !== undefined && owners[operation] !== undefined) {
        refuse(refused, verdicts, owners[operation], withoutOperationField(error.detail));
        continue;
      }
      const detail =
        error.status === 412
          ? `the twin kept changing during ${MAX_ATTEMPTS} attempts: send it again`
          : error.detail;
      verdicts = verdicts.map((verdict) =>
        verdict.status === 'discrepancy'
          ? { ...verdict, status: 'error', detail: `not applied: ${detail}` }
          : verdict,
      );
      break;
    }
  }
  return [...verdicts, ...refused.values()];
}

function refuse(refused: Map<number, Verdict>, verdicts: readonly Verdict[], index: number, detail: string) {
  const verdict = verdicts.find((candidate) => candidate.index === index);
  refused.set(index, {
    ...(verdict ?? { index }),
    status: 'error',
    detail: `not applied: ${detail}`,
  });
}

/**
 * Serialized components the change set would bring in that sit in another twin now (by operation
 * index): refused up front, so that they fail alone rather than the twin's whole change set.
 */
async function installedElsewhere(
  tenant: string,
  twinId: string,
  operations: readonly Operation[],
  view: TreeView | undefined,
) {
  const arriving = operations.flatMap((operation, index) =>
    (operation.op === 'install' || operation.op === 'replace') &&
    operation.component.serialNumber !== undefined
      ? [
          {
            index,
            partNumber: operation.component.partNumber,
            serialNumber: operation.component.serialNumber,
          },
        ]
      : [],
  );
  const refused = new Map<number, string>();
  if (arriving.length === 0) return refused;
  const records = await batchGetItems(
    arriving.map((component) => keys.component(tenant, component.partNumber, component.serialNumber)),
  );
  for (const record of records) {
    const at = record.installedIn as { twinId: string; path: string } | undefined;
    if (!at || at.twinId === twinId) continue;
    const component = arriving.find(
      (candidate) =>
        candidate.partNumber === record.partNumber && candidate.serialNumber === record.serialNumber,
    );
    if (component)
      refused.set(
        component.index,
        // Where it is may be outside the caller's role view: then only that it is elsewhere.
        `${component.partNumber} serial ${component.serialNumber} is installed ${
          view === undefined ? `at ${at.path} of twin ${at.twinId}: remove it there first` : 'elsewhere'
        }`,
      );
  }
  return refused;
}

/** Runs `work` on each value, at most PARALLEL_TWINS at a time. */
async function inParallel<T>(values: readonly T[], work: (value: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < values.length) await work(values[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_TWINS, values.length) }, worker));
}
