import { createHash, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  createReadStream,
  existsSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';

/** What a run has done, kept next to the input (`<input>.checkpoint.json`), so that a rerun continues. */
export interface Checkpoint {
  version: 1;
  /** Part of every Idempotency-Key of the run: a resumed run sends the same keys, a new run new ones. */
  runId: string;
  input: { sha256: string; size: number };
  options: { kind: string; mode: string; batchSize: number };
  /** Requests (batches of observations, as-built records) go in file order: those before this one are done. */
  next: number;
  /** The request sent but not answered when the run stopped, if any (an as-built record may exist already). */
  pending: number | null;
  complete: boolean;
}

/** The input's fingerprint and its number of lines (for the progress bar). */
export async function fingerprint(file: string): Promise<{ sha256: string; size: number; lines: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let lines = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  return { sha256: hash.digest('hex'), size, lines };
}

/**
 * What a report line is about: its line(s), and the record line's key where one input line gives two
 * requests (a twin line and the nesting line derived from it).
 */
const reportId = (entry: { line: unknown; record?: unknown }) =>
  JSON.stringify(entry.record === undefined ? entry.line : [entry.line, entry.record]);

export class RunFiles {
  readonly checkpointPath: string;
  readonly errorsPath: string;
  readonly resultsPath: string;
  private readonly reportedErrors = new Set<string>();
  private readonly reportedResults = new Set<string>();

  constructor(input: string) {
    this.checkpointPath = `${input}.checkpoint.json`;
    this.errorsPath = `${input}.errors.jsonl`;
    this.resultsPath = `${input}.results.jsonl`;
    // A run stopped between writing a report line and its checkpoint sends that batch again: no line twice.
    for (const [path, seen] of [
      [this.errorsPath, this.reportedErrors],
      [this.resultsPath, this.reportedResults],
    ] as const) {
      if (!existsSync(path)) continue;
      for (const text of readFileSync(path, 'utf8').split('\n')) {
        if (text.trim() === '') continue;
        seen.add(reportId(JSON.parse(text) as { line: unknown }));
      }
    }
  }

  /** The checkpoint of an earlier run of the same input and options, or a new one. */
  open(
    input: Checkpoint['input'],
    options: Checkpoint['options'],
    restart: boolean,
  ): { checkpoint: Checkpoint; resumed: boolean } {
    if (!restart && existsSync(this.checkpointPath)) {
      const earlier = JSON.parse(readFileSync(this.checkpointPath, 'utf8')) as Checkpoint;
      const same =
        earlier.input.sha256 === input.sha256 && JSON.stringify(earlier.options) === JSON.stringify(options);
      if (!same)
        throw new UsageError(
          `${this.checkpointPath} belongs to another input or other options: rerun with the same ones, or with --restart`,
        );
      return { checkpoint: earlier, resumed: true };
    }
    for (const path of [this.errorsPath, this.resultsPath]) writeFileSync(path, '');
    this.reportedErrors.clear();
    this.reportedResults.clear();
    const checkpoint: Checkpoint = {
      version: 1,
      runId: randomUUID(),
      input,
      options,
      next: 0,
      pending: null,
      complete: false,
    };
    this.save(checkpoint);
    return { checkpoint, resumed: false };
  }

  /** Written whole and renamed: a crash leaves the previous checkpoint or the new one, never half of one. */
  save(checkpoint: Checkpoint): void {
    const temporary = `${this.checkpointPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(checkpoint));
    renameSync(temporary, this.checkpointPath);
  }

  /** A record that was not imported: its line(s) and the problem. */
  error(entry: { line: number | number[]; problem: string; [field: string]: unknown }): boolean {
    return this.append(this.errorsPath, this.reportedErrors, entry);
  }

  /** A result worth a look (a discrepancy, an applied change). */
  result(entry: { line: number | number[]; [field: string]: unknown }): void {
    this.append(this.resultsPath, this.reportedResults, entry);
  }

  private append(path: string, seen: Set<string>, entry: { line: unknown }): boolean {
    const id = reportId(entry);
    if (seen.has(id)) return false;
    seen.add(id);
    appendFileSync(path, `${JSON.stringify(entry)}\n`);
    return true;
  }
}

/** A mistake in how the importer was called: exit code 2. */
export class UsageError extends Error {}
