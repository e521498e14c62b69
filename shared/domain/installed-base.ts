import type { ViewBody } from '../schemas/sharing';
import type { InstalledSoftware } from './software';
import { pathVisible } from './view';

/** One unit of an installed base, as counted: its product and the software it carries now. */
export interface CountedUnit {
  product: { partNumber: string };
  softwareSummary?: InstalledSoftware[];
}

/**
 * Units by product part number, and by software part number and version — counting only the
 * software each unit's view shows (a position or kind the view hides is not counted either).
 */
export function installedBaseCounts(units: readonly { unit: CountedUnit; view: Omit<ViewBody, 'name'> }[]) {
  const byProduct: Record<string, number> = {};
  const bySoftwareVersion: Record<string, Record<string, number>> = {};
  for (const { unit, view } of units) {
    byProduct[unit.product.partNumber] = (byProduct[unit.product.partNumber] ?? 0) + 1;
    if (view.kinds !== undefined && !view.kinds.includes('software')) continue;
    for (const software of unit.softwareSummary ?? []) {
      if (!pathVisible(view, software.path)) continue;
      const versions = bySoftwareVersion[software.partNumber] ?? {};
      bySoftwareVersion[software.partNumber] = versions;
      const version = software.softwareVersion ?? 'unknown';
      versions[version] = (versions[version] ?? 0) + 1;
    }
  }
  return { byProduct, bySoftwareVersion };
}
