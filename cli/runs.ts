import type { IngestObservation } from '../shared/schemas/ingest';
import type { RecordImportResult, RecordLine } from '../shared/schemas/tenant-lines';
import type { PutTypeBody } from '../shared/schemas/types';
import type { Checkpoint, RunFiles } from './checkpoint';
import type { Answer, Send } from './client';
import {
  asBuiltRecords,
  type ExportedType,
  exportedEntries,
  type Format,
  type Kept,
  observations,
} from './sources';
import { definitionOf, planTypeRestore } from './type-plan';

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
  /**
   * `replayed`: twins of a tenant export that the tenant had imported before (nothing written);
   * `types`: versions defined, types already defined as exported, types the tenant defines otherwise;
   * `records`: record lines (usage parameters, parts, models, documents, usage, components,
   * compliance records) that wrote something,
   * found everything there already, or were kept as the tenant defines them otherwise;
   * `kept`: lines of an export kept in it and not restored.
   */
  tally: {
    imported: number;
    replayed: number;
    errors: number;
    requests: number;
    types: { defined: number; already: number; differ: number };
    records: { imported: number; already: number; differ: number };
    kept: Record<Kept, number>;
  };
  progress: (line: number) => void;
}

export const mayGoOn = (run: Run) =>
  !run.stopping && (run.stopAfter === undefined || run.tally.requests < run.stopAfter);

export function reportError(
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

/** The versions of a type the tenant holds, oldest first (none when it has no such type). */
async function typeVersionsHeld(run: Run, name: string): Promise<PutTypeBody[] | Answer> {
  const path = `/v1/types/${encodeURIComponent(name)}`;
  const latest = await run.send(path, undefined, { method: 'GET' });
  if (latest.status === 404) return [];
  if (latest.status !== 200) return latest;
  const versions: PutTypeBody[] = [];
  for (let version = 1; version < latest.body.version; version++) {
    const answer = await run.send(`${path}?version=${version}`, undefined, { method: 'GET' });
    if (answer.status !== 200) return answer;
    versions.push(answer.body);
  }
  return [...versions, latest.body];
}

/** Rounds of reading and defining a type before its line is reported (another writer, a busy service). */
const TYPE_ROUNDS = 3;

/**
 * Defines the missing versions of an exported type, oldest first, each with `PUT /v1/types/{name}`
 * (sent once, never retried blindly: a retried PUT could define a version twice). What the tenant
 * holds is read first, so a rerun defines nothing; a tenant whose versions are not the export's first
 * ones keeps its type, and the line is reported.
 */
async function restoreType(
  run: Run,
  type: ExportedType,
): Promise<{ defined: number[]; already: number } | { problem: string; differs?: true }> {
  const exported = type.versions.map(definitionOf);
  const defined: number[] = [];
  let last = '';
  for (let round = 1; round <= TYPE_ROUNDS; round++) {
    const held = await typeVersionsHeld(run, type.name);
    if (!Array.isArray(held)) return { problem: refusal(held) };
    const plan = planTypeRestore(exported, held);
    const definedBefore = defined.length;
    if (plan === 'differs')
      return { problem: `type ${type.name} differs in this tenant: left unchanged`, differs: true };
    let version = plan.already;
    let refused: Answer | undefined;
    for (const body of plan.missing) {
      const answer = await run.send(`/v1/types/${encodeURIComponent(type.name)}`, body, {
        method: 'PUT',
        once: true,
      });
      if (answer.status !== 200 && answer.status !== 201) {
        refused = answer;
        break;
      }
      version++;
      defined.push(version);
    }
    // versions this run defined in an earlier round are held now, but were not there before
    if (!refused) return { defined, already: plan.already - definedBefore };
    last = refusal(refused);
    if (![409, 429, 500, 502, 503, 504].includes(refused.status)) return { problem: last };
  }
  return { problem: last };
}

/**
 * One record line, `POST /v1/imports/records` (idempotent: a rerun finds what it wrote). A part
 * master or model the tenant defines otherwise is kept, and the line reported, like a type.
 */
async function restoreRecord(run: Run, line: number, key: string, body: RecordLine) {
  const answer = await run.send('/v1/imports/records', body);
  run.tally.requests++;
  if (answer.status !== 200 && answer.status !== 201) {
    reportError(run, { line, record: key, problem: refusal(answer) });
    return;
  }
  const { status, written, already, notes } = answer.body as RecordImportResult;
  if (status === 'differs') {
    run.tally.records.differ++;
    reportError(run, { line, record: key, problem: notes.join('; ') });
    return;
  }
  run.tally.records[status]++;
  run.files.result({ line, record: key, status, written, already, ...(notes.length > 0 ? { notes } : {}) });
}

/**
 * A tenant export, in file order: each type line defines the type's missing versions (types come
 * before the twins in an export, so the copies are checked and editable as in the source), each twin
 * line is one `POST /v1/imports`, each record line one `POST /v1/imports/records`. Imports are idempotent by source tenant and twin: a twin sent again
 * after an interruption (or by a later run) is answered with the copy made the first time (200,
 * `replayed`), never copied twice; types are compared with what the tenant holds. No pending record
 * needed. Views, role views and grants are counted, not restored.
 */
export async function importExport(run: Run): Promise<boolean> {
  const { checkpoint, files } = run;
  let ordinal = -1;
  for await (const prepared of exportedEntries(run.file)) {
    run.progress(prepared.lines.at(-1)!);
    const line = prepared.lines[0]!;
    if (prepared.kind === 'problem') {
      reportError(run, { line, [prepared.subject]: prepared.key, problem: prepared.problem });
      continue;
    }
    if (prepared.kind === 'kept') {
      run.tally.kept[prepared.what]++;
      continue;
    }
    ordinal++;
    if (ordinal < checkpoint.next) continue;
    if (!mayGoOn(run)) return false;
    if (prepared.kind === 'record') {
      await restoreRecord(run, line, prepared.key, prepared.body);
    } else if (prepared.kind === 'type') {
      const restored = await restoreType(run, prepared.body);
      run.tally.requests++;
      if ('problem' in restored) {
        if (restored.differs) run.tally.types.differ++;
        reportError(run, { line, type: prepared.key, problem: restored.problem });
      } else {
        run.tally.types.defined += restored.defined.length;
        run.tally.types.already += restored.already;
        files.result({
          line,
          type: prepared.key,
          status: restored.defined.length > 0 ? 'defined' : 'already defined',
          ...(restored.defined.length > 0 ? { versions: restored.defined } : {}),
        });
      }
    } else {
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
    }
    checkpoint.next = ordinal + 1;
    files.save(checkpoint);
  }
  checkpoint.complete = true;
  files.save(checkpoint);
  return true;
}
