import type { ConfigurationModelRecord } from '../domain/conformance';
import { complianceRecordsOfCopy } from '../domain/document-import';
import { Conflict } from '../domain/errors';
import { planVersionRestore, sameDefinition } from '../domain/version-restore';
import type { RecordImportResult, RecordLine, RecordLineOf } from '../schemas/tenant-lines';
import type { PartMasterBody } from '../schemas/usage';
import { importComplianceRecords } from '../store/compliance-store';
import { modelVersions, putModelVersion, rejudgeJobItem } from '../store/conformance-store';
import { documentCopies } from '../store/document-copies';
import { findImport } from '../store/import-store';
import { addUsageParameters, importComponentRecords, importUsageRecords } from '../store/maintenance-records';
import { importNesting } from '../store/nesting-writes';
import { partVersions, putPartMaster } from '../store/part-store';
import { getUsageParameters, type UsageParameters } from '../store/usage-store';
import { dispatchRejudgeStage, newRejudgeJob } from './conformance-service';
import { restoreDocuments } from './document-import';
import { refreshLife } from './life';

/**
 * `POST /v1/imports/records`: one line of a tenant export beside types and twins, restored as it was
 * recorded (ids, record times, versions) and idempotently: what the tenant holds is read first, so a
 * rerun writes nothing; a definition the tenant holds otherwise is kept and reported (`differs`).
 * Twin ids of the source map to the copies its twin lines made (their import markers), document ids
 * to the copies its document lines (or twin lines) made (theirs).
 */

type Importer<T extends RecordLine['type']> = (
  tenant: string,
  line: RecordLineOf<T>,
  now: Date,
) => Promise<RecordImportResult>;

const result = (
  line: RecordLine,
  key: string,
  counts: { written: number; already: number },
  notes: string[] = [],
  differs = false,
): RecordImportResult => ({
  type: line.type,
  key,
  status: differs ? 'differs' : counts.written > 0 ? 'imported' : 'already',
  ...counts,
  notes,
});

const usageParameters: Importer<'usage-parameters'> = async (tenant, line) => {
  const held = await getUsageParameters(tenant);
  const added: UsageParameters = {};
  const differing: string[] = [];
  for (const [name, definition] of Object.entries(line.parameters)) {
    const mine = held[name];
    if (!mine) added[name] = definition;
    else if (!sameDefinition({ ...mine, updatedAt: null }, { ...definition, updatedAt: null }))
      differing.push(name);
  }
  if (Object.keys(added).length > 0) await addUsageParameters(tenant, held, added);
  const written = Object.keys(added).length;
  return result(
    line,
    'usage-parameters',
    { written, already: Object.keys(line.parameters).length - written - differing.length },
    differing.map((name) => `usage parameter ${name} differs in this tenant: left unchanged`),
    differing.length > 0,
  );
};

const part: Importer<'part'> = async (tenant, line, now) => {
  const definition = ({ partNumber: _p, version: _v, recordedAt: _r, ...body }: Record<string, unknown>) =>
    body;
  const plan = planVersionRestore(line.versions, await partVersions(tenant, line.partNumber), definition);
  if (plan === 'differs')
    return result(
      line,
      line.partNumber,
      { written: 0, already: 0 },
      [differs('part master', line.partNumber)],
      true,
    );
  for (const version of plan.missing)
    await putPartMaster(
      tenant,
      line.partNumber,
      definition(version) as PartMasterBody,
      now,
      version.recordedAt,
    );
  return result(line, line.partNumber, { written: plan.missing.length, already: plan.already });
};

const differs = (what: string, key: string) => `the ${what} of ${key} differs in this tenant: left unchanged`;

const configurationModel: Importer<'configuration-model'> = async (tenant, line, now) => {
  const key = line.productPartNumber;
  const definition = (version: ConfigurationModelRecord & { rejudge?: unknown }) => {
    const {
      productPartNumber: _p,
      version: _v,
      createdAt: _c,
      createdBy: _b,
      rejudge: _r,
      ...body
    } = version;
    return body;
  };
  const versions = line.versions as unknown as ConfigurationModelRecord[];
  const plan = planVersionRestore(versions, await modelVersions(tenant, key), definition);
  if (plan === 'differs')
    return result(line, key, { written: 0, already: 0 }, [differs('configuration model', key)], true);
  const last = plan.missing.at(-1);
  for (const version of plan.missing)
    await putModelVersion(
      tenant,
      key,
      (latest) => {
        // another writer defined a version meanwhile: the next round reads again and finds it differs
        if ((latest?.version ?? 0) !== version.version - 1)
          throw new Conflict(differs('configuration model', key));
        return version;
      },
      // the fleet of the product (if the tenant has units already) is judged under the last version
      (next) =>
        next === last
          ? [rejudgeJobItem(tenant, { ...newRejudgeJob(next), startedAt: now.toISOString() })]
          : [],
    );
  if (last) await dispatchRejudgeStage(tenant, key, last.version);
  return result(line, key, { written: plan.missing.length, already: plan.already });
};

/** The copy of a source twin in this tenant (its twin line imported first), or null. */
const copyOf = async (tenant: string, source: { tenant: string; twinId: string }) =>
  (await findImport(tenant, source))?.twinId ?? null;

/** The copy of the twin a line is about: 409 naming `body.source.twinId` before its twin line is imported. */
async function requiredCopy(tenant: string, source: { tenant: string; twinId: string }) {
  const twinId = await copyOf(tenant, source);
  if (!twinId)
    throw new Conflict(
      `Twin ${source.twinId} of ${source.tenant} is not imported in this tenant: import its twin line first`,
      [{ path: 'body.source.twinId', message: 'no copy of this twin' }],
    );
  return twinId;
}

