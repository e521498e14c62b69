import type { z } from 'zod';
import { attributeMapProblem } from '../schemas/common';
import type { CreateTwinBody, Lifecycle, Node, PatchTwinBody, Product } from '../schemas/twin';
import type { Actor, ChangeSetRecord, TwinFieldsRecord, TwinHistory } from './change-set';
import {
  buildTree,
  type FlatConfiguration,
  type InstallationRecord,
  installedAt,
  type PositionRecord,
  positionsAt,
} from './configuration';
import { BadRequest, Conflict, invalidField, PreconditionFailed, PreconditionRequired } from './errors';
import { lifecycleAt } from './lifecycle';
import { toUtc } from './time';
import { fieldsOf, setTwinOperation, twinFieldsAt } from './twin-fields';

type AttributeMap = Record<string, unknown>;

/** The twin without its configuration tree: what the META item holds. */
export interface TwinRecord {
  id: string;
  serialNumber: string;
  product: z.infer<typeof Product>;
  oem?: string;
  site?: string;
  lifecycle: z.infer<typeof Lifecycle>;
  type?: string;
  /** The type version last validated against. */
  typeVersion?: number;
  attributes: AttributeMap;
  version: number;
  builtAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface Twin extends TwinRecord {
  configuration: Node[];
}

/** A new twin starts as-built, at version 1. */
export function newTwinRecord(body: CreateTwinBody, id: string, now: Date): TwinRecord {
  const recordedAt = now.toISOString();
  const builtAt = body.builtAt === undefined ? recordedAt : toUtc(body.builtAt);
  if (builtAt > new Date(now.getTime() + CLOCK_SKEW_MS).toISOString()) {
    throw invalidField('body.builtAt', 'must not be in the future');
  }
  return {
    id,
    serialNumber: body.serialNumber,
    product: body.product,
    ...(body.oem === undefined ? {} : { oem: body.oem }),
    ...(body.site === undefined ? {} : { site: body.site }),
    lifecycle: 'as-built',
    ...(body.type === undefined ? {} : { type: body.type }),
    attributes: body.attributes ?? {},
    version: 1,
    builtAt,
    createdAt: recordedAt,
    updatedAt: recordedAt,
  };
}

/** Clocks of the unit's systems and ours may disagree by this much. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * When a change happened on the unit (`effectiveAt`, default now): never before the twin was built,
 * never in the future (beyond clock skew).
 */
export function effectiveTimeOf(record: TwinRecord, effectiveAt: string | undefined, now: Date): string {
  const at = effectiveAt === undefined ? now.toISOString() : toUtc(effectiveAt);
  if (at < record.builtAt)
    throw invalidField('body.effectiveAt', `must not be before the twin was built (${record.builtAt})`);
  if (at > new Date(now.getTime() + CLOCK_SKEW_MS).toISOString())
    throw invalidField('body.effectiveAt', 'must not be in the future');
  return at;
}

/** RFC 7396 JSON merge patch, one level deep: `null` removes a key. */
export function mergeAttributes(current: AttributeMap, patch: AttributeMap): AttributeMap {
  const merged: AttributeMap = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Applies a PATCH body: `null` clears site or type. Each change is a new version. */
export function patchTwinRecord(record: TwinRecord, patch: PatchTwinBody, now: Date): TwinRecord {
  const next: TwinRecord = { ...record, version: record.version + 1, updatedAt: now.toISOString() };
  if (patch.site === null) delete next.site;
  else if (patch.site !== undefined) next.site = patch.site;
  if (patch.type === null) delete next.type;
  else if (patch.type !== undefined) next.type = patch.type;
  if (patch.attributes !== undefined) next.attributes = mergeAttributes(record.attributes, patch.attributes);
  const problem = attributeMapProblem(next.attributes);
  if (problem !== null) throw invalidField('body.attributes', `${problem} once merged`);
  return next;
}

/** What an edit of the twin's own fields writes, in one transaction with the new version. */
export interface TwinEditPlan {
  /** The history entry: one `set-twin` operation. */
  changeSet: ChangeSetRecord;
  twin: TwinRecord;
  /** The interval of the fields from now on. */
  open: TwinFieldsRecord;
  /**
   * The interval it ends: the open one (`stored`), or, for a twin recorded before its fields were
   * kept, its first one (the fields as they were until this edit), written closed.
   */
  close: { interval: TwinFieldsRecord; stored: boolean };
}

/**
 * Plans an edit (`PATCH`) of the twin's own fields into `next` (the patched record): a history entry
 * with what changed, and the intervals that make `asOf` reads show the fields then. Back-dating is
 * allowed as for change sets, as long as the edit is the latest of the twin's fields.
 */
export function planTwinEdit(
  history: TwinHistory,
  next: TwinRecord,
  body: { reason?: string; workOrder?: string; effectiveAt?: string },
  context: { now: Date; actor: Actor; changeSetId: string },
): TwinEditPlan {
  const { record } = history;
  const recordedAt = context.now.toISOString();
  const at = effectiveTimeOf(record, body.effectiveAt, context.now);
  const current = (history.twinFields ?? []).find((interval) => interval.validTo === null);
  if (current !== undefined && current.validFrom > at)
    throw new Conflict(
      `The twin's fields changed at ${current.validFrom}, after this edit's effective time ${at}: a back-dated edit must be the latest`,
    );
  const closing = { validTo: at, closedAt: recordedAt };
  const close =
    current === undefined
      ? {
          interval: {
            ...fieldsOf(record),
            validFrom: record.builtAt,
            recordedAt: record.createdAt,
            seq: 1,
            ...closing,
          },
          stored: false,
        }
      : { interval: { ...current, ...closing }, stored: true };
  const operation = setTwinOperation(record, next);
  const edited = ['site', 'type', 'attributes'].filter((field) => field in operation);
  return {
    changeSet: {
      id: context.changeSetId,
      seq: next.version,
      reason: body.reason ?? `edit of the twin's ${edited.length === 0 ? 'fields' : edited.join(', ')}`,
      ...(body.workOrder === undefined ? {} : { workOrder: body.workOrder }),
      effectiveAt: at,
      recordedAt,
      actor: context.actor,
      operations: [operation],
      paths: [],
    },
    twin: next,
    open: { ...fieldsOf(next), validFrom: at, validTo: null, recordedAt, seq: next.version },
    close,
  };
}

/** The twin's history once the edit is recorded (what the store will hold after the transaction). */
export function twinEdited(history: TwinHistory, plan: TwinEditPlan): TwinHistory {
  const kept = (history.twinFields ?? []).filter((interval) => interval.seq !== plan.close.interval.seq);
  return {
    ...history,
    record: plan.twin,
    changeSets: [...history.changeSets, plan.changeSet],
    twinFields: [...kept, plan.close.interval, plan.open],
  };
}

export const etagOf = (version: number): string => `"${version}"`;

/**
 * The version a client's `If-Match` names. Accepts `"3"`, `W/"3"` and a bare `3`;
 * a write without it is refused (428), `*` too, since it would skip the check it exists for.
 */
export function expectedVersion(ifMatch: string | undefined): number {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw new PreconditionRequired("If-Match with the twin's ETag is required for this change");
  }
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(ifMatch);
  if (!match)
    throw new BadRequest('If-Match must be the ETag of the twin, e.g. "3"', [
      { path: 'headers.if-match', message: 'must be the ETag of the twin, e.g. "3"' },
    ]);
  return Number(match[1]);
}

export function assertVersion(record: TwinRecord, expected: number): void {
  if (record.version !== expected) {
    throw new PreconditionFailed(`The twin is at version ${record.version}, not ${expected}: read it again`);
  }
}

/**
 * What an as-built record writes: every position and installation from `builtAt`, and the first
 * change set (version 1) of the twin's history.
 */
export function asBuiltHistory(
  record: TwinRecord,
  flat: FlatConfiguration,
  actor: Actor,
  changeSetId: string,
): TwinHistory {
  const interval = { validFrom: record.builtAt, validTo: null, recordedAt: record.createdAt, seq: 1 };
  const changeSet: ChangeSetRecord = {
    id: changeSetId,
    seq: 1,
    reason: 'as-built record',
    effectiveAt: record.builtAt,
    recordedAt: record.createdAt,
    actor,
    operations: [{ op: 'as-built', positions: flat.positions.length, components: flat.installations.length }],
    paths: [],
  };
  return {
    record,
    changeSets: [changeSet],
    twinFields: [{ ...fieldsOf(record), ...interval }],
    positions: flat.positions.map((position): PositionRecord => ({ ...position, ...interval })),
    installations: flat.installations.map(
      ({ path, component }): InstallationRecord => ({ path, component, since: record.builtAt, ...interval }),
    ),
  };
}

/**
 * The twin as it was at valid time `asOf`, as recorded up to `knownAt`: its configuration tree,
 * lifecycle, site, type and attributes then. Identity and version (the ETag) are the current ones.
 */
export function assembleTwin(history: TwinHistory, at: { asOf: string; knownAt: string }): Twin {
  const positions = positionsAt(history.positions, at.asOf, at.knownAt);
  const { site: _site, type: _type, typeVersion: _typeVersion, ...identity } = history.record;
  const fields = twinFieldsAt(history.twinFields, at.asOf, at.knownAt) ?? fieldsOf(history.record);
  return {
    ...identity,
    ...fields,
    lifecycle: lifecycleAt(history.changeSets, at.asOf, at.knownAt),
    configuration: buildTree(positions, installedAt(history.installations, at.asOf, at.knownAt)),
  };
}
