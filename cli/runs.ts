import type { IngestObservation } from '../shared/schemas/ingest';
import type { Checkpoint, RunFiles } from './checkpoint';
import type { Answer, Send } from './client';
import { asBuiltRecords, exportedTwins, type Format, observations } from './sources';

/** One invocation of the importer. */
export interface Run {
  send: Send;
  files: RunFiles;
  checkpoint: Checkpoint;
  file: string;
  format: Format;
  mode: 'report' | 'apply';
  batchSize: number;
  /** Requests this invocation may send (`--stop-after`). */
  stopAfter?: number;
  /** Set on SIGINT/SIGTERM: the request in flight is finished and checkpointed, no new one starts. */
  stopping: boolean;
  /** `replayed`: twins of a tenant export that the tenant had imported before (nothing written). */
  tally: { imported: number; replayed: number; errors: number; requests: number };
  progress: (line: number) => void;
}

const mayGoOn = (run: Run) =>
  !run.stopping && (run.stopAfter === undefined || run.tally.requests < run.stopAfter);

function reportError(
  run: Run,
  entry: { line: number | number[]; problem: string; [field: string]: unknown },
) {
  if (run.files.error(entry)) run.tally.errors++;
}

/** The lines a problem names (`body.observations[3]...`), else every line of the request. */
function linesNamed(answer: Answer, lines: readonly number[]): number[] {
  const named = ((answer.body?.errors ?? []) as { path: string }[]).flatMap(({ path }) => {
    const match = /^body\.observations\[(\d+)\]/.exec(path);
    const line = match ? lines[Number(match[1])] : undefined;
    return line === undefined ? [] : [line];
  });
  return named.length > 0 ? [...new Set(named)] : [...lines];
}

/**
 * Observations in batches of `batchSize`, in file order. Batch `n` of run `r` always carries the
 * Idempotency-Key `import-<r>-<n>`: a batch sent again after an interruption is answered from the
 * stored result, never applied twice. Records the schema refuses are reported and never sent.
 */
export async function importObservations(run: Run): Promise<boolean> {
  const { checkpoint, files } = run;
  let batch: { line: number; body: IngestObservation }[] = [];
  let ordinal = 0;
  const flush = async (): Promise<boolean> => {
    const current = ordinal++;
    const items = batch;
    batch = [];
    if (current < checkpoint.next) return true;
    if (!mayGoOn(run)) return false;
    const lines = items.map((item) => item.line);
    const headers: Record<string, string> =
      run.mode === 'apply' ? { 'idempotency-key': `import-${checkpoint.runId}-${current}` } : {};
    const answer = await run.send(
      '/v1/ingest',
      { mode: run.mode, observations: items.map((item) => item.body) },
      { headers, retryConflict: true },
    );
    run.tally.requests++;
    if (answer.status === 200) {
      for (const result of answer.body.results as { index: number; status: string; detail?: string }[]) {
        const line = lines[result.index]!;
        const { index: _index, ...shown } = result;
        if (result.status === 'error') {
          const { status: _status, detail, ...rest } = shown;
          reportError(run, { line, problem: detail ?? 'error', ...rest });
        } else {
          run.tally.imported++;
          if (result.status !== 'match') files.result({ line, ...shown });
        }
      }
    } else {
      const problem = `${answer.status} ${answer.body?.detail ?? answer.body?.title ?? 'refused'}`;
      for (const line of linesNamed(answer, lines)) reportError(run, { line, problem });
    }
    checkpoint.next = current + 1;
    files.save(checkpoint);
    return true;
  };
  for await (const prepared of observations(run.file, run.format)) {
    run.progress(prepared.lines.at(-1)!);
    if ('problem' in prepared) {
      reportError(run, { line: prepared.lines[0]!, problem: prepared.problem });
      continue;
    }
    batch.push({ line: prepared.lines[0]!, body: prepared.body });
    if (batch.length === run.batchSize && !(await flush())) return false;
  }
  if (batch.length > 0 && !(await flush())) return false;
  checkpoint.complete = true;
  files.save(checkpoint);
  return true;
}

