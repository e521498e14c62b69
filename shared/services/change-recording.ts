import { ulid } from 'ulid';
import {
  type Actor,
  applyPlanToState,
  type ChangePlan,
  planChange,
  type TwinHistory,
} from '../domain/change-set';
import { parentPath } from '../domain/configuration';
import { currentHistory } from '../domain/current';
import { Conflict } from '../domain/errors';
import type { TwinState } from '../domain/records';
import { softwareSummary } from '../domain/software';
import { assertVersion } from '../domain/twin';
import type { ChangeSetBody } from '../schemas/change';
import type { Validate } from '../schemas/conformance';
import type { ViewBody } from '../schemas/sharing';
import { applyChangeSet } from '../store/change-store';
import { ancestorsOf, vacatedPositions } from '../store/twin-store';
import { judgeChange, modelOfChange, type WriteConformance } from './conformance-check';
import { validateChangeSet } from './type-validation';
import { refusalThroughView } from './view-writes';

/** Every path a change set names (and the parent of each position it adds). */
function namedPaths(body: ChangeSetBody): string[] {
  return body.operations.flatMap((operation) => {
    switch (operation.op) {
      case 'move':
        return [operation.from, operation.to];
      case 'add-position': {
        const parent = parentPath(operation.position);
        return parent === null ? [operation.position] : [operation.position, parent];
      }
      case 'lifecycle':
        return [];
      default:
        return [operation.position];
    }
  });
}

/**
 * The one path by which a change set is recorded, whoever asks (`POST /v1/twins/{id}/changes`, an
 * inspection applied, ingest): the version the client read is checked, the change is planned against
 * the twin's current state (plus when the positions it names that no longer exist were vacated),
 * installing a twin inside itself is refused, and everything is written in one transaction
 * conditioned on that version. Returns the state after the change (and its open intervals as a history).
 */
export async function recordChangeSet(
  tenant: string,
  twin: { state: TwinState },
  body: ChangeSetBody,
  context: ChangeContext,
): Promise<{ state: TwinState; history: TwinHistory; plan: ChangePlan; conformance?: WriteConformance }> {
  try {
    return await planAndApply(tenant, twin.state, body, context);
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
  /** How a break of the configuration model is handled (default: the model's own). */
  validate?: Validate | undefined;
}

async function planAndApply(tenant: string, state: TwinState, body: ChangeSetBody, context: ChangeContext) {
  assertVersion(state.record, context.expectedVersion);
  // read beside the planning reads, so that judging adds no round trip between read and write
  const model = modelOfChange(tenant, state.record);
  model.catch(() => undefined);
  const current = new Set(state.current.map(({ position }) => position.path));
  const vacated = await vacatedPositions(
    tenant,
    state.record.id,
    namedPaths(body).filter((path) => !current.has(path) && state.vacated[path] === undefined),
  );
  const planning: TwinState = { ...state, vacated: { ...state.vacated, ...vacated } };
  const plan = planChange(planning, body, {
    now: context.now,
    actor: context.actor,
    changeSetId: ulid(),
  });
  await refuseCycles(tenant, state, plan);
  await validateChangeSet(tenant, currentHistory(state), body);
  const after = applyPlanToState(planning, plan);
  const history = currentHistory(after);
  plan.software = softwareSummary(history);
  const judged = await judgeChange(tenant, {
    record: state.record,
    before: planning.current,
    after: after.current,
    touched: plan.current,
    body,
    validate: context.validate,
    now: context.now,
    read: await model,
  });
  await applyChangeSet(tenant, plan, context.expectedVersion, context.now, judged.writes);
  return { state: after, history, plan, ...(judged.answer ? { conformance: judged.answer } : {}) };
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
