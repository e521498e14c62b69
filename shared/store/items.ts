import type { BaselineRecord } from '../domain/baseline';
import type { Actor, ChangeSetRecord, MountRecord, TwinFieldsRecord } from '../domain/change-set';
import type { InstallationRecord, Interval, PositionRecord } from '../domain/configuration';
import type { InspectionRecord } from '../domain/inspection';
import { type Judgement, judgementKey } from '../domain/judgement';
import type { CurrentPosition, LifecycleMove } from '../domain/records';
import type { LinkRecord } from '../domain/thread';
import type { TwinRecord } from '../domain/twin';
import type { Component } from '../schemas/twin';
import { keys, withoutKeys } from './keys';

/**
 * The items of a twin's partition and back: one place that knows which attribute is which.
 * Every item carries `entity`, so a Query of the partition sorts itself out.
 */
export const ENTITY = {
  twin: 'twin',
  position: 'position',
  installation: 'installation',
  twinFields: 'twin-fields',
  changeSet: 'change-set',
  baseline: 'baseline',
  baselineName: 'baseline-name',
  baselinePeriod: 'baseline-period',
  baselinePolicy: 'baseline-policy',
  scheduledPolicy: 'scheduled-policy',
  component: 'component',
  stay: 'stay',
  serial: 'serial',
  event: 'event',
  mount: 'mount',
  link: 'link',
  document: 'document',
  documentVersion: 'document-version',
  inspection: 'inspection',
  type: 'type',
  typeVersion: 'type-version',
  view: 'view',
  viewVersion: 'view-version',
  roleViews: 'role-views',
  grant: 'grant',
  current: 'current',
  vacated: 'vacated',
  lifecycle: 'lifecycle',
  searchEntry: 'search-entry',
  judged: 'judged',
  configurationModel: 'configuration-model',
  configurationModelVersion: 'configuration-model-version',
  conformance: 'conformance',
  rejudgeJob: 'rejudge-job',
  requirementByPart: 'requirement-by-part',
  supersededBy: 'superseded-by',
  complianceRecord: 'compliance-record',
  embodiment: 'embodiment',
  timelineEntry: 'timeline-entry',
  lateEntry: 'late-entry',
  checkpoint: 'checkpoint',
  checkpointPart: 'checkpoint-part',
} as const;

/**
 * The store layout a twin's partition is in: 2 keeps the current configuration as items of its own,
 * 3 also each position's last inspection judgement (`JUDGED#`).
 */
export const LAYOUT = 3;

type Item = Record<string, unknown>;

/** An open interval has no `validTo` attribute, so that closing it can be conditioned on its absence. */
const intervalAttributes = <T extends Omit<Interval, 'path'>>({ validTo, ...rest }: T) =>
  validTo === null ? rest : { ...rest, validTo };

export const positionItem = (tenant: string, twinId: string, position: PositionRecord): Item => ({
  ...keys.position(tenant, twinId, position),
  entity: ENTITY.position,
  ...intervalAttributes(position),
});

/**
 * An installation is in the fleet index (units carrying a part number, by version): an open one under
 * the part number, a closed one under its history partition (for `asOf` questions).
 */
export const installationItem = (tenant: string, twinId: string, installation: InstallationRecord): Item => ({
  ...keys.installation(tenant, twinId, installation),
  entity: ENTITY.installation,
  twinId,
  ...intervalAttributes(installation),
  ...(installation.validTo === null
    ? keys.fleetKeys(tenant, twinId, installation)
    : keys.fleetHistoryKeys(tenant, twinId, installation)),
  ...keys.purlKeys(tenant, twinId, installation),
});

export const twinFieldsItem = (tenant: string, twinId: string, interval: TwinFieldsRecord): Item => ({
  ...keys.twinFields(tenant, twinId, interval),
  entity: ENTITY.twinFields,
  ...intervalAttributes(interval),
});

export const toTwinFields = (item: Item): TwinFieldsRecord => {
  const { entity: _entity, validTo, ...interval } = withoutKeys(item);
  return { ...interval, validTo: (validTo as string | undefined) ?? null } as unknown as TwinFieldsRecord;
};

export const changeSetItem = (tenant: string, twinId: string, changeSet: ChangeSetRecord): Item => ({
  ...keys.changeSet(tenant, twinId, changeSet.seq),
  entity: ENTITY.changeSet,
  twinId,
  ...changeSet,
});

const interval = (item: Item): Interval => ({
  path: item.path as string,
  validFrom: item.validFrom as string,
  validTo: (item.validTo as string | null | undefined) ?? null,
  recordedAt: item.recordedAt as string,
  ...(typeof item.closedAt === 'string' ? { closedAt: item.closedAt } : {}),
  seq: item.seq as number,
});

export const toPosition = (item: Item): PositionRecord => ({
  ...interval(item),
  ...(item.name === undefined ? {} : { name: item.name as string }),
  order: item.order as number,
});