/**
 * As-built records, one `POST /v1/twins` each, in file order. The record in flight is written to the
 * checkpoint before it is sent: if the run stops before the answer, the rerun takes a 409 "serial
 * number already exists" for that record as its own earlier creation, not as an error.
 */
export async function importAsBuilt(run: Run): Promise<boolean> {
  const { checkpoint, files } = run;
  let ordinal = -1;
  for await (const prepared of asBuiltRecords(run.file, run.format)) {
    run.progress(prepared.lines.at(-1)!);
    const line = prepared.lines.length === 1 ? prepared.lines[0]! : prepared.lines;
    if ('problem' in prepared) {
      reportError(run, { line, twin: prepared.key, problem: prepared.problem });
      continue;
    }
    ordinal++;
    if (ordinal < checkpoint.next) continue;
    if (!mayGoOn(run)) return false;
    const resent = checkpoint.pending === ordinal;
    checkpoint.pending = ordinal;
    files.save(checkpoint);
    const answer = await run.send('/v1/twins', prepared.body);
    run.tally.requests++;
    const existed =
      answer.status === 409 &&
      ((answer.body?.errors ?? []) as { path: string }[]).some((error) => error.path === 'body.serialNumber');
    if (answer.status === 201) {
      run.tally.imported++;
      files.result({ line, twin: prepared.key, status: 'created', twinId: answer.body.id });
    } else if (existed && resent) {
      run.tally.imported++;
      files.result({
        line,
        twin: prepared.key,
        status: 'created',
        detail: 'created before the interruption',
      });
    } else {
      const problem = `${answer.status} ${answer.body?.detail ?? answer.body?.title ?? 'refused'}`;
      reportError(run, { line, twin: prepared.key, problem });
    }
    checkpoint.next = ordinal + 1;
    checkpoint.pending = null;
    files.save(checkpoint);
  }
  checkpoint.complete = true;
  files.save(checkpoint);
  return true;
}

/** An answer refused: status, detail and the first field it names. */
function refusal(answer: Answer): string {
  const [first] = (answer.body?.errors ?? []) as { path: string; message: string }[];
  const detail = answer.body?.detail ?? answer.body?.title ?? 'refused';
  return `${answer.status} ${detail}${first ? ` (${first.path}: ${first.message})` : ''}`;
}

/**
 * The twins of a tenant export, one `POST /v1/imports` each, in file order. Imports are idempotent by
 * source tenant and twin: a twin sent again after an interruption (or by a later run) is answered
 * with the copy made the first time (200, `replayed`), never copied twice. No pending record needed.
 */
export async function importExport(run: Run): Promise<boolean> {
  const { checkpoint, files } = run;
  let ordinal = -1;
  for await (const prepared of exportedTwins(run.file)) {
    run.progress(prepared.lines.at(-1)!);
    const line = prepared.lines[0]!;
    if ('problem' in prepared) {
      reportError(run, { line, twin: prepared.key, problem: prepared.problem });
      continue;
    }
    ordinal++;
    if (ordinal < checkpoint.next) continue;
    if (!mayGoOn(run)) return false;
    const answer = await run.send('/v1/imports', prepared.body);
    run.tally.requests++;
    if (answer.status === 201 || answer.status === 200) {
      const replayed = answer.status === 200;
      run.tally[replayed ? 'replayed' : 'imported']++;
      files.result({
        line,
        twin: prepared.key,
        status: replayed ? 'replayed' : 'imported',
        sourceTwinId: prepared.body.source.twinId,
        twinId: answer.body.twin.id,
      });
    } else reportError(run, { line, twin: prepared.key, problem: refusal(answer) });
    checkpoint.next = ordinal + 1;
    files.save(checkpoint);
  }
  checkpoint.complete = true;
  files.save(checkpoint);
  return true;
}
