import type {
  ConformanceStatus,
  FindingCode,
  ModelRule,
  PartMatch,
  PutConfigurationModelBody,
} from '../schemas/conformance';
import type { Component } from '../schemas/twin';
import { installedAt, positionsAt } from './configuration';
import { appliesTo, compareSerials } from './effectivity';
import type { TwinHistory } from './records';

/** A configuration model version as stored: the allowed configuration of one product. */
export interface ConfigurationModelRecord extends Omit<PutConfigurationModelBody, 'validate'> {
  productPartNumber: string;
  version: number;
  validate: 'enforce' | 'warn';
  createdAt: string;
  createdBy: { sub: string; tenant: string };
}

export interface Finding {
  path: string;
  code: FindingCode;
  /** The model entry judged: `positions[<path>]` for a position, the rule's id for a rule. */
  rule: string;
  level: 'red' | 'amber';
  message: string;
}

/** What a unit carries where, as the judge reads it: path → component (`null`: the position is empty). */
export type Configuration = ReadonlyMap<string, Component | null>;

/** The next version of a model from a PUT body and the latest version (or none). */
export function nextModelVersion(
  productPartNumber: string,
  body: PutConfigurationModelBody,
  latest: { version: number } | null,
  context: { now: Date; actor: { sub: string; tenant: string } },
): ConfigurationModelRecord {
  return {
    ...body,
    productPartNumber,
    validate: body.validate ?? 'enforce',
    version: (latest?.version ?? 0) + 1,
    createdAt: context.now.toISOString(),
    createdBy: context.actor,
  };
}

/** The version in force at valid time `asOf` as known at `knownAt`: the newest created by both. */
export function modelInForce<T extends { version: number; createdAt: string }>(
  versions: readonly T[],
  at: { asOf: string; knownAt: string },
): T | null {
  const limit = [at.asOf, at.knownAt].sort()[0]!;
  let found: T | null = null;
  for (const version of versions)
    if (version.createdAt <= limit && (found === null || version.version > found.version)) found = version;
  return found;
}

/** Does the model apply to this unit (its optional serial range)? */
export const modelCovers = (model: Pick<ConfigurationModelRecord, 'serialNumbers'>, serialNumber: string) =>
  model.serialNumbers === undefined ||
  (compareSerials(serialNumber, model.serialNumbers.from) >= 0 &&
    compareSerials(serialNumber, model.serialNumbers.to) <= 0);

export const ruleId = (rule: ModelRule, index: number) => rule.id ?? `rule-${index}`;
const positionRule = (path: string) => `positions[${path}]`;

const matches = (match: PartMatch, component: Component | null | undefined): component is Component =>
  component !== null && component !== undefined && appliesTo(match, component);

const describe = (match: PartMatch & { path?: string }) =>
  [
    match.partNumber,
    match.revisions ? `revision ${match.revisions.join('|')}` : '',
    match.softwareVersions ? `software ${match.softwareVersions}` : '',
    match.path ? `at ${match.path}` : '',
  ]
    .filter(Boolean)
    .join(' ');

/** A model prepared for judging: positions by path, rules by the paths they read. */
export interface PreparedModel {
  model: ConfigurationModelRecord;
  positions: Map<string, ConfigurationModelRecord['positions'][number]>;
  rulesByPath: Map<string, number[]>;
}

export function prepareModel(model: ConfigurationModelRecord): PreparedModel {
  const rulesByPath = new Map<string, number[]>();
  model.rules.forEach((rule, index) => {
    const target = rule.requires ?? rule.excludes!;
    for (const path of new Set([rule.when.path, target.path]))
      rulesByPath.set(path, [...(rulesByPath.get(path) ?? []), index]);
  });
  return {
    model,
    positions: new Map(model.positions.map((position) => [position.path, position])),
    rulesByPath,
  };
}

/** The findings of one position alone (present or not in the unit). */
export function positionFindings(
  prepared: PreparedModel,
  path: string,
  configuration: Configuration,
): Finding[] {
  const declared = prepared.positions.get(path);
  const present = configuration.has(path);
  const component = configuration.get(path) ?? null;
  if (!declared)
    return present
      ? [
          {
            path,
            code: 'position-not-in-model',
            rule: 'positions',
            level: 'amber',
            message: `${path} is not in the model`,
          },
        ]
      : [];
  const rule = positionRule(path);
  if (component === null)
    return declared.mandatory
      ? [{ path, code: 'missing-mandatory', rule, level: 'red', message: `${path} must hold a component` }]
      : [];
  if (declared.allowed.some((allowed) => matches(allowed, component))) return [];
  const allowed = declared.allowed.map((part) => describe(part)).join(', ') || 'nothing';
  return [
    {
      path,
      code: 'part-not-allowed',
      rule,
      level: 'red',
      message: `${describe({ partNumber: component.partNumber, ...(component.revision ? { revisions: [component.revision] } : {}), ...(component.softwareVersion ? { softwareVersions: component.softwareVersion } : {}) })} is not allowed at ${path} (allowed: ${allowed})`,
    },
  ];
}

