import { changeScope } from '../domain/change-scope';
import {
  type Actor,
  applyPlanToState,
  type ChangePlan,
  planChange,
  type TwinHistory,
} from '../domain/change-set';
import { currentHistory } from '../domain/current';
import { Conflict, NotFound } from '../domain/errors';
import type { TwinRecord, TwinState } from '../domain/records';
import { assertVersion } from '../domain/twin';
import { ulid } from '../ids';
import { BUSINESS_METRICS, countBusiness } from '../observability/metrics';
import type { ChangeSetBody } from '../schemas/change';
import type { Validate } from '../schemas/conformance';
import type { ViewBody } from '../schemas/sharing';
import { batchGetItems, uniqueKeys } from '../store/batch-get';
import { changeState, readForChange, readWholeForChange } from '../store/change-reads';
import { applyChangeSet } from '../store/change-store';
import { requirementPartsGuard, requirementPartsOf } from '../store/compliance-store';
import {
  modelAndConformanceGuards,
  modelAndConformanceKeys,
  modelAndConformanceOf,
} from '../store/conformance-store';
import type { Write } from '../store/guarded-transaction';
import { keys } from '../store/keys';
import { rememberJudged } from '../store/planning-cache';
import { type ReadGuard, StaleRead } from '../store/read-guards';
import { ancestorsOf } from '../store/twin-store';
import { complianceOfChange } from './compliance-check';
import { judgeChange, type WriteConformance } from './conformance-check';
import { lifeReadKeys, usageAndLifeOfChange } from './life-checks';
import { validateChangeSet } from './type-validation';
import { refusalThroughView } from './view-writes';

/**
 * The twin as read (META at least), or only its id: then META is read with what the change touches
 * (`whole`: with the whole current configuration, for an answer that shows the twin).
 */
export type ChangeTarget = { state: TwinState } | { id: string; whole?: boolean };

/**
 * The one path by which a change set is recorded, whoever asks (`POST /v1/twins/{id}/changes`, an
 * inspection applied, ingest): the version the client read is checked, the change is planned against
 * the current items of the positions it touches (`changeScope`: read consistently after META, so a
 * writer in between fails the version condition), installing a twin inside itself is refused, and
 * everything is written in one transaction conditioned on that version. `twin.state` needs only
 * META's part (load it with no ranges); given the whole current configuration, the state answered
 * after the change is whole too. Returns that state (and its open intervals as a history).
 */
export async function recordChangeSet(
  tenant: string,
  twin: ChangeTarget,
  body: ChangeSetBody,
  context: ChangeContext,
): Promise<{ state: TwinState; history: TwinHistory; plan: ChangePlan; conformance?: WriteConformance }> {
  try {
    const recorded = await planAndApply(tenant, twin, body, context);
    countBusiness(BUSINESS_METRICS.changeSets);
    return recorded;
  } catch (error) {
    throw refusalThroughView(error, await context.view);
  }
}

export interface ChangeContext {
  expectedVersion: number;
  now: Date;
  actor: Actor;
  /**
   * The view the writer writes through (a grantee's, a role's): refusals tell only what it shows. A
   * promise when it is read beside the change's own reads.
   */
  view?: Pick<ViewBody, 'positions'> | Promise<Pick<ViewBody, 'positions'> | undefined> | undefined;
  /** A check of the change against the positions it touches (as they are now), before it is planned. */
  check?: (touched: TwinHistory) => void | Promise<void>;
  /** How a break of the configuration model is handled (default: the model's own). */
  validate?: Validate | undefined;
}

/** Rounds a change may lose to concurrent writes of what it is judged against before it answers 409. */
const JUDGED_ATTEMPTS = 3;

/**
 * Planned and written; planned again from a fresh read when what it was judged against changed
 * before it committed (`StaleRead`), and when it was planned on what this process knew of the twin
 * (planning-cache.ts) and anything went wrong: the fresh read then gives the answer (a version the
 * client read that is no longer current is a 412 from it, not an error of the plan).
 */
