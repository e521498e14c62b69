import * as z from 'zod';
import { EVERY } from '../domain/baseline-schedule';
import { Actor } from './change';
import { Cursor, IsoDateTime, Label, Limit, Slug, Text } from './common';
import { TwinSelector } from './sharing';

export const BaselinePolicyParams = z.strictObject({
  id: Slug.meta({ description: 'The policy id, chosen by the client', example: 'quarterly-fleet' }),
});

export const BaselinePolicyBody = z
  .strictObject({
    name: Label(128).meta({ example: 'Quarterly configuration record' }),
    selector: TwinSelector,
    every: z.enum(EVERY).meta({
      description: 'monthly, quarterly or yearly (boundaries at 00:00 UTC of the first day), or cron',
    }),
    cron: Text(128).optional().meta({
      description: 'With every: cron, a 5-field cron expression in UTC, at most hourly',
      example: '0 0 1 */2 *',
    }),
    naming: Label(128).optional().meta({
      description:
        'Baseline name template; {yyyy}, {q}, {mm}, {dd} name the period that ends at the boundary, {at} is the boundary. Default {yyyy}-{mm}, {yyyy}-Q{q}, {yyyy} or {at}',
      example: '{yyyy}-Q{q}',
    }),
  })
  .meta({ id: 'BaselinePolicyRequest' });
export type BaselinePolicyBody = z.infer<typeof BaselinePolicyBody>;

export const BaselinePolicy = z
  .object({
    id: z.string(),
    name: z.string(),
    selector: TwinSelector,
    every: z.enum(EVERY),
    cron: z.string().optional(),
    naming: z.string(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    actor: Actor,
    periodsUntil: IsoDateTime.meta({
      description: 'Periods ending up to this time are taken (or were before the policy)',
    }),
    nextBoundary: IsoDateTime.meta({ description: 'The next period boundary: baselines at this time' }),
  })
  .meta({ id: 'BaselinePolicy' });

export const BaselinePolicyList = z
  .object({ items: z.array(BaselinePolicy), nextCursor: z.string().optional() })
  .meta({ id: 'BaselinePolicyList' });

export const BaselinePolicyListQuery = z.strictObject({ limit: Limit, cursor: Cursor.optional() });
