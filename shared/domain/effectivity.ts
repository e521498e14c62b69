import semver from 'semver';
import type { Effectivity } from '../schemas/effectivity';
import type { Component } from '../schemas/twin';

/** Serial numbers compare like people read them: `SN-9` before `SN-10`. */
export const compareSerials = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** A software version as semver: exact when it is one, else coerced (`5.2` → `5.2.0`, `v5.2.1b` → `5.2.1`). */
export const semverOf = (version: string): string | null =>
  semver.valid(version) ?? semver.coerce(version, { loose: true })?.version ?? null;

/**
 * Does a document with this effectivity apply to this component? Every given criterion must hold;
 * a criterion the component cannot answer (no software version, no serial) does not hold.
 */
export function appliesTo(effectivity: Effectivity, component: Component): boolean {
  if (component.partNumber !== effectivity.partNumber) return false;
  if (
    effectivity.revisions &&
    !(component.revision !== undefined && effectivity.revisions.includes(component.revision))
  ) {
    return false;
  }
  if (effectivity.softwareVersions !== undefined) {
    const version = component.softwareVersion === undefined ? null : semverOf(component.softwareVersion);
    if (version === null || !semver.satisfies(version, effectivity.softwareVersions)) return false;
  }
  if (effectivity.serialNumbers) {
    const serial = component.serialNumber;
    if (serial === undefined) return false;
    const { from, to } = effectivity.serialNumbers;
    if (compareSerials(serial, from) < 0 || compareSerials(serial, to) > 0) return false;
  }
  return true;
}