/**
 * Entries naming source twins (`field`), mapped to the copies: those of a twin not imported here are
 * left out, with a note saying `what` of it was.
 */
async function mappedToCopies<T, K extends keyof T>(
  tenant: string,
  sourceTenant: string,
  entries: readonly T[],
  field: K,
  what: string,
) {
  const copies = new Map<string, string | null>();
  for (const entry of entries) {
    const twinId = entry[field] as string;
    if (!copies.has(twinId)) copies.set(twinId, await copyOf(tenant, { tenant: sourceTenant, twinId }));
  }
  const notes = [...copies].flatMap(([twinId, copy]) =>
    copy ? [] : [`twin ${twinId} of ${sourceTenant} is not imported here: ${what} were left out`],
  );
  const mapped = entries.flatMap((entry) => {
    const copy = copies.get(entry[field] as string);
    return copy ? [{ ...entry, [field]: copy }] : [];
  });
  return { mapped, notes };
}

const usage: Importer<'usage'> = async (tenant, line) => {
  const key = `${line.source.twinId}/${line.parameter}`;
  const twinId = await requiredCopy(tenant, line.source);
  if (!(await getUsageParameters(tenant))[line.parameter])
    throw new Conflict(
      `Usage parameter ${line.parameter} is not defined in this tenant: import the usage-parameters line first`,
      [{ path: 'body.parameter', message: 'not defined' }],
    );
  // the life of the serials on the twin follows with their component lines, written after the usage
  const counts = await importUsageRecords(tenant, twinId, line.records, line.meter);
  return { ...result(line, key, counts), twinId };
};

const component: Importer<'component'> = async (tenant, line, now) => {
  const key = `${line.partNumber}/${line.serialNumber}`;
  const map = <T extends { twinId: string }>(entries: readonly T[]) =>
    mappedToCopies(tenant, line.source.tenant, entries, 'twinId', 'its records of this serial');
  const [stays, balances, removals] = await Promise.all([
    map(line.stays),
    map(line.balances),
    map(line.removals),
  ]);
  const notes = [...new Set([...stays.notes, ...balances.notes, ...removals.notes])];
  // a serial that is a twin (an engine) names the twin's copy, or none when it is not imported
  const { twinId: sourceTwin, ...component } = line.component;
  const twin = sourceTwin && (await copyOf(tenant, { tenant: line.source.tenant, twinId: sourceTwin }));
  const { installedIn, ...counts } = await importComponentRecords(tenant, {
    ...line,
    component: twin ? { ...component, twinId: twin } : component,
    stays: stays.mapped,
    balances: balances.mapped,
    removals: removals.mapped,
  });
  // the fleet life index of the serial, from its usage (imported before) and these records
  await refreshLife(
    tenant,
    [{ partNumber: line.partNumber, serialNumber: line.serialNumber, ...installedIn }],
    now,
  );
  return result(line, key, counts, notes);
};

/** A document's copy, made once per tenant (a rerun, or a twin line that brought it, answers that copy). */
const document: Importer<'document'> = async (tenant, line) => {
  const { copies, created, notes } = await restoreDocuments(
    tenant,
    line.source.tenant,
    [line.document],
    line.document.createdBy,
  );
  return {
    ...result(line, line.document.id, { written: created, already: 1 - created }, notes),
    documentId: copies.get(line.document.id)!,
  };
};

/** A unit's compliance records, on its copy and naming the copies of their documents. */
const complianceRecords: Importer<'compliance-records'> = async (tenant, line) => {
  const twinId = await copyOf(tenant, { tenant: line.source.tenant, twinId: line.twinId });
  if (!twinId)
    throw new Conflict(
      `Twin ${line.twinId} of ${line.source.tenant} is not imported in this tenant: import its twin line first`,
      [{ path: 'body.twinId', message: 'no copy of this twin' }],
    );
  const copies = await documentCopies(
    tenant,
    line.source.tenant,
    line.records.flatMap((record) => [record.documentId, ...record.evidence]),
  );
  const { records, notes } = complianceRecordsOfCopy(line.records, twinId, (id) => copies.get(id));
  const counts = await importComplianceRecords(tenant, records);
  return { ...result(line, line.twinId, counts, notes), twinId };
};

/**
 * The stays of a nested twin (an engine) in other twins (aircraft), from its twin line's `mounts`:
 * sent after every twin line, so both ends have copies whatever their order in the file. Stays in a
 * twin not imported here are left out with a note, as the twin import leaves them out.
 */
const nesting: Importer<'nesting'> = async (tenant, line) => {
  const twinId = await requiredCopy(tenant, line.source);
  const parents = await mappedToCopies(
    tenant,
    line.source.tenant,
    line.mounts,
    'parentId',
    'the stays in it',
  );
  const { written, already, notes } = await importNesting(tenant, twinId, parents.mapped);
  return {
    ...result(line, line.source.twinId, { written, already }, [...parents.notes, ...notes]),
    twinId,
  };
};

const IMPORTERS: { [T in RecordLine['type']]: Importer<T> } = {
  'usage-parameters': usageParameters,
  part,
  'configuration-model': configurationModel,
  usage,
  component,
  document,
  'compliance-records': complianceRecords,
  nesting,
};

export function importRecordLine(tenant: string, line: RecordLine, now: Date): Promise<RecordImportResult> {
  return (IMPORTERS[line.type] as Importer<RecordLine['type']>)(tenant, line, now);
}
