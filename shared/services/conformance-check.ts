import {
  type Configuration,
  type ConfigurationModelRecord,
  type Finding,
  interchangeFindings,
  judgeConfiguration,
  judgeIncrementally,
  modelCovers,
  newFindings,
  type PreparedModel,
  pathsToJudge,
  prepareModel,
  ruleId,
  statusOf,
} from '../domain/conformance';
import { UnprocessableContent } from '../domain/errors';
import type { CurrentPosition, TwinRecord } from '../domain/records';
import type { ChangeSetBody } from '../schemas/change';
import type { Validate } from '../schemas/conformance';
import type { Component } from '../schemas/twin';
import {
  allCurrentPositions,
  type ConformanceRecord,
  conformanceWrites,
  currentPositions,
  type modelAndConformanceOf,
} from '../store/conformance-store';
import type { Write } from '../store/guarded-transaction';

/** What a write answers about the model: the judgement after it and the findings it introduced. */
export interface WriteConformance {
  status: ConformanceRecord['status'];
  modelVersion: number;
  validate: Validate;
  findings: Finding[];
  warnings: Finding[];
}

const prepared = new Map<string, PreparedModel>();
/** A model version is immutable: prepared once per process (a few hundred kept). */
export function preparedModel(tenant: string, model: ConfigurationModelRecord): PreparedModel {
  const key = JSON.stringify([tenant, model.productPartNumber, model.version]);
  let found = prepared.get(key);
  if (!found) {
    if (prepared.size >= 256) prepared.delete(prepared.keys().next().value!);
    found = prepareModel(model);
    prepared.set(key, found);
  }
  return found;
}

export const configurationOf = (current: readonly CurrentPosition[]): Map<string, Component | null> =>
  new Map(current.map((entry) => [entry.position.path, entry.installation?.component ?? null]));

/** A write refused under `validate=enforce`: each red finding it introduced, at the operation that did. */
export class ModelRefusal extends UnprocessableContent {
  constructor(
    readonly productPartNumber: string,
    readonly modelVersion: number,
    readonly refusals: { finding: Finding; path: string }[],
    /** Through a view that hides positions, say only the code and the rule (messages name paths). */
    brief = false,
  ) {
    const say = (finding: Finding) =>
      brief
        ? `${finding.code} (rule ${finding.rule})`
        : `${finding.code} (rule ${finding.rule}): ${finding.message}`;
    super(
      `The change breaks the configuration model of ${productPartNumber} (version ${modelVersion}): ${say(refusals[0]!.finding)}`,
      refusals.map(({ finding, path }) => ({ path, message: say(finding) })),
    );
  }
}

/** The paths of an operation (none for a lifecycle move). */
const operationPaths = (operation: ChangeSetBody['operations'][number]): string[] =>
  operation.op === 'move'
    ? [operation.from, operation.to]
    : 'position' in operation
      ? [operation.position]
      : [];

/** Where in the body a finding comes from: the first operation on one of the paths it judges. */
function operationOf(body: ChangeSetBody, model: ConfigurationModelRecord, finding: Finding): string {
  const rule = model.rules.find((candidate, index) => ruleId(candidate, index) === finding.rule);
  const paths = rule ? [rule.when.path, (rule.requires ?? rule.excludes)!.path] : [finding.path];
  const index = body.operations.findIndex((operation) =>
    operationPaths(operation).some((path) => paths.includes(path)),
  );
  return index < 0 ? 'body.operations' : `body.operations[${index}]`;
}

/**
 * Judges a change against the product's configuration model, before its transaction: only the
 * positions the change touched and the rules on them are judged again (from the unit's stored
 * findings), unless the unit was never judged under this model version. Under `enforce` a change
 * that introduces a red finding is refused (422 naming the operation and the rule); otherwise the
 * conformance item (and a `conformance.changed` event) join the change's transaction.
 */
export async function judgeChange(
  tenant: string,
  change: {
    record: TwinRecord;
    before: readonly CurrentPosition[];
    after: readonly CurrentPosition[];
    touched: { put: readonly CurrentPosition[]; vacated: Record<string, string> };
    body: ChangeSetBody;
    validate?: Validate | undefined;
    now: Date;
    /** The model and the stored conformance, read while the change was planned (`modelAndConformanceOf`). */
    read: ReturnType<typeof modelAndConformanceOf>;
  },
): Promise<{ writes: Write[]; answer?: WriteConformance }> {
  const { record } = change;
  const { model, stored } = change.read;
  if (!model || !modelCovers(model, record.serialNumber)) return { writes: [] };
  const judge = preparedModel(tenant, model);
  const touched = new Set([
    ...change.touched.put.map((entry) => entry.position.path),
    ...Object.keys(change.touched.vacated),
  ]);
  const afterOf = (known: Map<string, Component | null>) => {
    const after = new Map(known);
    for (const path of Object.keys(change.touched.vacated)) after.delete(path);
    for (const entry of change.touched.put)
      after.set(entry.position.path, entry.installation?.component ?? null);
    return after;
  };
  let before: Finding[];
  let after: Finding[];
  if (stored && stored.modelVersion === model.version) {
    const needed = pathsToJudge(judge, touched);
    const known = configurationOf(change.after);
    const unread = [...needed].filter((path) => !known.has(path) && !(path in change.touched.vacated));
    const configuration: Configuration = afterOf(
      new Map([...configurationOf(await currentPositions(tenant, record.id, unread)), ...known]),
    );
    before = stored.findings;
    after = judgeIncrementally(judge, before, touched, configuration);
  } else {
    const whole = configurationOf(await allCurrentPositions(tenant, record.id));
    before = judgeConfiguration(judge, whole);
    after = judgeConfiguration(judge, afterOf(whole));
  }
  const beforeAt = configurationOf(change.before);
  const transitions = change.body.operations.flatMap((operation) =>
    operation.op === 'replace'
      ? interchangeFindings(judge, {
          path: operation.position,
          from: beforeAt.get(operation.position),
          to: operation.component,
        })
      : [],
  );
  const introduced = [...newFindings(before, after), ...transitions];
  const validate = change.validate ?? model.validate;
  const refused = introduced.filter((finding) => finding.level === 'red');
  if (validate === 'enforce' && refused.length > 0)
    throw new ModelRefusal(
      record.product.partNumber,
      model.version,
      refused.map((finding) => ({ finding, path: operationOf(change.body, model, finding) })),
    );
  const next: ConformanceRecord = {
    twinId: record.id,
    serialNumber: record.serialNumber,
    productPartNumber: record.product.partNumber,
    status: statusOf(after),
    modelVersion: model.version,
    findings: after,
    judgedAt: change.now.toISOString(),
  };
  return {
    writes: conformanceWrites(tenant, next, stored),
    answer: {
      status: next.status,
      modelVersion: model.version,
      validate,
      findings: after,
      warnings: introduced,
    },
  };
}
