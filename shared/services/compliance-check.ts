import { appliesTo } from '../domain/effectivity';
import type { CurrentPosition } from '../domain/records';
import type { Requirement } from '../schemas/compliance';
import type { Component } from '../schemas/twin';
import { embodiments, embodimentWrites, requirementsOfParts } from '../store/compliance-store';
import { allCurrentPositions } from '../store/conformance-store';
import type { Write } from '../store/guarded-transaction';
import { configurationOf } from './conformance-check';

const embodying = (embodiedWhen: Requirement['embodiedWhen'], component: Component | null | undefined) =>
  component != null && embodiedWhen.some((match) => appliesTo(match, component));

const samePaths = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * The compliance writes of a change set, joining its transaction: for each requirement a part the
 * change removes or installs embodies (read from the part index `REQPN#` of the touched part numbers
 * that `REQPARTS` names, so a change of parts no requirement names reads nothing more), the positions that embody it after the change; the last one leaving emits
 * `compliance.reopened`, the first one arriving `compliance.complied`. A unit whose embodiment was
 * never kept (an as-built record, an import) is read once, whole, from its current items.
 */
export async function complianceOfChange(
  tenant: string,
  change: {
    twinId: string;
    /** The current items of the positions the change touched, before it. */
    before: readonly CurrentPosition[];
    touched: { put: readonly CurrentPosition[]; vacated: Record<string, string> };
    now: Date;
    /** The part numbers that embody some requirement (`REQPARTS`, read with the change's snapshot). */
    requirementParts: ReadonlySet<string>;
  },
): Promise<Write[]> {
  const before = configurationOf(change.before);
  const after = configurationOf(change.touched.put);
  const touched = new Set([...after.keys(), ...Object.keys(change.touched.vacated)]);
  const partNumbers = [...touched].flatMap((path) =>
    [before.get(path), after.get(path)].flatMap((component) =>
      component && change.requirementParts.has(component.partNumber) ? [component.partNumber] : [],
    ),
  );
  if (partNumbers.length === 0) return [];
  const requirements = await requirementsOfParts(tenant, partNumbers);
  if (requirements.size === 0) return [];
  const kept = await embodiments(tenant, change.twinId, [...requirements.keys()]);
  let whole: Promise<Map<string, Component | null>> | undefined;
  const wholeConfiguration = () => {
    whole ??= allCurrentPositions(tenant, change.twinId).then(configurationOf);
    return whole;
  };
  const writes: Write[] = [];
  for (const [documentId, embodiedWhen] of requirements) {
    const was =
      kept.get(documentId) ??
      [...(await wholeConfiguration()).entries()]
        .filter(([, component]) => embodying(embodiedWhen, component))
        .map(([path]) => path);
    const now = [
      ...was.filter((path) => !touched.has(path)),
      ...[...after.entries()]
        .filter(([, component]) => embodying(embodiedWhen, component))
        .map(([path]) => path),
    ].sort();
    if (kept.has(documentId) && samePaths(was, now)) continue;
    const entries = embodimentWrites(tenant, {
      twinId: change.twinId,
      documentId,
      before: was,
      after: now,
      at: change.now.toISOString(),
    });
    writes.push(...entries.map((entry) => ({ entry })));
  }
  return writes;
}
