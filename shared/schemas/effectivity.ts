import semver from 'semver';
import * as z from 'zod';
import { Identifier, Label, Text } from './common';

/**
 * Which units a document applies to, by what they carry: a part number, optionally narrowed to
 * revisions, a semver range of software versions, and a range of serial numbers.
 */
export const Effectivity = z
  .strictObject({
    partNumber: Identifier,
    revisions: z.array(Label(64)).min(1).max(100).optional(),
    softwareVersions: Text(256)
      .refine((range) => semver.validRange(range) !== null, {
        message: 'must be a semver range, e.g. ">=2.0.0 <2.4.0"',
      })
      .optional(),
    serialNumbers: z.strictObject({ from: Identifier, to: Identifier }).optional(),
  })
  .meta({ id: 'Effectivity' });
export type Effectivity = z.infer<typeof Effectivity>;
