import * as z from 'zod';
import { Cursor, Limit, TenantId } from './common';
import { Counts, FleetInstallation, fleetFilter } from './fleet';

/** A fleet question over the installed base (now), all owners or one. */
const installedBaseFilter = {
  partNumber: fleetFilter.partNumber,
  softwareVersion: fleetFilter.softwareVersion,
  revision: fleetFilter.revision,
  owner: TenantId.optional().meta({ description: 'Only the units of this owner (default: every owner)' }),
};

export const InstalledBaseImpactBody = z.strictObject(installedBaseFilter).meta({
  id: 'InstalledBaseImpactRequest',
  description:
    'Which units of the installed base (shared with my tenant under paas or supplier grants) an OTA update or a bulletin would reach',
});
export type InstalledBaseImpactBody = z.infer<typeof InstalledBaseImpactBody>;

export const InstalledBaseInstallationsQuery = z.strictObject({
  ...installedBaseFilter,
  limit: Limit,
  cursor: Cursor.optional(),
});
export type InstalledBaseInstallationsQuery = z.infer<typeof InstalledBaseInstallationsQuery>;

export const InstalledBaseInstallation = FleetInstallation.extend({
  owner: TenantId.meta({ description: 'The tenant that owns the unit' }),
  serialNumber: z.string().meta({ description: "The unit's serial number" }),
}).meta({ id: 'InstalledBaseInstallation', description: 'An installation, projected through its grants' });

export const InstalledBaseInstallationPage = z
  .object({ items: z.array(InstalledBaseInstallation), nextCursor: z.string().optional() })
  .meta({ id: 'InstalledBaseInstallationPage' });

export const InstalledBaseImpact = z
  .object({
    total: z.number().int().meta({
      description: 'Affected installations the grants show, exact (hidden positions and kinds never count)',
    }),
    byOwner: Counts.meta({ description: 'Affected installations by owner tenant' }),
    bySite: Counts.meta({ description: "Affected installations by the unit's current site" }),
    byProduct: Counts.meta({ description: "Affected installations by the unit's product part number" }),
    affected: z.array(InstalledBaseInstallation),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'InstalledBaseImpact' });
