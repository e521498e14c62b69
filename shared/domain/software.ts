import type { TwinHistory } from './records';

/** One installed piece of software: where, which part, which version. */
export interface InstalledSoftware {
  path: string;
  partNumber: string;
  softwareVersion?: string;
}

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
