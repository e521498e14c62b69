import {
  appliesToPart,
  type ComplianceRecordData,
  complianceState,
  judgeInterval,
  OPEN_STATUSES,
  type RequirementDocument,
  recurringParameter,
  type Superseder,
  type Times,
} from '../domain/compliance';
import { type InstallationRecord, installedAt } from '../domain/configuration';
import { type DocumentRecord, REQUIREMENT_KINDS } from '../domain/document';
import { appliesTo, compareSerials } from '../domain/effectivity';
import { invalidField, NotFound } from '../domain/errors';
import type { TwinHistory } from '../domain/records';
import { ulid } from '../ids';
import type { ComplianceStatus, RecordComplianceBody } from '../schemas/compliance';
import type { Effectivity } from '../schemas/effectivity';
import type { Component } from '../schemas/twin';
import { batchGetItems } from '../store/batch-get';
import {
  complianceRecordsOfDocument,
  complianceRecordsOfTwin,
  putComplianceRecord,
  requirementsOfParts,
  supersedersOf,
} from '../store/compliance-store';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { documentsByPartNumber, getDocuments } from '../store/document-store';
import { openInstallationsOf } from '../store/fleet-store';
import { keys } from '../store/keys';
import { UsageReads } from './usage-reads';

/** A document that carries a requirement (a bulletin or a directive with one). */
export const isRequirement = (document: DocumentRecord): document is DocumentRecord & RequirementDocument =>
  document.requirement !== undefined && (REQUIREMENT_KINDS as readonly string[]).includes(document.kind);

/** Refuses (400 naming the field) superseding a document that is not a bulletin or directive of the tenant. */
export async function assertSuperseded(tenant: string, requirement: { supersedes?: string[] } | undefined) {
  const ids = requirement?.supersedes ?? [];
  if (ids.length === 0) return;
  const found = new Set(
    (await getDocuments(tenant, ids))
      .filter((document) => (REQUIREMENT_KINDS as readonly string[]).includes(document.kind))
      .map((document) => document.id),
  );
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0)
    throw invalidField(
      `body.requirement.supersedes[${missing}]`,
      `${ids[missing]} is no service bulletin or airworthiness directive of this tenant`,
    );
}

/** Usage of a unit strictly before an instant: its own records, or its parents' while installed (usage-reads). */
const usageUpTo = (reads: UsageReads, twin: { id: string; builtAt: string }, parameter: string, t: string) =>
  reads.accrued(twin.id, parameter, twin.builtAt, new Date(Date.parse(t) + 1).toISOString());

/** One requirement judged for one unit: its state, and for a recurring one the interval (usage read as needed). */
export async function judgeRequirement(
  document: RequirementDocument,
  inputs: {
    twin: { id: string; builtAt: string };
    installations: readonly InstallationRecord[];
    records: readonly ComplianceRecordData[];
    superseders: readonly Superseder[];
    at: Times;
    reads: UsageReads;
  },
) {
  const state = complianceState(document, inputs);
  const { intervalFrom, ...shown } = state;
  const every = document.requirement.recurring?.every;
  const parameter = recurringParameter(document.requirement);
  const base = {
    ...shown,
    kind: document.kind as (typeof REQUIREMENT_KINDS)[number],
    title: document.title,
    mandatory: document.requirement.mandatory,
  };
  if (intervalFrom === undefined || every === undefined) return { ...base, nextDue: null };
  const usage = parameter
    ? {
        from: await usageUpTo(inputs.reads, inputs.twin, parameter, intervalFrom),
        now: await usageUpTo(inputs.reads, inputs.twin, parameter, inputs.at.asOf),
      }
    : undefined;
  const judged = judgeInterval(state, every, inputs.at.asOf, usage);
  return {
    ...base,
    status: judged.status,
    nextDue: judged.nextDue,
    ...(parameter && usage ? { usage: { [parameter]: usage.now } } : {}),
  };
}
export type RequirementCompliance = Awaited<ReturnType<typeof judgeRequirement>>;

/**
 * The requirements a unit's configuration at (asOf, knownAt) makes applicable, judged. Reads: one
 * Query of the effectivity index and one of the requirement part index per part number installed
 * then, one Query of the unit's compliance partition, one BatchGet of documents, one Query per
 * requirement for its superseders; usage only for requirements recurring by FH or FC.
 */