/** The finding of one rule, if it is broken. */
export function ruleFindings(
  prepared: PreparedModel,
  index: number,
  configuration: Configuration,
): Finding[] {
  const rule = prepared.model.rules[index]!;
  if (!matches(rule.when, configuration.get(rule.when.path))) return [];
  const id = ruleId(rule, index);
  if (rule.requires && !matches(rule.requires, configuration.get(rule.requires.path)))
    return [
      {
        path: rule.when.path,
        code: 'requires-unmet',
        rule: id,
        level: rule.level,
        message: `${describe(rule.when)} requires ${describe(rule.requires)}`,
      },
    ];
  if (rule.excludes && matches(rule.excludes, configuration.get(rule.excludes.path)))
    return [
      {
        path: rule.when.path,
        code: 'excluded',
        rule: id,
        level: rule.level,
        message: `${describe(rule.when)} excludes ${describe(rule.excludes)}`,
      },
    ];
  return [];
}

const byPathThenRule = (a: Finding, b: Finding) =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;

/** The whole judgement of a configuration: every position it has, every mandatory one, every rule. */
export function judgeConfiguration(prepared: PreparedModel, configuration: Configuration): Finding[] {
  const paths = new Set([...configuration.keys(), ...prepared.positions.keys()]);
  return [
    ...[...paths].flatMap((path) => positionFindings(prepared, path, configuration)),
    ...prepared.model.rules.flatMap((_rule, index) => ruleFindings(prepared, index, configuration)),
  ].sort(byPathThenRule);
}

/** The paths a judgement of these touched positions must read: them and every path of a rule on them. */
export function pathsToJudge(prepared: PreparedModel, touched: Iterable<string>): Set<string> {
  const paths = new Set<string>();
  for (const path of touched) {
    paths.add(path);
    for (const index of prepared.rulesByPath.get(path) ?? []) {
      const rule = prepared.model.rules[index]!;
      paths.add(rule.when.path);
      paths.add((rule.requires ?? rule.excludes!).path);
    }
  }
  return paths;
}

/**
 * The judgement after a change that touched only these positions, from the findings before it: the
 * findings of the touched positions and of the rules on them are judged again, the others kept.
 * `configuration` needs (at least) the paths `pathsToJudge` names. Equal to `judgeConfiguration` of
 * the whole configuration when `previous` was (the property test holds it to that).
 */
export function judgeIncrementally(
  prepared: PreparedModel,
  previous: readonly Finding[],
  touched: ReadonlySet<string>,
  configuration: Configuration,
): Finding[] {
  const rules = new Set([...touched].flatMap((path) => prepared.rulesByPath.get(path) ?? []));
  const ruleIds = new Set([...rules].map((index) => ruleId(prepared.model.rules[index]!, index)));
  const kept = previous.filter((finding) =>
    isRuleFinding(finding) ? !ruleIds.has(finding.rule) : !touched.has(finding.path),
  );
  return [
    ...kept,
    ...[...touched].flatMap((path) => positionFindings(prepared, path, configuration)),
    ...[...rules].flatMap((index) => ruleFindings(prepared, index, configuration)),
  ].sort(byPathThenRule);
}

const isRuleFinding = (finding: Finding) => finding.code === 'requires-unmet' || finding.code === 'excluded';

/** One-way interchangeability: a replace from one part number to another the model forbids. */
export function interchangeFindings(
  prepared: PreparedModel,
  replace: { path: string; from: Component | null | undefined; to: Component },
): Finding[] {
  const { path, from, to } = replace;
  if (!from || from.partNumber === to.partNumber) return [];
  const declared = prepared.positions.get(path);
  const forbidden = (declared?.interchange ?? []).find(
    (entry) =>
      (entry.kind === 'one-way' && entry.from === to.partNumber && entry.to === from.partNumber) ||
      (entry.kind === 'none' &&
        ((entry.from === from.partNumber && entry.to === to.partNumber) ||
          (entry.from === to.partNumber && entry.to === from.partNumber))),
  );
  if (!forbidden) return [];
  return [
    {
      path,
      code: 'not-interchangeable',
      rule: positionRule(path),
      level: 'red',
      message:
        forbidden.kind === 'one-way'
          ? `${to.partNumber} may not replace ${from.partNumber} at ${path} (${forbidden.to} replaces ${forbidden.from} one way only)`
          : `${to.partNumber} and ${from.partNumber} are not interchangeable at ${path}`,
    },
  ];
}

/** Red if anything is red, amber if anything is amber, else green. */
export function statusOf(findings: readonly Finding[]): ConformanceStatus {
  if (findings.some((finding) => finding.level === 'red')) return 'red';
  return findings.length > 0 ? 'amber' : 'green';
}

/** Findings of `after` that `before` did not have (same path, code and rule). */
export function newFindings(before: readonly Finding[], after: readonly Finding[]): Finding[] {
  const key = (finding: Finding) => `${finding.path}\u0000${finding.code}\u0000${finding.rule}`;
  const known = new Set(before.map(key));
  return after.filter((finding) => !known.has(key(finding)));
}

/** The configuration a unit had at valid time `asOf` as recorded at `knownAt` (from its intervals). */
export function configurationAt(
  history: Pick<TwinHistory, 'positions' | 'installations'>,
  at: { asOf: string; knownAt: string },
): Map<string, Component | null> {
  const installed = installedAt(history.installations, at.asOf, at.knownAt);
  return new Map(
    positionsAt(history.positions, at.asOf, at.knownAt).map((position) => [
      position.path,
      installed.get(position.path) ?? null,
    ]),
  );
}
