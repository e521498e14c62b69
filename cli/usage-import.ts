import * as z from 'zod';
import { fitsOneTransaction } from '../shared/domain/usage';
import { Id } from '../shared/schemas/common';
import { MAX_USAGE_RECORDS, UsageRecordInput } from '../shared/schemas/usage';
import { mayGoOn, type Run, reportError } from './runs';
import { readRows } from './sources';

/** CSV columns of a usage file (flight logs, daily totals, meter readings), one record per row. */
export const USAGE_COLUMNS = ['twinId', 'parameter', 'at', 'delta', 'reading', 'ref'] as const;

const UsageLine = z.object({ twinId: Id }).and(UsageRecordInput);

/** A CSV row as the record it holds (numbers from their cells, empty cells absent); JSON lines as they are. */
function recordOf(value: Record<string, unknown>, csv: boolean) {
  if (!csv) return value;
  const number = (cell: unknown) => (typeof cell === 'string' && cell !== '' ? Number(cell) : undefined);
  return Object.fromEntries(
    Object.entries({ ...value, delta: number(value.delta), reading: number(value.reading) }).filter(
      ([, cell]) => cell !== undefined && cell !== ('' as unknown),
    ),
  );
}

/**
 * Usage records in bulk: consecutive records of one twin go together, up to one request's worth
 * (`POST /v1/twins/{id}/usage`), each batch with the Idempotency-Key `import-<run>-<n>`, so a resumed
 * run never records a batch twice. A record the schema refuses is reported on its line.
 */
export async function importUsage(run: Run): Promise<boolean> {
  const { checkpoint, files } = run;
  let batch: { line: number; twinId: string; record: Record<string, unknown> }[] = [];
  let ordinal = 0;
  const flush = async (): Promise<boolean> => {
    const current = ordinal++;
    const items = batch;
    batch = [];
    if (items.length === 0 || current < checkpoint.next) return true;
    if (!mayGoOn(run)) return false;
    const twinId = items[0]!.twinId;
    const answer = await run.send(
      `/v1/twins/${twinId}/usage`,
      { records: items.map((item) => item.record) },
      { headers: { 'idempotency-key': `import-${checkpoint.runId}-${current}` } },
    );
    run.tally.requests++;
    if (answer.status === 201) {
      run.tally.imported += items.length;
      files.result({
        line: items.map((item) => item.line),
        twinId,
        status: 'recorded',
        records: items.length,
      });
    } else {
      // the server checks every record as POST /v1/twins/{id}/usage and /v1/ingest do: a 400 names the bad ones
      const problem = `${answer.status} ${answer.body?.detail ?? answer.body?.title ?? 'refused'}`;
      const named = new Map<number, string>();
      for (const error of (answer.body?.errors ?? []) as { path?: string; message?: string }[]) {
        const index = /^body\.records\[(\d+)\]/.exec(error.path ?? '')?.[1];
        if (index !== undefined) named.set(Number(index), `${answer.status} ${error.path}: ${error.message}`);
      }
      const badLines = [...named.keys()].map((index) => items[index]?.line).join(', ');
      for (const [index, item] of items.entries())
        reportError(run, {
          line: item.line,
          twinId,
          problem:
            named.get(index) ??
            (named.size > 0 ? `not recorded: its batch has bad records (lines ${badLines})` : problem),
        });
    }
    checkpoint.next = current + 1;
    files.save(checkpoint);
    return true;
  };
  for await (const row of readRows(run.file, run.format)) {
    run.progress(row.line);
    if ('problem' in row) {
      reportError(run, { line: row.line, problem: row.problem });
      continue;
    }
    const parsed = UsageLine.safeParse(recordOf(row.value, run.format === 'csv'));
    if (!parsed.success) {
      reportError(run, { line: row.line, problem: parsed.error.issues[0]?.message ?? 'invalid record' });
      continue;
    }
    const { twinId, ...record } = parsed.data;
    if (
      batch.length > 0 &&
      (batch[0]!.twinId !== twinId ||
        batch.length === MAX_USAGE_RECORDS ||
        !fitsOneTransaction([...batch.map((item) => item.record), record] as UsageRecordInput[])) &&
      !(await flush())
    )
      return false;
    batch.push({ line: row.line, twinId, record });
  }
  if (!(await flush())) return false;
  checkpoint.complete = true;
  files.save(checkpoint);
  return true;
}