export async function twinComplianceAt(
  tenant: string,
  history: Pick<TwinHistory, 'record' | 'installations'>,
  at: Times,
  /** Only the requirements the parts at these positions make applicable (a work package's scope). */
  scope?: ReadonlySet<string>,
): Promise<RequirementCompliance[]> {
  const installed: Component[] = [...installedAt(history.installations, at.asOf, at.knownAt).entries()]
    .filter(([path]) => scope === undefined || scope.has(path))
    .map(([, component]) => component);
  const partNumbers = [...new Set(installed.map((component) => component.partNumber))];
  const [byEffectivity, byEmbodiment, records] = await Promise.all([
    Promise.all(partNumbers.map((partNumber) => documentsByPartNumber(tenant, partNumber))),
    requirementsOfParts(tenant, partNumbers),
    complianceRecordsOfTwin(tenant, history.record.id),
  ]);
  const known = new Map(byEffectivity.flat().map((document) => [document.id, document]));
  const recorded = new Set(records.map((record) => record.documentId));
  const missing = [...byEmbodiment.keys(), ...recorded].filter((id) => !known.has(id));
  for (const document of await getDocuments(tenant, missing)) known.set(document.id, document);
  const applicable = [...known.values()]
    .filter(isRequirement)
    .filter(
      (document) =>
        document.createdAt <= at.knownAt &&
        document.requirement.effectiveAt <= at.asOf &&
        ((scope === undefined && recorded.has(document.id)) ||
          installed.some((component) => appliesToPart(document, component))),
    )
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const superseders = await supersedersOf(
    tenant,
    applicable.map((document) => document.id),
  );
  const reads = new UsageReads(tenant, at.knownAt);
  return Promise.all(
    applicable.map((document) =>
      judgeRequirement(document, {
        twin: history.record,
        installations: history.installations,
        records: records.filter((record) => record.documentId === document.id),
        superseders: superseders.get(document.id) ?? [],
        at,
        reads,
      }),
    ),
  );
}

/** A new manual compliance record of a unit: the document must carry a requirement; evidence must exist. */
export async function recordCompliance(
  tenant: string,
  twinId: string,
  body: RecordComplianceBody,
  context: { now: Date; actor: { sub: string; tenant: string } },
): Promise<ComplianceRecordData> {
  const ids = [body.documentId, ...(body.evidence ?? [])];
  const documents = new Map((await getDocuments(tenant, ids)).map((document) => [document.id, document]));
  const document = documents.get(body.documentId);
  if (!document || !isRequirement(document))
    throw invalidField(
      'body.documentId',
      'must be a service bulletin or airworthiness directive with a requirement',
    );
  const unknown = (body.evidence ?? []).findIndex((id) => !documents.has(id));
  if (unknown >= 0) throw invalidField(`body.evidence[${unknown}]`, `no document ${body.evidence![unknown]}`);
  if (body.corrects !== undefined) {
    const records = await complianceRecordsOfTwin(tenant, twinId);
    if (!records.some((record) => record.id === body.corrects && record.documentId === body.documentId))
      throw invalidField('body.corrects', 'must be a compliance record of this unit and document');
  }
  const record: ComplianceRecordData = {
    id: ulid(context.now.getTime()),
    twinId,
    documentId: body.documentId,
    status: body.status,
    at: new Date(body.at).toISOString(),
    recordedAt: context.now.toISOString(),
    evidence: body.evidence ?? [],
    ...(body.reason === undefined ? {} : { reason: body.reason }),
    ...(body.corrects === undefined ? {} : { corrects: body.corrects }),
    actor: context.actor,
  };
  await putComplianceRecord(tenant, record);
  return record;
}

/** A unit's current installation as the fleet index holds it, as an open interval the judgement reads. */
const openInterval = (installation: {
  path: string;
  component: Component;
  validFrom: string;
}): InstallationRecord => ({
  path: installation.path,
  component: installation.component,
  validFrom: installation.validFrom,
  since: installation.validFrom,
  validTo: null,
  recordedAt: '',
  seq: 0,
});

/** The fleet index reads of some matches: one per part number (whole when a match has no software range). */
function fleetReadsOf(matches: readonly Effectivity[]) {
  const byPart = new Map<string, Effectivity[]>();
  for (const match of matches) byPart.set(match.partNumber, [...(byPart.get(match.partNumber) ?? []), match]);
  return [...byPart.entries()].flatMap(([partNumber, wanted]) =>
    wanted.some((match) => match.softwareVersions === undefined)
      ? [{ partNumber, softwareVersions: undefined, matches: wanted }]
      : wanted.map((match) => ({ partNumber, softwareVersions: match.softwareVersions, matches: [match] })),
  );
}

