import { purlIdentity } from '../domain/purl';
import { fleetVersionKey } from '../domain/versions';
import type { Component } from '../schemas/twin';

/**
 * Every DynamoDB key of twinthread, built here and nowhere else. Each key starts with the owning
 * tenant, so no query for one tenant can reach another's items. Identifiers that go into keys
 * (tenant, part and serial numbers, slugs) cannot contain "#" (the schemas refuse it).
 */
const tenantPrefix = (tenant: string) => `TENANT#${tenant}#`;

/**
 * The reserved tenant id of the scheduler's own list. Tenant ids are letters, digits, ".", "_" and
 * "-", so no tenant can have it; "@" is a character an STS session tag may carry, so the scheduled
 * job runs in this scope with credentials like any tenant's (shared/store/tenant-scope.ts).
 */
export const SYSTEM_TENANT = '@system';

type SerialOf = { partNumber: string; serialNumber: string };

const twinPartition = (tenant: string, twinId: string) => `${tenantPrefix(tenant)}TWIN#${twinId}`;

const componentPartition = (tenant: string, partNumber: string, serialNumber: string) =>
  `${tenantPrefix(tenant)}COMP#${partNumber}#${serialNumber}`;

/** A dated event of a serial in its component partition (opening balance, overhaul, removal). */
const componentEventKey = (tenant: string, component: SerialOf, kind: string, at: string, id: string) => ({
  PK: componentPartition(tenant, component.partNumber, component.serialNumber),
  SK: `${kind}#${at}#${id}`,
});

const documentPartition = (tenant: string, documentId: string) => `${tenantPrefix(tenant)}DOC#${documentId}`;

const fleetPartition = (tenant: string, partNumber: string) => `${tenantPrefix(tenant)}PN#${partNumber}`;

/** Closed installations of a part number: apart from the open ones, so that "now" never reads history. */
const fleetHistoryPartition = (tenant: string, partNumber: string) =>
  `${tenantPrefix(tenant)}PNHIST#${partNumber}`;

const fleetSortKey = (twinId: string, installation: { path: string; component: Component }) =>
  `${fleetVersionKey(installation.component)}#${twinId}#${installation.path}`;

const purlPartition = (tenant: string, identity: string) => `${tenantPrefix(tenant)}PURL#${identity}`;

const typePartition = (tenant: string, name: string) => `${tenantPrefix(tenant)}TYPE#${name}`;

const twinEvents = (tenant: string, twinId: string) => `${tenantPrefix(tenant)}TWINEVENTS#${twinId}`;

const grantsTo = (grantee: string) => `${tenantPrefix(grantee)}GRANTED`;

/** The search index partition of a token: by tenant, token kind (`I`/`W`) and first character. */
const searchPartition = (tenant: string, tokenKind: string, token: string) =>
  `${tenantPrefix(tenant)}SEARCH#${tokenKind}#${Array.from(token)[0] ?? ''}`;

/** Zero-padded so that sequence numbers sort as strings. */
const sequence = (seq: number) => String(seq).padStart(10, '0');

/** Sort key of a twin in the tenant-wide indexes: by serial number, then id. */
const twinIndexSortKey = (serialNumber: string, twinId: string) => `TWIN#${serialNumber}#${twinId}`;

