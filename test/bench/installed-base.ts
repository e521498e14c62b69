/**
 * Benchmark of `npm run bench` for the installed-base impact (called from `run.ts`): an OEM asks
 * `POST /v1/installed-base/impact` for FADEC software `>=2.0.0 <2.4.0` over 5 owners × 2,000 units and,
 * as a second OEM, over 5 owners × 20,000 units, the same 500 units matching (100 per owner;
 * `--quick`: 5 × 200 vs 5 × 2,000, 50 matching). Each owner grants its OEM `paas` grants (one per
 * product). Both installed bases are measured interleaved in one loop. For each it prints the p50/p99,
 * the raw requests the same answer needs (per owner: the fleet key range read in full and the
 * matching twins' METAs, as `rawImpact` sends them for the owner's own fleet impact), the DynamoDB
 * requests and the items they read. Units are seeded straight into the table (`seedUnits`).
 */

import { dynamodbCalls } from '../../shared/store/clients';
import type { BenchContext, Row } from './changes';
import { devToken, PART, PRODUCTS, RANGE, rawImpact, seedUnits } from './fleet';
import { ms, printSummaries, type Summary, summarize, timed } from './stats';

export interface InstalledBaseBenchOptions {
  owners: number;
  /** Units of each owner in the smaller installed base. */
  units: number;
  /** Units of each owner in the larger one. */
  largeUnits: number;
  /** Matching units of each owner, in both. */
  matching: number;
  iterations: number;
  warmup: number;
}

export const INSTALLED_BASE_BENCH: InstalledBaseBenchOptions = {
  owners: 5,
  units: 2_000,
  largeUnits: 20_000,
  matching: 100,
  iterations: 15,
  warmup: 3,
};
export const INSTALLED_BASE_BENCH_QUICK: InstalledBaseBenchOptions = {
  owners: 5,
  units: 200,
  largeUnits: 2_000,
  matching: 10,
  iterations: 10,
  warmup: 2,
};

const RATIO_GOAL = 1.2;

interface InstalledBase {
  oem: string;
  owners: string[];
  unitsPerOwner: number;
  token: string;
}

