import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import * as z from 'zod';
import { fieldPath, jsonShapeProblem } from '../shared/http/input';
import { Slug } from '../shared/schemas/common';
import { TwinExport, type TwinExportBody } from '../shared/schemas/exchange';
import { IngestObservation } from '../shared/schemas/ingest';
import { RECORD_LINE_TYPES, RecordLine } from '../shared/schemas/tenant-lines';
import { type AsBuiltNode, CreateTwinBody } from '../shared/schemas/twin';
import { TypeDefinition } from '../shared/schemas/types';

export type Format = 'csv' | 'jsonl';

/** One record of the input file, with the line it ends on (1-based), or why it could not be read. */
export type Row = { line: number; value: Record<string, unknown> } | { line: number; problem: string };

/** What goes to the API, with the lines it came from; or the lines and why it cannot go. */
export type Prepared<T> =
  | { lines: number[]; key: string; body: T }
  | { lines: number[]; key: string; problem: string };

/** CSV columns of an observation (one row each). Empty cells are left out. */
export const OBSERVATION_COLUMNS = [
  'twinId',
  'twinSerialNumber',
  'productPartNumber',
  'path',
  'partNumber',
  'serialNumber',
  'softwareVersion',
] as const;

/** CSV columns of an as-built record: one row per position, the rows of one twin next to each other. */
export const AS_BUILT_COLUMNS = [
  'twinSerialNumber',
  'productPartNumber',
  'productRevision',
  'productName',
  'site',
  'builtAt',
  'path',
  'positionName',
  'partNumber',
  'serialNumber',
  'revision',
  'kind',
  'softwareVersion',
] as const;

/** The records of a CSV (with a header row) or JSON lines file, in file order. */
export async function* readRows(file: string, format: Format): AsyncGenerator<Row> {
  if (format === 'csv') {
    const parser = createReadStream(file).pipe(
      parse({
        columns: true,
        info: true,
        trim: true,
        skip_empty_lines: true,
        relax_column_count: true,
        bom: true,
      }),
    );
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>)
      yield { line: info.lines, value: record };
    return;
  }
  let line = 0;
  for await (const text of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    line++;
    if (text.trim() === '') continue;
    try {
      const value = JSON.parse(text) as unknown;
      const shape = jsonShapeProblem(value, 'record');
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        yield { line, problem: 'not a JSON object' };
      else if (shape !== null) yield { line, problem: `${shape.path}: ${shape.message}` };
      else yield { line, value: value as Record<string, unknown> };
    } catch (error) {
      yield { line, problem: `malformed JSON: ${(error as Error).message}` };
    }
  }
}

