import semver from 'semver';
import * as z from 'zod';
import { Cursor, Id, Identifier, IsoDateTime, Label, Limit, Text } from './common';
import { Component } from './twin';

/** A semver range such as `>=2.0.0 <2.4.0` or `^3.1.0 || 4.x` (anything the `semver` package accepts). */
export const SoftwareVersionRange = Text(256)
  .refine((range) => semver.validRange(range) !== null, {
    message: 'must be a semver range, e.g. ">=2.0.0 <2.4.0"',
  })
  .meta({ example: '>=2.0.0 <2.4.0' });

export const fleetFilter = {
  partNumber: Identifier.meta({ description: 'The part number the units carry', example: 'FADEC-SW' }),
  softwareVersion: SoftwareVersionRange.optional(),
  revision: Label(64).optional().meta({ description: 'Only components of this revision' }),
  asOf: IsoDateTime.optional().meta({ description: 'Valid time: what the units carried then (default now)' }),
};

export const FleetInstallationsQuery = z.strictObject({
  ...fleetFilter,
  limit: Limit,
  cursor: Cursor.optional(),
});
export type FleetInstallationsQuery = z.infer<typeof FleetInstallationsQuery>;

export const FleetImpactBody = z.strictObject(fleetFilter).meta({
  id: 'FleetImpactRequest',
  description: 'Which installed units an OTA update or a bulletin would reach',
});
export type FleetImpactBody = z.infer<typeof FleetImpactBody>;

export const FleetPageQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });

export const FleetInstallation = z
  .object({
    twinId: Id,
    path: z.string(),
    component: Component,
    validFrom: IsoDateTime,
    validTo: IsoDateTime.optional(),
  })
  .meta({ id: 'FleetInstallation' });

export const FleetInstallationPage = z
  .object({ items: z.array(FleetInstallation), nextCursor: z.string().optional() })
  .meta({ id: 'FleetInstallationPage' });

export const Counts = z.record(z.string(), z.number().int());

export const FleetImpact = z
  .object({
    total: z.number().int().optional().meta({
      description: 'Affected installations, exact; absent through a role view that hides positions or kinds',
    }),
    affected: z.array(FleetInstallation.extend({ serialNumber: z.string() })),
    bySite: Counts.optional().meta({
      description: `Affected installations by the twin's current site; absent like total`,
    }),
    byProduct: Counts.optional().meta({
      description: `Affected installations by the twin's product part number; absent like total`,
    }),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'FleetImpact' });