async function send(
  context: BenchContext,
  authorization: string,
  method: string,
  path: string,
  body: unknown,
) {
  const response = await fetch(`${context.url}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Owners with `unitsPerOwner` units each (`matching` of them in the range), each granting the OEM paas. */
async function seedInstalledBase(
  context: BenchContext,
  label: string,
  unitsPerOwner: number,
  options: InstalledBaseBenchOptions,
): Promise<InstalledBase> {
  const oem = `bench-oem-${label}`;
  const owners = Array.from({ length: options.owners }, (_, index) => `bench-${label}-owner-${index}`);
  const every = Math.floor(options.units / options.matching);
  for (const owner of owners) {
    // the first `units` units with their METAs, `matching` of them in range; the rest never match
    await seedUnits(owner, 0, options.units, (index) => index % every === 0, true);
    if (unitsPerOwner > options.units)
      await seedUnits(owner, options.units, unitsPerOwner - options.units, () => false, false);
    const admin = await devToken(context, owner, 'admin');
    const view = await send(context, admin, 'POST', '/v1/views', { name: 'oem' });
    for (const product of PRODUCTS)
      await send(context, admin, 'POST', '/v1/grants', {
        grantee: oem,
        viewId: view.id,
        twins: { partNumber: product },
        purpose: 'paas',
        permissions: ['read'],
      });
  }
  return { oem, owners, unitsPerOwner, token: await devToken(context, oem, 'viewer') };
}

const impactOf = (context: BenchContext, base: InstalledBase) =>
  send(context, base.token, 'POST', '/v1/installed-base/impact?limit=25', {
    partNumber: PART,
    softwareVersion: RANGE,
  });

/** The raw requests of the same answer: per owner, its fleet range in full and its matching twins' METAs. */
const rawOf = (base: InstalledBase) => Promise.all(base.owners.map((owner) => rawImpact(owner)));

export async function benchInstalledBase(context: BenchContext, options: InstalledBaseBenchOptions) {
  const seeded = await timed(async () => [
    await seedInstalledBase(context, 'small', options.units, options),
    await seedInstalledBase(context, 'large', options.largeUnits, options),
  ]);
  const bases = seeded.value as [InstalledBase, InstalledBase];
  console.log(
    `   seeded ${options.owners} × ${options.units} and ${options.owners} × ${options.largeUnits} units in ${ms(seeded.ms)} ms`,
  );
  type Series = 'raw' | 'impact';
  const samples = bases.map(() => ({ raw: [] as number[], impact: [] as number[] }));
  for (let iteration = 0; iteration < options.warmup + options.iterations; iteration++) {
    for (let offset = 0; offset < 4; offset++) {
      const slot = (iteration + offset) % 4;
      const index = slot % 2;
      const name: Series = slot < 2 ? 'impact' : 'raw';
      const base = bases[index]!;
      const { ms: elapsed } = await timed(async () => {
        if (name === 'impact') await impactOf(context, base);
        else await rawOf(base);
      });
      if (iteration >= options.warmup) samples[index]![name].push(elapsed);
    }
  }
  const measured = [];
  for (const [index, base] of bases.entries()) {
    const before = context.snapshot();
    const itemsBefore = dynamodbCalls.itemsRead;
    const answer = await impactOf(context, base);
    const calls = context.callsSince(before);
    const itemsRead = dynamodbCalls.itemsRead - itemsBefore;
    const rawItemsBefore = dynamodbCalls.itemsRead;
    await rawOf(base);
    const rawItems = dynamodbCalls.itemsRead - rawItemsBefore;
    const summaries: Record<Series, Summary> = {
      raw: summarize(samples[index]!.raw),
      impact: summarize(samples[index]!.impact),
    };
    console.log(
      `\n   ${base.owners.length} owners × ${base.unitsPerOwner} units, ${answer.total} installations matching:`,
    );
    printSummaries({ raw: 'raw requests (ranges + METAs)', impact: 'POST installed-base impact' }, summaries);
    console.log(
      `   DynamoDB requests ${context.formatCalls(calls)}, items read ${itemsRead} (raw: ${rawItems})`,
    );
    measured.push({
      units: base.unitsPerOwner,
      total: answer.total,
      ms: summaries,
      calls,
      itemsRead,
      rawItems,
    });
  }
  const [small, large] = measured as [(typeof measured)[0], (typeof measured)[0]];
  const ratio = large.ms.impact.p50 / small.ms.impact.p50;
  const met = ratio <= RATIO_GOAL;
  console.log(
    `\n   p50 ${options.owners}×${options.largeUnits} / ${options.owners}×${options.units}: impact ×${ratio.toFixed(2)} (goal ≤ ${RATIO_GOAL}: ${met ? 'met' : 'NOT met'}), raw ×${(large.ms.raw.p50 / small.ms.raw.p50).toFixed(2)}; items read ${small.itemsRead} / ${large.itemsRead}; same total: ${small.total === large.total}`,
  );
  const rows: Row[] = [
    [
      `installed-base impact p50 ${options.owners}×${options.units} / ${options.owners}×${options.largeUnits}`,
      `${ms(small.ms.impact.p50)} / ${ms(large.ms.impact.p50)} ms (×${ratio.toFixed(2)}, ≤ ${RATIO_GOAL}: ${met ? 'met' : 'NOT met'}), raw ${ms(large.ms.raw.p50)} ms`,
    ],
    [
      'installed-base impact items read',
      `${small.itemsRead} / ${large.itemsRead} (${context.formatCalls(large.calls)})`,
    ],
  ];
  return { rows, results: { sizes: measured, ratio: { impact: ratio, goal: RATIO_GOAL, met } } };
}