const cell = (row: Record<string, unknown>, column: string): string | undefined => {
  const value = row[column];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** Only the cells that are given. */
const given = <T extends Record<string, unknown>>(object: T): Partial<T> =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;

const firstIssue = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${fieldPath('', issue.path).replace(/^\./, '') || 'record'}: ${issue.message}`)
    .join('; ');

/** Observations, checked with the API's own schema before they are sent. */
export async function* observations(
  file: string,
  format: Format,
): AsyncGenerator<Prepared<IngestObservation>> {
  for await (const row of readRows(file, format)) {
    const key = String(row.line);
    if ('problem' in row) {
      yield { lines: [row.line], key, problem: row.problem };
      continue;
    }
    const candidate =
      format === 'jsonl'
        ? row.value
        : given({
            twinId: cell(row.value, 'twinId'),
            twinSerialNumber: cell(row.value, 'twinSerialNumber'),
            productPartNumber: cell(row.value, 'productPartNumber'),
            path: cell(row.value, 'path'),
            component: given({
              partNumber: cell(row.value, 'partNumber'),
              serialNumber: cell(row.value, 'serialNumber'),
              softwareVersion: cell(row.value, 'softwareVersion'),
            }),
          });
    const parsed = IngestObservation.safeParse(candidate);
    if (parsed.success) yield { lines: [row.line], key, body: parsed.data };
    else yield { lines: [row.line], key, problem: firstIssue(parsed.error) };
  }
}

/** A twin's identity in the checkpoint and the reports: product part number and serial number. */
const twinKey = (partNumber: unknown, serialNumber: unknown) =>
  `${String(partNumber)}/${String(serialNumber)}`;

/** As-built records: one JSON line each, or the consecutive CSV rows of one twin. */
export async function* asBuiltRecords(
  file: string,
  format: Format,
): AsyncGenerator<Prepared<CreateTwinBody>> {
  if (format === 'jsonl') {
    for await (const row of readRows(file, format)) {
      if ('problem' in row) {
        yield { lines: [row.line], key: `line ${row.line}`, problem: row.problem };
        continue;
      }
      const product = row.value.product as { partNumber?: unknown } | undefined;
      yield checked([row.line], twinKey(product?.partNumber, row.value.serialNumber), row.value);
    }
    return;
  }
  let current: { key: string; rows: { line: number; value: Record<string, unknown> }[] } | undefined;
  const seen = new Map<string, number>();
  for await (const row of readRows(file, format)) {
    if ('problem' in row) {
      yield { lines: [row.line], key: `line ${row.line}`, problem: row.problem };
      continue;
    }
    const key = twinKey(cell(row.value, 'productPartNumber'), cell(row.value, 'twinSerialNumber'));
    if (current && current.key !== key) {
      yield twinOfRows(current.key, current.rows);
      current = undefined;
    }
    if (!current) {
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        yield {
          lines: [row.line],
          key: `line ${row.line}`,
          problem: `rows of twin ${key} must be next to each other (first at line ${earlier})`,
        };
        continue;
      }
      seen.set(key, row.line);
      current = { key, rows: [] };
    }
    current.rows.push(row);
  }
  if (current) yield twinOfRows(current.key, current.rows);
}

/** The header line's formats of a tenant export (`POST /v1/exports`) the importer reads. */
export const TENANT_EXPORT_FORMATS = [
  'twinthread.tenant/1',
  'twinthread.tenant/2',
  'twinthread.tenant/3',
  'twinthread.tenant/4',
] as const;

/** A type line of a tenant export: every version, oldest first, numbered from 1. */
const ExportedType = z
  .object({ name: Slug, versions: z.array(TypeDefinition).min(1).max(10_000) })
  .refine((type) => type.versions.every((version, index) => version.version === index + 1), {
    message: 'must be every version, oldest first (1, 2, ...)',
    path: ['versions'],
  });
export type ExportedType = z.infer<typeof ExportedType>;

/** Lines kept in the export and not restored, as the summary names them. */
export const KEPT_LINES = {
  view: 'views',
  'role-views': 'role views',
  grant: 'grants',
} as const;
export type Kept = (typeof KEPT_LINES)[keyof typeof KEPT_LINES];

/**
 * A line of a tenant export the importer acts on (a type, a twin, a record line: usage parameters, a
 * part master, a configuration model, usage records, a component), counts (kept), or reports (problem).
 */
export type ExportEntry =
  | { kind: 'twin'; lines: number[]; key: string; body: TwinExportBody }
  | { kind: 'type'; lines: number[]; key: string; body: ExportedType }
  | { kind: 'record'; lines: number[]; key: string; body: RecordLine }
  | { kind: 'kept'; lines: number[]; key: string; what: Kept }
  | { kind: 'problem'; lines: number[]; key: string; subject: 'twin' | 'type' | 'record'; problem: string };

const LINE_TYPES = `header, type, ${RECORD_LINE_TYPES.join(', ')}, twin, view, role-views or grant`;

/** What a record line is about, in the reports: its type and natural key. */
function recordKey(line: Record<string, unknown>, at: string): string {
  const source = line.source as { twinId?: unknown } | undefined;
  const document = line.document as { id?: unknown } | undefined;
  const named = [
    line.partNumber ?? line.productPartNumber ?? source?.twinId ?? line.twinId ?? document?.id,
    line.serialNumber ?? line.parameter,
  ]
    .filter((part) => typeof part === 'string')
    .join('/');
  return `${String(line.type)} ${named || at}`;
}

/**
 * The lines of a tenant export NDJSON file, in file order but for what an older order or a later
 * supersession needs (see {@link inDependencyOrder}): type lines (checked), twin lines without their
 * `type` (checked with the schema of `POST /v1/imports`), record lines (usage parameters, part masters,
 * configuration models, documents, usage, components, compliance records: checked with the schema of
 * `POST /v1/imports/records`, sent as they are), and the view, role-views and grant lines (kept in
 * the export, not restored). The header is checked and skipped; document and compliance-records lines
 * of a `twinthread.tenant/3` file (no `source`) get the header's tenant as their source.
 */
export async function* exportedEntries(file: string): AsyncGenerator<ExportEntry> {
  const header: { format?: unknown; tenant?: unknown } = {};
  yield* withNesting(
    inDependencyOrder(parsedEntries(file, header), () => header.format !== EXPORT_FORMAT_WITH_SOURCES),
  );
}

/**
 * The nesting line of a twin line whose twin sat in other twins (its `mounts`), or null. The twin
 * lines carry both ends of each stay already (the child its mounts, the parent its installations),
 * so the importer derives the line rather than the export repeating it: every `twinthread.tenant/3`
 * file restores its nesting.
 */
function nestingOf(entry: Extract<ExportEntry, { kind: 'twin' }>): ExportEntry | null {
  if (entry.body.mounts.length === 0) return null;
  const value = { type: 'nesting', source: entry.body.source, mounts: entry.body.mounts };
  const key = recordKey(value, `line ${entry.lines[0]}`);
  const parsed = RecordLine.safeParse(value);
  return parsed.success
    ? { kind: 'record', lines: entry.lines, key, body: parsed.data }
    : { kind: 'problem', lines: entry.lines, key, subject: 'record', problem: firstIssue(parsed.error) };
}

/**
 * The entries with a nesting line for each twin line that has mounts, sent once the twin lines are
 * through (before the next line of another kind, or at the end): both copies of each stay exist by
 * then whatever the order of the twin lines, and the usage and component lines after them (which
 * refresh the fleet life index) already read accrual through the nested twins.
 */
async function* withNesting(entries: AsyncIterable<ExportEntry>): AsyncGenerator<ExportEntry> {
  let pending: ExportEntry[] = [];
  for await (const entry of entries) {
    if (entry.kind === 'twin') {
      const nesting = nestingOf(entry);
      if (nesting) pending.push(nesting);
    } else if (entry.kind !== 'problem' && pending.length > 0) {
      yield* pending;
      pending = [];
    }
    yield entry;
  }
  yield* pending;
}

/** The format whose documents come before the twins and whose record lines name their source tenant. */
const EXPORT_FORMAT_WITH_SOURCES = 'twinthread.tenant/4';

/**
 * Entries in an order the importer can restore: a document line whose requirement supersedes a
 * document not met yet waits until that one is met (documents are listed by kind, so a directive
 * superseding a bulletin comes first); in a file of an older order (`documentsLast()`: documents
 * after the compliance records) compliance-records lines wait until the end. A document still
 * waiting when the documents end (its superseded one is not in the file) follows them: the importer
 * notes what it cannot map.
 */
async function* inDependencyOrder(
  entries: AsyncIterable<ExportEntry>,
  documentsLast: () => boolean,
): AsyncGenerator<ExportEntry> {
  const met = new Set<string>();
  let waiting: { entry: ExportEntry; needs: string[] }[] = [];
  const late: ExportEntry[] = [];
  for await (const entry of entries) {
    const body = entry.kind === 'record' ? entry.body : undefined;
    if (body?.type === 'compliance-records' && documentsLast()) {
      late.push(entry);
      continue;
    }
    if (body?.type !== 'document') {
      yield* waiting.map((wait) => wait.entry);
      waiting = [];
      yield entry;
      continue;
    }
    const needs = (body.document.requirement?.supersedes ?? []).filter((id) => !met.has(id));
    if (needs.length > 0) {
      waiting.push({ entry, needs });
      continue;
    }
    yield entry;
    met.add(body.document.id);
    // release every waiting line whose documents are all met now (each release may release more)
    for (let released = true; released; ) {
      const ready = waiting.filter((wait) => wait.needs.every((id) => met.has(id)));
      released = ready.length > 0;
      waiting = waiting.filter((wait) => !ready.includes(wait));
      for (const wait of ready) {
        yield wait.entry;
        if (wait.entry.kind === 'record' && wait.entry.body.type === 'document')
          met.add(wait.entry.body.document.id);
      }
    }
  }
  for (const wait of waiting) yield wait.entry;
  yield* late;
}

async function* parsedEntries(
  file: string,
  header: { format?: unknown; tenant?: unknown },
): AsyncGenerator<ExportEntry> {
  for await (const row of readRows(file, 'jsonl')) {
    const at = `line ${row.line}`;
    const lines = [row.line];
    if ('problem' in row) {
      yield { kind: 'problem', lines, key: at, subject: 'twin', problem: row.problem };
      continue;
    }
    const { type, ...line } = row.value;
    if (type === 'header') {
      if (!TENANT_EXPORT_FORMATS.some((format) => format === line.format)) {
        const problem = `not a ${TENANT_EXPORT_FORMATS.join(' or ')} export header`;
        yield { kind: 'problem', lines, key: at, subject: 'twin', problem };
      }
      Object.assign(header, { format: line.format, tenant: line.tenant });
      continue;
    }
    const roles = line.roles as Record<string, unknown> | undefined;
    if (type === 'role-views' && Object.keys(roles ?? {}).length === 0) continue;
    if (type === 'view' || type === 'role-views' || type === 'grant') {
      yield { kind: 'kept', lines, key: at, what: KEPT_LINES[type] };
      continue;
    }
    if (type === 'type') {
      const parsed = ExportedType.safeParse(line);
      const key = typeof line.name === 'string' ? line.name : at;
      yield parsed.success
        ? { kind: 'type', lines, key, body: parsed.data }
        : { kind: 'problem', lines, key, subject: 'type', problem: firstIssue(parsed.error) };
      continue;
    }
    if (RECORD_LINE_TYPES.some((known) => known === type)) {
      const sourced =
        (type === 'document' || type === 'compliance-records') && line.source === undefined
          ? { ...row.value, source: { tenant: header.tenant } }
          : row.value;
      const parsed = RecordLine.safeParse(sourced);
      const key = recordKey(sourced, at);
      yield parsed.success
        ? { kind: 'record', lines, key, body: parsed.data }
        : { kind: 'problem', lines, key, subject: 'record', problem: firstIssue(parsed.error) };
      continue;
    }
    if (type !== 'twin') {
      const problem = `type must be ${LINE_TYPES} (a line of a tenant export)`;
      yield { kind: 'problem', lines, key: at, subject: 'twin', problem };
      continue;
    }
    const record = line.record as { product?: { partNumber?: unknown }; serialNumber?: unknown } | undefined;
    const parsed = TwinExport.safeParse(line);
    const key = twinKey(record?.product?.partNumber, record?.serialNumber);
    yield parsed.success
      ? { kind: 'twin', lines, key, body: parsed.data }
      : { kind: 'problem', lines, key, subject: 'twin', problem: firstIssue(parsed.error) };
  }
}

function checked(lines: number[], key: string, candidate: unknown): Prepared<CreateTwinBody> {
  const parsed = CreateTwinBody.safeParse(candidate);
  return parsed.success
    ? { lines, key, body: parsed.data }
    : { lines, key, problem: firstIssue(parsed.error) };
}

/** The as-built record of one twin's rows: twin fields from the first row, a node per path (parents made as needed). */
function twinOfRows(
  key: string,
  rows: { line: number; value: Record<string, unknown> }[],
): Prepared<CreateTwinBody> {
  const lines = rows.map((row) => row.line);
  const first = rows[0]!.value;
  const roots: AsBuiltNode[] = [];
  const nodes = new Map<string, AsBuiltNode>();
  const nodeAt = (path: string): AsBuiltNode => {
    const existing = nodes.get(path);
    if (existing) return existing;
    const slash = path.lastIndexOf('/');
    const node: AsBuiltNode = { position: path.slice(slash + 1) };
    nodes.set(path, node);
    if (slash < 0) roots.push(node);
    else {
      const parent = nodeAt(path.slice(0, slash));
      parent.children = [...(parent.children ?? []), node];
    }
    return node;
  };
  const filled = new Set<string>();
  for (const { line, value } of rows) {
    const path = cell(value, 'path');
    if (path === undefined) continue;
    if (filled.has(path)) return { lines, key, problem: `line ${line}: position ${path} is given twice` };
    filled.add(path);
    const node = nodeAt(path);
    const name = cell(value, 'positionName');
    if (name !== undefined) node.name = name;
    const partNumber = cell(value, 'partNumber');
    if (partNumber === undefined) continue;
    const softwareVersion = cell(value, 'softwareVersion');
    node.component = given({
      partNumber,
      serialNumber: cell(value, 'serialNumber'),
      revision: cell(value, 'revision'),
      kind: cell(value, 'kind') ?? (softwareVersion === undefined ? 'mechanical' : 'software'),
      softwareVersion,
    }) as AsBuiltNode['component'];
  }
  const product = given({
    partNumber: cell(first, 'productPartNumber'),
    revision: cell(first, 'productRevision'),
    name: cell(first, 'productName'),
  });
  return checked(
    lines,
    key,
    given({
      serialNumber: cell(first, 'twinSerialNumber'),
      product,
      site: cell(first, 'site'),
      builtAt: cell(first, 'builtAt'),
      configuration: roots,
    }),
  );
}
