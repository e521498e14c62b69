import type { TwinHistory } from '../domain/change-set';
import { BadRequest } from '../domain/errors';
import { mergeAttributes, type TwinRecord } from '../domain/twin';
import {
  asBuiltTypedWrites,
  changeSetTypedWrites,
  checkTypedWrites,
  type TypedWrite,
  twinPatchTypedWrites,
} from '../domain/types';
import type { ChangeSetBody } from '../schemas/change';
import type { Component, CreateTwinBody, PatchTwinBody } from '../schemas/twin';
import { latestTypes } from '../store/type-store';

/** Most field errors one answer lists (a large as-built record could have thousands). */
const MAX_REPORTED = 50;

/**
 * Checks writes against the latest version of the types they name (the version in force now): one
 * read of the types per write that names any (GetItem for one name). Throws a 400 naming every bad
 * attribute; returns the versions checked against, by type name.
 */
async function checkAgainstTypes(tenant: string, writes: TypedWrite[]): Promise<Map<string, number>> {
  if (writes.length === 0) return new Map();
  const types = await latestTypes(
    tenant,
    writes.map((write) => write.typeName),
  );
  const errors = checkTypedWrites(writes, types);
  if (errors.length > 0) {
    const reported = errors.slice(0, MAX_REPORTED);
    const more = errors.length > MAX_REPORTED ? ` (and ${errors.length - MAX_REPORTED} more)` : '';
    throw new BadRequest(
      `${reported.map((error) => `${error.path}: ${error.message}`).join('; ')}${more}`,
      reported,
    );
  }
  return new Map([...types.values()].map((type) => [type.name, type.version]));
}

/** The twin record with the type version it was validated with (none when it has no checked type). */
export function withTypeVersion<T extends TwinRecord>(record: T, version: number | undefined): T {
  const { typeVersion: _previous, ...rest } = record as T & { typeVersion?: number };
  return (version === undefined ? rest : { ...rest, typeVersion: version }) as T;
}

/** An as-built record: the twin's type and attributes, and every component of the tree that names a type. */
export async function validateNewTwin(tenant: string, body: CreateTwinBody): Promise<number | undefined> {
  const versions = await checkAgainstTypes(tenant, asBuiltTypedWrites(body));
  return body.type === undefined ? undefined : versions.get(body.type);
}

/**
 * A PATCH of a twin: a new type checks all merged attributes, attributes written under the twin's
 * type are checked one by one. Returns the type version to record (unchanged when nothing was checked).
 */
export async function validateTwinPatch(
  tenant: string,
  record: TwinRecord & { typeVersion?: number },
  patch: PatchTwinBody,
): Promise<number | undefined> {
  if (patch.type === null) return undefined;
  const merged = mergeAttributes(record.attributes, patch.attributes ?? {});
  const writes = twinPatchTypedWrites(record, patch, merged);
  const versions = await checkAgainstTypes(tenant, writes);
  const type = patch.type ?? record.type;
  return (type === undefined ? undefined : versions.get(type)) ?? record.typeVersion;
}

/** A change set: components installed with a type, attribute updates of components whose type is known. */
export async function validateChangeSet(
  tenant: string,
  history: TwinHistory,
  body: ChangeSetBody,
): Promise<void> {
  const installed = new Map<string, Component>();
  for (const installation of history.installations)
    if (installation.validTo === null) installed.set(installation.path, installation.component);
  await checkAgainstTypes(tenant, changeSetTypedWrites(installed, body.operations));
}
