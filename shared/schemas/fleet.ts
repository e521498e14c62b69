import semver from 'semver';
import * as z from 'zod';
import { purlIdentity, purlVersion } from '../domain/purl';
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

/** A package URL without a version (the version range goes to `softwareVersion`). */
const Purl = Text(1024)
  .refine((purl) => purlIdentity(purl) !== undefined, {
    message: 'must be a package URL, e.g. "pkg:npm/lodash"',
  })
  .refine((purl) => purlVersion(purl) === undefined, {
    message: 'must name no version: give the version range in softwareVersion',
  })
  .meta({ example: 'pkg:generic/acme/fadec-sw' });

export const FleetImpactBody = z
  .strictObject({
    ...fleetFilter,
    partNumber: fleetFilter.partNumber.optional(),
    purl: Purl.optional().meta({
      description:
        'Instead of partNumber: the software part numbers whose `purl` attribute (declared by the tenant’s software type) names this package',
    }),
  })
  .superRefine((body, context) => {
    if ((body.partNumber === undefined) === (body.purl === undefined))
      context.addIssue({
        code: 'custom',
        path: ['partNumber'],
        message: 'give exactly one of partNumber and purl',
      });
  })
  .meta({
    id: 'FleetImpactRequest',
    description:
      'Which installed units an OTA update or a bulletin would reach: by part number, or by package URL',
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
