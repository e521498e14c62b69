import {
  type BaselinePolicyRecord,
  type BaselinePolicyTerms,
  boundariesBetween,
  checkedTerms,
  nextBoundary,
  periodName,
} from '../domain/baseline-schedule';
import { ulid } from '../ids';

export { BASELINE_JOB_EVENT, isBaselineJob } from '../domain/baseline-schedule';

import type { TwinHistory } from '../domain/change-set';
import {
  advancePolicy,
  dropScheduledPolicy,
  duePolicies,
  getBaselinePolicy,
  putBaselinePolicy,
  putScheduledBaseline,
  type ScheduledOutcome,
  setNextDue,
} from '../store/baseline-policy-store';
import { SYSTEM_TENANT } from '../store/keys';
import { twinSummaries } from '../store/sharing-store';
import { inTenantScope } from '../store/tenant-scope';
import { loadTwinParts } from '../store/twin-store';

/**
 * Creates or replaces a policy. A replaced policy keeps its creation and the periods it already
 * handled (changing `every` never takes past periods again); a new one starts with the first
 * boundary after now.
 */
export async function savePolicy(
  tenant: string,
  id: string,
  terms: BaselinePolicyTerms,
  context: { now: Date; actor: { sub: string; tenant: string } },
): Promise<{ policy: BaselinePolicyRecord; created: boolean }> {
  const checked = checkedTerms(terms, context.now);
  const existing = await getBaselinePolicy(tenant, id);
  const now = context.now.toISOString();
  const policy: BaselinePolicyRecord = {
    ...checked,
    id,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    actor: context.actor,
    periodsUntil: existing?.periodsUntil ?? now,
  };
  await putBaselinePolicy(tenant, policy, nextBoundary(policy, new Date(policy.periodsUntil)).toISOString());
  return { policy, created: existing === undefined };
}

/** A policy as answered: with the next boundary it will take baselines at. */
export const presentPolicy = (policy: BaselinePolicyRecord) => ({
  ...policy,
  nextBoundary: nextBoundary(policy, new Date(policy.periodsUntil)).toISOString(),
});

/** The ids of the tenant's twins the selector names now (visible twins only). */
async function selectedTwinIds(tenant: string, selector: BaselinePolicyTerms['selector']): Promise<string[]> {
  if (selector.ids !== undefined && selector.site === undefined && selector.partNumber === undefined)
    return selector.ids;
  const summaries = await twinSummaries(tenant, selector);
  return summaries
    .filter(
      (twin) =>
        (selector.site === undefined || twin.site === selector.site) &&
        (selector.partNumber === undefined || twin.product.partNumber === selector.partNumber) &&
        (selector.ids === undefined || selector.ids.includes(twin.id)),
    )
    .map((twin) => twin.id);
}

export interface PolicyRun {
  tenant: string;
  policyId: string;
  periods: string[];
  outcomes: Record<ScheduledOutcome | 'not-built', number>;
}

/** The baseline of one twin for the period ending at `boundary`: its configuration at the boundary. */
async function takeBaseline(
  tenant: string,
  history: TwinHistory,
  policy: BaselinePolicyRecord,
  boundary: string,
  now: Date,
): Promise<ScheduledOutcome | 'not-built'> {
  if (boundary < history.record.builtAt) return 'not-built';
  const at = now.toISOString();
  return putScheduledBaseline(tenant, history.record.id, policy, boundary, {
    id: ulid(),
    name: periodName(policy.naming, boundary),
    at: boundary,
    knownAt: at,
    createdAt: at,
    actor: { sub: `baseline-policy:${policy.id}`, tenant },
  });
}

/**
 * One policy's due periods: every boundary after the periods it handled up to now (at most
 * MAX_PERIODS_PER_RUN; a later run goes on), a baseline of each selected twin at each, then the
 * policy moves forward. A retried or concurrent run meets the period guards and takes nothing twice.
 */
export async function runPolicy(
  tenant: string,
  policyId: string,
  now: Date,
  deadline = Number.POSITIVE_INFINITY,
): Promise<PolicyRun | undefined> {
  const policy = await getBaselinePolicy(tenant, policyId);
  if (!policy) {
    await dropScheduledPolicy(tenant, policyId);
    return undefined;
  }
  const periods = boundariesBetween(policy, policy.periodsUntil, now);
  const outcomes: PolicyRun['outcomes'] = { taken: 0, 'already-taken': 0, 'name-taken': 0, 'not-built': 0 };
  if (periods.length === 0) {
    await setNextDue(tenant, policyId, nextBoundary(policy, new Date(policy.periodsUntil)).toISOString());
    return { tenant, policyId, periods, outcomes };
  }
  for (const twinId of await selectedTwinIds(tenant, policy.selector)) {
    // out of time: the policy stays where it was; the next run goes on (the period guards skip what is taken)
    if (Date.now() > deadline) return { tenant, policyId, periods, outcomes };
    // the META item only: the baseline's configuration is assembled from the history on read
    const twin = await loadTwinParts(tenant, twinId, {});
    if (!twin) continue;
    for (const boundary of periods)
      outcomes[await takeBaseline(tenant, twin.history, policy, boundary, now)]++;
  }
  const last = periods[periods.length - 1]!;
  await advancePolicy(tenant, policyId, last, nextBoundary(policy, new Date(last)).toISOString());
  return { tenant, policyId, periods, outcomes };
}

/**
 * The scheduled job (EventBridge Scheduler deployed, a timer under `npm start`): every policy of
 * every tenant that is due at `now`, one after the other.
 */
export async function runBaselinePolicies(
  now: Date,
  deadline = Number.POSITIVE_INFINITY,
): Promise<PolicyRun[]> {
  const runs: PolicyRun[] = [];
  // the scheduler's list in the system scope; each policy in its own tenant's scope (deployed: with
  // credentials of that tenant only, shared/store/tenant-scope.ts)
  const due = await inTenantScope(SYSTEM_TENANT, () => duePolicies(now));
  for (const { tenant, policyId } of due) {
    if (Date.now() > deadline) break;
    const run = await inTenantScope(tenant, () => runPolicy(tenant, policyId, now, deadline));
    if (run) runs.push(run);
  }
  return runs;
}
