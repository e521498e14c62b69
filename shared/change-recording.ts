import { ulid } from 'ulid';
import { type Actor, applyPlan, type ChangePlan, planChangeSet, type TwinHistory } from './domain/change-set';
import { Conflict } from './domain/errors';
import { softwareSummary } from './domain/software';
import { assertVersion } from './domain/twin';
import type { ChangeSetBody } from './schemas/change';
import type { ViewBody } from './schemas/sharing';
import { applyChangeSet } from './store/change-store';
import { ancestorsOf } from './store/twin-store';
import { validateChangeSet } from './type-validation';
import { refusalThroughView } from './view-writes';

/**
 * The one path by which a change set is recorded, whoever asks (`POST /v1/twins/{id}/changes`, an
 * inspection applied): the version the client read is checked, the change is planned against the
 * twin's history, installing a twin inside itself is refused, and everything is written in one
 * transaction conditioned on that version. Returns the history as it is after the change.
 */
export async function recordChangeSet(
  tenant: string,
  history: TwinHistory,
  body: ChangeSetBody,
  context: ChangeContext,
): Promise<{ history: TwinHistory; plan: ChangePlan }> {
  try {
    return await planAndApply(tenant, history, body, context);
  } catch (error) {
    throw refusalThroughView(error, context.view);
  }
}

interface ChangeContext {
  expectedVersion: number;
  now: Date;
  actor: Actor;
  /** The view the writer writes through (a grantee's, a role's): refusals tell only what it shows. */
  view?: Pick<ViewBody, 'positions'> | undefined;
}

async function planAndApply(
  tenant: string,
  history: TwinHistory,
  body: ChangeSetBody,
  context: ChangeContext,
) {
  assertVersion(history.record, context.expectedVersion);
  const plan = planChangeSet(history, body, {
    now: context.now,
    actor: context.actor,
    changeSetId: ulid(),
  });
  await refuseCycles(tenant, history, plan);
  await validateChangeSet(tenant, history, body);
  const after = applyPlan(history, plan);
  plan.software = softwareSummary(after);
  await applyChangeSet(tenant, plan, context.expectedVersion, context.now);
  return { history: after, plan };
}

/** Systems of systems: a twin cannot be installed, however deep, inside itself. */
async function refuseCycles(tenant: string, history: TwinHistory, plan: ChangePlan) {
  const arriving = plan.twins
    .filter((effect) => effect.kind === 'arrive')
    .map((effect) => effect.component.twinId!);
  if (arriving.length === 0) return;
  const ancestors = await ancestorsOf(tenant, history.mountedIn);
  const cycle = arriving.find((twinId) => ancestors.includes(twinId));
  if (cycle)
    throw new Conflict(`Twin ${cycle} contains twin ${history.record.id}: it cannot be installed in it`);
}