/**
 * Fleet compliance with one requirement now: exact counts by status and a page of the units still
 * open. Reads follow the units it concerns: the fleet index of the effectivity's part number and of
 * each embodying part (narrowed to their software ranges), the document's own record partition, one
 * Query of its superseders, and usage only of units of a requirement recurring by FH or FC.
 */
export async function documentComplianceOf(
  tenant: string,
  documentId: string,
  page: { limit: number; cursor?: string | undefined },
  now: Date,
) {
  const [document] = await getDocuments(tenant, [documentId]);
  if (!document || !isRequirement(document))
    throw new NotFound(`No service bulletin or airworthiness directive ${documentId} with a requirement`);
  const matches = [
    ...(document.effectivity ? [document.effectivity] : []),
    ...document.requirement.embodiedWhen,
  ];
  const [found, records, superseders] = await Promise.all([
    Promise.all(
      fleetReadsOf(matches).map(async ({ partNumber, softwareVersions, matches: wanted }) =>
        (await openInstallationsOf(tenant, partNumber, softwareVersions)).filter((installation) =>
          wanted.some((match) => appliesTo(match, installation.component)),
        ),
      ),
    ),
    complianceRecordsOfDocument(tenant, documentId),
    supersedersOf(tenant, [documentId]),
  ]);
  const units = new Map<string, Map<string, InstallationRecord>>();
  const unit = (twinId: string) => units.get(twinId) ?? units.set(twinId, new Map()).get(twinId)!;
  for (const installation of found.flat())
    unit(installation.twinId).set(installation.path, openInterval(installation));
  for (const record of records) unit(record.twinId);
  const twins = new Map(
    (await batchGetItems([...units.keys()].map((id) => keys.twinMeta(tenant, id)))).map((meta) => [
      meta.id as string,
      { id: meta.id as string, builtAt: meta.builtAt as string, serialNumber: meta.serialNumber as string },
    ]),
  );
  const at = { asOf: now.toISOString(), knownAt: now.toISOString() };
  const reads = new UsageReads(tenant, at.knownAt);
  const judged = await Promise.all(
    [...units.entries()]
      .filter(([twinId]) => twins.has(twinId))
      .sort(
        ([a], [b]) =>
          compareSerials(twins.get(a)!.serialNumber, twins.get(b)!.serialNumber) || (a < b ? -1 : 1),
      )
      .map(async ([twinId, installations]) => {
        const twin = twins.get(twinId)!;
        const compliance = await judgeRequirement(document, {
          twin,
          installations: [...installations.values()],
          records: records.filter((record) => record.twinId === twinId),
          superseders: superseders.get(documentId) ?? [],
          at,
          reads,
        });
        return {
          twinId,
          serialNumber: twin.serialNumber,
          status: compliance.status,
          nextDue: compliance.nextDue,
        };
      }),
  );
  const counts: Partial<Record<ComplianceStatus, number>> = {};
  for (const entry of judged) counts[entry.status] = (counts[entry.status] ?? 0) + 1;
  const open = judged.filter((entry) => OPEN_STATUSES.includes(entry.status));
  const scope = JSON.stringify(['document-compliance', documentId]);
  const start = Number(decodeCursor(scope, page.cursor)?.offset ?? 0);
  const items = open.slice(start, start + page.limit);
  const next = start + items.length;
  return {
    documentId,
    kind: document.kind as (typeof REQUIREMENT_KINDS)[number],
    total: judged.length,
    counts,
    items,
    ...(next < open.length ? { nextCursor: encodeCursor(scope, { offset: next }) } : {}),
  };
}

/** A work package's requirements: those the parts in scope make applicable now and not yet complied. */
export async function openRequirementsOf(
  tenant: string,
  history: Pick<TwinHistory, 'record' | 'installations'>,
  paths: readonly string[],
  now: string,
) {
  const inScope = new Set(paths);
  const installations = history.installations.filter((installation) => inScope.has(installation.path));
  const items = await twinComplianceAt(
    tenant,
    { record: history.record, installations },
    { asOf: now, knownAt: now },
  );
  return items.filter((item) => OPEN_STATUSES.includes(item.status));
}