async function planAndApply(tenant: string, twin: ChangeTarget, body: ChangeSetBody, context: ChangeContext) {
  for (let attempt = 1; ; attempt++) {
    const reads = await planningReads(tenant, twin, body, context, { cache: attempt === 1 });
    const progress = { committed: false };
    try {
      return await planAndApplyOn(tenant, reads, body, context, progress);
    } catch (error) {
      const again =
        !progress.committed && (reads.cached || (error instanceof StaleRead && attempt < JUDGED_ATTEMPTS));
      if (!again) throw error;
    }
  }
}

async function planAndApplyOn(
  tenant: string,
  reads: Awaited<ReturnType<typeof planningReads>>,
  body: ChangeSetBody,
  context: ChangeContext,
  /** Set once the transaction committed: nothing after it is planned again. */
  progress: { committed: boolean },
) {
  const { state, planning, judged: judgedItems, lifeRead } = reads;
  await context.check?.(currentHistory(planning));
  const plan = planChange(planning, body, {
    now: context.now,
    actor: context.actor,
    changeSetId: ulid(),
  });
  await refuseCycles(tenant, state, plan);
  const { partNumber: productPartNumber } = state.record.product;
  await validateChangeSet(tenant, currentHistory(planning), body);
  const judged = await judgeChange(tenant, {
    record: state.record,
    before: planning.current,
    after: applyPlanToState(planning, plan).current,
    touched: plan.current,
    body,
    validate: context.validate,
    now: context.now,
    read: modelAndConformanceOf(tenant, productPartNumber, await judgedItems),
  });
  const life = await usageAndLifeOfChange(tenant, plan, body, await lifeRead);
  const compliance = await complianceOfChange(tenant, {
    twinId: state.record.id,
    before: planning.current,
    touched: plan.current,
    now: context.now,
    requirementParts: requirementPartsOf(tenant, await judgedItems),
  });
  // The transaction's items beyond the change itself: each other concern plans its items from
  // `planning` and `plan` and appends them here (they are written, or refused, with the change).
  const extra: Write[] = [...life.writes, ...judged.writes, ...compliance];
  const { timeline } = await applyChangeSet(
    tenant,
    plan,
    context.expectedVersion,
    context.now,
    extra,
    planning.timeline,
    [...judgingGuards(tenant, productPartNumber, state.record.id, await judgedItems), ...reads.guards],
  );
  progress.committed = true;
  await life.afterCommit(context.now);
  const after = { ...applyPlanToState(state, plan), timeline };
  return {
    state: after,
    history: currentHistory(after),
    plan,
    ...(judged.answer ? { conformance: judged.answer } : {}),
  };
}

/**
 * What a change is planned on, and what it is judged against read beside it (`judged`: the raw items
 * of the configuration model, the unit's conformance, the compliance part numbers, which the
 * transaction checks again) with what its life checks read (`lifeReadKeys`). Given the twin, only
 * what the change touches is read (after META, which was read before), the rest in one BatchGet
 * beside it. Given its id, META and what the change touches come in one round trip (`readForChange`,
 * none when this process knows them all at the version the client read: `cached`), the others in the
 * same snapshot; with `whole`, META and the others in one BatchGet, then the whole current
 * configuration (`readWholeForChange`). The model is in that read when this process already knows
 * the twin's product (else read right after: the first change of a twin in a process).
 */