export const keys = {
  twinPartition,
  /** The tenant a twin partition key belongs to (the migration job reads keys, not requests). */
  tenantOfTwinPartition: (partition: string, twinId: string) =>
    partition.slice('TENANT#'.length, partition.length - `#TWIN#${twinId}`.length),
  twinMeta: (tenant: string, twinId: string) => ({ PK: twinPartition(tenant, twinId), SK: 'META' }),
  /** One interval of a position; `seq` (the twin version that opened it) keeps two at one instant apart. */
  position: (tenant: string, twinId: string, interval: { path: string; validFrom: string; seq: number }) => ({
    PK: twinPartition(tenant, twinId),
    SK: `POS#${interval.path}#${interval.validFrom}#${sequence(interval.seq)}`,
  }),
  /** One installation interval of a position. */
  installation: (
    tenant: string,
    twinId: string,
    interval: { path: string; validFrom: string; seq: number },
  ) => ({
    PK: twinPartition(tenant, twinId),
    SK: `INST#${interval.path}#${interval.validFrom}#${sequence(interval.seq)}`,
  }),
  /** One interval of the twin's own fields (site, type, attributes); `seq`: the twin version that opened it. */
  twinFields: (tenant: string, twinId: string, interval: { validFrom: string; seq: number }) => ({
    PK: twinPartition(tenant, twinId),
    SK: `FIELDS#${interval.validFrom}#${sequence(interval.seq)}`,
  }),
  /** A change set, by the twin version it produced: sorts in record order. */
  changeSet: (tenant: string, twinId: string, seq: number) => ({
    PK: twinPartition(tenant, twinId),
    SK: `CS#${sequence(seq)}`,
  }),
  /** A stay of this twin inside another (systems of systems), in the installed twin's partition. */
  mount: (tenant: string, twinId: string, stay: { since: string; parentId: string; path: string }) => ({
    PK: twinPartition(tenant, twinId),
    SK: `MNT#${stay.since}#${stay.parentId}#${stay.path}`,
  }),
  /** A named baseline of the twin. */
  baseline: (tenant: string, twinId: string, baselineId: string) => ({
    PK: twinPartition(tenant, twinId),
    SK: `BL#${baselineId}`,
  }),
  /** The current configuration at a position: its open interval and installation (rewritten by every change there). */
  current: (tenant: string, twinId: string, path: string) => ({
    PK: twinPartition(tenant, twinId),
    SK: `CUR#${path}`,
  }),
  /** A position that no longer exists: when it was vacated (a back-dated change must not precede it). */
  vacated: (tenant: string, twinId: string, path: string) => ({
    PK: twinPartition(tenant, twinId),
    SK: `GONE#${path}`,
  }),
  /** The last inspection judgement of a position (rewritten by each later inspection that observes it). */
  judged: (tenant: string, twinId: string, path: string) => ({
    PK: twinPartition(tenant, twinId),
    SK: `JUDGED#${path}`,
  }),
  /** A lifecycle move, by the twin version that made it (time travel reads these, never the change sets). */
  lifecycleMove: (tenant: string, twinId: string, seq: number) => ({
    PK: twinPartition(tenant, twinId),
    SK: `LIFE#${sequence(seq)}`,
  }),
  /** What one change set opened and closed (`TL#<seq>`), in record order: time travel starts from a checkpoint and applies these. */
  timelineEntry: (tenant: string, twinId: string, seq: number) => ({
    PK: twinPartition(tenant, twinId),
    SK: `TL#${sequence(seq)}`,
  }),
  /** A pointer to a late timeline entry (earlier than an entry before it): a read past the timeline's end reads these. */
  lateEntry: (tenant: string, twinId: string, seq: number) => ({
    PK: twinPartition(tenant, twinId),
    SK: `BACK#${sequence(seq)}`,
  }),
  /** A checkpoint's head: by its latest valid time, so that a Query finds the latest one before an `asOf`. */
  checkpoint: (tenant: string, twinId: string, checkpoint: { validUntil: string; seq: number }) => ({
    PK: twinPartition(tenant, twinId),
    SK: `CKPT#${checkpoint.validUntil}#${sequence(checkpoint.seq)}`,
  }),
  /** One part of a checkpoint's intervals (an item holds at most 400 KB). */
  checkpointPart: (tenant: string, twinId: string, seq: number, part: number) => ({
    PK: twinPartition(tenant, twinId),
    SK: `CKPTP#${sequence(seq)}#${sequence(part)}`,
  }),
  timelineEntrySortKey: (seq: number) => `TL#${sequence(seq)}`,
  lateEntrySortKey: (seq: number) => `BACK#${sequence(seq)}`,
  checkpointPartPrefix: (seq: number) => `CKPTP#${sequence(seq)}#`,
  /** A baseline name taken on the twin: its uniqueness guard, written with the baseline. */
  baselineName: (tenant: string, twinId: string, name: string) => ({
    PK: twinPartition(tenant, twinId),
    SK: `BLNAME#${name}`,
  }),
  /** A baseline policy's period taken on the twin: the guard that makes a scheduled baseline exactly once. */
  scheduledBaselineGuard: (tenant: string, twinId: string, policyId: string, boundary: string) => ({
    PK: twinPartition(tenant, twinId),
    SK: `BLPERIOD#${policyId}#${boundary}`,
  }),
  /** A baseline policy (META), listed in the tenant's policy list. */
  baselinePolicy: (tenant: string, policyId: string) => ({
    PK: `${tenantPrefix(tenant)}BLPOLICY#${policyId}`,
    SK: 'META',
  }),
  baselinePolicyIndexKeys: (tenant: string, policyId: string) => ({
    listPK: `${tenantPrefix(tenant)}BLPOLICIES`,
    listSK: `BLPOLICY#${policyId}`,
  }),
  baselinePolicyList: (tenant: string) => `${tenantPrefix(tenant)}BLPOLICIES`,
  /**
   * The scheduler's list of every tenant's baseline policies, with when each is due next: the one
   * partition the scheduled job reads. Under the reserved tenant id {@link SYSTEM_TENANT}, which no
   * tenant can have, so it still starts with `TENANT#` (and fits the tenant-scoped roles' LeadingKeys).
   */
  schedulePartition: `${tenantPrefix(SYSTEM_TENANT)}SCHEDULES`,
  scheduledPolicy: (tenant: string, policyId: string) => ({
    PK: `${tenantPrefix(SYSTEM_TENANT)}SCHEDULES`,
    SK: `BLPOLICY#${tenant}#${policyId}`,
  }),
  /** Sort-key prefixes of the items a twin's partition holds. */
  prefixes: {
    position: 'POS#',
    installation: 'INST#',
    twinFields: 'FIELDS#',
    meta: 'META',
    changeSet: 'CS#',
    baseline: 'BL#',
    current: 'CUR#',
    vacated: 'GONE#',
    judged: 'JUDGED#',
    lifecycle: 'LIFE#',
    timeline: 'TL#',
    late: 'BACK#',
    checkpoint: 'CKPT#',
    checkpointPart: 'CKPTP#',
    inspection: 'INSP#',
    link: 'LINK#',
    mount: 'MNT#',
  },
  /** A change set's sort key, to page the history from it. */
  changeSetSortKey: (seq: number) => `CS#${sequence(seq)}`,

  /** Uniqueness of a twin's serial number per tenant and product. */
  serialGuard: (tenant: string, productPartNumber: string, serialNumber: string) => ({
    PK: `${tenantPrefix(tenant)}SERIAL#${productPartNumber}#${serialNumber}`,
    SK: 'GUARD',
  }),
  /** A serialized component: where it is installed now (its uniqueness guard). */
  component: (tenant: string, partNumber: string, serialNumber: string) => ({
    PK: componentPartition(tenant, partNumber, serialNumber),
    SK: 'META',
  }),
  componentPartition,
  /** One stay of a serialized component in a position of a twin (its trace). */
  componentStay: (
    tenant: string,
    component: { partNumber: string; serialNumber: string },
    stay: { since: string; twinId: string; path: string },
  ) => ({
    PK: componentPartition(tenant, component.partNumber, component.serialNumber),
    SK: `STAY#${stay.since}#${stay.twinId}#${stay.path}`,
  }),
  /** A thread document's metadata (META) and its versions (`V#<n>`). */
  document: (tenant: string, documentId: string) => ({
    PK: documentPartition(tenant, documentId),
    SK: 'META',
  }),
  documentVersion: (tenant: string, documentId: string, version: number) => ({
    PK: documentPartition(tenant, documentId),
    SK: `V#${sequence(version)}`,
  }),
  documentPartition,
  /** Index keys of a document: in the tenant's document list by kind, and under its effectivity part number. */
  documentIndexKeys: (tenant: string, document: { id: string; kind: string; partNumber?: string }) => ({
    listPK: `${tenantPrefix(tenant)}DOCS`,
    listSK: `DOC#${document.kind}#${document.id}`,
    ...(document.partNumber === undefined
      ? {}
      : {
          productPK: `${tenantPrefix(tenant)}DOCPN#${document.partNumber}`,
          productSK: `DOC#${document.kind}#${document.id}`,
        }),
  }),
  documentList: (tenant: string) => `${tenantPrefix(tenant)}DOCS`,
  documentsByPartNumber: (tenant: string, partNumber: string) => `${tenantPrefix(tenant)}DOCPN#${partNumber}`,
  /** S3 object key of a document version: every object of a tenant lives under its prefix. */
  documentObject: (tenant: string, documentId: string, version: number) =>
    `tenants/${tenant}/documents/${documentId}/${version}`,
  /** An inspection of a twin, in its partition, by time performed. */
  inspection: (tenant: string, twinId: string, inspection: { performedAt: string; id: string }) => ({
    PK: twinPartition(tenant, twinId),
    SK: `INSP#${inspection.performedAt}#${inspection.id}`,
  }),
  /** A document linked to a twin, or to one of its positions (target `twin` or `pos:<path>`). */
  twinLink: (tenant: string, twinId: string, documentId: string, target: string) => ({
    PK: twinPartition(tenant, twinId),
    SK: `LINK#${target}#${documentId}`,
  }),
  /** A document linked to a serialized component: it follows the component from twin to twin. */
  componentLink: (
    tenant: string,
    component: { partNumber: string; serialNumber: string },
    documentId: string,
  ) => ({
    PK: componentPartition(tenant, component.partNumber, component.serialNumber),
    SK: `LINK#${documentId}`,
  }),
  /** Fleet index keys of an open installation: by part number, then version, twin and position. */
  fleetKeys: (tenant: string, twinId: string, installation: { path: string; component: Component }) => ({
    fleetPK: fleetPartition(tenant, installation.component.partNumber),
    fleetSK: fleetSortKey(twinId, installation),
  }),
  fleetPartition,
  /**
   * Software that names its package (a `purl` attribute of the tenant's software type) is also listed
   * under the package (product index), so a purl finds the software part numbers it maps to.
   */
  purlKeys: (tenant: string, twinId: string, installation: { path: string; component: Component }) => {
    const { component } = installation;
    const purl = component.attributes?.purl;
    const identity =
      component.kind === 'software' && typeof purl === 'string' ? purlIdentity(purl) : undefined;
    return identity === undefined
      ? {}
      : {
          productPK: purlPartition(tenant, identity),
          productSK: `PN#${component.partNumber}#${twinId}#${installation.path}`,
        };
  },
  purlPartition,
  /** Fleet index keys of a closed installation: the same sort key, in the part number's history partition. */
  fleetHistoryKeys: (
    tenant: string,
    twinId: string,
    installation: { path: string; component: Component },
  ) => ({
    fleetPK: fleetHistoryPartition(tenant, installation.component.partNumber),
    fleetSK: fleetSortKey(twinId, installation),
  }),
  fleetHistoryPartition,
  /** The tenant's change feed, in record order. */
  event: (tenant: string, eventId: string) => ({ PK: `${tenantPrefix(tenant)}EVENTS`, SK: `EVT#${eventId}` }),
  /** An event about one twin is also listed under the twin (list index), so its owner can audit it. */
  eventIndexKeys: (tenant: string, eventId: string, twinId: string) => ({
    listPK: twinEvents(tenant, twinId),
    listSK: `EVT#${eventId}`,
  }),
  twinEvents,
  /** A tenant-defined type: its latest version (META, in the tenant's type list) and every version. */
  typeMeta: (tenant: string, name: string) => ({ PK: typePartition(tenant, name), SK: 'META' }),
  typeVersion: (tenant: string, name: string, version: number) => ({
    PK: typePartition(tenant, name),
    SK: `V#${sequence(version)}`,
  }),
  typeIndexKeys: (tenant: string, name: string) => ({
    listPK: `${tenantPrefix(tenant)}TYPES`,
    listSK: `TYPE#${name}`,
  }),
  typeList: (tenant: string) => `${tenantPrefix(tenant)}TYPES`,
  typePartition,

  /** A view: its latest version (META, listed) and each version (`V#<n>`, immutable). */
  view: (tenant: string, viewId: string) => ({ PK: `${tenantPrefix(tenant)}VIEW#${viewId}`, SK: 'META' }),
  viewVersion: (tenant: string, viewId: string, version: number) => ({
    PK: `${tenantPrefix(tenant)}VIEW#${viewId}`,
    SK: `V#${sequence(version)}`,
  }),
  viewIndexKeys: (tenant: string, viewId: string) => ({
    listPK: `${tenantPrefix(tenant)}VIEWS`,
    listSK: `VIEW#${viewId}`,
  }),
  viewList: (tenant: string) => `${tenantPrefix(tenant)}VIEWS`,
  /** The default view of each role of a tenant: one item, read on every restricted request. */
  roleViews: (tenant: string) => ({ PK: `${tenantPrefix(tenant)}ROLEVIEWS`, SK: 'META' }),
  /** A grant, under its owner; listed for the owner, and for the grantee through the grantee index. */
  grant: (owner: string, grantId: string) => ({ PK: `${tenantPrefix(owner)}GRANT#${grantId}`, SK: 'META' }),
  grantIndexKeys: (owner: string, grantee: string, grantId: string) => ({
    listPK: `${tenantPrefix(owner)}GRANTS`,
    listSK: `GRANT#${grantId}`,
    granteePK: grantsTo(grantee),
    granteeSK: `OWNER#${owner}#GRANT#${grantId}`,
  }),
  grantList: (owner: string) => `${tenantPrefix(owner)}GRANTS`,
  /** The grantee's index partition: keyed by the grantee's own tenant, so it only ever reads its grants. */
  grantsTo,
  grantsToFromOwner: (owner?: string) => (owner === undefined ? 'OWNER#' : `OWNER#${owner}#`),

  /** Index keys a twin carries once it is visible. */
  twinIndexKeys: (
    tenant: string,
    twin: { id: string; serialNumber: string; site?: string; partNumber: string },
  ) => {
    const sortKey = twinIndexSortKey(twin.serialNumber, twin.id);
    return {
      listPK: `${tenantPrefix(tenant)}TWINS`,
      listSK: sortKey,
      productPK: `${tenantPrefix(tenant)}PRODUCT#${twin.partNumber}`,
      productSK: sortKey,
      ...(twin.site === undefined
        ? {}
        : { sitePK: `${tenantPrefix(tenant)}SITE#${twin.site}`, siteSK: sortKey }),
    };
  },
  twinList: (tenant: string) => `${tenantPrefix(tenant)}TWINS`,
  twinsBySite: (tenant: string, site: string) => `${tenantPrefix(tenant)}SITE#${site}`,
  twinsByProduct: (tenant: string, partNumber: string) => `${tenantPrefix(tenant)}PRODUCT#${partNumber}`,
  /** A product's configuration model: its latest version (META) and every version (`V#<n>`). */
  configurationModel: (tenant: string, productPartNumber: string) => ({
    PK: `${tenantPrefix(tenant)}CMODEL#${productPartNumber}`,
    SK: 'META',
  }),
  configurationModelVersion: (tenant: string, productPartNumber: string, version: number) => ({
    PK: `${tenantPrefix(tenant)}CMODEL#${productPartNumber}`,
    SK: `V#${sequence(version)}`,
  }),
  configurationModelPartition: (tenant: string, productPartNumber: string) =>
    `${tenantPrefix(tenant)}CMODEL#${productPartNumber}`,
  /** The tenant's list of products with a model (list index, on META): what a tenant export pages. */
  configurationModelIndexKeys: (tenant: string, productPartNumber: string) => ({
    listPK: `${tenantPrefix(tenant)}CMODELS`,
    listSK: `CMODEL#${productPartNumber}`,
  }),
  configurationModelList: (tenant: string) => `${tenantPrefix(tenant)}CMODELS`,
  /** The re-judgement of a product's fleet after a new model version (a staged job). */
  rejudgeJob: (tenant: string, productPartNumber: string, version: number) => ({
    PK: `${tenantPrefix(tenant)}CMODEL#${productPartNumber}`,
    SK: `JOB#${sequence(version)}`,
  }),
  /** A unit's conformance now, in its partition (no twin read touches `CONF`), listed by status. */
  conformance: (tenant: string, twinId: string) => ({ PK: twinPartition(tenant, twinId), SK: 'CONF' }),
  conformanceIndexKeys: (tenant: string, status: string, serialNumber: string, twinId: string) => ({
    listPK: `${tenantPrefix(tenant)}CONF#${status}`,
    listSK: twinIndexSortKey(serialNumber, twinId),
  }),
  conformanceList: (tenant: string, status: string) => `${tenantPrefix(tenant)}CONF#${status}`,
  /** Exchange: an import's marker (the source tenant and twin it copied: a second import answers the first copy). */
  importMarker: (tenant: string, source: { tenant: string; twinId: string }) => ({
    PK: `${tenantPrefix(tenant)}IMPORT#${source.tenant}#${source.twinId}`,
    SK: 'MARKER',
  }),
  /**
   * Exchange: the copy of a source tenant's document in this tenant (a document line or the first twin
   * import naming it made it; every later import links to it).
   */
  importedDocument: (tenant: string, source: { tenant: string; documentId: string }) => ({
    PK: `${tenantPrefix(tenant)}IMPORTDOC#${source.tenant}#${source.documentId}`,
    SK: 'MARKER',
  }),
  /** Exchange: a tenant-wide export job, and the S3 object it writes (under the tenant's prefix). */
  exportJob: (tenant: string, jobId: string) => ({
    PK: `${tenantPrefix(tenant)}EXPORT#${jobId}`,
    SK: 'META',
  }),
  exportObject: (tenant: string, jobId: string) => `tenants/${tenant}/exports/${jobId}.ndjson`,
  /**
   * Search: one item per thing, field and token, in the thing's own search partition (never read by a
   * twin or document read); the sparse `search` index keys it under the tenant, the token kind and
   * the token's first character, sorted by the token, so that a prefix is one begins_with Query.
   */
  searchEntry: (
    tenant: string,
    entry: { kind: string; id: string; field: string; tokenKind: string; token: string },
  ) => ({
    PK: `${tenantPrefix(tenant)}SRCH#${entry.kind}#${entry.id}`,
    SK: `${entry.tokenKind}#${entry.token}#${entry.field}`,
    searchPK: searchPartition(tenant, entry.tokenKind, entry.token),
    searchSK: `${entry.token}#${entry.kind}#${entry.id}#${entry.field}`,
  }),
  searchPartition,
  /** Idempotency records of the tenant's requests (Powertools' static partition; the sort key is per request). */
  idempotencyPartition: (tenant: string) => `${tenantPrefix(tenant)}IDEMPOTENCY`,
  /** Usage (docs/usage.md): the tenant's parameters, and per twin and parameter its records, year totals and meter. */
  usageParameters: (tenant: string) => ({ PK: `${tenantPrefix(tenant)}USAGEPARAMS`, SK: 'META' }),
  usagePartition: (tenant: string, twinId: string, parameter: string) =>
    `${tenantPrefix(tenant)}USAGE#${twinId}#${parameter}`,
  usageRecordSortKey: (at: string, recordId: string) => `R#${at}#${recordId}`,
  /**
   * The running totals of a year (`Y#<yyyy>`), a month (`MT#<yyyy-mm>`) or a day (`DT#<yyyy-mm-dd>`).
   * (`M#<yyyy-mm>` items of hour sums, written before the month and day items, are no longer read.)
   */
  usageTotalsSortKey: (kind: 'year' | 'month' | 'day', period: string) =>
    `${{ year: 'Y', month: 'MT', day: 'DT' }[kind]}#${period}`,
  usageMeterSortKey: 'METER',
  /** The records of a twin and parameter in record order (list index): what knownAt reads take back. */
  usageLogKeys: (
    tenant: string,
    twinId: string,
    parameter: string,
    recordedAt: string,
    recordId: string,
  ) => ({
    listPK: `${tenantPrefix(tenant)}USAGELOG#${twinId}#${parameter}`,
    listSK: `${recordedAt}#${recordId}`,
  }),
  usageLogPartition: (tenant: string, twinId: string, parameter: string) =>
    `${tenantPrefix(tenant)}USAGELOG#${twinId}#${parameter}`,
  /** Opening balances, overhauls and removals of a serial, in its component partition. */
  componentBalance: (tenant: string, component: SerialOf, at: string, id: string) =>
    componentEventKey(tenant, component, 'OPENBAL', at, id),
  componentOverhaul: (tenant: string, component: SerialOf, at: string, id: string) =>
    componentEventKey(tenant, component, 'OVERHAUL', at, id),
  componentRemoval: (tenant: string, component: SerialOf, at: string, id: string) =>
    componentEventKey(tenant, component, 'REMOVAL', at, id),
  /** Removals of a part number across the fleet, by time (list index): MTBUR reads these. */
  removalIndexKeys: (tenant: string, partNumber: string, at: string, id: string) => ({
    listPK: `${tenantPrefix(tenant)}REMOVALS#${partNumber}`,
    listSK: `${at}#${id}`,
  }),
  removalIndex: (tenant: string, partNumber: string) => `${tenantPrefix(tenant)}REMOVALS#${partNumber}`,
  /** A part master: latest (META) and versions. */
  partMaster: (tenant: string, partNumber: string) => ({
    PK: `${tenantPrefix(tenant)}PART#${partNumber}`,
    SK: 'META',
  }),
  partMasterVersion: (tenant: string, partNumber: string, version: number) => ({
    PK: `${tenantPrefix(tenant)}PART#${partNumber}`,
    SK: `V#${sequence(version)}`,
  }),
  partMasterPartition: (tenant: string, partNumber: string) => `${tenantPrefix(tenant)}PART#${partNumber}`,
  partList: (tenant: string) => `${tenantPrefix(tenant)}PARTS`,
  /** The fleet life index: one item per LLP serial and limit, sorted by remaining life (list index). */
  lifeEntry: (
    tenant: string,
    component: { partNumber: string; serialNumber: string },
    parameter: string,
  ) => ({
    PK: `${tenantPrefix(tenant)}LIFE#${component.partNumber}#${component.serialNumber}`,
    SK: `P#${parameter}`,
  }),
  lifeIndexKeys: (
    tenant: string,
    parameter: string,
    sortKey: string,
    component: { partNumber: string; serialNumber: string },
  ) => ({
    listPK: `${tenantPrefix(tenant)}LIFEIDX#${parameter}`,
    listSK: `${sortKey}#${component.partNumber}#${component.serialNumber}`,
  }),
  lifeIndex: (tenant: string, parameter: string) => `${tenantPrefix(tenant)}LIFEIDX#${parameter}`,
  /** Compliance (docs/compliance.md): requirements indexed by the part numbers that embody them. */
  requirementByPart: (tenant: string, partNumber: string, documentId: string) => ({
    PK: `${tenantPrefix(tenant)}REQPN#${partNumber}`,
    SK: `DOC#${documentId}`,
  }),
  requirementPartPartition: (tenant: string, partNumber: string) =>
    `${tenantPrefix(tenant)}REQPN#${partNumber}`,
  /** Every part number that embodies a requirement of the tenant (a superset): one item a change set reads by key. */
  requirementParts: (tenant: string) => ({ PK: `${tenantPrefix(tenant)}REQPARTS`, SK: 'META' }),
  /** A requirement another one supersedes: listed under the superseded document. */
  supersededBy: (tenant: string, documentId: string, byDocumentId: string) => ({
    PK: `${tenantPrefix(tenant)}REQ#${documentId}`,
    SK: `BY#${byDocumentId}`,
  }),
  supersededByPartition: (tenant: string, documentId: string) => `${tenantPrefix(tenant)}REQ#${documentId}`,
  /** A unit's compliance records (own partition: no twin read touches it), listed under their document. */
  complianceRecord: (
    tenant: string,
    record: { twinId: string; documentId: string; recordedAt: string; id: string },
  ) => ({
    PK: `${tenantPrefix(tenant)}COMPLY#${record.twinId}`,
    SK: `R#${record.documentId}#${record.recordedAt}#${record.id}`,
    listPK: `${tenantPrefix(tenant)}COMPLYDOC#${record.documentId}`,
    listSK: `${record.twinId}#${record.recordedAt}#${record.id}`,
  }),
  compliancePartition: (tenant: string, twinId: string) => `${tenantPrefix(tenant)}COMPLY#${twinId}`,
  complianceOfDocument: (tenant: string, documentId: string) =>
    `${tenantPrefix(tenant)}COMPLYDOC#${documentId}`,
  /** Where a unit embodies a requirement now (the positions whose part does), kept by each change set. */
  embodiment: (tenant: string, twinId: string, documentId: string) => ({
    PK: `${tenantPrefix(tenant)}COMPLY#${twinId}`,
    SK: `EMB#${documentId}`,
  }),
  twinIndexSortPrefix: (serialNumber?: string) =>
    serialNumber === undefined ? 'TWIN#' : `TWIN#${serialNumber}#`,
};

/** Attribute names of every key, to strip them from items before they leave the store. */
export const KEY_ATTRIBUTES = [
  'PK',
  'SK',
  'listPK',
  'listSK',
  'sitePK',
  'siteSK',
  'productPK',
  'productSK',
  'fleetPK',
  'fleetSK',
  'granteePK',
  'granteeSK',
  'searchPK',
  'searchSK',
  'expiresAt',
] as const;

export function withoutKeys<T extends Record<string, unknown>>(
  item: T,
): Omit<T, (typeof KEY_ATTRIBUTES)[number]> {
  const copy: Record<string, unknown> = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy as Omit<T, (typeof KEY_ATTRIBUTES)[number]>;
}
