import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { MAX_INGEST_OBSERVATIONS } from '../shared/schemas/ingest';
import { type Checkpoint, fingerprint, RunFiles, UsageError } from './checkpoint';
import { apiClient, FatalError } from './client';
import { importAsBuilt, importExport, importObservations, type Run } from './runs';
import type { Format } from './sources';
import { importUsage } from './usage-import';

const USAGE = `Usage: npm run import -- [options] <file.csv | file.jsonl | export.ndjson>

  --kind as-built|observations|usage|export
                                 what the file holds (required); usage: usage records (twinId, parameter,
                                 at, delta or reading, ref); export: a tenant export (POST /v1/exports)
  --mode report|apply            observations: compare only, or record the differences (default report)
  --url URL                      the API (default $TWINTHREAD_URL or http://localhost:3000)
  --token TOKEN                  bearer token (default $TWINTHREAD_TOKEN)
  --format csv|jsonl             default: from the file name (.csv, else JSON lines); export: jsonl
  --batch-size N                 observations per request, 1 to ${MAX_INGEST_OBSERVATIONS} (default ${MAX_INGEST_OBSERVATIONS})
  --restart                      forget the checkpoint of an earlier run and start again
  --stop-after N                 stop after N requests (batches, twins or types), as an interruption would
  --quiet                        no progress bar

Next to the file: <file>.checkpoint.json (what is done: a rerun continues), <file>.errors.jsonl
(records not imported: line and problem), <file>.results.jsonl (discrepancies, applied changes,
twins created or imported, types defined). export: type lines define the missing versions of each type
first (a type this tenant defines otherwise is reported and left unchanged), usage parameter, part master
and configuration model lines likewise, document lines restore each document once (metadata, content
stays with the source), then each twin line is imported, then a nesting line for each twin that sat in
others (derived from its mounts: both copies are linked), then the usage, component and compliance-records
lines of the twins (POST /v1/imports/records, record times kept); view, role-views and
grant lines are counted, not restored (re-issue sharing in this tenant).
Exit codes: 0 done, 1 failed (rerun to continue), 2 bad usage, 3 stopped before the end (rerun to continue).`;

const KINDS = ['as-built', 'observations', 'usage', 'export'] as const;

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      mode: { type: 'string', default: 'report' },
      url: { type: 'string', default: process.env.TWINTHREAD_URL ?? 'http://localhost:3000' },
      token: { type: 'string', default: process.env.TWINTHREAD_TOKEN },
      format: { type: 'string' },
      'batch-size': { type: 'string', default: String(MAX_INGEST_OBSERVATIONS) },
      restart: { type: 'boolean', default: false },
      'stop-after': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('give exactly one input file');
  if (!existsSync(file)) throw new UsageError(`no file ${file}`);
  const kind = KINDS.find((known) => known === values.kind);
  if (!kind) throw new UsageError('--kind must be as-built, observations, usage or export');
  if (values.mode !== 'report' && values.mode !== 'apply')
    throw new UsageError('--mode must be report or apply');
  if (!values.token) throw new UsageError('give --token or set TWINTHREAD_TOKEN');
  const format = (values.format ?? (file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl')) as Format;
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format must be csv or jsonl');
  if (kind === 'export' && format !== 'jsonl')
    throw new UsageError('a tenant export is NDJSON: --format jsonl');
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_INGEST_OBSERVATIONS)
    throw new UsageError(`--batch-size must be 1 to ${MAX_INGEST_OBSERVATIONS}`);
  const stopAfter = values['stop-after'] === undefined ? undefined : Number(values['stop-after']);
  if (stopAfter !== undefined && !(Number.isInteger(stopAfter) && stopAfter >= 0))
    throw new UsageError('--stop-after must be a whole number');
  return {
    file,
    format,
    kind,
    mode: values.mode,
    url: values.url,
    token: values.token,
    // As-built records and exported twins go one twin per request: the batch size is an observations option.
    batchSize: kind === 'observations' ? batchSize : 1,
    restart: values.restart,
    stopAfter,
    quiet: values.quiet,
  };
}

async function main(): Promise<number> {
  const chosen = options();
  const files = new RunFiles(chosen.file);
  const input = await fingerprint(chosen.file);
  const { checkpoint, resumed } = files.open(
    { sha256: input.sha256, size: input.size },
    {
      kind: chosen.kind,
      mode: chosen.kind === 'observations' ? chosen.mode : 'create',
      batchSize: chosen.batchSize,
    },
    chosen.restart,
  );
  if (checkpoint.complete) {
    console.error(
      `${chosen.file} was imported already (${files.checkpointPath}): --restart imports it again`,
    );
    return 0;
  }
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {value}/{total} lines | {imported} imported, {errors} errors',
    stream: process.stderr,
    hideCursor: true,
  });
  const show = !chosen.quiet && process.stderr.isTTY;
  if (show) bar.start(Math.max(1, input.lines), 0, { imported: 0, errors: 0 });
  const run: Run = {
    send: apiClient(chosen.url, chosen.token),
    files,
    checkpoint,
    format: chosen.format,
    file: chosen.file,
    mode: chosen.mode as 'report' | 'apply',
    batchSize: chosen.batchSize,
    stopAfter: chosen.stopAfter,
    stopping: false,
    tally: {
      imported: 0,
      replayed: 0,
      errors: 0,
      requests: 0,
      types: { defined: 0, already: 0, differ: 0 },
      records: { imported: 0, already: 0, differ: 0 },
      kept: { views: 0, 'role views': 0, grants: 0 },
    },
    progress: (line) => {
      if (show) bar.update(line, { imported: run.tally.imported, errors: run.tally.errors });
    },
  };
  const stop = () => {
    run.stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (resumed) console.error(`resuming the import of ${chosen.file} from ${files.checkpointPath}`);
  try {
    const importers = {
      observations: importObservations,
      'as-built': importAsBuilt,
      usage: importUsage,
      export: importExport,
    };
    const finished = await importers[chosen.kind](run);
    if (show) bar.stop();
    summary(run, checkpoint, finished, chosen.kind === 'export');
    return finished ? 0 : 3;
  } finally {
    if (show) bar.stop();
  }
}

function summary(run: Run, checkpoint: Checkpoint, finished: boolean, tenantExport: boolean) {
  const { imported, replayed, errors, types, records, kept } = run.tally;
  const before = replayed > 0 ? `, ${replayed} imported before (replayed)` : '';
  const done = finished ? 'done' : 'stopped before the end: rerun the same command to continue';
  const exported = tenantExport
    ? `; types: ${types.defined} versions defined, ${types.already} already defined, ${types.differ} differ` +
      ` (left unchanged); records: ${records.imported} lines imported, ${records.already} already there, ${records.differ} differ` +
      ` (left unchanged); kept in the export, not restored: ${Object.entries(kept)
        .map(([what, count]) => `${count} ${what}`)
        .join(', ')}`
    : '';
  console.error(
    `${done}. ${imported} imported${before}, ${errors} not imported (${run.files.errorsPath})${exported}; run ${checkpoint.runId}`,
  );
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof FatalError) {
      console.error(`import failed: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  });