async function planningReads(
  tenant: string,
  twin: ChangeTarget,
  body: ChangeSetBody,
  context: ChangeContext,
  options: { cache: boolean },
) {
  const scope = changeScope(body);
  const life = lifeReadKeys(tenant, body);
  if ('state' in twin) {
    assertVersion(twin.state.record, context.expectedVersion);
    // read beside the planning reads: judging and the life checks add no round trip between read and write
    const { partNumber } = twin.state.record.product;
    const others = started(
      batchGetItems(uniqueKeys([...judgingKeys(tenant, partNumber, twin.state.record.id), ...life]), {
        consistent: true,
      }),
    );
    return {
      state: twin.state,
      planning: await changeState(tenant, twin.state, scope),
      judged: others,
      lifeRead: others,
      cached: false,
      guards: [],
    };
  }
  // a twin's product never changes: known from an earlier change, its model is read with the twin
  const product = productOf(tenant, twin.id);
  const judged = product ? judgingKeys(tenant, product.partNumber, twin.id) : [keys.requirementParts(tenant)];
  const reads = { judged, others: life };
  const read: {
    state: TwinState;
    whole?: TwinState;
    also?: Record<string, unknown>[];
    cached?: true;
    guards?: ReadGuard[];
  } | null = twin.whole
    ? await readWholeForChange(tenant, twin.id, scope, reads)
    : await readForChange(tenant, twin.id, scope, {
        ...reads,
        ...(options.cache ? { expectedVersion: context.expectedVersion } : {}),
      });
  if (!read) throw new NotFound(`No twin ${twin.id}`);
  const planning = read.state;
  rememberProduct(tenant, planning.record);
  assertVersion(planning.record, context.expectedVersion);
  const { partNumber } = planning.record.product;
  const also = read.also;
  // what the snapshot did not hold is read now (all of it after a sequential read, else the model)
  const unread = also
    ? product
      ? []
      : modelAndConformanceKeys(tenant, partNumber, twin.id)
    : judgingKeys(tenant, partNumber, twin.id);
  const more =
    unread.length > 0
      ? batchGetItems(unread, { consistent: true }).then((items) => {
          // kept for the next change beside what the read above remembered (the transaction checks them)
          rememberJudged(tenant, twin.id, planning.record.version, unread, items);
          return items;
        })
      : Promise.resolve([]);
  return {
    // whole: the state answered after the change is whole too
    state: read.whole ?? { ...planning, current: [], vacated: {} },
    planning,
    judged: started(more.then((items) => [...(also ?? []), ...items])),
    lifeRead: Promise.resolve(also),
    cached: read.cached === true,
    guards: read.guards ?? [],
  };
}

/** What a change is judged against beside the twin: its product's model, the unit's conformance, the compliance part numbers. */
const judgingKeys = (tenant: string, productPartNumber: string, twinId: string) => [
  ...modelAndConformanceKeys(tenant, productPartNumber, twinId),
  keys.requirementParts(tenant),
];

/** The guards of the judged items as read (absent ones included: one that appears is a change too). */
const judgingGuards = (
  tenant: string,
  productPartNumber: string,
  twinId: string,
  items: readonly Record<string, unknown>[],
) => [
  ...modelAndConformanceGuards(tenant, productPartNumber, twinId, items),
  requirementPartsGuard(tenant, items),
];

/** A read started now and awaited later: its refusal is not "unhandled" meanwhile. */
const started = <T>(promise: Promise<T>) => {
  promise.catch(() => undefined);
  return promise;
};

/** The product of twins this process has changed (immutable; a few thousand kept, the oldest go first). */
const products = new Map<string, TwinRecord['product']>();
const productOf = (tenant: string, twinId: string) => products.get(`${tenant}#${twinId}`);
function rememberProduct(tenant: string, record: TwinRecord) {
  if (products.size >= 4096) products.delete(products.keys().next().value!);
  products.set(`${tenant}#${record.id}`, record.product);
}

/** Systems of systems: a twin cannot be installed, however deep, inside itself. */
async function refuseCycles(tenant: string, state: TwinState, plan: ChangePlan) {
  const arriving = plan.twins
    .filter((effect) => effect.kind === 'arrive')
    .map((effect) => effect.component.twinId!);
  if (arriving.length === 0) return;
  const ancestors = await ancestorsOf(tenant, state.mountedIn);
  const cycle = arriving.find((twinId) => ancestors.includes(twinId));
  if (cycle)
    throw new Conflict(`Twin ${cycle} contains twin ${state.record.id}: it cannot be installed in it`);
}
