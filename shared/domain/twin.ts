import type { z } from 'zod';
import { attributeMapProblem } from '../schemas/common';
import type { CreateTwinBody, Lifecycle, Node, PatchTwinBody, Product } from '../schemas/twin';
import type { Actor, ChangeSetRecord, TwinHistory } from './change-set';
import {
  buildTree,
  type FlatConfiguration,
  type InstallationRecord,
  installedAt,
  type PositionRecord,
  positionsAt,
} from './configuration';
import { BadRequest, invalidField, PreconditionFailed, PreconditionRequired } from './errors';
import { lifecycleAt } from './lifecycle';
import { toUtc } from './time';

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
    positions: flat.positions.map((position): PositionRecord => ({ ...position, ...interval })),
    installations: flat.installations.map(
      ({ path, component }): InstallationRecord => ({ path, component, since: record.builtAt, ...interval }),
    ),
  };
}

/**
 * The twin as it was at valid time `asOf`, as recorded up to `knownAt`: its configuration tree and
 * lifecycle then. The other fields (site, attributes, version) are the current ones.
 */
export function assembleTwin(history: TwinHistory, at: { asOf: string; knownAt: string }): Twin {
  const positions = positionsAt(history.positions, at.asOf, at.knownAt);
  return {
    ...history.record,
    lifecycle: lifecycleAt(history.changeSets, at.asOf, at.knownAt),
    configuration: buildTree(positions, installedAt(history.installations, at.asOf, at.knownAt)),
  };
}
