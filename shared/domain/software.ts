import type { CurrentPosition, InstalledSoftware, TwinHistory } from './records';

export type { InstalledSoftware } from './records';

/**
 * The software a twin carries now (as last recorded): kept on the twin's META item so that an
 * installed base can count units by software version without reading every twin's tree.
 */
export const softwareSummary = (history: Pick<TwinHistory, 'installations'>): InstalledSoftware[] =>
  history.installations
    .filter((installation) => installation.validTo === null && installation.component.kind === 'software')
    .map(({ path, component }) => ({
      path,
      partNumber: component.partNumber,
      ...(component.softwareVersion === undefined ? {} : { softwareVersion: component.softwareVersion }),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/**
 * The software summary after a change, from the one before and the positions the change touched
 * (`put`: as they are now; `vacated`: gone): the whole twin is never read for it.
 */
export function updatedSoftwareSummary(
  before: readonly InstalledSoftware[],
  change: { put: readonly CurrentPosition[]; vacated: Readonly<Record<string, string>> },
): InstalledSoftware[] {
  const touched = new Set([
    ...change.put.map(({ position }) => position.path),
    ...Object.keys(change.vacated),
  ]);
  const installations = change.put.flatMap(({ installation }) => (installation ? [installation] : []));
  return [...before.filter(({ path }) => !touched.has(path)), ...softwareSummary({ installations })].sort(
    (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}
