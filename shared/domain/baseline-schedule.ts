import { Cron } from 'croner';
import { invalidField } from './errors';

/** How often a baseline policy takes its baselines. */
export const EVERY = ['monthly', 'quarterly', 'yearly', 'cron'] as const;
export type Every = (typeof EVERY)[number];

/** What a baseline policy says: which twins, how often, how the baselines are named. */
export interface BaselinePolicyTerms {
  name: string;
  selector: { site?: string; partNumber?: string; ids?: string[] };
  every: Every;
  /** With `every: cron`: a 5-field cron expression, evaluated in UTC. */
  cron?: string;
  /** Name template; placeholders name the period that ends at the boundary. */
  naming?: string;
}

/** A stored policy. `periodsUntil`: the last boundary already handled (baselines due after it only). */
export interface BaselinePolicyRecord extends BaselinePolicyTerms {
  id: string;
  naming: string;
  createdAt: string;
  updatedAt: string;
  actor: { sub: string; tenant: string };
  periodsUntil: string;
}

/** The name of each period when the policy does not say. */
export const DEFAULT_NAMING: Record<Every, string> = {
  monthly: '{yyyy}-{mm}',
  quarterly: '{yyyy}-Q{q}',
  yearly: '{yyyy}',
  cron: '{at}',
};

/** Cron schedules may not fire more often than this: a baseline per twin per hour is already a lot. */
export const MIN_CRON_INTERVAL_MS = 3_600_000;

/** Periods at most one run takes per policy; the next run goes on from there (catch-up in steps). */
export const MAX_PERIODS_PER_RUN = 24;

const MONTHS_PER_PERIOD: Record<Exclude<Every, 'cron'>, number> = { monthly: 1, quarterly: 3, yearly: 12 };

const cronOf = (expression: string) => new Cron(expression, { timezone: 'UTC', paused: true });

/**
 * The first period boundary strictly after `after` (UTC): the first instant of the next month,
 * quarter (Jan, Apr, Jul, Oct) or year, or the cron expression's next run.
 */
export function nextBoundary(policy: Pick<BaselinePolicyTerms, 'every' | 'cron'>, after: Date): Date {
  if (policy.every === 'cron') {
    const next = cronOf(policy.cron ?? '').nextRun(after);
    if (!next) throw new Error(`cron ${policy.cron} has no next run`);
    return next;
  }
  const step = MONTHS_PER_PERIOD[policy.every];
  const month = after.getUTCMonth();
  const start = Math.floor(month / step) * step;
  return new Date(Date.UTC(after.getUTCFullYear(), start + step, 1));
}

/** The boundaries after `after` up to `upTo` (inclusive), at most `max`, in order. */
export function boundariesBetween(
  policy: Pick<BaselinePolicyTerms, 'every' | 'cron'>,
  after: string,
  upTo: Date,
  max = MAX_PERIODS_PER_RUN,
): string[] {
  const found: string[] = [];
  let cursor = new Date(after);
  while (found.length < max) {
    const next = nextBoundary(policy, cursor);
    if (next.getTime() > upTo.getTime()) break;
    found.push(next.toISOString());
    cursor = next;
  }
  return found;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * The baseline name of the period ending at `boundary`: placeholders describe that period, read at
 * the instant before the boundary (the 2026-04-01 boundary closes 2026-Q1): `{yyyy}`, `{q}`, `{mm}`,
 * `{dd}`, and `{at}` the boundary itself (ISO, minutes).
 */
export function periodName(naming: string, boundary: string): string {
  const closing = new Date(Date.parse(boundary) - 1);
  const values: Record<string, string> = {
    yyyy: pad(closing.getUTCFullYear(), 4),
    q: String(Math.floor(closing.getUTCMonth() / 3) + 1),
    mm: pad(closing.getUTCMonth() + 1),
    dd: pad(closing.getUTCDate()),
    at: `${boundary.slice(0, 16)}Z`,
  };
  return naming.replace(/\{(yyyy|q|mm|dd|at)\}/g, (_, name: string) => values[name]!);
}

/**
 * The terms as stored, or a 400 naming the field: a cron expression that parses and fires at most
 * hourly, only with `every: cron`; a naming that gives the next periods distinct names.
 */
export function checkedTerms(
  terms: BaselinePolicyTerms,
  now: Date,
): BaselinePolicyTerms & { naming: string } {
  if (terms.every === 'cron') {
    if (terms.cron === undefined) throw invalidField('body.cron', 'is required with every: cron');
    let runs: Date[];
    try {
      runs = cronOf(terms.cron).nextRuns(25, now);
    } catch {
      throw invalidField('body.cron', 'must be a cron expression such as "0 0 1 */2 *"');
    }
    if (runs.length < 2) throw invalidField('body.cron', 'must fire again and again');
    for (let index = 1; index < runs.length; index++)
      if (runs[index]!.getTime() - runs[index - 1]!.getTime() < MIN_CRON_INTERVAL_MS)
        throw invalidField('body.cron', 'must not fire more often than hourly');
  } else if (terms.cron !== undefined) {
    throw invalidField('body.cron', 'is only for every: cron');
  }
  const naming = terms.naming ?? DEFAULT_NAMING[terms.every];
  const names = boundariesBetween(terms, now.toISOString(), new Date(8.64e15), 25).map((boundary) =>
    periodName(naming, boundary),
  );
  if (new Set(names).size < names.length)
    throw invalidField(
      'body.naming',
      `gives two periods the same name (${names.slice(0, 3).join(', ')}, ...)`,
    );
  return { ...terms, naming };
}

/** The input EventBridge Scheduler (and the local timer) sends the twins function to run the job. */
export const BASELINE_JOB_EVENT = { job: 'baseline-policies' } as const;

export const isBaselineJob = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { job?: unknown }).job === BASELINE_JOB_EVENT.job;
