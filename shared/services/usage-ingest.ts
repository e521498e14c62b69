import { fitsOneTransaction } from '../domain/usage';
import type { IngestUsageRecord, IngestUsageResult } from '../schemas/ingest';
import { USAGE_INGEST_STATUSES } from '../schemas/ingest';
import type { UsageBody } from '../schemas/usage';
import { idempotent } from '../store/idempotency';
import { loadTwinParts } from '../store/twin-store';
import { checkUsage, recordUsage } from '../store/usage-store';
import { notFound, resolveTwins } from './ingest-service';
import { installedSerials, refreshLife } from './life';

type Twin = { id: string; productPartNumber: string };
type Item = { index: number; observation: IngestUsageRecord };

/** Records usage on a unit (one transaction), then refreshes the fleet life index of the LLPs in it. */
export async function recordUnitUsage(tenant: string, twin: Twin, body: UsageBody, now: Date) {
  const records = await recordUsage(tenant, twin, body, now);
  await refreshLife(tenant, await installedSerials(tenant, twin.id), now);
  return records;
}

/** Consecutive records of one twin, each batch small enough for one transaction. */
export function transactionBatches<T extends { parameter: string; at: string; reading?: number }>(
  records: readonly T[],
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  for (const record of records) {
    if (batch.length > 0 && !fitsOneTransaction([...batch, record])) {
      batches.push(batch);
      batch = [];
    }
    batch.push(record);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

const recordOf = ({ observation }: Item) => {
  const { twinId: _id, twinSerialNumber: _serial, productPartNumber: _product, ...record } = observation;
  return record;
};

/**
 * Usage records of an ingest batch (docs/usage.md, "Ingest"): every twin's records are checked as
 * POST /v1/twins/{id}/usage checks them before any is written (a bad record is 400 naming
 * `body.usage[i]`, nothing written); an unknown twin is its records' `error`. `report` stops there
 * (`valid`); `apply` records each twin's records in request order, in transactions that fit, each
 * under its own idempotency key derived from the request's, so a retried request never records twice.
 */
export async function checkIngestUsage(tenant: string, usage: readonly IngestUsageRecord[]) {
  const items: Item[] = usage.map((observation, index) => ({ index, observation }));
  const { byTwin, unresolved } = await resolveTwins(tenant, items);
  const results: IngestUsageResult[] = unresolved.map(({ index, detail }) => ({
    index,
    status: 'error',
    ...(detail === undefined ? {} : { detail }),
  }));
  const checked: { twin: Twin; group: Item[] }[] = [];
  for (const [twinId, group] of byTwin) {
    const loaded = await loadTwinParts(tenant, twinId, {});
    if (!loaded) {
      for (const item of group)
        results.push({ index: item.index, status: 'error', detail: notFound(item.observation) });
      continue;
    }
    const twin = { id: loaded.state.record.id, productPartNumber: loaded.state.record.product.partNumber };
    const ordered = [...group].sort((a, b) => a.index - b.index);
    await checkUsage(tenant, twin, ordered.map(recordOf), {
      correction: false,
      pathOf: (position) => `body.usage[${ordered[position]!.index}]`,
    });
    checked.push({ twin, group: ordered });
  }
  return {
    /** Records the checked usage (apply) or answers it valid (report). */
    run: (context: { mode: 'report' | 'apply'; now: Date; key?: string }) =>
      runIngestUsage(tenant, checked, results, context),
  };
}

async function runIngestUsage(
  tenant: string,
  checked: readonly { twin: Twin; group: Item[] }[],
  results: IngestUsageResult[],
  context: { mode: 'report' | 'apply'; now: Date; key?: string },
) {
  for (const { twin, group } of checked) {
    if (context.mode === 'report') {
      for (const item of group) results.push({ index: item.index, status: 'valid', twinId: twin.id });
      continue;
    }
    for (const [n, batch] of transactionBatches(
      group.map((item) => ({ ...recordOf(item), item })),
    ).entries()) {
      const body = { records: batch.map(({ item: _item, ...record }) => record) };
      const write = () => recordUnitUsage(tenant, twin, body, context.now);
      const written =
        context.key === undefined
          ? await write()
          : await idempotent(
              tenant,
              `usage#${twin.id}`,
              { key: `ingest#${context.key}#${n}`, payload: body, startedAt: context.now },
              write,
            );
      for (const [position, { item }] of batch.entries())
        results.push({
          index: item.index,
          status: 'recorded',
          twinId: twin.id,
          recordId: written[position]!.id,
        });
    }
  }
  results.sort((a, b) => a.index - b.index);
  const counts = Object.fromEntries(
    USAGE_INGEST_STATUSES.map((status) => [
      status,
      results.filter((result) => result.status === status).length,
    ]),
  ) as Record<(typeof USAGE_INGEST_STATUSES)[number], number>;
  return { results, counts };
}