export const toInstallation = (item: Item): InstallationRecord => ({
  ...interval(item),
  component: item.component as Component,
  since: item.since as string,
});

export const toChangeSet = (item: Item): ChangeSetRecord => {
  const { entity: _entity, twinId: _twinId, ...changeSet } = withoutKeys(item);
  return changeSet as unknown as ChangeSetRecord;
};

export const toTwinRecord = (item: Item): TwinRecord => {
  const {
    entity: _entity,
    status: _status,
    leaseUntil: _lease,
    mountedIn: _mounted,
    softwareSummary: _software,
    layout: _layout,
    nextOrder: _nextOrder,
    positionCount: _positionCount,
    lifecycleChangedAt: _lifecycleChangedAt,
    timeline: _timeline,
    ...record
  } = withoutKeys(item);
  return record as unknown as TwinRecord;
};

export const baselineItem = (tenant: string, twinId: string, baseline: BaselineRecord): Item => ({
  ...keys.baseline(tenant, twinId, baseline.id),
  entity: ENTITY.baseline,
  twinId,
  ...baseline,
});

/** The guard of a baseline's name: the twin readers skip it (an entity they do not collect). */
export const baselineNameItem = (tenant: string, twinId: string, baseline: BaselineRecord): Item => ({
  ...keys.baselineName(tenant, twinId, baseline.name),
  entity: ENTITY.baselineName,
  baselineId: baseline.id,
});

export const toBaseline = (item: Item): BaselineRecord => {
  const { entity: _entity, twinId: _twinId, ...baseline } = withoutKeys(item);
  return baseline as unknown as BaselineRecord;
};

export const inspectionItem = (tenant: string, twinId: string, inspection: InspectionRecord): Item => ({
  ...keys.inspection(tenant, twinId, inspection),
  entity: ENTITY.inspection,
  twinId,
  ...inspection,
});

export const toInspection = (item: Item): InspectionRecord => {
  const { entity: _entity, twinId: _twinId, ...inspection } = withoutKeys(item);
  return inspection as unknown as InspectionRecord;
};

export const toMount = (item: Item): MountRecord => ({
  parentId: item.parentId as string,
  path: item.path as string,
  validFrom: item.validFrom as string,
  validTo: (item.validTo as string | undefined) ?? null,
  recordedAt: item.recordedAt as string,
  ...(typeof item.closedAt === 'string' ? { closedAt: item.closedAt } : {}),
  ...(item.actor ? { actor: item.actor as Actor } : {}),
  ...(item.closedBy ? { closedBy: item.closedBy as Actor } : {}),
});

export const toLink = (item: Item): LinkRecord => {
  const { entity: _entity, ...link } = withoutKeys(item);
  return link as unknown as LinkRecord;
};

/** `version`: the twin version that wrote it, so that a late migration never overwrites a newer change. */
export const currentItem = (
  tenant: string,
  twinId: string,
  entry: CurrentPosition,
  version: number,
): Item => ({
  ...keys.current(tenant, twinId, entry.position.path),
  entity: ENTITY.current,
  path: entry.position.path,
  position: entry.position,
  ...(entry.installation ? { installation: entry.installation } : {}),
  lastEventAt: entry.lastEventAt,
  version,
});

export const toCurrent = (item: Item): CurrentPosition => ({
  position: item.position as CurrentPosition['position'],
  ...(item.installation ? { installation: item.installation as CurrentPosition['installation'] } : {}),
  lastEventAt: item.lastEventAt as string,
});

export const vacatedItem = (
  tenant: string,
  twinId: string,
  path: string,
  lastEventAt: string,
  version: number,
): Item => ({
  ...keys.vacated(tenant, twinId, path),
  entity: ENTITY.vacated,
  path,
  lastEventAt,
  version,
});

export const judgedItem = (tenant: string, twinId: string, judgement: Judgement): Item => ({
  ...keys.judged(tenant, twinId, judgement.path),
  entity: ENTITY.judged,
  ...judgement,
  judgedKey: judgementKey(judgement),
});

export const toJudgement = (item: Item): Judgement => ({
  path: item.path as string,
  performedAt: item.performedAt as string,
  inspectionId: item.inspectionId as string,
  observation: item.observation as Judgement['observation'],
  discrepancy: item.discrepancy === true,
});

export const lifecycleItem = (tenant: string, twinId: string, move: LifecycleMove): Item => ({
  ...keys.lifecycleMove(tenant, twinId, move.seq),
  entity: ENTITY.lifecycle,
  ...move,
});

export const toLifecycleMove = (item: Item): LifecycleMove => ({
  to: item.to as LifecycleMove['to'],
  effectiveAt: item.effectiveAt as string,
  recordedAt: item.recordedAt as string,
  seq: item.seq as number,
});
